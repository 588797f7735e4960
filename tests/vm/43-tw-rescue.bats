#!/usr/bin/env bats
# tw_rescue: a new SYN on a tuple the server itself holds in TIME_WAIT (it closed first), which the
# server's TCP would refuse (PAWS: an older timestamp; or a sequence not after the old one) and
# answer with the old connection's ACK. Crafted SYNs where a timestamp or a sequence number must be
# exact (IPv4 and IPv6): with tw_rescue=0 the kernel's ACK and TcpExtPAWSEstab; with 1 a SYN/ACK, a
# connection that carries data, tw_rescue counted; SYNs the kernel takes itself, or that find no
# listener or a TIME_WAIT younger than 1 s, are left to it (tw_rescue_skip). Then the real failure:
# the churn of bench (g), short connections from clients behind one masquerading namespace to an
# nginx that closes first, at a rate where the NAT reuses ports within the server's TIME_WAIT, the
# clients' RSTs filtered on the way.
#
# The crafted SYNs follow the server's TIME_WAIT by a fixed 1.2 s (ksleep): the age that tw_rescue
# requires is a time, not an event.

load ../lib/suite
load ../lib/ctl

# The old connection's ISN and first timestamp; its rcv_nxt at the server is ISN + 7 (SYN, "hello",
# FIN).
ISN=1000000
TS=1000000

# server_tw ID SPORT FAMILY [ID2]: a crafted connection from SPORT (timestamps from TS, or none when
# TS is -) to the server's port 8080, with data, that the server closes first: the server holds it
# in TIME_WAIT. With ID2, ID2's SYN at once after the server's last ACK ($AR: its answer).
server_tw() {
	agent cli craft "$1" "$2" 8080 "${TW_TS:-$TS}" "$ISN" "$3"
	agent cli csyn "$1"
	agent cli cack "$1"
	agent cli cdata "$1" hello
	agent srv wait_data "a$2" hello
	agent srv close "a$2"
	agent cli cpassive "$1" ${4:+"$4"}
}

# probe ID SPORT TS ISN [FAMILY]: a new crafted connection from SPORT (timestamps from TS, or none:
# -) sends its SYN; the first answer in $AR.
probe() {
	agent cli craft "$1" "$2" 8080 "$3" "$4" "${5:-4}"
	agent cli cprobe "$1"
	echo "$1 from $2: $AR"
}

# tw_count SPORT: the server's TIME_WAIT sockets from client port SPORT (in $TW).
tw_count() {
	TW=$(nsx kt-srv ss -Htan state time-wait "( dport = :$1 )" | wc -l)
	echo "TIME_WAIT sockets from port $1: $TW"
}

# paws: the server's TcpExtPAWSEstab (in $KV).
paws() {
	kt_snmp srv TcpExt PAWSEstab >/dev/null
}

suite_setup() {
	craft_setup
	agent srv listen 8080
}

@test "tw_rescue: module parameter (default 0) and net.ktrack.tw_rescue per netns; 2 is refused; ktrackctl config sets it" {
	[ "$(cat /sys/module/ktrack/parameters/tw_rescue)" = 0 ]
	[ "$(ksys srv tw_rescue)" = 0 ]
	ksys_set srv tw_rescue 1
	[ "$(ksys srv tw_rescue)" = 1 ]
	[ "$(ksys cli tw_rescue)" = 0 ]	# another netns keeps its own
	fails ksys_set srv tw_rescue 2
	[ "$AR" = "fail EINVAL" ]
	[ "$(ksys srv tw_rescue)" = 1 ]
	kcn kt-srv config tw_rescue=0
	[ "$(ksys srv tw_rescue)" = 0 ]
	run kcn kt-srv config tw_rescue
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]	# one key: its value alone
	run kcn kt-srv config tw_rescue=2
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(ksys srv tw_rescue)" = 0 ]
	# the counters are there, at 0
	run kcn kt-srv stats
	match "$output" $'(^|\n)tw_rescue +0(\n|$)'
	match "$output" $'(^|\n)tw_rescue_skip +0(\n|$)'
	[ "$(cat /sys/kernel/ktrack/tw_rescue)" = 0 ]
	[ "$(cat /sys/kernel/ktrack/tw_rescue_skip)" = 0 ]
	# the module parameter is the default of a new netns
	kt_load tw_rescue=1
	mkns kt-new
	[ "$(nsx kt-new sysctl -n net.ktrack.tw_rescue)" = 1 ]
}

@test "tw_rescue=0: a SYN with an older timestamp on the server's TIME_WAIT tuple gets the old connection's ACK (PAWSEstab +1)" {
	server_tw k 41200 4
	tw_count 41200
	[ "$TW" -eq 1 ]
	ksleep 1.2
	paws
	p0=$KV
	ksnap srv tw_rescue tw_rescue_skip
	probe k2 41200 5 500
	[ "$AR" = "ack $((ISN + 7))" ]
	paws
	[ "$KV" -eq $((p0 + 1)) ]
	kexpect srv tw_rescue 0
	kexpect srv tw_rescue_skip 0	# off: not even looked up
	tw_count 41200
	[ "$TW" -eq 1 ]
}

@test "tw_rescue=1: the same SYN gets a SYN/ACK, the connection carries data (tw_rescue +1, PAWSEstab unchanged)" {
	ksys_set srv tw_rescue 1
	server_tw k 41201 4
	t=$(tuple $CLI4 $SRV4 41201 8080)
	ksleep 1.2
	paws
	p0=$KV
	ksnap srv tw_rescue tw_rescue_skip new
	probe k2 41201 5 500
	[ "$AR" = synack ]
	kexpect srv tw_rescue 1
	kexpect srv tw_rescue_skip 0
	kexpect srv new 1
	agent cli cack k2
	agent cli cdata k2 again
	agent srv wait_data a41201 again
	kt_wait_state srv "$t" ESTABLISHED 3
	paws
	[ "$KV" -eq "$p0" ]
	tw_count 41201
	[ "$TW" -eq 0 ]
	run kcn kt-srv stats
	match "$output" $'(^|\n)tw_rescue +1(\n|$)'
}

@test "IPv6: tw_rescue=0 leaves the kernel's ACK, tw_rescue=1 gets the SYN/ACK and data through" {
	server_tw k 41210 6
	server_tw m 41211 6
	ksleep 1.2
	ksnap srv tw_rescue
	paws
	p0=$KV
	probe k2 41210 5 500 6
	[ "$AR" = "ack $((ISN + 7))" ]
	paws
	[ "$KV" -eq $((p0 + 1)) ]
	kexpect srv tw_rescue 0
	ksys_set srv tw_rescue 1
	probe m2 41211 5 500 6
	[ "$AR" = synack ]
	kexpect srv tw_rescue 1
	agent cli cack m2
	agent cli cdata m2 again6
	agent srv wait_data a41211 again6
	paws
	[ "$KV" -eq $((p0 + 1)) ]
}

@test "no timestamps: a SYN below the old sequence is refused by the kernel and rescued; one above it the kernel takes (tw_rescue_skip)" {
	ksys_set srv tw_rescue 1
	TW_TS=- server_tw k 41220 4
	TW_TS=- server_tw m 41221 4
	ksleep 1.2
	ksnap srv tw_rescue tw_rescue_skip
	probe k2 41220 - $((ISN - 1000))	# below the old rcv_nxt
	[ "$AR" = synack ]
	kexpect srv tw_rescue 1
	kexpect srv tw_rescue_skip 0
	probe m2 41221 - $((ISN + 100000))	# above it
	[ "$AR" = synack ]
	kexpect srv tw_rescue 1
	kexpect srv tw_rescue_skip 1
}

@test "a SYN with a newer timestamp is the kernel's to take: left (tw_rescue_skip), answered SYN/ACK" {
	ksys_set srv tw_rescue 1
	server_tw k 41230 4
	ksleep 1.2
	paws
	p0=$KV
	ksnap srv tw_rescue tw_rescue_skip
	probe k2 41230 $((TS + 100000)) 500
	[ "$AR" = synack ]
	kexpect srv tw_rescue 0
	kexpect srv tw_rescue_skip 1
	paws
	[ "$KV" -eq "$p0" ]
}

@test "a TIME_WAIT younger than 1 s, or with no listener left, is kept: the kernel's ACK (tw_rescue_skip)" {
	ksys_set srv tw_rescue 1
	ksnap srv tw_rescue tw_rescue_skip
	agent cli craft k2 41240 8080 5 500
	# the SYN right after the server's last ACK
	server_tw k 41240 4 k2
	echo "young: $AR"
	[ "$AR" = "ack $((ISN + 7))" ]
	kexpect srv tw_rescue 0
	kexpect srv tw_rescue_skip 1
	server_tw m 41241 4
	agent srv unlisten 8080
	ksleep 1.2
	probe m2 41241 5 500
	[ "$AR" = "ack $((ISN + 7))" ]
	kexpect srv tw_rescue 0
	kexpect srv tw_rescue_skip 2
	tw_count 41241
	[ "$TW" -eq 1 ]
}

# churn TW_RESCUE: bench (g)'s churn, CHURN_SECS s at CHURN_RATE connections a second through
# CHURN_PORTS NAT ports, into a fresh server namespace with net.ktrack.tw_rescue=TW_RESCUE: in $CHURN
# "attempted ok failed slow max_ms failures", the server's TcpExtPAWSEstab in $PAWS.
churn() {
	churn_server_up
	nsx csrv sysctl -qw net.ktrack.tw_rescue="$1"
	CHURN=$(churn_clients "$CHURN_RATE" "$CHURN_SECS" "$KT_TMP/churn-$1" | tr '\t' ' ')
	PAWS=$(nsx csrv nstat -az TcpExtPAWSEstab | awk '$1 == "TcpExtPAWSEstab" { print $2 }')
	nsx csrv cat /proc/net/stat/ktrack > "$KT_TMP/churn-$1-stat"
	# the figures go to the TAP output (fd 3) as a comment, pass or fail
	echo "# tw_rescue=$1: attempted ok failed slow max_ms failures: $CHURN; PAWSEstab $PAWS;" \
		"tw_rescue $(kstat_sum tw_rescue < "$KT_TMP/churn-$1-stat")" \
		"tw_rescue_skip $(kstat_sum tw_rescue_skip < "$KT_TMP/churn-$1-stat")" | tee /dev/fd/3
	churn_server_down
}

@test "real churn through one NAT address, nginx closing first: none failed nor slow at tw_rescue=1, failures at 0" {
	# shellcheck source=../../bench/churn.bash
	source "$TOP/bench/churn.bash"
	CHURN_PORTS=16 CHURN_RATE=2 CHURN_SECS=20
	churn_setup
	# A Linux client answers the server's old ACK with an RST, which ends that TIME_WAIT, and sends
	# its SYN again at once: whether that goes wrong is chance (the ACK rate limit of the TIME_WAIT
	# socket). Here the RST is filtered on the way, as a middlebox may: every refused SYN fails.
	for k in $(seq "$CHURN_CLIENTS"); do
		nsx "c$k" nft -f - <<-'NFT'
		table inet churn_norst {
			chain out { type filter hook output priority 0; tcp flags rst drop; }
		}
		NFT
	done
	# 1 first: a failed connection holds its NAT port (SYN_SENT) long after, and 16 ports are few
	churn 1
	read -r att ok failed slow _ _ <<<"$CHURN"
	[ "$att" -ge 30 ]
	[ "$ok" -eq "$att" ]
	[ "$failed" -eq 0 ]
	[ "$slow" -eq 0 ]
	[ "$PAWS" -eq 0 ]
	[ "$(kstat_sum tw_rescue < "$KT_TMP/churn-1-stat")" -ge 1 ]
	nsx nat conntrack -F 2>/dev/null
	churn 0
	read -r _ _ failed _ _ _ <<<"$CHURN"
	[ "$PAWS" -ge 1 ]
	[ "$failed" -ge 1 ]
	churn_teardown
}
