#!/usr/bin/env bats
# Limits: per-source connection limits (per_src_limit, grouped by per_src_prefix4/6, TIME_WAIT not
# counted) and the table limit (max_conns: never-answered entries evicted oldest first, otherwise the
# new flow dropped), with real connections from kt-cli to kt-srv and crafted SYN floods.

load ../lib/suite

suite_setup() {
	agent srv listen 8080
}

# conn ID SPORT [BINDADDR]: a connection to the server's port 8080 that must succeed.
conn() {
	agent cli connect "$1" $SRV4 8080 "$2" "${3:--}"
}

# noconn ID SPORT [BINDADDR]: a connection that must not complete (3 s).
noconn() {
	fails agent cli connect "$1" $SRV4 8080 "$2" "${3:--}" 3
}

@test "per_src_limit=3 admits 3 connections from a source, drops and logs the 4th; other sources get in" {
	ksys_set srv per_src_limit 3
	kmsg_mark
	conn c1 40101
	conn c2 40102
	conn c3 40103
	ksnap srv drop_source new
	noconn c4 40104
	kexpect_ge srv drop_source 1
	kexpect srv new 0
	fails kt_has srv tcp "$(tuple $CLI4 $SRV4 40104 8080)"
	[ "$(kt_count srv)" -eq 3 ]
	kmsg_since | grep -a 'ktrack' | grep -a per_src_limit
	# another source address of the same client is another source
	nsx kt-cli ip addr add 192.0.2.3/24 dev v-kt-cli
	conn d1 40105 192.0.2.3
	kt_has srv tcp "$(tuple 192.0.2.3 $SRV4 40105 8080)"
	# the admitted connections are not disturbed
	agent cli send c1 data
	agent srv wait_data a40101 data
	# locally originated flows are not counted: the client tracks all of them, refused none
	[ "$(kst cli drop_source)" -eq 0 ]
}

@test "closing a connection frees its slot under per_src_limit" {
	ksys_set srv per_src_limit 2
	conn c1 40111
	conn c2 40112
	noconn c3 40113
	agent cli close c1
	kt_wait_gone srv tcp "$(tuple $CLI4 $SRV4 40111 8080)" 5
	conn c4 40114
	noconn c5 40115
}

@test "per_src_prefix4=24 counts 192.0.2.2 and 192.0.2.3 as one source" {
	ksys_set srv per_src_prefix4 24
	ksys_set srv per_src_limit 3
	nsx kt-cli ip addr add 192.0.2.3/24 dev v-kt-cli
	ksnap srv drop_source
	conn c1 40121
	conn c2 40122
	conn d1 40123 192.0.2.3
	noconn d2 40124 192.0.2.3
	noconn c3 40125
	kexpect_ge srv drop_source 2
	[ "$(kt_count srv)" -eq 3 ]
}

@test "per_src_prefix6 groups IPv6 sources (default /64)" {
	ksys_set srv per_src_limit 1
	nsx kt-cli ip addr add 2001:db8::3/64 dev v-kt-cli nodad
	agent cli connect c1 $SRV6 8080 40131
	fails agent cli connect d1 $SRV6 8080 40132 2001:db8::3 3
	[ "$(kst srv drop_source)" -ge 1 ]
}

@test "TIME_WAIT connections do not count against per_src_limit" {
	ksys_set srv tcp_timeout_time_wait 60
	ksys_set srv per_src_limit 2
	conn c1 40141
	conn c2 40142
	agent cli close c1
	agent cli close c2
	kt_wait_state srv "$(tuple $CLI4 $SRV4 40141 8080)" TIME_WAIT 5
	kt_wait_state srv "$(tuple $CLI4 $SRV4 40142 8080)" TIME_WAIT 5
	[ "$(kst srv live_time_wait)" -eq 2 ]
	ksnap srv drop_source
	conn c3 40143
	conn c4 40144
	kexpect srv drop_source 0
	# the limit still holds for live ones
	noconn c5 40145
	kexpect_ge srv drop_source 1
}

@test "per_src_prefix4 cannot change while a source is counted (EBUSY), and can once none is" {
	ksys_set srv per_src_limit 5
	conn c1 40151
	fails ksys_set srv per_src_prefix4 24
	[ "$AR" = "fail EBUSY" ]
	[ "$(ksys srv per_src_prefix4)" = 32 ]
	agent cli close c1
	kt_wait_gone srv tcp "$(tuple $CLI4 $SRV4 40151 8080)" 5
	ksys_set srv per_src_prefix4 24
	[ "$(ksys srv per_src_prefix4)" = 24 ]
}

@test "a full table evicts its oldest never-answered entry for a new flow; established flows go on" {
	# kt-srv's table has 8 stripes (2 a CPU, at least 8: net.c), so eviction looks at every list
	# head and the oldest is exact (with more than 64 it is the oldest of a 64-stripe sample, see
	# lifecycle.c)
	kt_load
	ksys_set srv max_conns 64
	# SYNs from 198.18.0.0/15 get no answer: the server's route there is a blackhole
	nsx kt-srv ip route add blackhole 198.18.0.0/15
	conn e 40201
	agent cli send e one
	agent srv wait_data a40201 one
	n=$(kt_count srv)
	srvmac
	# the oldest, then (a few jiffies later) the rest
	agent cli flows syn "$SRVMAC" 198.18.0.1 $SRV4 9 1 20000
	kt_wait_count srv $((n + 1)) 5
	sleep 0.2
	agent cli flows syn "$SRVMAC" 198.18.1.1 $SRV4 9 $((63 - n)) 21000 8
	kt_wait_count srv 64 5
	[ "$(kst srv live_syn_sent)" -eq $((64 - n)) ]
	oldest=$(tuple 198.18.0.1 $SRV4 20000 9)
	newest=$(tuple 198.18.1.$(((62 - n) % 8 + 1)) $SRV4 $((21000 + (62 - n) / 8)) 9)
	kt_has srv tcp "$oldest"
	kt_has srv tcp "$newest"
	ksnap srv evicted drop_table
	# a real connection gets in, in place of a half-open entry
	conn c 40202
	kexpect srv evicted 1
	kexpect srv drop_table 0
	kt_wait_state srv "$(tuple $CLI4 $SRV4 40202 8080)" ESTABLISHED 3
	[ "$(kt_count srv)" -eq 64 ]
	[ "$(kst srv live_syn_sent)" -eq $((63 - n)) ]
	# data flows on the connection established before the table filled up, and on the new one
	agent cli send e two
	agent srv wait_data a40201 two
	agent cli send c three
	agent srv wait_data a40202 three
	kexpect srv drop_table 0
	# the entry evicted was the oldest half-open one
	kt_has srv tcp "$newest"
	fails kt_has srv tcp "$oldest"
}

@test "a full table whose only never-answered entry is one SYN_SENT evicts it for a new flow" {
	ksys_set srv max_conns 4
	nsx kt-srv ip route add blackhole 198.18.0.0/15
	conn c1 40211
	conn c2 40212
	conn c3 40213
	srvmac
	agent cli flows syn "$SRVMAC" 198.18.0.1 $SRV4 9 1 20000
	kt_wait_count srv 4 5
	ksnap srv evicted drop_table
	# one SYN, one admission: it must find the one evictable entry, wherever it is in the table
	agent cli flows syn "$SRVMAC" 198.18.0.2 $SRV4 9 1 20001
	kexpect srv drop_table 0
	kexpect srv evicted 1
	kt_has srv tcp "$(tuple 198.18.0.2 $SRV4 20001 9)"
	fails kt_has srv tcp "$(tuple 198.18.0.1 $SRV4 20000 9)"
	[ "$(kt_count srv)" -eq 4 ]
}

@test "a table full of answered connections drops a new flow (drop_table) and logs it; they go on" {
	ksys_set srv max_conns 4
	conn c1 40301
	conn c2 40302
	conn c3 40303
	conn c4 40304
	[ "$(kt_count srv)" -eq 4 ]
	kmsg_mark
	ksnap srv drop_table evicted
	noconn c5 40305
	kexpect_ge srv drop_table 1
	kexpect srv evicted 0
	fails kt_has srv tcp "$(tuple $CLI4 $SRV4 40305 8080)"
	[ "$(kt_count srv)" -eq 4 ]
	kmsg_since | grep -a 'ktrack' | grep -a max_conns
	# a UDP flow is refused too
	agent srv udp_listen 5353 sink
	agent cli udp_send 5000 $SRV4 5353
	[ "$(kt_count srv)" -eq 4 ]
	fails kt_has srv udp "$(tuple $CLI4 $SRV4 5000 5353)"
	# packets of tracked connections are never dropped for the limit
	agent cli send c1 more
	agent srv wait_data a40301 more
	agent srv send a40304 back
	agent cli wait_data c4 back
}
