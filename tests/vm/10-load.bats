#!/usr/bin/env bats
# Module load and unload: defaults, parameters, refusal of bad values, the files it creates.

load ../lib/common

setup() {
	ktrack_unload
}

teardown() {
	ktrack_unload
	cleanup_ns
}

@test "loads with default parameters and unloads" {
	ktrack_load
	[ -d /sys/module/ktrack ]
	dmesg | grep -qE 'ktrack: loaded: max_conns [0-9]+, buckets [0-9]+ \(automatic\)$'
	[ "$(cat /sys/module/ktrack/parameters/hashsize)" = 0 ]
	[ "$(cat /sys/module/ktrack/parameters/netns_hashsize)" = 0 ]
	[ "$(cat /sys/module/ktrack/parameters/loose)" = 1 ]
	[ "$(cat /sys/module/ktrack/parameters/per_src_prefix4)" = 32 ]
	[ "$(cat /sys/module/ktrack/parameters/per_src_prefix6)" = 64 ]
	[ "$(cat /sys/module/ktrack/parameters/max_conns)" -ge 65536 ]
	rmmod ktrack
	[ ! -d /sys/module/ktrack ]
	[ ! -e /proc/net/stat/ktrack ]
}

@test "parameters given at insmod are in effect" {
	ktrack_load max_conns=1000 hashsize=1000 per_src_limit=5 per_src_prefix4=24 \
		per_src_prefix6=48 loose=0 notrack=1 tcp_timeout_time_wait=7 udp_timeout=11
	p=/sys/module/ktrack/parameters
	[ "$(cat $p/max_conns)" = 1000 ]
	[ "$(cat $p/hashsize)" = 1024 ]	# rounded up to a power of two
	[ "$(sysctl -n net.ktrack.buckets)" = 1024 ]	# the initial size
	[ "$(cat $p/per_src_limit)" = 5 ]
	[ "$(cat $p/per_src_prefix4)" = 24 ]
	[ "$(cat $p/per_src_prefix6)" = 48 ]
	[ "$(cat $p/loose)" = 0 ]
	[ "$(cat $p/notrack)" = 1 ]
	[ "$(cat $p/tcp_timeout_time_wait)" = 7 ]
	[ "$(cat $p/udp_timeout)" = 11 ]
}

# refuse PARAM=VALUE MESSAGE: insmod fails, the kernel says MESSAGE, nothing stays loaded.
refuse() {
	dmesg -C
	run insmod "$KO" "$1"
	[ "$status" -ne 0 ]
	[ ! -d /sys/module/ktrack ]
	dmesg | grep -F "ktrack: $2"
}

@test "bad parameter values are refused with a message naming the parameter" {
	refuse per_src_prefix4=33 "per_src_prefix4=33 is out of range 1..32"
	refuse per_src_prefix4=0 "per_src_prefix4=0 is out of range 1..32"
	refuse per_src_prefix6=129 "per_src_prefix6=129 is out of range 1..128"
	refuse loose=2 "loose=2 is out of range 0..1"
	refuse notrack=yes "notrack=yes is not a number"
	refuse max_conns=-1 "max_conns=-1 is not a number"
	refuse max_conns=4294967295 "max_conns=4294967295 is out of range 0..67108864"
	refuse hashsize=100 "hashsize=100 is out of range 256..67108864"
	refuse hashsize=abc "hashsize=abc is not a number"
	refuse netns_hashsize=67108865 "netns_hashsize=67108865 is out of range 256..67108864 (0: automatic)"
	refuse tcp_timeout_established=0 "tcp_timeout_established=0 is out of range 1.."
}

@test "a second insmod fails and leaves the first loaded" {
	ktrack_load
	run insmod "$KO"
	[ "$status" -ne 0 ]
	[ -d /sys/module/ktrack ]
	[ -r /proc/net/stat/ktrack ]
}

@test "/proc/net/stat/ktrack is lnstat's layout: a header row, one hex row per possible CPU, entries first" {
	ktrack_load
	f=/proc/net/stat/ktrack
	head -n 1 $f | grep -q '^entries packets found new invalid ignored other fragment truncated malformed '
	ncpu=$(( $(cut -d- -f2 /sys/devices/system/cpu/possible) + 1 ))
	[ "$(tail -n +2 $f | wc -l)" -eq "$ncpu" ]
	cols=$(head -n 1 $f | wc -w)
	[ "$cols" -le 32 ]	# lnstat's limit
	tail -n +2 $f | awk -v n="$cols" 'NF != n { exit 1 }'
	fails grep -vE '^[0-9a-f]{8,16}$' < <(tail -n +2 $f | tr ' ' '\n')
	# entries: the count, the same in every row; the counters in hex, summed over the rows
	pair kt-srv kt-cli
	nsx kt-cli ping -q -c 2 -W 5 "$SRV4" >/dev/null
	nsx kt-srv cat $f > "$BATS_TEST_TMPDIR/stat"
	[ "$(tail -n +2 "$BATS_TEST_TMPDIR/stat" | awk '{print $1}' | sort -u | wc -l)" -eq 1 ]
	[ "$(kstat_sum entries < "$BATS_TEST_TMPDIR/stat")" -eq "$(nsx kt-srv sysctl -n net.ktrack.count)" ]
	[ "$(kstat_sum entries < "$BATS_TEST_TMPDIR/stat")" -ge 1 ]
	[ "$(kstat_sum packets < "$BATS_TEST_TMPDIR/stat")" -ge 2 ]
	[ "$(kstat_sum found < "$BATS_TEST_TMPDIR/stat")" -ge 1 ]
}

@test "every network namespace gets its own counters, created and removed with it" {
	ktrack_load
	mkns kt-a
	nsx kt-a test -r /proc/net/stat/ktrack
	ip netns del kt-a
	mkns kt-b
	rmmod ktrack
	run nsx kt-b test -e /proc/net/stat/ktrack
	[ "$status" -ne 0 ]
}
