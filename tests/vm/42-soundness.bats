#!/usr/bin/env bats
# Ways traffic could fool the tracker, strand its entries or race it (the soundness issue): batched
# receive between PREROUTING and LOCAL_IN, bad checksums, loose pickups, RFC 5961 RSTs, resync after
# port reuse, UDP streams, timeouts changed under live entries, eviction order, source prefix
# changes under load, notrack and forwarded traffic, pickups at a source's limit. Crafted segments
# where a sequence must be exact, real sockets elsewhere.

load ../lib/suite
load ../lib/ctl

TOOLS=$TOP/tests/tools

# mute_rst NETNS: the namespace's RSTs are dropped before ktrack's LOCAL_OUT hook sees them, so a
# socket can go (or a closed port stay silent) without ktrack knowing.
mute_rst() {
	nsx "$1" nft -f - <<-'NFT'
	table inet kt_mute_rst {
		chain out { type filter hook output priority -400; tcp flags rst drop; }
	}
	NFT
}

@test "a batch of unknown mid-stream segments with loose=0 (GRO, netem bursts): every one is dropped and counted" {
	nsx kt-srv ethtool -K v-kt-srv gro on >/dev/null
	nsx kt-cli ethtool -K v-kt-cli tso off gso off >/dev/null
	nsx kt-cli tc qdisc add dev v-kt-cli root netem delay 5ms limit 100000
	ksys_set srv loose 0
	srvmac
	ksnap srv drop_invalid
	rx0=$(kt_snmp srv Ip InReceives)
	tcp0=$(kt_snmp srv Tcp InSegs)
	nsx kt-cli "$TOOLS/synflood" -a -i v-kt-cli -m "$SRVMAC" -s $CLI4 -n 1 -d $SRV4 -p 8080 \
		-S 20000 -c 20000
	# the last ones leave netem 5 ms later: until the receive count stops moving
	prev=-1
	while kt_snmp srv Ip InReceives >/dev/null && [ "$KV" != "$prev" ]; do
		prev=$KV
		ksleep 0.5
	done
	rx=$((KV - rx0))
	tcp=$(($(kt_snmp srv Tcp InSegs) - tcp0))
	echo "received $rx, reached TCP $tcp, drop_invalid $(kdelta srv drop_invalid)"
	[ "$rx" -ge 10000 ]
	kexpect srv drop_invalid "$rx"
	[ "$tcp" -eq 0 ]
	[ "$(kt_count srv)" -eq 0 ]
}

@test "a SYN with a bad TCP checksum creates no entry and holds no source count (bad_checksum)" {
	ksys_set srv per_src_limit 1
	craft_setup
	agent srv listen 8080
	agent cli craft k 41100 8080 - 1000
	ksnap srv bad_checksum new drop_source
	agent cli csend k S bad
	kwait srv bad_checksum 1
	kexpect srv new 0
	[ "$(kt_count srv)" -eq 0 ]
	# the source's one allowed connection is still free
	agent cli craft k2 41101 8080 - 5000
	agent cli csyn k2
	kexpect srv new 1
	kexpect srv drop_source 0
	kexpect srv bad_checksum 1
}

@test "a mid-stream ACK with a bad checksum is not picked up (bad_checksum); a good one is (pickup)" {
	craft_setup
	mute_rst kt-srv
	agent cli craft k 41102 8080 - 1000
	ksnap srv bad_checksum new pickup
	agent cli csend k A bad
	kwait srv bad_checksum 1
	kexpect srv new 0
	[ "$(kt_count srv)" -eq 0 ]
	agent cli csend k A
	kwait srv pickup 1
	kexpect srv new 1
	kexpect srv bad_checksum 1
}

@test "a UDP datagram with a bad checksum creates no entry; one without a checksum (0) does" {
	agent srv udp_listen 9 sink
	ksnap srv bad_checksum new
	# sport 40000, dport 9, length 10, checksum 0x1234 (wrong), "hi"
	agent cli raw 17 $SRV4 9c400009000a12346869
	kwait srv bad_checksum 1
	kexpect srv new 0
	agent cli raw 17 $SRV4 9c400009000a00006869
	kt_wait_line srv udp "$(tuple $CLI4 $SRV4 40000 9)" 5
	kexpect srv new 1
	kexpect srv bad_checksum 1
}

@test "an unanswered pickup lives tcp_timeout_unacknowledged, not 5 days; an answered one is ESTABLISHED for good" {
	craft_setup
	mute_rst kt-srv
	agent cli craft k 41110 8080 - 1000
	agent cli csend k A
	t=$(tuple $CLI4 $SRV4 41110 8080)
	kt_wait_line srv tcp "$t" 5
	echo "$KT_LINE"
	[ "$(kt_field 6)" = ESTABLISHED ]
	match "$KT_LINE" '\[UNREPLIED\]'
	between 290 "$(kt_field 5)" 300
	# the class follows the tunable at once
	ksnap srv del_timeout
	ksys_set srv tcp_timeout_unacknowledged 3
	kt_wait_gone srv tcp "$t" 10
	kexpect srv del_timeout 1

	# a real connection picked up (its entry flushed) is answered at once
	agent srv listen 8080
	agent cli connect c $SRV4 8080 40110
	kcn kt-srv flush >/dev/null
	agent cli send c hello
	agent srv wait_data a40110 hello
	agent srv send a40110 world
	agent cli wait_data c world
	kt_find srv tcp "$(tuple $CLI4 $SRV4 40110 8080)"
	echo "$KT_LINE"
	[ "$(kt_field 6)" = ESTABLISHED ]
	[ "$(kt_field 5)" -gt 431000 ]
}

@test "an unanswered pickup is evicted at max_conns" {
	ksys_set srv max_conns 2
	craft_setup
	mute_rst kt-srv
	agent cli craft k1 41111 8080 - 1000
	agent cli csend k1 A
	kt_wait_count srv 1
	agent cli craft k2 41112 8080 - 2000
	agent cli csend k2 A
	kt_wait_count srv 2
	ksnap srv evicted drop_table
	agent srv listen 8081
	agent cli connect c $SRV4 8081 40111
	kexpect srv evicted 1
	kexpect srv drop_table 0
	fails kt_has srv tcp "$(tuple $CLI4 $SRV4 41111 8080)"
	kt_has srv tcp "$(tuple $CLI4 $SRV4 41112 8080)"
}

@test "an in-window RST off the exact sequence keeps the entry (rst_inexact); the exact one deletes it" {
	craft_setup
	agent srv listen 8080
	agent cli craft k 41120 8080 - 1000
	agent cli csyn k
	agent cli cack k
	agent cli cdata k hello
	agent srv wait_data a41120 hello
	t=$(tuple $CLI4 $SRV4 41120 8080)
	kt_wait_state srv "$t" ESTABLISHED 3
	ksnap srv rst_inexact del_rst
	agent cli crst k 100	# in the window, 100 past what the server expects
	kwait srv rst_inexact 1
	kt_state srv "$t"
	[ "$KT_STATE" = ESTABLISHED ]
	kexpect srv del_rst 0
	# the server's TCP kept the connection too (it sent a challenge ACK): data still flows
	agent cli cdata k again
	agent srv wait_data a41120 again
	agent cli crst k 0
	kt_wait_gone srv tcp "$t" 3
	kexpect srv del_rst 1
}

@test "a SYN reusing the port of an entry whose server socket is gone resyncs on the SYN|ACK (resync)" {
	craft_setup
	agent srv listen 8080
	agent cli craft k 41130 8080 - 1000
	agent cli csyn k
	agent cli cack k
	agent cli cdata k hello
	agent srv wait_data a41130 hello
	t=$(tuple $CLI4 $SRV4 41130 8080)
	kt_wait_state srv "$t" ESTABLISHED 3
	# the server's socket goes, its RST unseen: ktrack still holds the connection
	mute_rst kt-srv
	agent srv rst a41130
	ksnap srv resync
	# the client comes back on the same port with a new ISN; the listener answers SYN|ACK
	agent cli craft k2 41130 8080 - 900000000
	agent cli csyn k2
	kwait srv resync 1
	kt_state srv "$t"
	[ "$KT_STATE" = SYN_RECV ]
	agent cli cack k2
	agent cli cdata k2 again
	agent srv wait_data a41130 again
	kt_wait_state srv "$t" ESTABLISHED 3
	# the new connection's FINs are in its window: the close deletes the entry
	ksnap srv del_fin
	agent cli cclose k2
	kt_wait_gone srv tcp "$t" 5
	kexpect srv del_fin 1
}

@test "a retransmitted SYN does not extend SYN_SENT" {
	ksys_set srv tcp_timeout_syn_sent 20
	craft_setup
	mute_rst kt-srv	# port 8090 is closed, and its RSTs unseen: the SYN stays unanswered
	agent cli craft k 41140 8090 - 1000
	agent cli csend k S
	t=$(tuple $CLI4 $SRV4 41140 8090)
	kt_wait_state srv "$t" SYN_SENT 5
	kt_wait_left srv tcp "$t" 17
	agent cli craft k 41140 8090 - 1000	# the same SYN again
	ksnap srv found
	agent cli csend k S
	kwait srv found 1
	kt_find srv tcp "$t"
	echo "$KT_LINE"
	[ "$(kt_field 6)" = SYN_SENT ]
	[ "$(kt_field 5)" -le 17 ]
}

@test "UDP answered once keeps udp_timeout from its answer; still active 2 s later it is a stream" {
	agent srv udp_listen 5353 echo
	agent cli udp_rr 40200 $SRV4 5353 1
	[ "$AR" = 1 ]
	t=$(tuple $CLI4 $SRV4 40200 5353)
	kt_find srv udp "$t"
	echo "$KT_LINE"
	between 27 "$(kt_field 5)" 30
	kt_wait_left srv udp "$t" 27
	agent cli udp_rr 40200 $SRV4 5353 1
	kt_find srv udp "$t"
	echo "$KT_LINE"
	between 110 "$(kt_field 5)" 120
}

@test "at max_conns an answered UDP flow that is no stream is evicted, oldest first" {
	ksys_set srv max_conns 2
	agent srv udp_listen 5353 echo
	agent srv udp_listen 5354 sink
	agent cli udp_rr 40210 $SRV4 5353 1
	agent cli udp_send 40211 $SRV4 5354
	kt_wait_count srv 2
	ksnap srv evicted drop_table
	agent cli udp_send 40212 $SRV4 5354
	kt_wait_line srv udp "$(tuple $CLI4 $SRV4 40212 5354)" 5
	kexpect srv evicted 1
	kexpect srv drop_table 0
	fails kt_has srv udp "$(tuple $CLI4 $SRV4 40210 5353)"
	kt_has srv udp "$(tuple $CLI4 $SRV4 40211 5354)"
}

@test "a lowered timeout applies at once to entries queued before and after it" {
	ksys_set srv udp_timeout 600
	srvmac
	agent srv udp_listen 5354 sink
	# enough flows that every lock stripe has one at the head of its UDP list
	agent cli flows udp "$SRVMAC" $CLI4 $SRV4 5354 1000 10000
	kt_wait_count srv 1000 60
	ksys_set srv udp_timeout 2
	agent cli udp_send 40300 $SRV4 5354
	t=$(tuple $CLI4 $SRV4 40300 5354)
	kt_wait_line srv udp "$t" 5
	kt_wait_gone srv udp "$t" 15
	kt_wait_count srv 0 15
}

@test "at a full table a SYN over its source's limit is refused without evicting anyone" {
	ksys_set srv max_conns 2
	ksys_set srv per_src_limit 1
	srvmac
	agent srv listen 8080
	agent cli connect c $SRV4 8080 40400
	# a half-open entry from another source (its SYN|ACK has no route back)
	agent cli flows syn "$SRVMAC" 198.18.0.1 $SRV4 8080 1 30000
	kt_wait_count srv 2
	ksnap srv evicted drop_source drop_table
	fails agent cli connect c2 $SRV4 8080 40401 - 2
	kexpect_ge srv drop_source 1
	kexpect srv evicted 0
	kt_has srv tcp "$(tuple 198.18.0.1 $SRV4 30000 8080)"
}

@test "a closing connection (LAST_ACK) is evicted at max_conns before a new flow is refused" {
	ksys_set srv max_conns 2
	craft_setup
	agent srv listen 8080
	agent cli craft k 41150 8080 - 1000
	agent cli csyn k
	agent cli cack k
	agent cli cdata k hello
	agent srv wait_data a41150 hello
	t=$(tuple $CLI4 $SRV4 41150 8080)
	agent cli csend k FA	# the server closes on EOF; its FIN is never acknowledged
	kt_wait_state srv "$t" LAST_ACK 5
	agent cli connect c $SRV4 8080 40410
	kt_wait_count srv 2
	ksnap srv evicted drop_table
	agent cli connect c2 $SRV4 8080 40411
	kexpect srv evicted 1
	kexpect srv drop_table 0
	fails kt_has srv tcp "$t"
}

@test "per_src_prefix4 changed while flows come and go: every source released under its own prefix" {
	ksys_set srv per_src_limit 1000
	srvmac
	# SYNs to a closed port from 200 sources: each entry goes at once on the RST|ACK, so the
	# count of sources keeps falling to 0, when a prefix change is allowed. The RSTs need a
	# neighbour to leave (unsent ones would fill the TCP control socket's send buffer)
	agent cli mac
	nsx kt-srv ip route add 198.18.0.0/15 dev v-kt-srv
	for i in $(seq 200); do
		echo "neigh replace 198.18.0.$i lladdr $AR dev v-kt-srv nud permanent"
	done | nsx kt-srv ip -b -
	nsx kt-cli "$TOOLS/synflood" -i v-kt-cli -m "$SRVMAC" -s 198.18.0.1 -n 200 -d $SRV4 -p 7001 \
		-t 30 -r 3000 > "$BATS_TEST_TMPDIR/flood" &
	flood=$!
	ok=0 busy=0 i=0
	while kill -0 "$flood" 2>/dev/null && [ "$i" -lt 20000 ]; do
		if ksys_set srv per_src_prefix4 $((i % 2 ? 32 : 24)); then
			ok=$((ok + 1))
		else
			busy=$((busy + 1))
		fi
		i=$((i + 1))
	done
	wait "$flood"
	cat "$BATS_TEST_TMPDIR/flood"
	echo "prefix changes: $ok done, $busy refused (EBUSY)"
	[ "$ok" -ge 10 ]
	kt_wait_count srv 0 10
	[ "$(kcn kt-srv stats | awk '$1 == "sources" { print $2 }')" -eq 0 ]
	no_splat
}

@test "a source at its limit whose connections outlive their entries keeps them working (pickups are never refused)" {
	agent srv listen 8080
	for p in 40600 40601 40602 40603 40604; do
		agent cli connect "c$p" $SRV4 8080 "$p"
	done
	ksys_set srv per_src_limit 2
	kcn kt-srv flush >/dev/null
	kt_wait_count srv 0
	ksnap srv drop_source pickup
	# all five picked up at once: the source has five live connections over its limit of 2
	for p in 40600 40601 40602 40603 40604; do
		agent cli send "c$p" hi
	done
	for p in 40600 40601 40602 40603 40604; do
		agent srv wait_data "a$p" hi
	done
	kexpect srv drop_source 0
	kexpect_ge srv pickup 5
	kt_wait_count srv 5
	# their FINs get through too, and the closes delete the entries
	for p in 40600 40601 40602 40603 40604; do
		agent cli close "c$p"
	done
	kt_wait_count srv 0
}

@test "notrack=1 leaves forwarded traffic to nf_conntrack: NAT through the namespace works" {
	# kt-srv routes between the client and kt-far, masquerading: only nf_conntrack can do that
	mkns kt-far
	ip link add v-far netns kt-far type veth peer name v-rt netns kt-srv
	nsx kt-srv ip addr add 198.18.5.1/24 dev v-rt
	nsx kt-srv ip link set v-rt up
	nsx kt-far ip addr add 198.18.5.2/24 dev v-far
	nsx kt-far ip link set v-far up
	nsx kt-cli ip route add 198.18.5.0/24 via $SRV4
	agent srv sysw net/ipv4/ip_forward 1
	nsx kt-srv nft -f - <<-'NFT'
	table ip kt_nat {
		chain post { type nat hook postrouting priority 100; oifname "v-rt" masquerade; }
	}
	NFT
	ksys_set srv notrack 1
	kt_agent far kt-far v-far
	agent far listen 8080
	agent cli connect c 198.18.5.2 8080 40700
	agent cli send c hello
	agent far wait_data a40700 hello
	# ktrack tracks only the host's own flows, and marked none of these packets
	[ "$(kst srv notrack)" -eq 0 ]
	[ "$(kt_count srv)" -eq 0 ]
}

@test "notrack=1: a connection to the host leaves nf_conntrack no entry, even for its first packet" {
	nsx kt-srv nft -f - <<-'NFT'
	table inet kt_ct {
		chain in { type filter hook input priority 0; ct state invalid counter; }
	}
	NFT
	ksys_set srv notrack 1
	agent srv listen 8080
	agent cli connect c $SRV4 8080 40710
	agent cli send c hello
	agent srv wait_data a40710 hello
	kt_has srv tcp "$(tuple $CLI4 $SRV4 40710 8080)"
	[ "$(kst srv notrack)" -ge 1 ]
	fails grep -q 'dport=8080' "/proc/${KT_APID[srv]}/net/nf_conntrack"
}
