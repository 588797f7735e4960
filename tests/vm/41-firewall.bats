#!/usr/bin/env bats
# Firewall state (state_mark): ktrack's classification of every packet in skb->mark, read by a
# stateful nft policy with nf_conntrack not in use; the bits gone before the socket and before the
# packet leaves; PMTU through RELATED ICMP errors; a lost last ACK; and a differential test in
# which nf_conntrack and ktrack classify the same real and crafted packets at once, every packet
# counted by its pair of states, and the same policy written twice (`ct state`, `meta mark`)
# counting the same packets rule by rule.
#
# The mask is 0x1f000 (lowest bit 12): NEW 0x1000, ESTABLISHED 0x2000, RELATED 0x4000, INVALID
# 0x8000, reply direction 0x10000. This suite runs before any suite that makes nf_conntrack track
# (42 and later): its first tests check that nothing loads it.

load ../lib/suite
load ../lib/ctl

MASK=0x1f000

suite_teardown() {
	[ -z "${MON_PID:-}" ] || kill "$MON_PID" 2>/dev/null || true
	MON_PID=
}

# The policy, on ktrack's state: a server accepting HTTP (80), DNS (53) and a closed UDP port (55)
# and pings; INVALID dropped, IPv6 neighbour discovery (untracked) accepted, the rest dropped.
kt_policy() {
	nsx "$1" nft -f - <<-'NFT'
	table inet kt_fw {
		chain in {
			type filter hook input priority 0; policy drop;
			meta mark & 0x6000 != 0 counter accept comment "established,related"
			meta mark & 0xf000 == 0x8000 counter drop comment "invalid"
			tcp dport 80 meta mark & 0xf000 == 0x1000 counter accept comment "http"
			udp dport { 53, 55 } meta mark & 0xf000 == 0x1000 counter accept comment "dns"
			meta l4proto { icmp, ipv6-icmp } meta mark & 0xf000 == 0x1000 counter accept comment "ping"
			meta l4proto ipv6-icmp meta mark & 0xf000 == 0 counter accept comment "nd"
			counter comment "refused"
		}
		# after ktrack's LOCAL_IN: what the socket sees (and below, what leaves the interface)
		chain sock {
			type filter hook input priority 2147483647;
			meta mark & 0x1f000 != 0 counter comment "marked"
			meta mark & 0x1f000 == 0 counter comment "clean"
		}
	}
	table netdev kt_wire {
		chain leave {
			type filter hook egress device "v-kt-srv" priority 0;
			meta mark & 0x1f000 != 0 counter comment "marked"
			meta mark & 0x1f000 == 0 counter comment "clean"
		}
	}
	NFT
}

# fw_counts NETNS TABLE CHAIN: "COMMENT PACKETS" per counting rule (TABLE of family inet, or
# "FAMILY NAME").
fw_counts() {
	local t=$2
	[[ $t == *" "* ]] || t="inet $t"
	# shellcheck disable=SC2086	# family and name
	nsx "$1" nft -j list chain $t "$3" |
		jq -r '.nftables[] | select(.rule) | .rule |
			"\(.comment) \([.expr[] | select(.counter) | .counter.packets][0])"'
}

# fw_count NETNS TABLE CHAIN COMMENT: one rule's packets.
fw_count() {
	fw_counts "$1" "$2" "$3" | awk -v c="$4" '$1 == c { print $2; f = 1 } END { if (!f) print "none" }'
}

# nf_conntrack_unused NETNS: nothing tracked with nf_conntrack here (and, where it is a module, it
# is not loaded at all).
nf_conntrack_unused() {
	if [ -e /sys/module/nf_conntrack/initstate ] || ! [ -d /sys/module/nf_conntrack ]; then
		! lsmod | grep -qw '^nf_conntrack'
	else
		# built in (the debug kernel): its hooks are registered per netns only for a user
		[ -z "$(nsx "$1" cat /proc/net/nf_conntrack 2>/dev/null)" ]
	fi
}

@test "state_mark: 4 or 5 contiguous bits or 0; anything else is refused and changes nothing" {
	agent srv sysw net/ktrack/state_mark 0xf000
	[ "$(nsx kt-srv sysctl -n net.ktrack.state_mark)" = $((0xf000)) ]
	agent srv sysw net/ktrack/state_mark 0x1f0
	agent srv sysw net/ktrack/state_mark 0
	for bad in 0x7000 0x3f000 0x9000 1 0xffffffff; do
		fails agent srv sysw net/ktrack/state_mark $bad 2>/dev/null
	done
	[ "$(nsx kt-srv sysctl -n net.ktrack.state_mark)" = 0 ]
	run "$KTRACKCTL" -n kt-srv config state_mark=0x7000
	[ "$status" -ne 0 ]
	[[ $output == *"4 or 5 contiguous bits"* ]]
	"$KTRACKCTL" -n kt-srv config state_mark=0xf000
	[ "$(nsx kt-srv sysctl -n net.ktrack.state_mark)" = $((0xf000)) ]
}

@test "a stateful policy on ktrack's state alone: allowed and answered traffic passes, the rest not; marks never reach a socket or the wire" {
	agent srv sysw net/ktrack/state_mark $MASK
	kt_policy kt-srv
	agent srv listen 80
	agent srv listen 81
	agent srv udp_listen 53 echo
	agent srv udp_listen 54 echo
	agent cli listen 9000
	for h in $SRV4 $SRV6; do
		agent cli connect c80 "$h" 80 40080
		agent cli send c80 hello
		agent srv wait_data a40080 hello
		agent cli close c80
		agent srv wait_state a40080 closed
		fails agent cli connect c81 "$h" 81 40081 2 2>/dev/null
		agent cli udp_rr 5300 "$h" 53 2
		[ "$AR" = 2 ]
		agent cli udp_rr 5400 "$h" 54 1
		[ "$AR" = 0 ]
		agent cli icmp_echo "$h" 71
	done
	# the server's own connection out: its answers are ESTABLISHED
	agent srv connect s1 $CLI4 9000 41000
	agent srv close s1
	# stray SYN|ACK and SYN|FIN: INVALID, dropped
	craft_setup
	agent cli craft k1 40100 80
	agent cli csend k1 SA
	agent cli craft k2 40101 80
	agent cli csend k2 SF
	agent cli icmp_echo $SRV4 72
	[ "$(fw_count kt-srv kt_fw in invalid)" -ge 2 ]
	[ "$(fw_count kt-srv kt_fw in refused)" -ge 2 ]
	[ "$(fw_count kt-srv kt_fw in http)" -ge 2 ]
	[ "$(fw_count kt-srv kt_fw in established,related)" -ge 10 ]
	# the state is gone where a socket or the interface sees the packet
	[ "$(fw_count kt-srv kt_fw sock marked)" = 0 ]
	[ "$(fw_count kt-srv kt_fw sock clean)" -ge 10 ]
	[ "$(fw_count kt-srv "netdev kt_wire" leave marked)" = 0 ]
	[ "$(fw_count kt-srv "netdev kt_wire" leave clean)" -ge 10 ]
	nf_conntrack_unused kt-srv
	no_splat
}

@test "path MTU discovery works through the policy: fragmentation needed and packet too big are RELATED" {
	# server - router - client; the router's link to the client takes 1300 (IPv6: 1280) bytes
	mkns fw-rtr
	ip -n kt-cli link del v-kt-cli
	ip link add r-srv netns fw-rtr type veth peer name v-kt-srv netns kt-srv
	ip link add r-cli netns fw-rtr type veth peer name v-kt-cli netns kt-cli
	nsx fw-rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	nsx fw-rtr ip addr add 198.18.1.254/24 dev r-srv
	nsx fw-rtr ip addr add 198.18.2.254/24 dev r-cli
	nsx fw-rtr ip addr add 2001:db8:1::fe/64 dev r-srv nodad
	nsx fw-rtr ip addr add 2001:db8:2::fe/64 dev r-cli nodad
	nsx fw-rtr ip link set r-srv up
	nsx fw-rtr ip link set r-cli mtu 1280 up
	nsx kt-srv ip addr add 198.18.1.1/24 dev v-kt-srv
	nsx kt-srv ip addr add 2001:db8:1::1/64 dev v-kt-srv nodad
	nsx kt-cli ip addr add 198.18.2.2/24 dev v-kt-cli
	nsx kt-cli ip addr add 2001:db8:2::2/64 dev v-kt-cli nodad
	nsx kt-srv ip link set v-kt-srv up
	nsx kt-cli ip link set v-kt-cli up
	nsx kt-srv ip route add default via 198.18.1.254
	nsx kt-srv ip -6 route add default via 2001:db8:1::fe
	nsx kt-cli ip route add default via 198.18.2.254
	nsx kt-cli ip -6 route add default via 2001:db8:2::fe
	agent srv sysw net/ktrack/state_mark $MASK
	kt_policy kt-srv
	agent srv listen 80
	big=$(printf 'x%.0s' $(seq 6000))END
	for h in 198.18.1.1 2001:db8:1::1; do
		agent cli connect p "$h" 80 42000
		agent srv send a42000 "$big"
		agent cli wait_data p xxxxEND 20
		agent cli close p
		agent srv wait_state a42000 closed
	done
	nsx kt-srv ip route get 198.18.2.2 | grep -q 'mtu 1280'
	nsx kt-srv ip -6 route get 2001:db8:2::2 | grep -q 'mtu 1280'
	[ "$(kst srv related)" -ge 2 ]
	[ "$(fw_count kt-srv kt_fw in invalid)" = 0 ]
	nf_conntrack_unused kt-srv
	ip netns del fw-rtr
}

@test "a lost last ACK: the FIN retransmitted after the exchange is still ESTABLISHED, and answered" {
	# tcp_timeout_time_wait 0 (the default): with state_mark, the entry stays tcp_timeout_close
	# (long here: the steps below take seconds under TCG)
	agent srv sysw net/ktrack/state_mark $MASK
	ksys_set srv tcp_timeout_close 300
	kt_policy kt-srv
	agent srv listen 80
	craft_setup
	agent cli craft k 40200 80
	agent cli csyn k
	agent cli cack k
	agent srv wait_state a40200 connected
	# the server closes first; the client answers FIN|ACK; the server's last ACK is "lost"
	agent srv close a40200
	agent cli cpassive k
	kt_wait_state srv "$(tuple $CLI4 $SRV4 40200 80)" TIME_WAIT
	between 250 "$(kt_field 5)" 300
	est=$(fw_count kt-srv kt_fw in established,related)
	inv=$(fw_count kt-srv kt_fw in invalid)
	# the client, never acknowledged, sends its FIN|ACK again: the server's TIME_WAIT answers
	agent cli cretx k
	[ "$(fw_count kt-srv kt_fw in established,related)" -eq $((est + 1)) ]
	[ "$(fw_count kt-srv kt_fw in invalid)" -eq "$inv" ]
	# its source was released at the last ACK all the same
	[ "$("$KTRACKCTL" -n kt-srv -o json stats | jq .sources)" = 0 ]
}

@test "with state_mark, the host's port unreachable for a UDP flow never answered deletes its entry (reason icmp)" {
	agent srv sysw net/ktrack/state_mark $MASK
	kt_policy kt-srv
	ksnap srv del_icmp related
	monitor_start kt-srv -o json -e destroy --count 1
	agent cli udp_send 5500 $SRV4 55
	monitor_wait
	[ "$(jget '"\(.reason) \(.proto) \(.dport)"' < "$KC_TMP/mon.out")" = "icmp udp 55" ]
	agent cli udp_send 5500 $SRV6 55
	kwait srv del_icmp 2
	kexpect srv related 2
	[ "$(kt_count srv)" = 0 ]
	# an answered flow stays
	agent srv udp_listen 53 echo
	agent cli udp_rr 5501 $SRV4 53 1
	[ "$AR" = 1 ]
	[ "$(kt_count srv)" = 1 ]
	# without state_mark, as nf_conntrack: the refused flow keeps its entry (the policy, on
	# ktrack's state, goes with it)
	agent srv sysw net/ktrack/state_mark 0
	nsx kt-srv nft delete table inet kt_fw
	ksnap srv related
	agent cli udp_send 5502 $SRV4 55
	kwait srv related 1
	kexpect srv del_icmp 2
	[ "$(kt_count srv)" = 2 ]
}

# The differential test: both trackers on the same packets, in one namespace.
FW_STATES="new established related invalid untracked"

# fw_diff_rules: the table of the differential test. Input and output count every packet by
# its pair (nf_conntrack's state / ktrack's) and direction; then the policy twice, once on each
# tracker's state (regular chains, each rule counting and returning); then the enforcement (on
# ktrack's state).
fw_diff_rules() {
	local hook n k kv st pol
	local -A kt=([new]=0x1000 [established]=0x2000 [related]=0x4000 [invalid]=0x8000 [untracked]=0)
	local -A nfc=([er]='ct state established,related' [inv]='ct state invalid'
		[new]='ct state new' [untr]='ct state untracked')
	local -A ktc=([er]='meta mark & 0x6000 != 0' [inv]='meta mark & 0xf000 == 0x8000'
		[new]='meta mark & 0xf000 == 0x1000' [untr]='meta mark & 0xf000 == 0')
	echo "table inet fwdiff {"
	for hook in input output; do
		echo "chain m_$hook { type filter hook $hook priority -5;"
		for n in $FW_STATES; do
			for k in $FW_STATES; do
				echo "ct state $n meta mark & 0xf000 == ${kt[$k]} counter comment \"$n/$k\""
			done
		done
		echo "ct direction original meta mark & 0x10000 != 0 counter comment \"dir-original/reply\""
		echo "ct direction reply meta mark & 0x10000 == 0 counter comment \"dir-reply/original\""
		echo "}"
	done
	for pol in nf kt; do
		if [ $pol = nf ]; then
			declare -n c=nfc
		else
			declare -n c=ktc
		fi
		cat <<-EOF
		chain ${pol}_in {
			${c[er]} counter return comment "established,related"
			${c[inv]} counter return comment "invalid"
			tcp dport 80 ${c[new]} counter return comment "http"
			udp dport { 53, 55 } ${c[new]} counter return comment "dns"
			meta l4proto { icmp, ipv6-icmp } ${c[new]} counter return comment "ping"
			meta l4proto ipv6-icmp ${c[untr]} counter return comment "nd"
			counter comment "refused"
		}
		chain ${pol}_out {
			${c[er]} counter return comment "established,related"
			${c[inv]} counter return comment "invalid"
			${c[new]} counter return comment "new"
			counter comment "untracked"
		}
		EOF
		unset -n c
	done
	cat <<-'EOF'
	chain pol_in { type filter hook input priority 0; jump nf_in; jump kt_in; }
	chain pol_out { type filter hook output priority 0; jump nf_out; jump kt_out; }
	chain enforce {
		type filter hook input priority 10; policy drop;
		meta mark & 0x6000 != 0 accept
		meta mark & 0xf000 == 0x8000 drop
		tcp dport 80 meta mark & 0xf000 == 0x1000 accept
		udp dport { 53, 55 } meta mark & 0xf000 == 0x1000 accept
		meta l4proto { icmp, ipv6-icmp } meta mark & 0xf000 == 0x1000 accept
		meta l4proto ipv6-icmp meta mark & 0xf000 == 0 accept
	}
	}
	EOF
}

# The traffic of the differential test, IPv4 and IPv6: real connections allowed and refused, UDP
# answered, refused and to a closed port, pings both ways, the server's own connection; crafted
# stray segments, impossible flags, out-of-window data, inexact and exact RSTs, a stray ACK that
# is picked up and reset, ICMP errors quoting a live UDP flow, a live TCP flow and nothing.
fw_diff_traffic() {
	local h v s=0
	agent srv listen 80
	agent srv listen 81
	agent srv udp_listen 53 echo
	agent srv udp_listen 54 echo
	agent cli listen 9000
	craft_setup
	for v in 4 6; do
		if [ $v = 4 ]; then h=$SRV4 c=$CLI4; else h=$SRV6 c=$CLI6; fi
		s=$((s + 100))
		agent cli connect c80 "$h" 80 $((40000 + s))
		agent cli send c80 hello
		agent srv wait_data a$((40000 + s)) hello
		agent cli close c80
		agent srv wait_state a$((40000 + s)) closed
		fails agent cli connect c81 "$h" 81 $((40001 + s)) 2 2>/dev/null
		agent cli udp_rr $((5000 + s)) "$h" 53 2
		agent cli udp_rr $((5001 + s)) "$h" 54 1
		agent cli udp_send $((5002 + s)) "$h" 55
		agent cli icmp_echo "$h" $((70 + v))
		agent srv icmp_echo "$c" $((80 + v))
		agent srv connect s1 "$c" 9000 $((41000 + s))
		agent srv close s1
		# crafted: one connection through its life, then strays
		agent cli craft k $((42000 + s)) 80 - 1000 $v
		agent cli csyn k
		agent cli cack k
		agent cli cdata k hi
		agent cli coow k junk
		agent cli crst k 7
		agent cli crst k
		agent cli craft a $((42001 + s)) 80 - 5000 $v
		agent cli csend a A
		agent cli craft sa $((42002 + s)) 80 - 6000 $v
		agent cli csend sa SA
		agent cli craft sf $((42003 + s)) 80 - 7000 $v
		agent cli csend sf SF
		# ICMP errors to the server: quoting its answer on a live UDP flow, a live TCP
		# connection's segment, and nothing
		agent cli udp_rr $((5003 + s)) "$h" 53 1
		agent cli icmperr 3 3 "$h" "$c" 17 53 $((5003 + s))
		agent cli connect live "$h" 80 $((40002 + s))
		agent cli icmperr 3 4 "$h" "$c" 6 80 $((40002 + s)) 1300
		agent cli icmperr 3 3 "$h" "$c" 17 7777 7777
		agent cli close live
		agent srv wait_state a$((40002 + s)) closed
	done
	# a last answered ping: what came before it has been through both
	agent cli icmp_echo $SRV4 99
}

# The deliberate differences between the trackers' states on this traffic (none so far): PAIR
# ("nf/ktrack") and why.
FW_DELIBERATE=""

@test "nf_conntrack and ktrack classify every packet alike, and the policy on each counts the same" {
	agent srv sysw net/ktrack/state_mark $MASK
	fw_diff_rules | nsx kt-srv nft -f -
	fw_diff_traffic
	local bad=0 hook pair n
	for hook in input output; do
		while read -r pair n; do
			case $pair in
			dir-*) [ "$n" = 0 ] || { echo "$hook: $pair $n" >&2; bad=1; } ;;
			*)
				[ "${pair%/*}" = "${pair#*/}" ] && continue
				[[ " $FW_DELIBERATE " == *" $pair "* ]] && continue
				[ "$n" = 0 ] || { echo "$hook: nf/ktrack $pair: $n packets" >&2; bad=1; }
				;;
			esac
		done < <(fw_counts kt-srv fwdiff m_$hook)
	done
	# the traffic reached every state but untracked on both sides
	for n in new established related invalid; do
		[ "$(fw_count kt-srv fwdiff m_input "$n/$n")" -gt 0 ] || { echo "no $n" >&2; bad=1; }
	done
	for hook in in out; do
		diff <(fw_counts kt-srv fwdiff nf_$hook) <(fw_counts kt-srv fwdiff kt_$hook) >&2 || bad=1
	done
	if [ $bad = 1 ]; then
		for hook in input output; do fw_counts kt-srv fwdiff m_$hook | awk '$2 > 0' >&2; done
		fw_counts kt-srv fwdiff nf_in >&2
	fi
	[ $bad = 0 ]
	# the pairs seen, and the policy's counters side by side, in the test's output
	for hook in input output; do
		fw_counts kt-srv fwdiff m_$hook | awk -v h=$hook '$2 > 0 { print "# " h " " $0 }' >&3
	done
	for hook in in out; do
		join -j1 <(fw_counts kt-srv fwdiff nf_$hook | sort) <(fw_counts kt-srv fwdiff kt_$hook | sort) |
			awk -v h=$hook '{ print "# policy " h ": " $1 " nf " $2 " ktrack " $3 }' >&3
	done
}
