#!/usr/bin/env bats
# TCP connections through their life, between two namespaces (client kt-cli, server kt-srv): real
# sockets for the ordinary life (establish, close by either side, RST by either side), crafted
# segments where a sequence number or a timestamp must be exact (out-of-window RST, TIME_WAIT reuse),
# connections opened before the module was loaded (loose), IPv6.

load ../lib/suite

# established SPORT [HOST]: a connection from the client's port SPORT to port 8080 of the server
# (listening), with a round of data both ways; the client socket is "c", the server's "a$SPORT".
established() {
	agent srv listen 8080
	agent cli connect c "${2:-$SRV4}" 8080 "$1"
	agent cli send c ping
	agent srv wait_data "a$1" ping
	agent srv send "a$1" pong
	agent cli wait_data c pong
}

@test "an open connection is ESTABLISHED and ASSURED with its tuple, in the server and in the client" {
	established 40000
	t=$(tuple $CLI4 $SRV4 40000 8080)
	re='^ipv4 2 tcp 6 ([0-9]+) ESTABLISHED src=192\.0\.2\.2 dst=192\.0\.2\.1 sport=40000 dport=8080 src=192\.0\.2\.1 dst=192\.0\.2\.2 sport=8080 dport=40000 \[ASSURED\]$'
	kt_find srv tcp "$t"
	match "$KT_LINE" "$re"
	between 431000 "${BASH_REMATCH[1]}" 432000	# tcp_timeout_established, 432000 s
	# the client tracks its own flow too, in the same orientation
	kt_find cli tcp "$t"
	match "$KT_LINE" "$re"
	[ "$(kt_count srv)" -eq 1 ]
	[ "$(kt_nlines srv)" -eq 1 ]
	[ "$(kst srv live_established)" -eq 1 ]
	[ "$(kst srv new)" -eq 1 ]
}

@test "a close by the client deletes the entry at once on the last ACK (del_fin)" {
	established 40001
	t=$(tuple $CLI4 $SRV4 40001 8080)
	ksnap srv del_fin del_timeout del_rst
	ksnap cli del_fin
	agent cli close c
	# the server reads EOF and closes: FIN both ways, the client's last ACK
	agent srv wait_state a40001 closed
	kt_wait_gone srv tcp "$t" 3
	kexpect srv del_fin 1
	kexpect srv del_timeout 0
	kexpect srv del_rst 0
	# the client saw its own last ACK leave
	kt_wait_gone cli tcp "$t" 3
	kexpect cli del_fin 1
	[ "$(kt_count srv)" -eq 0 ]
	[ "$(kst srv live_time_wait)" -eq 0 ]
}

@test "tcp_timeout_time_wait=5 holds a closed connection in TIME_WAIT for 5 s, then deletes it" {
	ksys_set srv tcp_timeout_time_wait 5
	established 40002
	t=$(tuple $CLI4 $SRV4 40002 8080)
	ksnap srv del_fin del_timeout
	agent cli close c
	kt_wait_state srv "$t" TIME_WAIT 5
	t0=$(now)
	left=$(kt_field 5)
	between 0 "$left" 5
	[ "$(kst srv live_time_wait)" -eq 1 ]
	[ "$(kst srv live_established)" -eq 0 ]
	kexpect srv del_fin 0
	kt_wait_gone srv tcp "$t" 10
	# not before its time: it had $left s (whole seconds, rounded) to live when first seen
	ms=$(elapsed_ms "$t0")
	[ "$ms" -ge $(((left - 1) * 1000)) ] || { echo "gone after ${ms} ms, had ${left}s left" >&2; false; }
	kexpect srv del_fin 1
	kexpect srv del_timeout 0
	[ "$(kst srv live_time_wait)" -eq 0 ]
}

@test "an RST from the client deletes the entry at once (del_rst)" {
	established 40003
	t=$(tuple $CLI4 $SRV4 40003 8080)
	ksnap srv del_rst del_fin
	ksnap cli del_rst
	agent cli rst c
	agent srv wait_state a40003 error	# the server got the RST
	kt_wait_gone srv tcp "$t" 3
	kexpect srv del_rst 1
	kexpect srv del_fin 0
	kt_wait_gone cli tcp "$t" 3
	kexpect cli del_rst 1
}

@test "an RST from the server deletes the entry at once (del_rst)" {
	established 40004
	t=$(tuple $CLI4 $SRV4 40004 8080)
	ksnap srv del_rst del_fin
	ksnap cli del_rst
	agent srv rst a40004
	agent cli wait_state c error
	kt_wait_gone srv tcp "$t" 3
	kexpect srv del_rst 1
	kexpect srv del_fin 0
	kt_wait_gone cli tcp "$t" 3
	kexpect cli del_rst 1
}

@test "a close started by the server leaves no entry (del_fin)" {
	established 40005
	t=$(tuple $CLI4 $SRV4 40005 8080)
	ksnap srv del_fin del_timeout
	# the server answers and closes first; the client reads EOF and closes; the server's ACK is last
	agent srv send a40005 hi
	agent srv close a40005
	agent cli wait_data c hi
	agent cli wait_state c closed
	kt_wait_gone srv tcp "$t" 3
	kexpect srv del_fin 1
	kexpect srv del_timeout 0
	kt_wait_gone cli tcp "$t" 3
}

@test "an out-of-window RST is ignored (ignored), an in-window one then deletes" {
	craft_setup
	agent srv listen 8080
	agent cli craft k 41001 8080 - 1000
	agent cli csyn k
	agent cli cack k
	agent cli cdata k hello
	agent srv wait_data a41001 hello
	t=$(tuple $CLI4 $SRV4 41001 8080)
	kt_wait_state srv "$t" ESTABLISHED 3
	ksnap srv ignored del_rst
	agent cli crst k 1073741824	# 2^30 ahead
	agent cli crst k 2147483648	# 2^31 away
	# the server's kernel ignored them too: the connection carries data after them
	agent cli cdata k again
	agent srv wait_data a41001 again
	kt_state srv "$t"
	[ "$KT_STATE" = ESTABLISHED ]
	kexpect srv ignored 2
	kexpect srv del_rst 0
	agent cli crst k 0
	kt_wait_gone srv tcp "$t" 3
	kexpect srv del_rst 1
}

@test "a SYN on a TIME_WAIT tuple with an older timestamp replaces the entry (tw_reuse) and is answered" {
	ksys_set srv tcp_timeout_time_wait 60
	craft_setup
	agent srv listen 8080
	agent cli craft k 41002 8080 1000000 5000
	agent cli csyn k
	agent cli cack k
	agent cli cdata k hello
	agent srv wait_data a41002 hello
	agent cli cclose k	# FIN, the server's FIN (it closes on EOF), last ACK
	t=$(tuple $CLI4 $SRV4 41002 8080)
	kt_wait_state srv "$t" TIME_WAIT 5
	ksnap srv tw_reuse new drop_invalid drop_source drop_table
	# same tuple, timestamp 5 < 1000000, another ISN: the server must see it and answer SYN-ACK
	agent cli craft k2 41002 8080 5 900000000
	agent cli csyn k2
	kexpect srv tw_reuse 1
	kexpect srv drop_invalid 0
	kt_state srv "$t"
	[[ "$KT_STATE" == SYN_SENT || "$KT_STATE" == SYN_RECV ]] || { echo "state $KT_STATE" >&2; false; }
	[ "$(kt_count srv)" -eq 1 ]
	[ "$(kst srv live_time_wait)" -eq 0 ]
	# and the new connection completes
	agent cli cack k2
	agent cli cdata k2 again
	agent srv wait_data a41002 again
	kt_wait_state srv "$t" ESTABLISHED 3
}

@test "loose=1 picks up a connection opened before the module was loaded" {
	ktrack_unload
	agent srv listen 8080
	agent cli connect c $SRV4 8080 40010
	ktrack_load
	[ "$(kt_count srv)" -eq 0 ]
	agent cli send c hello
	agent srv wait_data a40010 hello
	kt_find srv tcp "$(tuple $CLI4 $SRV4 40010 8080)" || kt_find srv tcp "$(tuple $SRV4 $CLI4 8080 40010)"
	echo "$KT_LINE"
	[ "$(kt_field 6)" = ESTABLISHED ]
	[ "$(kst srv drop_invalid)" -eq 0 ]
	# it keeps working both ways
	agent srv send a40010 world
	agent cli wait_data c world
	[ "$(kst srv live_established)" -eq 1 ]
}

@test "loose=0 drops the packets of a connection opened before the module was loaded (drop_invalid)" {
	ktrack_unload
	agent srv listen 8080
	agent cli connect c $SRV4 8080 40011
	ktrack_load
	ksys_set srv loose 0
	ksnap srv drop_invalid new
	agent cli send c hello
	fails agent srv wait_data a40011 hello 3
	kexpect_ge srv drop_invalid 1
	kexpect srv new 0
	fails kt_has srv tcp "$(tuple $CLI4 $SRV4 40011 8080)"
	fails kt_has srv tcp "$(tuple $SRV4 $CLI4 8080 40011)"
	# with loose back on, a retransmission gets through: loose=0 was what dropped it
	ksys_set srv loose 1
	agent srv wait_data a40011 hello 30
}

@test "a SYN the firewall drops creates no entry in the server; the client tracks its SYN_SENT" {
	nsx kt-srv nft -f - <<-'NFT'
	table inet kt_fw {
		chain in { type filter hook input priority 0; tcp dport 8081 drop; }
	}
	NFT
	agent srv listen 8081
	ksnap srv new packets
	fails agent cli connect c $SRV4 8081 40012 - 2
	t=$(tuple $CLI4 $SRV4 40012 8081)
	kexpect_ge srv packets 1
	kexpect srv new 0
	fails kt_has srv tcp "$t"
	kt_state cli "$t"
	[ "$KT_STATE" = SYN_SENT ]
}

@test "an IPv6 connection is listed in the ipv6 format and deleted on close" {
	established 40020 $SRV6
	t="src=2001:db8::2 dst=2001:db8::1 sport=40020 dport=8080"
	kt_find srv tcp "$t"
	match "$KT_LINE" '^ipv6 10 tcp 6 [0-9]+ ESTABLISHED src=2001:db8::2 dst=2001:db8::1 sport=40020 dport=8080 src=2001:db8::1 dst=2001:db8::2 sport=8080 dport=40020 \[ASSURED\]$'
	ksnap srv del_fin
	agent cli close c
	agent srv wait_state a40020 closed
	kt_wait_gone srv tcp "$t" 3
	kexpect srv del_fin 1
}
