#!/usr/bin/env bats
# Network namespaces each with their own table; notrack keeping ktrack's flows out of nf_conntrack;
# unloading with a big live table.

load ../lib/suite

suite_teardown() {
	# nf_conntrack, if a test loaded it, goes once nothing uses it (best effort)
	if [ -d /sys/module/nf_conntrack ]; then
		modprobe -r nft_ct nf_conntrack 2>/dev/null || true
	fi
}

@test "each namespace lists only its own connections" {
	kt_setup kt-srv2 kt-cli2 srv2 cli2
	agent srv listen 8080
	agent srv2 listen 8080
	agent srv udp_listen 5353 sink
	agent srv2 udp_listen 5353 sink
	agent cli connect c $SRV4 8080 40500
	agent cli2 connect c $SRV4 8080 40600
	agent cli udp_send 5100 $SRV4 5353
	agent cli2 udp_send 5200 $SRV4 5353
	kt_wait_line srv udp "$(tuple $CLI4 $SRV4 5100 5353)" 3
	kt_wait_line srv2 udp "$(tuple $CLI4 $SRV4 5200 5353)" 3
	kt_has srv tcp "$(tuple $CLI4 $SRV4 40500 8080)"
	kt_has srv2 tcp "$(tuple $CLI4 $SRV4 40600 8080)"
	fails kt_has srv tcp "$(tuple $CLI4 $SRV4 40600 8080)"
	fails kt_has srv udp "$(tuple $CLI4 $SRV4 5200 5353)"
	fails kt_has srv2 tcp "$(tuple $CLI4 $SRV4 40500 8080)"
	fails kt_has srv2 udp "$(tuple $CLI4 $SRV4 5100 5353)"
	[ "$(kt_count srv)" -eq 2 ]
	[ "$(kt_count srv2)" -eq 2 ]
	[ "$(kt_nlines srv)" -eq 2 ]
	[ "$(kt_nlines srv2)" -eq 2 ]
	[ "$(kst srv new)" -eq 2 ]
	[ "$(kst srv2 new)" -eq 2 ]
	# the initial namespace carried none of it
	fails grep -E 'sport=(40500|40600|5100|5200) ' /proc/net/ktrack
}

# ct_rule NETNS: an nftables rule using conntrack, so nf_conntrack tracks NETNS's input.
ct_rule() {
	nsx "$1" nft -f - <<-'NFT'
	table ip kt_ct {
		chain in { type filter hook input priority 0; ct state new counter; }
	}
	NFT
}

# traffic CLIAGENT SRVAGENT: a TCP connection with data, 20 UDP flows, an ICMP echo.
traffic() {
	agent "$2" listen 8080
	agent "$2" udp_listen 5353 sink
	agent "$2" mac
	local dmac=$AR
	agent "$1" connect c $SRV4 8080 40700
	agent "$1" send c hello
	agent "$2" wait_data a40700 hello
	agent "$1" flows udp "$dmac" $CLI4 $SRV4 5353 20 30000
	agent "$1" icmp_echo $SRV4 93
}

@test "notrack=1 keeps tracked flows out of nf_conntrack; with notrack=0 they are in it" {
	modprobe nf_conntrack
	kt_setup kt-srv2 kt-cli2 srv2 cli2
	ct_rule kt-srv
	ct_rule kt-srv2
	ksys_set srv notrack 1
	[ "$(ksys srv2 notrack)" = 0 ]
	traffic cli srv
	traffic cli2 srv2
	# ktrack tracks the 22 flows in both
	[ "$(kt_count srv)" -eq 22 ]
	[ "$(kt_count srv2)" -eq 22 ]
	# marked untracked where notrack=1: nf_conntrack has nothing
	[ "$(kst srv notrack)" -gt 0 ]
	agent srv sysr net/netfilter/nf_conntrack_count
	[ "$AR" -eq 0 ] || { echo "nf_conntrack_count $AR with notrack=1" >&2; false; }
	# and everything where notrack=0
	[ "$(kst srv2 notrack)" -eq 0 ]
	agent srv2 sysr net/netfilter/nf_conntrack_count
	[ "$AR" -ge 22 ] || { echo "nf_conntrack_count $AR with notrack=0" >&2; false; }
	# the connection works through both
	agent cli send c again
	agent srv wait_data a40700 again
}

@test "rmmod with 100k live entries is clean" {
	ksys_set srv udp_timeout 600
	ksys_set srv tcp_timeout_time_wait 600
	agent srv listen 8080
	agent srv udp_listen 5353 sink
	srvmac
	# a few TCP entries in other states, with the UDP flood
	agent cli connect c $SRV4 8080 40800
	agent cli connect d $SRV4 8080 40801
	agent cli close d
	kt_wait_state srv "$(tuple $CLI4 $SRV4 40801 8080)" TIME_WAIT 5
	agent cli flows udp "$SRVMAC" 192.0.2.10 $SRV4 5353 100000 10000 4
	[ "$AR" = 100000 ]
	[ "$(kt_count srv)" -eq 100002 ]
	[ "$(kst srv live_other)" -eq 100000 ]
	kmsg_mark
	rmmod ktrack
	[ ! -d /sys/module/ktrack ]
	kmsg_since | grep -a 'ktrack: unloaded'
	no_splat
	# the namespaces go on without it
	agent cli send c bye
	agent srv wait_data a40800 bye
}
