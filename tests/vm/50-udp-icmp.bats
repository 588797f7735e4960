#!/usr/bin/env bats
# UDP and ICMP flows: unanswered versus answered UDP and the timeout each gets, ICMP and ICMPv6 echo
# tracked by identifier, and protocols ktrack does not track creating no entry.

load ../lib/suite

@test "a one-way UDP flow is UNREPLIED and gets udp_timeout" {
	# timeouts far apart, so the seconds left tell which one applies
	ksys_set srv udp_timeout 100
	ksys_set srv udp_timeout_stream 1000
	agent srv udp_listen 5353 sink
	agent cli udp_send 5000 $SRV4 5353
	t=$(tuple $CLI4 $SRV4 5000 5353)
	kt_wait_line srv udp "$t" 3
	match "$KT_LINE" '^ipv4 2 udp 17 ([0-9]+) src=192\.0\.2\.2 dst=192\.0\.2\.1 sport=5000 dport=5353 \[UNREPLIED\] src=192\.0\.2\.1 dst=192\.0\.2\.2 sport=5353 dport=5000$'
	between 50 "${BASH_REMATCH[1]}" 100
	[ "$(kst srv live_other)" -eq 1 ]
	# more datagrams of the flow stay in its entry
	ksnap srv new found
	agent cli udp_send 5000 $SRV4 5353 3
	kexpect srv new 0
	kexpect_ge srv found 3
	[ "$(kt_count srv)" -eq 1 ]
	kt_find srv udp "$t"
	match "$KT_LINE" ' \[UNREPLIED\] '
}

@test "an answered UDP flow keeps udp_timeout; still active 2 s after the answer it is ASSURED with udp_timeout_stream" {
	ksys_set srv udp_timeout 100
	ksys_set srv udp_timeout_stream 1000
	agent srv udp_listen 5354 echo
	agent cli udp_rr 5001 $SRV4 5354 2
	[ "$AR" = 2 ]
	t=$(tuple $CLI4 $SRV4 5001 5354)
	kt_find srv udp "$t"
	match "$KT_LINE" '^ipv4 2 udp 17 ([0-9]+) src=192\.0\.2\.2 dst=192\.0\.2\.1 sport=5001 dport=5354 src=192\.0\.2\.1 dst=192\.0\.2\.2 sport=5354 dport=5001$'
	between 90 "${BASH_REMATCH[1]}" 100
	kt_wait_left srv udp "$t" 97
	agent cli udp_rr 5001 $SRV4 5354 1
	kt_find srv udp "$t"
	match "$KT_LINE" '^ipv4 2 udp 17 ([0-9]+) src=192\.0\.2\.2 dst=192\.0\.2\.1 sport=5001 dport=5354 src=192\.0\.2\.1 dst=192\.0\.2\.2 sport=5354 dport=5001 \[ASSURED\]$'
	between 900 "${BASH_REMATCH[1]}" 1000
	# the client tracks its own flow, a stream too
	kt_find cli udp "$t"
	match "$KT_LINE" ' sport=5354 dport=5001 \[ASSURED\]$'
	[ "$(kt_count srv)" -eq 1 ]
}

@test "an ICMP echo is tracked by its identifier" {
	agent cli icmp_echo $SRV4 77
	kt_find srv icmp "src=192.0.2.2 dst=192.0.2.1 type=8 code=0 id=77"
	match "$KT_LINE" '^ipv4 2 icmp 1 ([0-9]+) src=192\.0\.2\.2 dst=192\.0\.2\.1 type=8 code=0 id=77 src=192\.0\.2\.1 dst=192\.0\.2\.2 type=0 code=0 id=77 \[ASSURED\]$'
	between 1 "${BASH_REMATCH[1]}" 30	# icmp_timeout, 30 s
	# the sender tracks it as well
	kt_find cli icmp "src=192.0.2.2 dst=192.0.2.1 type=8 code=0 id=77"
	match "$KT_LINE" ' id=77 \[ASSURED\]$'
	# another identifier is another entry, the same one is the same entry
	agent cli icmp_echo $SRV4 78
	agent cli icmp_echo $SRV4 77
	[ "$(kt_count srv)" -eq 2 ]
	kt_has srv icmp "src=192.0.2.2 dst=192.0.2.1 type=8 code=0 id=78"
	[ "$(kst srv live_other)" -eq 2 ]
}

@test "an unanswered ICMP echo is UNREPLIED" {
	agent srv sysw net/ipv4/icmp_echo_ignore_all 1
	fails agent cli icmp_echo $SRV4 79 1
	kt_find srv icmp "src=192.0.2.2 dst=192.0.2.1 type=8 code=0 id=79"
	match "$KT_LINE" '^ipv4 2 icmp 1 [0-9]+ src=192\.0\.2\.2 dst=192\.0\.2\.1 type=8 code=0 id=79 \[UNREPLIED\] src=192\.0\.2\.1 dst=192\.0\.2\.2 type=0 code=0 id=79$'
}

@test "ICMPv6 echo and IPv6 UDP flows are listed in the ipv6 format" {
	agent cli icmp_echo $SRV6 1234
	kt_find srv icmpv6 "src=2001:db8::2 dst=2001:db8::1 type=128 code=0 id=1234"
	match "$KT_LINE" '^ipv6 10 icmpv6 58 [0-9]+ src=2001:db8::2 dst=2001:db8::1 type=128 code=0 id=1234 src=2001:db8::1 dst=2001:db8::2 type=129 code=0 id=1234 \[ASSURED\]$'
	agent srv udp_listen 5355 sink
	agent cli udp_send 5002 $SRV6 5355
	kt_wait_line srv udp "src=2001:db8::2 dst=2001:db8::1 sport=5002 dport=5355" 3
	match "$KT_LINE" '^ipv6 10 udp 17 [0-9]+ src=2001:db8::2 dst=2001:db8::1 sport=5002 dport=5355 \[UNREPLIED\] src=2001:db8::1 dst=2001:db8::2 sport=5355 dport=5002$'
	# neighbour discovery and other ICMPv6 are not entries
	[ "$(kt_count srv)" -eq 2 ]
}

@test "other protocols and ICMP messages that are not echo create no entry" {
	ksnap srv other new packets
	agent cli raw 47 $SRV4 00000800	# GRE
	agent cli raw 132 $SRV4 13881389000000000000000000	# SCTP-ish
	agent cli raw 1 $SRV4 0d00f2ff00000000000000000000000000000000	# ICMP timestamp request
	# an echo afterwards: the one entry there should be
	agent cli icmp_echo $SRV4 80
	kexpect_ge srv packets 4
	kexpect_ge srv other 3
	kexpect srv new 1
	[ "$(kt_count srv)" -eq 1 ]
	[ "$(kt_nlines srv)" -eq 1 ]
	kt_has srv icmp "src=192.0.2.2 dst=192.0.2.1 type=8 code=0 id=80"
}
