#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-bench.sh BENCH ENTRIES... - runs the table microbenchmark under callgrind once for each table
# size and prints instructions per operation, then the memory per connection (bench_table.c says
# what is measured). Callgrind collects only inside the op_* functions; each phase dumps its
# counts (CALLGRIND_DUMP_STATS_AT), and a dump's total divided by the phase's operations is the
# cost of one. Counts are of the userspace build: see the notes printed under the table.

bench=$1
shift
command -v valgrind >/dev/null || { echo "run-bench.sh: valgrind is not installed" >&2; exit 1; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM

printf '%-28s %9s %10s\n' operation entries instr/op
for n in "$@"; do
	valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
		--toggle-collect='op_*' --callgrind-out-file="$dir/cg.$n" \
		"$bench" "$n" >"$dir/phases.$n" 2>"$dir/log.$n" || {
		echo "run-bench.sh: $bench $n failed:" >&2
		cat "$dir/log.$n" >&2
		exit 1
	}
	# One dump file per phase (cg.N.1, cg.N.2, ...): its trigger names the phase.
	for f in "$dir"/cg."$n".*; do
		awk '/^desc: Trigger: Client Request: / { phase = $NF }
		     /^(summary|totals):/ { total = $2 }
		     END { if (phase != "") print phase, total }' "$f"
	done >"$dir/totals.$n"
	awk -v n="$n" '
	NR == FNR { total[$1] = $2; next }
	$1 == "phase" {
		name = $2
		sub(/_/, " ", name)
		if (name == "insert") name = "insert (+ source acquire)"
		if (name == "delete") name = "delete (+ source release)"
		if (name == "free") name = "  free (RCU callback, later)"
		printf "%-28s %9d %10.1f\n", name, $4, total[$2] / $3
	}' "$dir/totals.$n" "$dir/phases.$n"
done
# Where each operation's instructions go, at the last size: self cost per operation by function.
if command -v callgrind_annotate >/dev/null; then
	echo
	echo "instructions per operation by function (self), at $n entries:"
	for f in "$dir"/cg."$n".*; do
		phase=$(awk '/^desc: Trigger: Client Request: / { print $NF; exit }' "$f")
		ops=$(awk -v p="$phase" '$1 == "phase" && $2 == p { print $3 }' "$dir/phases.$n")
		[ -n "$ops" ] || continue
		echo "  $phase:"
		callgrind_annotate --inclusive=no --threshold=100 "$f" 2>/dev/null |
			awk -v ops="$ops" '/file:function/ { on = 1; next } on && /^-/ { next }
			on && NF == 0 { exit }
			on && $1 ~ /^[0-9,]+$/ {
				ir = $1; gsub(",", "", ir)
				fn = ($NF ~ /^\[/) ? $(NF - 1) : $NF
				sub(/.*:/, "", fn)
				sum[fn] += ir / ops
			}
			END { for (k in sum) if (sum[k] >= 5) printf "    %-30s %7.1f\n", k, sum[k] }' |
			sort -k2 -nr
	done
fi
echo "(callgrind Ir in the op_* functions, -O2, kernel code on the userspace shim: glibc malloc"
echo " and free stand in for the slab, liburcu's call_rcu for the kernel's; lookups run inside"
echo " one rcu_read_lock(), as under the netfilter hooks; IPv4 TCP flows, 10 per source)"
echo
"$bench" --memory
