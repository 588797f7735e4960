#!/usr/bin/env bats
# The per-CPU counters move with real traffic, in the namespace that carries it and no other; packets
# ktrack cannot track are classified and counted, never read out of bounds.

load ../lib/common

setup() {
	ktrack_load
	pair kt-srv kt-cli
	mkns kt-idle
}

teardown() {
	cleanup_ns
	ktrack_unload
}

@test "real TCP traffic moves the counters of the namespaces that carry it, not others" {
	nsx kt-srv socat -u TCP-LISTEN:8080,reuseaddr,fork OPEN:/dev/null &
	wait_port kt-srv 8080
	before=$(kstat packets kt-srv)
	for i in 1 2 3 4 5; do
		head -c 100000 /dev/zero | nsx kt-cli socat -u - TCP:$SRV4:8080
	done
	after=$(kstat packets kt-srv)
	[ $((after - before)) -ge 20 ]
	[ "$(kstat packets kt-cli)" -ge 20 ]
	[ "$(kstat packets kt-idle)" -eq 0 ]
	[ "$(kstat malformed kt-srv)" -eq 0 ]
	[ "$(kstat truncated kt-srv)" -eq 0 ]
}

@test "IPv6 and UDP traffic is counted" {
	nsx kt-srv socat -u UDP6-RECV:5353 OPEN:/dev/null &
	nsx kt-srv socat -u TCP6-LISTEN:8081,reuseaddr,fork OPEN:/dev/null &
	wait_port kt-srv 8081
	for i in $(seq 10); do
		echo hello | nsx kt-cli socat -u - UDP6-SENDTO:[$SRV6]:5353
	done
	echo hello | nsx kt-cli socat -u - TCP6:[$SRV6]:8081
	[ "$(kstat packets kt-srv)" -ge 15 ]
	[ "$(kstat packets kt-idle)" -eq 0 ]
}

# craft SCAPY-EXPR...: send crafted IP packets from kt-cli to kt-srv over the veth, in one scapy run.
craft() {
	local list
	list=$(printf '%s,\n' "$@")
	nsx kt-cli "$PY" - <<PYEOF
from scapy.all import *
conf.verb = 0
for p in [$list]:
    sendp(Ether(dst="ff:ff:ff:ff:ff:ff")/p, iface="v-kt-cli")
PYEOF
}

@test "malformed, truncated, fragmented and untracked packets are counted by kind" {
	for k in malformed truncated fragment other invalid; do eval "b_$k=\$(kstat $k kt-srv)"; done
	v4='IP(src="192.0.2.2", dst="192.0.2.1"'
	v6='IPv6(src="2001:db8::2", dst="2001:db8::1"'
	craft \
		"$v4, proto=6)/Raw(b'0123456789')" \
		"$v4, proto=17)/Raw(b'0123')" \
		"$v4, proto=1)/Raw(b'\\x08\\x00')" \
		"$v4)/TCP(dport=80, dataofs=15)" \
		"$v6)/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt(nh=6)/Raw(b'abc')" \
		"$v6, nh=43)/Raw(b'\\x06\\xff' + bytes(6))" \
		"$v4)/TCP(dport=80, dataofs=2)" \
		"$v4, proto=17, frag=100)/Raw(b'x' * 16)" \
		"$v6)/IPv6ExtHdrFragment(offset=10, nh=17)/Raw(b'x' * 16)" \
		"$v4, proto=47)/Raw(b'xxxx')" \
		"$v4)/ICMP(type=3, code=3)/IP(src='192.0.2.1', dst='192.0.2.2')/UDP()"
	sleep 0.5
	# TCP, UDP and ICMP headers cut short; TCP data offset past the end; IPv6 chains past the end
	[ $(( $(kstat truncated kt-srv) - b_truncated )) -eq 6 ]
	# TCP data offset below 5 words
	[ $(( $(kstat malformed kt-srv) - b_malformed )) -eq 1 ]
	# non-first fragments, IPv4 and IPv6
	[ $(( $(kstat fragment kt-srv) - b_fragment )) -eq 2 ]
	# GRE is not tracked (IPv6 neighbour discovery may add to this one); an ICMP error quoting
	# nothing tracked is invalid
	[ $(( $(kstat other kt-srv) - b_other )) -ge 1 ]
	[ $(( $(kstat invalid kt-srv) - b_invalid )) -eq 1 ]
	[ "$(kstat packets kt-idle)" -eq 0 ]
	no_splat
}
