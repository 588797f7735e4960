#!/usr/bin/env bats
# The man pages against the code they document: ktrack(7) names every module parameter
# (src/params.c), every counter (the columns of /proc/net/stat/ktrack, src/stats.c), the live_*
# states and the files the module creates; it and ktrackctl(8) render with no groff warning.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MAN7=$TOP/tools/ktrack.7

# names ARRAY FILE: the quoted strings of the initialiser `NAME[...] = { ... };` in FILE.
names() {
	awk -v a="$1" '$0 ~ a "\\[" { on = 1 } on { print } on && /^};/ { exit }' "$2" |
		grep -oE '"[a-z0-9_]+"' | tr -d '"'
}

# documented NAME: NAME is set in bold somewhere in ktrack(7).
documented() {
	grep -qE "(\\\\fB|^\.B[R]? |[ \"])$1([ ,\"]|\\\\f|\$)" "$MAN7"
}

@test "ktrack(7) documents every counter and live_* state of src/stats.c" {
	local n=0 c
	for c in $(names ktrack_stat_names "$TOP/src/stats.c") $(names ktrack_live_names "$TOP/src/stats.c"); do
		documented "$c" || { echo "ktrack(7) does not name $c"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
}

@test "ktrack(7) documents every module parameter and the files the module creates" {
	local n=0 p
	for p in $(grep -oE '^module_param[a-z_]*\(([a-z0-9_]+)' "$TOP/src/params.c" | sed 's/.*(//') \
		 $(grep -v '^#define' "$TOP/src/params.c" | grep -oE 'KTRACK_PARAM[A-Z_]*\(([a-z0-9_]+)' | sed 's/.*(//'); do
		documented "$p" || { echo "ktrack(7) does not name parameter $p"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
	for f in /proc/net/ktrack /proc/net/stat/ktrack /proc/net/ktrack_chains /sys/kernel/ktrack/ \
		 /sys/module/ktrack/parameters/ net.ktrack.count net.ktrack.buckets; do
		grep -qF "$f" "$MAN7" || { echo "ktrack(7) does not name $f"; return 1; }
	done
}

@test "ktrack(7) and ktrackctl(8) render without a groff warning" {
	run groff -man -Tutf8 -ww -z "$MAN7" "$TOP/tools/ktrackctl.8"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
