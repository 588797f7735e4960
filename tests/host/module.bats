#!/usr/bin/env bats
# The built modules, read on the host without loading them: what they take from the kernel before
# any packet (here, the modules' shared reserve of static per-CPU memory).

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# percpu_bytes KO: the size of the module's static per-CPU section (0 when it has none).
percpu_bytes() {
	local hex
	hex=$(readelf -S --wide "$1" | awk '$2 == ".data..percpu" { print $6 }')
	echo $((16#${hex:-0}))
}

@test "ktrack.ko and xt_ktrack.ko take almost nothing of the 8 KiB static per-CPU reserve all modules share" {
	# a module's DEFINE_PER_CPU data comes from that reserve (PERCPU_MODULE_RESERVE); a 4 KiB map
	# there once made insmod fail with ENOMEM after nf_conntrack and the xtables modules loaded
	local ko n
	for ko in "$TOP/src/ktrack.ko" "$TOP/src/xt_ktrack.ko"; do
		[ -f "$ko" ] || skip "$ko is not built"
		n=$(percpu_bytes "$ko")
		echo "$ko: $n bytes"
		[ "$n" -le 64 ]
	done
}
