#!/usr/bin/env bats
# Unloading while packets flow: the hooks go away cleanly, the kernel log stays clean.

load ../lib/common

teardown() {
	cleanup_ns
	ktrack_unload
}

@test "rmmod and insmod during a traffic flood leave a clean kernel log" {
	pair kt-srv kt-cli
	ktrack_load
	nsx kt-srv socat -u UDP-RECV:9000 OPEN:/dev/null &
	# two floods, bounded in time (cleanup_ns kills them sooner): UDP from the client, ICMP echo
	nsx kt-cli timeout 300 bash -c "while :; do head -c 1000 /dev/zero; done | socat -u - UDP-SENDTO:$SRV4:9000" &
	nsx kt-cli timeout 300 ping -f -q $SRV4 >/dev/null &
	# the flood is under way (TCG under load may take seconds to get it going)
	for i in $(seq 100); do
		[ "$(kstat packets kt-srv)" -gt 100 ] && break
		sleep 0.2
	done
	[ "$(kstat packets kt-srv)" -gt 100 ]
	for i in 1 2 3 4 5; do
		rmmod ktrack
		insmod "$KO"
		sleep 0.3
	done
	# the last module loaded sees the flood
	for i in $(seq 100); do
		[ "$(kstat packets kt-srv)" -gt 0 ] && break
		sleep 0.2
	done
	[ "$(kstat packets kt-srv)" -gt 0 ]
	rmmod ktrack
	[ ! -d /sys/module/ktrack ]
	no_splat
}
