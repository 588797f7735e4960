#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-tap.sh - runs the unit test binaries given as arguments and merges their TAP output: the
# "ok N" / "not ok N" lines are numbered in one sequence, the plan comes at the end, and the last
# line is the summary "unit: N passed, N failed". A binary that exits non-zero without reporting
# a failure (a sanitizer abort, a crash) counts as one failed test. Exit status 1 on any failure.

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT INT TERM

for t in "$@"; do
	"$t" >>"$out" 2>&1
	echo "@@ktest-exit ${t##*/} $?" >>"$out"
done

awk '
/^ok [0-9]+/ {
	n++; pass++; sub(/^ok [0-9]+/, "ok " n); print; next
}
/^not ok [0-9]+/ {
	n++; fail++; bin_failed = 1; sub(/^not ok [0-9]+/, "not ok " n); print; next
}
/^1\.\.[0-9]+$/ { next }
/^@@ktest-exit / {
	if ($3 != 0 && !bin_failed) {
		n++; fail++
		printf "not ok %d - %s exited with status %d\n", n, $2, $3
	}
	bin_failed = 0
	next
}
{ print }
END {
	printf "1..%d\n", n
	printf "unit: %d passed, %d failed\n", pass, fail
	exit fail > 0
}' "$out"
