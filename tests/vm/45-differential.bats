#!/usr/bin/env bats
# The differential test against nf_conntrack: the same crafted TCP, UDP and ICMP sequences (IPv4
# and IPv6) are seen by nf_conntrack and by ktrack, both tracking at once in one server namespace,
# and their views of each sequence's connection are compared after every packet: state, presence,
# [UNREPLIED], [ASSURED] and the timeout (the seconds left within TOL of each other). The few
# deliberate differences are listed below (D1-D7), each with its reason; anything else that
# differs is a finding and fails the sequence's test, whose output is the step-by-step table.
#
# Setup: nf_conntrack is made active in the server namespace by an nft `ct` rule (6.1 registers
# its hooks per netns only for a user); ktrack is loaded with tcp_timeout_time_wait=120, nf's
# TIME_WAIT, its other timeouts being nf's defaults (the first test checks every pair). Client
# packets are frames from the client namespace (its own stack is muted), server packets raw IP
# from the server namespace. A sink table copies each crafted packet to NFLOG at the last priority
# of input and postrouting, after ktrack's admission and nf_conntrack's confirm (the sink is
# created before conntrack's hooks: see setup_file); tests/tools/difftrack.py waits for that copy
# after every packet, then reads /proc/net/nf_conntrack and /proc/net/ktrack; input then drops
# the packet, so the server's stack never answers. Scapy is imported once (most of a minute under
# TCG): setup_file runs every sequence, the tests judge the results (build/vm-diff/difftrack.txt,
# the program's output in difftrack.txt.log).
#
# Run: KTRACK_SUITES=45-differential make check (about 9 minutes of VM under TCG).

load ../lib/common
load ../lib/ctl
load ../lib/rel

# Timeouts agree when the seconds left differ by at most this much (the two trackers refresh at
# slightly different moments of the same packet, and both round down).
TOL=3

# The deliberate differences: what nf_conntrack and ktrack may show differently, and why. Nothing
# else is forgiven, and each applies only to exactly the pair of values it names.
#  D1  nf CLOSE (any flags, any timeout) = ktrack no entry. ktrack deletes an entry at once on an
#      RST it accepts (README, How it tracks: "An in-window RST deletes the entry at once"), where
#      nf_conntrack keeps it in CLOSE for nf_conntrack_tcp_timeout_close (10 s).
#  D2  nf SYN_SENT2 = ktrack SYN_SENT. ktrack has nf's states without SYN_SENT2: a SYN from the
#      reply side during SYN_SENT (simultaneous open) is recorded and the state stays SYN_SENT
#      (src/tcp.c, the states).
#  D3  ktrack [ASSURED] without nf's [ASSURED], when both show a reply ([UNREPLIED] agreeing).
#      ktrack's [ASSURED] means "answered" (README, /proc/net/ktrack: "[ASSURED] once answered";
#      src/proc.c prints it exactly when it does not print [UNREPLIED]); nf_conntrack sets it
#      later (TCP: on reaching ESTABLISHED after SYN_RECV, or on a picked-up flow's second answer;
#      UDP: once a stream, more than 2 s on; ICMP: never). [UNREPLIED] itself must agree.
#  D4  nf ESTABLISHED with its 300-s cap (nf_conntrack_tcp_timeout_unacknowledged) = ktrack
#      ESTABLISHED with tcp_timeout_established, both answered: nf caps an entry while a side has
#      data unacknowledged, after out-of-window segments from both sides (nf_tcp_handle_invalid),
#      and on a picked-up flow's first answer (it is assured from the packet after). ktrack's
#      entry (56 bytes) holds no highest ack per side to know data is outstanding, and a segment
#      it ignores changes nothing by design, so that a blind one cannot shorten a connection's
#      life (src/tcp.c, the top comment); a picked-up flow is answered on its first answer
#      (README, Pickups). The cost: a connection whose peer vanished with data in flight lives
#      tcp_timeout_established, as one whose peer vanished idle does in both.
#  D5  nf's 10 s (tcp_timeout_close) on an entry an inexact RST left in its state = ktrack's
#      unchanged timeout, where ktrack counted rst_inexact: ktrack's RST off the exact sequence
#      changes nothing (README, TCP; the same reason as D4's blind segments), nf keeps the state
#      but gives it CLOSE's timeout until the next packet.
#  D6  nf TIME_WAIT = ktrack LAST_ACK, both answered, after the FINs crossed and one of them was
#      acknowledged: nf takes LAST_ACK to TIME_WAIT on any ACK (and so has to tell an RFC 5961
#      challenge ACK apart, IP_CT_EXP_CHALLENGE_ACK); ktrack waits until both FINs are
#      acknowledged (src/tcp.c, Close).
#  D7  nf SYN_RECV = ktrack SYN_SENT or ESTABLISHED, in a simultaneous open (nf showed
#      SYN_SENT2 before): ktrack follows the two SYNs and the two SYN|ACKs itself, without
#      SYN_SENT2 (src/tcp.c, Handshake), and takes the connection as established on the second
#      SYN|ACK, where nf waits for the next ACK.
# shellcheck disable=SC2016	# awk's $ fields
COMPARE='
function has(f, c) { return index(f, c) > 0 }
function abs(x) { return x < 0 ? -x : x }
function replied() { return !has($7, "U") && !has($11, "U") }
# the deliberate differences D4-D7, for a step that differs only in its state or timeout
function deliberate() {
	if ($6 == "ESTABLISHED" && $10 == "ESTABLISHED" && replied() &&
	    $8 <= 300 && $8 >= 300 - tol && $12 > 300)
		return "D4"
	if ($6 == $10 && index($14, "kt:+rst_inexact") && $8 <= 10 && $12 > 10)
		return "D5"
	if ($6 == "TIME_WAIT" && $10 == "LAST_ACK" && replied())
		return "D6"
	if (simopen && $6 == "SYN_RECV" && ($10 == "SYN_SENT" || $10 == "ESTABLISHED"))
		return "D7"
	return ""
}
function judge(   v, d, k) {
	if ($6 == "SYN_SENT2")
		simopen = 1
	if ($6 == "-" && $10 == "-")
		return "ok"
	if ($6 == "CLOSE" && $10 == "-")
		return "D1"
	if ($6 == "-")
		return "DIFF: only ktrack has an entry"
	if ($10 == "-")
		return "DIFF: only nf_conntrack has an entry"
	v = ""
	d = ""
	if ($6 != $10) {
		if ($6 == "SYN_SENT2" && $10 == "SYN_SENT")
			d = d ",D2"
		else
			v = v ", state"
	}
	if ($9 != $13)
		v = v ", original direction"
	if (has($7, "U") != has($11, "U"))
		v = v ", UNREPLIED"
	else if (has($7, "A") && !has($11, "A"))
		v = v ", ASSURED"
	else if (has($11, "A") && !has($7, "A"))
		d = d ",D3"
	if (abs($8 - $12) > tol)
		v = v ", timeout"
	if ((v == ", timeout" || v == ", state, timeout" || v == ", state") &&
	    (k = deliberate()) != "")
		return k
	if (v != "")
		return "DIFF: " substr(v, 3)
	return d == "" ? "ok" : substr(d, 2)
}
function view(st, fl, to, dir) {
	if (st == "-")
		return "-"
	return st (fl == "-" ? "" : " " fl) " " to (dir == "r" ? " (server first)" : "")
}
BEGIN {
	FS = "\t"
	printf "%-2s %3s %5s  %-58s %-36s %-36s %s\n", "", "#", "t(s)", "packet", "nf_conntrack", "ktrack", "verdict   [counters moved]"
}
$1 == "seq" && $2 == seq && $3 == "begin" { begun = 1 }
$1 == "seq" && $2 == seq && $3 == "end" { ended = 1 }
$1 == "error" && $2 == seq { printf "!! %s: error at packet %s: %s\n", seq, $3, $4; bad = 1 }
$1 == "step" && $2 == seq {
	j = judge()
	if (j ~ /^DIFF/)
		bad = 1
	printf "%-2s %3d %5s  %-58s %-36s %-36s %s   [%s]\n", (j ~ /^DIFF/ ? "!!" : ""), $3, $4, $5, view($6, $7, $8, $9), view($10, $11, $12, $13), j, $14
}
END {
	if (!begun || !ended) {
		printf "!! %s: the sequence %s\n", seq, begun ? "did not finish" : "did not run"
		bad = 1
	}
	exit bad
}'

setup_file() {
	mkdir -p "$TOP/build/vm-diff"
	export RES=$TOP/build/vm-diff/difftrack.txt
	rm -f "$RES" "$RES.log"
	ktrack_load tcp_timeout_time_wait=120
	pair kt-srv kt-cli
	local smac cmac
	smac=$(ifmac kt-srv v-kt-srv)
	cmac=$(ifmac kt-cli v-kt-cli)
	nsx kt-srv ip neigh replace "$CLI4" lladdr "$cmac" dev v-kt-srv nud permanent
	nsx kt-srv ip neigh replace "$CLI6" lladdr "$cmac" dev v-kt-srv nud permanent
	nsx kt-cli ip neigh replace "$SRV4" lladdr "$smac" dev v-kt-cli nud permanent
	nsx kt-cli ip neigh replace "$SRV6" lladdr "$smac" dev v-kt-cli nud permanent
	# The sink, at nf_conntrack's confirm priority (INT_MAX) and created before conntrack's hooks
	# are: a hook is inserted before those of the same priority already there
	# (nf_hook_entries_grow), so conntrack's confirm, registered later, runs first.
	nsx kt-srv nft -f - <<-NFT
	table inet kt_sink {
		chain in {
			type filter hook input priority 2147483647;
			ip saddr $CLI4 log group 45; ip6 saddr $CLI6 log group 45; drop;
		}
		chain post {
			type filter hook postrouting priority 2147483647;
			ip daddr $CLI4 log group 45; ip6 daddr $CLI6 log group 45;
		}
	}
	NFT
	# nf_conntrack tracks the server namespace from this rule on (which only counts invalid packets)
	nsx kt-srv nft -f - <<-'NFT'
	table inet kt_ct {
		chain pre { type filter hook prerouting priority 0; ct state invalid counter; }
	}
	NFT
	nsx kt-srv sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1 net.ktrack.loose=1
	nsx kt-cli nft -f - <<-'NFT'
	table inet kt_mute {
		chain out { type filter hook output priority 0; drop; }
	}
	NFT
	"$PY" "$TOP/tests/tools/difftrack.py" kt-srv kt-cli v-kt-srv v-kt-cli "$RES" >"$RES.log" 2>&1 ||
		true
}


teardown_file() {
	cleanup_ns
	ktrack_unload
	# nf_conntrack and the NFLOG modules go once nothing uses them (best effort, as 80 does)
	modprobe -r nft_log nfnetlink_log nft_ct nf_conntrack 2>/dev/null || true
}

# ran: the program finished; says how it ended when not.
ran() {
	grep -qx "done" "$RES" 2>/dev/null && return 0
	echo "difftrack.py did not finish; its last words:"
	tail -n 20 "$RES.log"
	return 1
}

# diffcheck SEQ...: each sequence ran to its end and every step agrees, or differs only as D1-D7
# allow; prints every sequence's table (bats shows it when the test fails).
diffcheck() {
	local s rc=0
	ran || return 1
	for s in "$@"; do
		awk -v seq="$s" -v tol="$TOL" "$COMPARE" "$RES" || rc=1
		echo
	done
	echo "D1: nf CLOSE = ktrack deleted on RST; D2: SYN_SENT2 = SYN_SENT;" \
		"D3: ktrack [ASSURED] = answered; D4: nf's 300-s cap; D5: nf's 10 s after an" \
		"inexact RST; D6: LAST_ACK until both FINs are acked; D7: simultaneous open"
	return "$rc"
}

# results: RES_LINES, the lines of the results file (read once per test, in bash: every exec is
# slow under TCG).
results() {
	[ -n "${RES_LINES+x}" ] || mapfile -t RES_LINES <"$RES"
}

# info KEY: a value the program recorded.
info() {
	local l
	results
	for l in "${RES_LINES[@]}"; do
		if [[ "$l" == "info"$'\t'"$1"$'\t'* ]]; then
			echo "${l##*$'\t'}"
			return 0
		fi
	done
}

# step_t SEQ N: when packet N of SEQ was sent (seconds since the sequence began).
step_t() {
	local l f
	results
	for l in "${RES_LINES[@]}"; do
		if [[ "$l" == "step"$'\t'"$1"$'\t'"$2"$'\t'* ]]; then
			IFS=$'\t' read -r -a f <<<"$l"
			echo "${f[3]}"
			return 0
		fi
	done
}

@test "both trackers see every packet, with the same timeouts, checksum and loose settings" {
	ran
	local bad=0 v
	check() {	# check WHAT GOT WANT
		[ "$2" = "$3" ] && return 0
		echo "$1 is '$2', expected '$3'"
		bad=1
	}
	check nf_conntrack_checksum "$(info nf.nf_conntrack_checksum)" 1
	check nf_conntrack_tcp_loose "$(info nf.nf_conntrack_tcp_loose)" 1
	check nf_conntrack_tcp_be_liberal "$(info nf.nf_conntrack_tcp_be_liberal)" 0
	check net.ktrack.loose "$(info kt.loose)" 1
	check net.ktrack.notrack "$(info kt.notrack)" 0
	check "ktrack's parameter tcp_timeout_time_wait" "$(info ktparam.tcp_timeout_time_wait)" 120
	check net.ktrack.tcp_timeout_time_wait "$(info kt.tcp_timeout_time_wait)" 120
	for v in syn_sent syn_recv established fin_wait close_wait last_ack time_wait close; do
		check "net.ktrack.tcp_timeout_$v" "$(info kt.tcp_timeout_$v)" \
			"$(info nf.nf_conntrack_tcp_timeout_$v)"
	done
	check net.ktrack.udp_timeout "$(info kt.udp_timeout)" "$(info nf.nf_conntrack_udp_timeout)"
	check net.ktrack.udp_timeout_stream "$(info kt.udp_timeout_stream)" \
		"$(info nf.nf_conntrack_udp_timeout_stream)"
	check net.ktrack.icmp_timeout "$(info kt.icmp_timeout)" "$(info nf.nf_conntrack_icmp_timeout)"
	check "net.ktrack.icmp_timeout (v6)" "$(info kt.icmp_timeout)" \
		"$(info nf.nf_conntrack_icmpv6_timeout)"
	# the sink runs after nf_conntrack's confirm: nf_conntrack has the first client SYN's entry
	check "nf_conntrack's entry after the first SYN" \
		"$(awk -F'\t' '$1 == "step" && $2 == "hs_close_client" && $3 == 1 { print $6 }' "$RES")" \
		SYN_SENT
	# every packet was seen by both (its NFLOG copy came, ktrack counted it), nothing crashed
	if grep -q '^error' "$RES"; then
		grep '^error' "$RES"
		bad=1
	fi
	[ "$bad" = 0 ]
}

@test "TCP: handshake, data both ways, close from the client, a new SYN on TIME_WAIT" {
	diffcheck hs_close_client
}

@test "TCP: close from the server" {
	diffcheck close_server
}

@test "TCP: simultaneous close (the FINs cross)" {
	diffcheck close_simultaneous
}

@test "TCP: simultaneous open, either side's SYN|ACK first" {
	diffcheck simopen_client_synack_first simopen_server_synack_first
}

@test "TCP: SYN retransmissions do not renew SYN_SENT's timeout" {
	diffcheck syn_retrans
}

@test "TCP: SYN|ACK retransmission" {
	diffcheck synack_retrans
}

@test "TCP: out-of-window data from both sides changes nothing" {
	diffcheck oow_data
}

@test "TCP: out-of-window FINs from both sides change nothing" {
	diffcheck oow_fin
}

@test "TCP: ACKs of data that was never sent" {
	diffcheck ack_unsent
}

@test "TCP: an RST at the exact sequence from either side" {
	diffcheck rst_exact_client rst_exact_server
}

@test "TCP: an inexact in-window RST, the challenge ACK, the exact RST" {
	diffcheck rst_inexact
}

@test "TCP: out-of-window RSTs from both sides change nothing" {
	diffcheck rst_oow_client rst_oow_server
}

@test "TCP: an RST|ACK answering a SYN" {
	diffcheck rst_synack
}

@test "TCP: a new SYN on ESTABLISHED answered by a SYN|ACK (resync), the new handshake and close" {
	diffcheck resync
}

@test "TCP: a new SYN on ESTABLISHED answered by a challenge ACK, the client's RST, the new SYN" {
	diffcheck challenge_ack
}

@test "TCP: window scaling 7 both ways, FINs just inside and just outside the scaled window" {
	diffcheck wscale
}

@test "TCP: sequence numbers wrapping past 2^32" {
	diffcheck seqwrap
}

@test "TCP: SYN|FIN, no flags, FIN without ACK, SYN|RST on new and on established flows" {
	diffcheck badflags_new badflags_est
}

@test "TCP: bad checksums (a SYN and an ACK of unknown flows, an RST of an established one)" {
	diffcheck badcsum
}

@test "TCP: mid-stream pickup (loose=1 in both) from either side, and of a FIN" {
	diffcheck pickup
}

@test "UDP: a query and its answer, then traffic more than 2 s on" {
	local r=0 t1 t2 t4
	diffcheck udp_answered || r=1
	# the answer must come within nf_conntrack's 2 s, the next query after them
	t1=$(step_t udp_answered 1) t2=$(step_t udp_answered 2) t4=$(step_t udp_answered 4)
	awk -v a="$t1" -v b="$t2" -v c="$t4" 'BEGIN { exit !(b - a < 1.5 && c - a > 2.5) }' || {
		echo "timing: query at $t1 s, answer at $t2 s, next query at $t4 s"
		r=1
	}
	[ "$r" = 0 ]
}

@test "UDP: unanswered datagrams" {
	diffcheck udp_unanswered
}

@test "ICMP: echo requests and replies" {
	diffcheck icmp_echo
}

@test "ICMP: errors quoting live TCP and UDP flows (IPv4 and IPv6) change nothing" {
	diffcheck icmp_err
}

@test "IPv6: TCP handshake and close, exact and inexact RSTs" {
	diffcheck hs_close6 rst6_exact rst6_inexact
}

@test "IPv6: UDP query and answer, ICMPv6 echo" {
	local r=0 t1 t2 t4
	diffcheck udp6_answered icmp6_echo || r=1
	t1=$(step_t udp6_answered 1) t2=$(step_t udp6_answered 2) t4=$(step_t udp6_answered 4)
	awk -v a="$t1" -v b="$t2" -v c="$t4" 'BEGIN { exit !(b - a < 1.5 && c - a > 2.5) }' || {
		echo "timing: query at $t1 s, answer at $t2 s, next query at $t4 s"
		r=1
	}
	[ "$r" = 0 ]
}

@test "after it all: ktrack's table is consistent, the kernel log is clean" {
	ran
	kt_consistent kt-srv
	no_splat
}
