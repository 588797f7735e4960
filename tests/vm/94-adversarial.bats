#!/usr/bin/env bats
# Malformed and edge-case packets through every hook, built with scapy (tests/tools/adversarial.py):
# frames from the client namespace into the server's PREROUTING (and LOCAL_IN when its stack
# delivers them), raw IP from the server itself through its LOCAL_OUT. Each kind is counted in its
# /proc/net/stat/ktrack column (truncated, malformed, fragment, other, invalid, ignored, ...), TCP
# is driven with all 256 combinations of its flag bits on new and on established flows, and the
# table is consistent afterwards. The server's stack is silenced after LOCAL_IN (an nft drop at the
# last priority) and the client's output is dropped, so that only the crafted packets move the
# counters. Scapy is imported once (most of a minute under TCG): setup_file runs every case and
# the tests check the results.

load ../lib/common
load ../lib/ctl
load ../lib/rel

setup_file() {
	mkdir -p "$TOP/build/vm-rel"
	export ADV=$TOP/build/vm-rel/adversarial.txt
	rm -f "$ADV"
	ktrack_load
	pair kt-srv kt-cli
	local smac cmac
	smac=$(ifmac kt-srv v-kt-srv)
	cmac=$(ifmac kt-cli v-kt-cli)
	nsx kt-srv ip neigh replace $CLI4 lladdr "$cmac" dev v-kt-srv nud permanent
	nsx kt-srv ip neigh replace $CLI6 lladdr "$cmac" dev v-kt-srv nud permanent
	nsx kt-cli ip neigh replace $SRV4 lladdr "$smac" dev v-kt-cli nud permanent
	nsx kt-cli ip neigh replace $SRV6 lladdr "$smac" dev v-kt-cli nud permanent
	# nothing may expire while the cases run and are judged: under a loaded TCG host that takes
	# minutes (a pickup's tcp_timeout_unacknowledged, 300 s, once ran out before the last test)
	local ns t
	for ns in kt-srv kt-cli; do
		for t in udp_timeout udp_timeout_stream icmp_timeout tcp_timeout_syn_sent \
			 tcp_timeout_syn_recv tcp_timeout_fin_wait tcp_timeout_close_wait \
			 tcp_timeout_last_ack tcp_timeout_close tcp_timeout_unacknowledged; do
			nsx "$ns" sysctl -qw "net.ktrack.$t=36000"
		done
	done
	# a first fragment that never completes must not make the server answer during the run
	nsx kt-srv sysctl -qw net.ipv4.ipfrag_time=3600
	nsx kt-srv nft -f - <<-'NFT'
	table inet kt_sink {
		chain in { type filter hook input priority 2147483647; drop; }
	}
	NFT
	nsx kt-cli nft -f - <<-'NFT'
	table inet kt_mute {
		chain out { type filter hook output priority 0; drop; }
	}
	NFT
	"$PY" "$TOOLS/adversarial.py" kt-srv kt-cli v-kt-srv v-kt-cli "$ADV" >"$ADV.log" 2>&1 || true
}

teardown_file() {
	cleanup_ns
	ktrack_unload
}

# adv CASE KEY: what the run recorded (0 when nothing).
adv() {
	awk -v c="$1" -v k="$2" '$1 == c && $2 == k { v = $3 } END { print v + 0 }' "$ADV"
}

# expect CASE KEY=N...: the recorded values; says which differ.
expect() {
	local c=$1 kv k v got bad=0
	shift
	grep -qx done "$ADV" || { echo "the run did not finish:" >&2; tail -n 20 "$ADV.log" >&2; return 1; }
	for kv in "$@"; do
		k=${kv%=*} v=${kv#*=}
		got=$(adv "$c" "$k")
		if [ "$got" != "$v" ]; then
			echo "$c: $k is $got, expected $v" >&2
			bad=1
		fi
	done
	[ "$bad" = 0 ] || { grep "^$c " "$ADV" >&2; return 1; }
}

@test "truncated TCP, UDP and ICMP headers (IPv4 and IPv6) are counted as truncated" {
	expect pre_tcp4_trunc truncated=5 senderr=0
	expect pre_udp4_trunc truncated=4
	expect pre_icmp4_trunc truncated=4
	expect pre_tcp6_trunc truncated=5
	expect pre_udp6_trunc truncated=4
	expect pre_icmp6_trunc truncated=4
	expect pre_tcp4_doff_big truncated=10 malformed=0
	expect pre_tcp6_doff_big truncated=10 malformed=0
	expect pre_ext6_trunc truncated=3
}

@test "TCP data offsets below 5 are malformed; a bad IPv4 header never reaches PREROUTING" {
	expect pre_tcp4_doff_small malformed=5 truncated=0 new=0
	expect pre_tcp6_doff_small malformed=5 truncated=0 new=0
	# the IPv4 stack drops a bad IHL before the hook: ktrack does not see it at all
	expect pre_ip4_bad_ihl packets=0 sent=3
}

@test "IPv4 options: valid ones are tracked past; a packet the stack refuses creates nothing" {
	expect pre_ipopts new=3 entries=3 state_udp=3
	# the stack refuses them after PREROUTING and answers each with an ICMP parameter problem,
	# which ktrack sees leave (LOCAL_OUT) as an error quoting nothing tracked: invalid
	expect pre_ipopts_bad packets=4 other=0 invalid=2 new=0 entries=0
}

@test "non-first fragments pass counted; a whole IPv4 datagram is tracked once after reassembly" {
	expect pre_frag4_nonfirst fragment=4 new=0
	expect pre_frag6_nonfirst fragment=3 new=0
	# IPv4 reassembles before LOCAL_IN: a first fragment alone creates nothing
	expect pre_frag4_first_only packets=2 fragment=0 new=0 entries=0
	# both fragments, in order and reversed: one fragment each counted, one entry each
	expect pre_frag4_full fragment=2 new=2 entries=2
	# IPv6 reassembles after LOCAL_IN: the first fragment carries the UDP header and is tracked
	expect pre_frag6_first_only new=1 entries=1
	expect pre_frag6_full fragment=1 new=1 entries=1
}

@test "IPv6 extension header chains: followed up to 8 headers, longer ones are malformed" {
	# hop-by-hop; hbh+dst+routing+dst; padded dst; AH; 7 dst options: all tracked by their UDP
	expect pre_ext6_chains new=5 entries=5 malformed=0
	expect pre_ext6_eight new=1 entries=1 malformed=0
	expect pre_ext6_long malformed=3 new=0 entries=0
	expect pre_ip6_nonext other=1 new=0
}

@test "protocols and ICMP types that are not tracked pass as other; a stray echo reply creates nothing" {
	# an ICMP error quoting nothing ktrack can read is invalid (for a firewall: state INVALID)
	expect pre_other_proto other=5 invalid=1 new=0
	expect pre_echo_reply_unsolicited packets=1 new=0 other=0 invalid=0
}

@test "all 256 TCP flag combinations on new flows: loose=1 picks up 16, counts 224 invalid" {
	# SYN (with or without URG, PSH, ECE, CWR): 16 new SYN_SENT; ACK (with or without URG, PSH,
	# ECE, CWR): 16 loose pickups; every other combination is invalid and passes, FIN|ACK among
	# them (a FIN trails a connection whose entry went: no pickup, as nf_conntrack)
	expect new_flags_loose sent=256 new=32 invalid=224 drop_invalid=0 entries=32 pickup=16 \
		state_SYN_SENT=16 state_ESTABLISHED=16
}

@test "all 256 TCP flag combinations on new flows: loose=0 admits SYNs only, drops the rest but RSTs" {
	# 16 SYNs admitted; 128 with RST pass as invalid (a RST is never dropped for being
	# unknown); the other 112 are dropped
	expect new_flags_strict sent=256 new=16 invalid=128 drop_invalid=112 entries=16 state_SYN_SENT=16
}

@test "all 256 TCP flag combinations on established flows: each moves the state as it should" {
	expect est_handshake new=256 entries=256 state_ESTABLISHED=256 invalid=0 ignored=0
	# 184 impossible combinations: invalid, entry untouched; SYN, SYN|URG, SYN|ACK (x8): ignored;
	# RST, RST|ACK (x8): in-window, deleted; FIN|ACK (x2 x8): FIN_WAIT; ACK, ACK|URG (x8): stay
	expect est_flags invalid=184 ignored=24 del_rst=16 new=0 entries=240 \
		state_ESTABLISHED=224 state_FIN_WAIT=16
}

@test "zero windows: a zero-window probe is accepted, a segment beyond the window is ignored" {
	expect zero_window new=1 ignored=1 invalid=0 entries=1 state_ESTABLISHED=1
}

@test "SYN with data: tracked; a SYN|ACK that acks the data establishes, one that does not is ignored" {
	expect syn_data_acked new=1 ignored=0 entries=1 state_ESTABLISHED=1
	expect syn_data_refused new=1 ignored=1 entries=1 state_SYN_SENT=1
}

@test "ICMP errors quoting tracked flows, from either side, are related and change nothing" {
	expect icmp_err_setup new=2 entries=2 state_ESTABLISHED=2
	# 6 quote the flows (a port unreachable for TCP deletes nothing); a quote cut short and a
	# garbage one are invalid
	expect icmp_err related=6 other=0 senderr=0 new=0 del_rst=0 del_icmp=0 invalid=2 entries=2 \
		state_ESTABLISHED=2
}

@test "LOCAL_OUT: bad version, truncated and malformed headers, fragments sent by the host" {
	r=0
	# the kernel refuses to send an IPv4 header shorter than 20 bytes (EINVAL): nothing to see
	expect out_ip4_bad_ihl senderr=5 packets=0 || r=1
	expect out_ip4_bad_version malformed=4 senderr=0 || r=1
	expect out_l4_trunc truncated=5 senderr=0 || r=1
	expect out_tcp_doff_small malformed=2 senderr=0 || r=1
	expect out_ip6_bad malformed=2 senderr=0 || r=1
	expect out_frag fragment=2 senderr=0 || r=1
	[ "$r" = 0 ]
}

@test "after it all: the table is consistent, a real connection is tracked, the kernel log is clean" {
	grep -qx done "$ADV"
	kt_consistent kt-srv
	kt_consistent kt-cli
	nsx kt-srv nft delete table inet kt_sink
	nsx kt-cli nft delete table inet kt_mute
	n=$(kcn kt-srv count)
	echo_server kt-srv
	echo_loop kt-cli last 100000
	for i in $(seq 100); do
		kcn kt-srv list proto tcp dport 8080 state ESTABLISHED | grep -q "src=$CLI4" && break
		sleep 0.1
	done
	kcn kt-srv list proto tcp dport 8080 state ESTABLISHED | grep -q "src=$CLI4"
	touch "$REL_TMP/stop.last"
	echo_ok last
	wait_count kt-srv "$n"
	kt_consistent kt-srv
	no_splat
}
