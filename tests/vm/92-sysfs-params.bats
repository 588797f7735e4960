#!/usr/bin/env bats
# /sys/kernel/ktrack/ (the initial netns's counters, one read-only value per file) and the module
# parameters under /sys/module/ktrack/parameters/ written at run time: range-checked like the
# sysctl, the new default for namespaces created afterwards and the initial netns's sysctl value.

load ../lib/common
load ../lib/ctl

SYS=/sys/kernel/ktrack
PAR=/sys/module/ktrack/parameters

setup() {
	ktrack_load
}

teardown() {
	cleanup_ns
	ktrack_unload
}

# init_udp N PORT: N UDP flows in the initial netns (loopback, distinct source ports).
init_udp() {
	local i
	for i in $(seq "$1"); do
		echo x | socat -u - UDP:127.0.0.1:"$2",sourceport=$((20000 + i))
	done
}

@test "/sys/kernel/ktrack: one read-only value per file, the version and every counter" {
	[ "$(cat $SYS/version)" = "$(modinfo -F version "$KO")" ]
	n=0
	for f in $SYS/*; do
		[ "$(stat -c %a "$f")" = 444 ]
		[ "$(wc -l < "$f")" -eq 1 ]
		n=$((n + 1))
		[ "${f##*/}" = version ] || grep -qE '^-?[0-9]+$' "$f"
	done
	# every column of /proc/net/stat/ktrack but "entries" (sysfs: count), the five table values,
	# version, the nine live_* counts
	cols=$(head -n 1 /proc/net/stat/ktrack | wc -w)
	[ "$n" -eq $((cols - 1 + 5 + 1 + 9)) ]
	for c in $(head -n 1 /proc/net/stat/ktrack | cut -d' ' -f2-); do
		[ -f "$SYS/$c" ]
	done
	for f in count buckets sources max_conns events_overflow; do
		[ -f "$SYS/$f" ]
	done
	run sh -c "echo 1 > $SYS/count"
	[ "$status" -ne 0 ]
	[ "$(sysctl -n net.ktrack.buckets)" -eq "$(cat $SYS/buckets)" ]
	[ "$(sysctl -n net.ktrack.max_conns)" -eq "$(cat $SYS/max_conns)" ]
}

@test "/sys/kernel/ktrack counts the initial netns's traffic, like /proc and ktrackctl" {
	mkns kt-other
	kc config udp_timeout=600
	new0=$(cat $SYS/new)
	count0=$(cat $SYS/count)
	init_udp 5 9
	[ "$(cat $SYS/new)" -eq $((new0 + 5)) ]
	[ "$(cat $SYS/count)" -eq $((count0 + 5)) ]
	[ "$(cat $SYS/count)" -eq "$(kc count)" ]
	[ "$(cat $SYS/new)" -eq "$(kstat new)" ]
	[ "$(cat $SYS/live_other)" -eq "$(kc -o json stats | jget .live_other)" ]
	[ "$(cat $SYS/count)" -eq "$(kstat entries)" ]
	[ "$(cat $SYS/packets)" -le "$(kstat packets)" ]
	[ "$(cat $SYS/new)" -eq "$(kc -o json stats | jget .new)" ]
	# a flush in the initial netns shows as del_flush; another netns's traffic does not count here
	flushed=$(kc flush | cut -d' ' -f1)
	[ "$flushed" -ge 5 ]
	[ "$(cat $SYS/del_flush)" -eq "$flushed" ]
	[ "$(cat $SYS/count)" -eq 0 ]
	new1=$(cat $SYS/new)
	nsx kt-other sh -c 'for p in 1 2 3; do echo x | socat -u - UDP:127.0.0.1:9,sourceport=2000$p; done'
	[ "$(kcn kt-other count)" -eq 3 ]
	[ "$(cat $SYS/new)" -eq "$new1" ]
}

@test "parameters: tunables are 0644, hashsize and netns_hashsize 0444; module unload removes /sys/kernel/ktrack" {
	for f in $PAR/*; do
		if [ "${f##*/}" = hashsize ] || [ "${f##*/}" = netns_hashsize ]; then
			[ "$(stat -c %a "$f")" = 444 ]
		else
			[ "$(stat -c %a "$f")" = 644 ]
		fi
	done
	[ "$(ls $PAR | wc -l)" -eq 22 ]
	h=$(cat $PAR/hashsize)
	run sh -c "echo 1024 > $PAR/hashsize"
	[ "$status" -ne 0 ]
	[ "$(cat $PAR/hashsize)" -eq "$h" ]
	rmmod ktrack
	[ ! -e $SYS ]
}

@test "a parameter written at run time: init netns sysctl and new namespaces, not existing ones" {
	mkns kt-old
	echo 77 > $PAR/udp_timeout
	[ "$(cat $PAR/udp_timeout)" -eq 77 ]
	[ "$(sysctl -n net.ktrack.udp_timeout)" -eq 77 ]
	[ "$(kc config udp_timeout)" -eq 77 ]
	[ "$(nsx kt-old sysctl -n net.ktrack.udp_timeout)" -eq 30 ]
	mkns kt-new
	[ "$(nsx kt-new sysctl -n net.ktrack.udp_timeout)" -eq 77 ]
	# it is in force: a new flow in the initial netns gets the new timeout
	echo x | socat -u - UDP:127.0.0.1:9,sourceport=21000
	t=$(kc -o json list proto udp sport 21000 | jget '.[0].timeout')
	[ "$t" -gt 30 ]
	[ "$t" -le 77 ]
	# a sysctl write does not change the parameter (the default of new namespaces)
	sysctl -qw net.ktrack.udp_timeout=50
	[ "$(cat $PAR/udp_timeout)" -eq 77 ]
	echo 0 > $PAR/notrack
	echo 1 > $PAR/notrack
	[ "$(sysctl -n net.ktrack.notrack)" -eq 1 ]
	echo 0 > $PAR/notrack
}

@test "a parameter write out of range is refused like the sysctl and changes nothing" {
	dmesg -C
	run sh -c "echo 33 > $PAR/per_src_prefix4"
	[ "$status" -ne 0 ]
	dmesg | grep -qF "ktrack: per_src_prefix4=33 is out of range 1..32"
	run sh -c "echo 2 > $PAR/loose"
	[ "$status" -ne 0 ]
	run sh -c "echo abc > $PAR/udp_timeout"
	[ "$status" -ne 0 ]
	[ "$(cat $PAR/per_src_prefix4)" -eq 32 ]
	[ "$(sysctl -n net.ktrack.per_src_prefix4)" -eq 32 ]
	[ "$(cat $PAR/loose)" -eq 1 ]
	[ "$(cat $PAR/udp_timeout)" -eq 30 ]
	# the sysctl refuses the same values
	run sysctl -qw net.ktrack.per_src_prefix4=33
	[ "$status" -ne 0 ]
}

@test "per_src_prefix4 written while the initial netns counts a source: EBUSY, nothing changes" {
	mkns kt-peer
	ip link add v-init type veth peer name v-peer netns kt-peer
	ip addr add 192.0.2.101/24 dev v-init
	ip link set v-init up
	nsx kt-peer ip addr add 192.0.2.102/24 dev v-peer
	nsx kt-peer ip link set v-peer up
	kc config udp_timeout=600
	echo x | nsx kt-peer socat -u - UDP:192.0.2.101:9
	[ "$(cat $SYS/sources)" -eq 1 ]
	dmesg -C
	run sh -c "echo 24 > $PAR/per_src_prefix4"
	[ "$status" -ne 0 ]
	dmesg | grep -qF "ktrack: per_src_prefix4 can change only while no source is counted"
	[ "$(cat $PAR/per_src_prefix4)" -eq 32 ]
	[ "$(sysctl -n net.ktrack.per_src_prefix4)" -eq 32 ]
	kc flush
	[ "$(cat $SYS/sources)" -eq 0 ]
	echo 24 > $PAR/per_src_prefix4
	[ "$(sysctl -n net.ktrack.per_src_prefix4)" -eq 24 ]
	echo 32 > $PAR/per_src_prefix4
	ip link del v-init
	no_splat
}
