#!/usr/bin/env bats
# Expiry and the sysctls: entries go when their timeout says (each timeout class on its own), the
# sysctls are per network namespace and refuse values out of range, net.ktrack.count is the number of
# entries, and a few thousand flows all expire.

load ../lib/suite

@test "an unanswered UDP entry expires after udp_timeout=3 (del_timeout)" {
	ksys_set srv udp_timeout 3
	agent srv udp_listen 5400 sink
	ksnap srv del_timeout
	agent cli udp_send 5010 $SRV4 5400
	t=$(tuple $CLI4 $SRV4 5010 5400)
	kt_find srv udp "$t"
	t0=$(now)
	left=$(kt_field 5)
	between 0 "$left" 3
	kt_wait_gone srv udp "$t" $((left + 4))
	ms=$(elapsed_ms "$t0")
	[ "$ms" -ge $(((left - 1) * 1000)) ] || { echo "gone after ${ms} ms, had ${left}s left" >&2; false; }
	kexpect srv del_timeout 1
	[ "$(kt_count srv)" -eq 0 ]
	[ "$(kst srv live_other)" -eq 0 ]
}

@test "each timeout class expires on its own timeout" {
	# 3 s for answered UDP, ICMP, SYN_SENT and ESTABLISHED; unanswered UDP stays 60 s
	for s in udp_timeout_stream icmp_timeout tcp_timeout_syn_sent tcp_timeout_established; do
		ksys_set srv $s 3
	done
	ksys_set srv udp_timeout 60
	nsx kt-srv ip route add blackhole 198.18.0.0/15
	agent srv udp_listen 5401 echo
	agent srv udp_listen 5402 sink
	agent srv listen 8080
	srvmac
	ksnap srv del_timeout
	agent cli udp_send 5012 $SRV4 5402
	agent cli udp_rr 5011 $SRV4 5401 1
	[ "$AR" = 1 ]
	# a stream: still active 2 s after its answer
	kt_wait_left srv udp "$(tuple $CLI4 $SRV4 5011 5401)" 57
	agent cli udp_rr 5011 $SRV4 5401 1
	[ "$AR" = 1 ]
	agent cli icmp_echo $SRV4 90
	agent cli flows syn "$SRVMAC" 198.18.0.1 $SRV4 9 1 30000
	agent cli connect c $SRV4 8080 40400
	stream=$(tuple $CLI4 $SRV4 5011 5401)
	oneway=$(tuple $CLI4 $SRV4 5012 5402)
	echo="src=$CLI4 dst=$SRV4 type=8 code=0 id=90"
	syn=$(tuple 198.18.0.1 $SRV4 30000 9)
	est=$(tuple $CLI4 $SRV4 40400 8080)
	for e in "udp $stream" "icmp $echo" "tcp $syn" "tcp $est"; do
		kt_find srv ${e%% *} "${e#* }"
		between 0 "$(kt_field 5)" 3
	done
	kt_state srv "$syn"
	[ "$KT_STATE" = SYN_SENT ]
	kt_state srv "$est"
	[ "$KT_STATE" = ESTABLISHED ]
	kt_wait_gone srv udp "$stream" 8
	kt_wait_gone srv icmp "$echo" 8
	kt_wait_gone srv tcp "$syn" 8
	kt_wait_gone srv tcp "$est" 8
	kexpect srv del_timeout 4
	kt_find srv udp "$oneway"
	between 50 "$(kt_field 5)" 60
	[ "$(kt_count srv)" -eq 1 ]
}

@test "sysctls are per namespace; a new namespace starts from the module parameters" {
	kt_load udp_timeout=20
	[ "$(ksys srv udp_timeout)" = 20 ]
	ksys_set srv udp_timeout 7
	[ "$(ksys srv udp_timeout)" = 7 ]
	[ "$(ksys cli udp_timeout)" = 20 ]
	[ "$(cat /sys/module/ktrack/parameters/udp_timeout)" = 20 ]
	[ "$(sysctl -n net.ktrack.udp_timeout)" = 20 ]
	mkns kt-new
	[ "$(nsx kt-new sysctl -n net.ktrack.udp_timeout)" = 20 ]
	# and each applies to its own namespace's entries: the server's flow 7 s, the client's 20 s
	agent srv udp_listen 5403 sink
	agent cli udp_send 5013 $SRV4 5403
	t=$(tuple $CLI4 $SRV4 5013 5403)
	kt_find srv udp "$t"
	between 0 "$(kt_field 5)" 7
	kt_find cli udp "$t"
	between 10 "$(kt_field 5)" 20
}

@test "out-of-range sysctl writes are refused (EINVAL) and change nothing; read-only ones refuse writes" {
	for w in "per_src_prefix4 33" "per_src_prefix4 0" "per_src_prefix6 129" "per_src_prefix6 0" \
		"loose 2" "notrack 2" "tcp_timeout_established 0" "max_conns 67108865"; do
		set -- $w
		before=$(ksys srv "$1")
		fails ksys_set srv "$1" "$2"
		[ "$AR" = "fail EINVAL" ] || { echo "$1=$2: $AR" >&2; false; }
		[ "$(ksys srv "$1")" = "$before" ] || { echo "$1 changed to $AR" >&2; false; }
	done
	for r in count buckets; do
		before=$(ksys srv $r)
		fails ksys_set srv $r 5
		[ "$(ksys srv $r)" = "$before" ]
	done
	# values in range are taken
	ksys_set srv per_src_prefix4 24
	[ "$(ksys srv per_src_prefix4)" = 24 ]
	ksys_set srv tcp_timeout_time_wait 0
	ksys_set srv max_conns 67108864
	[ "$(ksys srv max_conns)" = 67108864 ]
}

@test "net.ktrack.count is the number of entries listed and the sum of live_*" {
	nsx kt-srv ip route add blackhole 198.18.0.0/15
	agent srv listen 8080
	agent srv udp_listen 5404 sink
	srvmac
	for p in 40501 40502 40503; do
		agent cli connect c$p $SRV4 8080 $p
	done
	for p in 5021 5022 5023 5024 5025; do
		agent cli udp_send $p $SRV4 5404
	done
	agent cli icmp_echo $SRV4 91
	agent cli icmp_echo $SRV4 92
	agent cli flows syn "$SRVMAC" 198.18.0.1 $SRV4 9 2 30000
	kt_wait_count srv 12 5
	[ "$(kt_nlines srv)" -eq 12 ]
	sum=0
	for s in other syn_sent syn_recv established fin_wait close_wait last_ack time_wait close; do
		sum=$((sum + $(kst srv live_$s)))
	done
	[ "$sum" -eq 12 ]
	[ "$(kst srv live_established)" -eq 3 ]
	[ "$(kst srv live_other)" -eq 7 ]
	[ "$(kst srv live_syn_sent)" -eq 2 ]
	# and after a close and an RST
	agent cli close c40501
	agent cli rst c40502
	kt_wait_count srv 10 5
	[ "$(kt_nlines srv)" -eq 10 ]
}

@test "2000 UDP flows with udp_timeout=3 all expire (del_timeout +2000)" {
	ksys_set srv udp_timeout 3
	agent srv udp_listen 5405 sink
	srvmac
	ksnap srv new del_timeout
	agent cli flows udp "$SRVMAC" $CLI4 $SRV4 5405 2000 20000
	[ "$AR" = 2000 ]
	kexpect srv new 2000
	kt_wait_count srv 0 60
	kexpect srv del_timeout 2000
	[ "$(kt_nlines srv)" -eq 0 ]
	[ "$(kst srv live_other)" -eq 0 ]
}
