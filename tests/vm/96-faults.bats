#!/usr/bin/env bats
# Faults: allocation failures injected into ktrack's entry cache while new flows flood in (debug
# kernel only: failslab); insmod/rmmod in a loop while two CPUs flood new flows and dumps run;
# network namespaces created and destroyed in a loop with live entries and traffic; limits lowered
# below the live count while connections carry traffic. Each time: what had to be dropped was
# dropped and counted, established connections kept working, nothing leaked, no splat.

load ../lib/common
load ../lib/ctl
load ../lib/rel

setup() {
	ktrack_load
}

teardown() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
	if [ -d /sys/kernel/debug/failslab ]; then
		echo 0 >/sys/kernel/debug/failslab/probability 2>/dev/null || true
	fi
	cleanup_ns
	ktrack_unload || { sleep 1; ktrack_unload; } || true
}

@test "failslab on ktrack_conn4: new flows dropped and counted as drop_nomem, established flows unharmed, nothing leaks" {
	fs=/sys/kernel/debug/failslab
	[ -d "$fs" ] || skip "no failslab here (needs CONFIG_FAILSLAB and debugfs: make check-debug runs it)"
	# 6.1's per-cache switch is read-only: the cache is marked at boot (slub_debug=A,ktrack_conn4)
	[ "$(cat /sys/kernel/slab/ktrack_conn4/failslab 2>/dev/null)" = 1 ] ||
		skip "ktrack_conn4 is not marked for failslab (boot with slub_debug=A,ktrack_conn4 as make check-debug does)"
	pair kt-srv kt-cli
	bulk_setup
	kcn kt-srv config udp_timeout=3600
	echo_server kt-srv
	echo_loop kt-cli e1 100000	# open until stop.e1: it must not close while the table is counted
	wait_count kt-srv 1
	objs0=$(ktrack_live_objs)
	echo Y >"$fs/cache-filter"
	echo 0 >"$fs/verbose"
	echo 0 >"$fs/space"
	echo -1 >"$fs/times"
	echo 1 >"$fs/interval"
	echo 50 >"$fs/probability"
	res=$(nsx kt-cli "$TOOLS/synflood" -i v-kt-cli -m "$(ifmac kt-srv v-kt-srv)" -s 198.18.0.1 \
		-n 50 -d $SRV4 -p 9999 -u -c 2000 -r 2000)
	for i in $(seq 50); do
		[ $(($(kstat new kt-srv) + $(kstat drop_nomem kt-srv))) -ge 2001 ] && break
		sleep 0.2
	done
	echo 0 >"$fs/probability"
	[[ "$res" == "sent 2000 packets"* ]]
	new=$(kstat new kt-srv) nomem=$(kstat drop_nomem kt-srv)
	echo "# failslab 50%: 2000 new UDP flows: $((new - 1)) created, $nomem dropped (drop_nomem)" >&3
	# every flow was either created or dropped and counted (new includes the echo connection)
	[ "$nomem" -gt 0 ]
	[ $((new - 1 + nomem)) -eq 2000 ]
	# and the table holds what was created less what closed (the echo connection ends on its own)
	gone=$(($(kstat del_fin kt-srv) + $(kstat del_rst kt-srv) + $(kstat del_timeout kt-srv)))
	[ "$(sysns kt-srv count)" -eq $((new - gone)) ]
	kt_consistent kt-srv
	# the established connection kept answering through it all
	touch "$REL_TMP/stop.e1"
	echo_ok e1
	# nothing leaked: flushed, the caches hold no more entries than before (the echo connection's
	# own are gone; 10 spare for a stray packet's entry in another netns)
	kcn kt-srv flush >/dev/null
	wait_objs_le $((objs0 + 10))
	kmemleak_check
	no_splat
}

@test "insmod/rmmod in a loop while two CPUs flood new flows and dumps run" {
	pair kt-srv kt-cli
	bulk_setup
	dmac=$(ifmac kt-srv v-kt-srv)
	# 4000 packets/s a CPU keeps Debian's kernel busy under TCG. The debug kernel spends 5-10x as
	# long on each packet and far longer on each free (KASAN quarantine, kmemleak), and rmmod
	# waits for every entry's RCU callback: at 4000/s it blocked for minutes, at 1000/s up to 86 s
	rate=4000
	! debug_kernel || rate=500
	flood "$REL_TMP/flood0" kt-cli 0 -i v-kt-cli -m "$dmac" \
		-s 198.18.0.1 -n 500 -d $SRV4 -p 9999 -u -r $rate -t 900
	f0=$FLOOD_PID
	flood "$REL_TMP/flood1" kt-cli 1 -i v-kt-cli -m "$dmac" \
		-s 198.18.2.1 -n 500 -d $SRV4 -p 80 -r $rate -t 900
	f1=$FLOOD_PID
	# the dumps fail while ktrack is out (the subshell inherits bats' errexit: hence the || true);
	# each one that got through leaves a line in dumps
	rm -f "$REL_TMP/dumps"
	(
		while :; do
			nsx kt-srv "$KTRACKCTL" list >/dev/null 2>&1 && echo list >>"$REL_TMP/dumps" || true
			nsx kt-srv cat /proc/net/ktrack >/dev/null 2>&1 && echo proc >>"$REL_TMP/dumps" || true
			sleep 0.1	# a gap in which rmmod can find the module unused
		done
	) &
	dumper=$!
	# an event listener throughout, so that new flows build events while the family goes away
	# (ktrack_nl_exit() waits for the senders); each monitor lives 2 s, as the family comes back
	# with another id after every insmod
	(
		while :; do
			timeout 2 ip netns exec kt-srv "$KTRACKCTL" monitor >/dev/null 2>&1 || true
			sleep 0.05
		done
	) &
	monitor=$!
	# per round: entries before rmmod, seconds in insmod and in rmmod (it waits for the entries'
	# RCU callbacks)
	loads=0 seen=0 busy=0 rounds=
	for round in $(seq 8); do
		t0=$EPOCHREALTIME
		ktrack_load
		t1=$EPOCHREALTIME
		loads=$((loads + 1))
		for i in $(seq 100); do
			c=$(nsx kt-srv sysctl -n net.ktrack.count 2>/dev/null || echo 0)
			[ "$c" -gt 0 ] && break
			sleep 0.1
		done
		[ "$c" -gt 0 ] && seen=$((seen + 1))
		sleep 0.5
		# a dump in progress holds the module: rmmod says busy, then succeeds
		n=$(nsx kt-srv sysctl -n net.ktrack.count 2>/dev/null || echo 0)
		t2=$EPOCHREALTIME
		for i in $(seq 600); do
			rmmod ktrack 2>/dev/null && break
			busy=$((busy + 1))
			sleep 0.1
		done
		[ ! -d /sys/module/ktrack ]
		rounds+=$(awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$EPOCHREALTIME" \
			'BEGIN { printf " %d:%.1f/%.1f", n, b - a, d - c }')
	done
	kill "$dumper" "$monitor"
	kill "$f0" "$f1" || true	# stopped, each flood says what it sent
	wait "$f0" "$f1" || true
	nl=$(grep -c list "$REL_TMP/dumps" || true) pr=$(grep -c proc "$REL_TMP/dumps" || true)
	echo "# two floods at $rate/s each: $loads loads, entries seen in $seen, rmmod busy $busy times, $nl netlink and $pr /proc dumps, entries:insmod/rmmod s per round:$rounds; $(cat "$REL_TMP/flood0"); $(cat "$REL_TMP/flood1")" >&3
	[ "$seen" -eq 8 ]
	# dumps ran through the loop
	[ "$nl" -ge 8 ]
	[ "$pr" -ge 8 ]
	# both floods ran until stopped
	grep -q '^sent ' "$REL_TMP/flood0"
	grep -q '^sent ' "$REL_TMP/flood1"
	# loaded again, it tracks a real connection
	ktrack_load
	echo_server kt-srv
	echo_loop kt-cli e2 3
	echo_ok e2
	[ "$(kstat new kt-srv)" -ge 1 ]
	no_splat
}

@test "network namespaces created and destroyed in a loop with live entries and traffic" {
	objs0=$(ktrack_live_objs)
	total=0
	for round in $(seq 4); do
		ip netns add kt-a
		ip netns add kt-b
		ip link add v-a netns kt-a type veth peer name v-b netns kt-b
		nsx kt-a ip addr add $SRV4/24 dev v-a
		nsx kt-b ip addr add $CLI4/24 dev v-b
		nsx kt-a ip link set v-a up
		nsx kt-b ip link set v-b up
		nsx kt-a sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.v-a.rp_filter=0
		nsx kt-a ip route add 198.18.0.0/15 via $CLI4
		dmac=$(ifmac kt-a v-a)
		nsx kt-b "$TOOLS/synflood" -i v-b -m "$dmac" -s 198.18.0.1 -n 3 -d $SRV4 -p 9999 -u -c 300 >/dev/null
		for i in $(seq 50); do
			c=$(nsx kt-a sysctl -n net.ktrack.count)
			[ "$c" -ge 300 ] && break
			sleep 0.1
		done
		[ "$c" -ge 300 ]
		total=$((total + c))
		# traffic still coming in while the namespace goes away
		flood "$REL_TMP/flood-ns" kt-b - -i v-b -m "$dmac" -s 198.18.1.1 -n 100 -d $SRV4 -p 9999 -u -r 3000 -t 30
		sleep 0.3
		ip netns del kt-a
		sleep 0.2
		kill "$FLOOD_PID" 2>/dev/null || true
		wait "$FLOOD_PID" 2>/dev/null || true
		ip netns del kt-b
	done
	echo "# 4 namespaces destroyed holding $total entries in all" >&3
	# the namespaces' tables are freed (netns cleanup runs in the background): the caches hold no
	# more entries than before (10 spare for a stray packet's entry in another netns); then the
	# unload, whose kmem_cache_destroy() warns of any entry left over (no_splat), and kmemleak on
	# the debug kernel
	wait_objs_le $((objs0 + 10)) 60
	ktrack_unload
	fails grep -q "ktrack_conn[46].*still has objects" < <(dmesg)
	kmemleak_check
	no_splat
}

# below_live SYSCTL LIMIT LIVE DROPCOUNTER: LIVE connections carry echo traffic; net.ktrack.SYSCTL
# goes down to LIMIT (below LIVE): a new connection is refused and counted in DROPCOUNTER while the
# live ones go on; once enough of them closed (their FIN exchanges delete their entries), a new one
# gets in; the others worked all along.
below_live() {
	local key=$1 limit=$2 live=$3 counter=$4 i d0 keep=$(($2 - 1))
	pair kt-srv kt-cli
	echo_server kt-srv
	for i in $(seq "$live"); do echo_loop kt-cli "c$i" 400; done
	wait_count kt-srv "$live" 60
	nsx kt-srv sysctl -qw "net.ktrack.$key=$limit"
	d0=$(kstat "$counter" kt-srv)
	# none is evictable: every one is answered
	run nsx kt-cli socat -u /dev/null TCP:$SRV4:8080,connect-timeout=3
	[ "$status" -ne 0 ]
	[ "$(kstat "$counter" kt-srv)" -gt "$d0" ]
	[ "$(sysns kt-srv count)" -eq "$live" ]
	for i in $(seq $((live - keep))); do touch "$REL_TMP/stop.c$i"; done
	for i in $(seq $((live - keep))); do echo_ok "c$i"; done
	wait_count kt-srv "$keep" 30
	echo_loop kt-cli new 3
	echo_ok new
	for i in $(seq $((live - keep + 1)) "$live"); do touch "$REL_TMP/stop.c$i"; done
	for i in $(seq $((live - keep + 1)) "$live"); do echo_ok "c$i"; done
	wait_count kt-srv 0 30
	echo "# $key $limit under $live live: $(($(kstat "$counter" kt-srv) - d0)) SYNs refused ($counter) until $keep were left" >&3
	kt_consistent kt-srv
	no_splat
}

@test "max_conns lowered below the live count under traffic: live connections go on, new ones wait until under" {
	below_live max_conns 5 10 drop_table
}

@test "per_src_limit lowered below a source's live count: its connections go on, new ones refused until under" {
	below_live per_src_limit 3 6 drop_source
}
