#!/usr/bin/env bats
# ktrackctl against the running module: every verb on real connections between namespaces, JSON
# output parsed by a JSON parser, exit codes and one-line errors, permissions for an unprivileged
# user, namespace isolation, events, per-prefix limits, and a dump of a large table.

load ../lib/common
load ../lib/ctl

setup() {
	ktrack_load
	pair kt-srv kt-cli
	mkns kt-idle
}

teardown() {
	[ -z "${MON_PID:-}" ] || kill "$MON_PID" 2>/dev/null || true
	cleanup_ns
	ktrack_unload
}

@test "--version, -h per verb, unknown verb and bad option are usage errors" {
	run kc --version
	[ "$status" -eq 0 ]
	[[ "$output" == "ktrackctl "*"genl family ktrack version 1"* ]]
	for v in stats count list get delete flush sources config limit monitor; do
		run kc "$v" -h
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: ktrackctl"*"$v"* ]]
	done
	run kc frobnicate
	[ "$status" -eq 2 ]
	run kc -o yaml stats
	[ "$status" -eq 2 ]
	run kc list proto sctp
	[ "$status" -eq 2 ]
	[[ "$output" == *"proto sctp"* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "without the module (none installed, as in this VM): 'not installed' and exit 5" {
	ktrack_unload
	run kc stats
	[ "$status" -eq 5 ]
	[ "$output" = "ktrackctl: ktrack is not installed for kernel $(uname -r) (install ktrack-dkms or run make install; or insmod ktrack.ko)" ]
}

@test "stats and count agree with /proc, as text and as JSON" {
	open_conn
	run kcn kt-srv count
	[ "$status" -eq 0 ]
	[ "$output" -eq "$(proc_lines kt-srv)" ]
	[ "$output" -ge 1 ]
	[ "$(kcn kt-srv -o json count | jget .count)" -eq "$(proc_lines kt-srv)" ]
	kcn kt-srv stats | grep -qE '^packets +[0-9]+$'
	pk=$(kcn kt-srv -o json stats | jget .packets)
	[ "$pk" -ge 3 ]
	[ "$(kcn kt-srv -o json stats | jget .live_established)" -ge 1 ]
	# per CPU: the rows sum to the totals
	kcn kt-srv -o json stats -c | json_ok
	[ "$(kcn kt-srv -o json stats -c | jget '([.cpus[].new] | add) == .total.new')" = true ]
	kcn kt-srv stats -c | head -n 1 | grep -q '^cpu packets found new'
	[ "$(kcn kt-idle -o json stats | jget .packets)" -eq 0 ]
}

@test "config reads every tunable; a set is atomic and range-checked with the kernel's message" {
	kc -o json config | json_ok
	[ "$(kc -o json config | jget length)" -eq 20 ]
	[ "$(kc config udp_timeout)" -eq "$(sysctl -n net.ktrack.udp_timeout)" ]
	kcn kt-srv config udp_timeout=45 tcp_timeout_close=3
	[ "$(nsx kt-srv sysctl -n net.ktrack.udp_timeout)" -eq 45 ]
	[ "$(nsx kt-srv sysctl -n net.ktrack.tcp_timeout_close)" -eq 3 ]
	# another netns is untouched
	[ "$(nsx kt-idle sysctl -n net.ktrack.udp_timeout)" -eq 30 ]
	# one bad value: nothing changes, the error names the key and the range
	run kcn kt-srv config udp_timeout=50 per_src_prefix4=33
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"per_src_prefix4=33"*"range"*"1..32"* ]]
	[ "$(nsx kt-srv sysctl -n net.ktrack.udp_timeout)" -eq 45 ]
	run kcn kt-srv config nosuchkey=1
	[ "$status" -eq 2 ]
	run kcn kt-srv config udp_timeout=abc
	[ "$status" -eq 2 ]
}

@test "list, get and delete a real TCP connection; list -o json parses" {
	open_conn
	kcn kt-srv -o json list | json_ok
	js=$(kcn kt-srv -o json list proto tcp dport 8080)
	[ "$(echo "$js" | jget length)" -eq 1 ]
	[ "$(echo "$js" | jget '.[0].state')" = ESTABLISHED ]
	[ "$(echo "$js" | jget '.[0].src')" = "$CLI4" ]
	[ "$(echo "$js" | jget '.[0].replied')" = true ]
	sport=$(echo "$js" | jget '.[0].sport')
	# text form
	kcn kt-srv list proto tcp dport 8080 | grep -q "ipv4 tcp ESTABLISHED src=$CLI4 dst=$SRV4 sport=$sport dport=8080 timeout=[0-9]* \[ASSURED\]"
	# get by the original tuple and by the reply tuple
	run kcn kt-srv get proto tcp src $CLI4 dst $SRV4 sport "$sport" dport 8080
	[ "$status" -eq 0 ]
	[[ "$output" == *"ESTABLISHED src=$CLI4"* ]]
	kcn kt-srv -o json get proto tcp src $SRV4 dst $CLI4 sport 8080 dport "$sport" | json_ok
	# a tuple that is not there
	run kcn kt-srv get proto tcp src $CLI4 dst $SRV4 sport 1 dport 8080
	[ "$status" -eq 6 ]
	[[ "$output" == "ktrackctl: get: no such connection"* ]]
	[ "${#lines[@]}" -eq 1 ]
	run kcn kt-srv get proto tcp src $CLI4
	[ "$status" -eq 2 ]
	# delete it: gone from the table and /proc, counted as del_flush
	n=$(proc_lines kt-srv)
	run kcn kt-srv delete proto tcp src $CLI4 dst $SRV4 sport "$sport" dport 8080
	[ "$status" -eq 0 ]
	[ "$output" = "1 connection deleted" ]
	[ "$(proc_lines kt-srv)" -eq $((n - 1)) ]
	[ "$(kstat del_flush kt-srv)" -eq 1 ]
	run kcn kt-srv delete proto tcp src $CLI4 dst $SRV4 sport "$sport" dport 8080
	[ "$status" -eq 6 ]
	[[ "$output" == *"no such connection"* ]]
}

@test "filters select by protocol, state, prefix and port; delete by filter; flush" {
	open_conn
	kcn kt-srv config udp_timeout=3600	# the test may take minutes
	for i in 1 2 3; do echo x | nsx kt-cli socat -u - UDP:$SRV4:530$i; done
	echo x | nsx kt-cli socat -u - UDP6:[$SRV6]:5301
	[ "$(kcn kt-srv list proto udp | wc -l)" -eq 4 ]
	[ "$(kcn kt-srv list proto udp family ipv4 | wc -l)" -eq 3 ]
	[ "$(kcn kt-srv list family ipv6 proto udp | wc -l)" -eq 1 ]
	[ "$(kcn kt-srv list src 192.0.2.0/24 proto udp | wc -l)" -eq 3 ]
	[ "$(kcn kt-srv list src 10.0.0.0/8 | wc -l)" -eq 0 ]
	[ "$(kcn kt-srv list dst $SRV4/32 dport 5302 | wc -l)" -eq 1 ]
	[ "$(kcn kt-srv list port 5303 | wc -l)" -eq 1 ]
	[ "$(kcn kt-srv list state ESTABLISHED | wc -l)" -eq 1 ]
	[ "$(kcn kt-srv -o json list proto udp | jget length)" -eq 4 ]
	run kcn kt-srv delete proto udp dport 5302
	[ "$output" = "1 connection deleted" ]
	[ "$(kcn kt-srv list proto udp | wc -l)" -eq 3 ]
	run kcn kt-srv -o json delete family ipv4 proto udp
	[ "$(echo "$output" | jget .deleted)" -eq 2 ]
	[ "$(kcn kt-srv list state ESTABLISHED | wc -l)" -eq 1 ]
	run kcn kt-srv delete
	[ "$status" -eq 2 ]
	total=$(kcn kt-srv count)
	run kcn kt-srv flush
	[ "$status" -eq 0 ]
	[ "$output" = "$total connections deleted" ]
	[ "$(kcn kt-srv count)" -eq 0 ]
	[ "$(proc_lines kt-srv)" -eq 0 ]
}

@test "an unprivileged user reads stats and config but may not dump, change or listen" {
	open_conn
	n=$(kcn kt-srv count)
	run unpriv_kc kt-srv stats
	[ "$status" -eq 0 ]
	run unpriv_kc kt-srv config
	[ "$status" -eq 0 ]
	run unpriv_kc kt-srv limit list
	[ "$status" -eq 0 ]
	for args in "list" "sources" "flush" "config udp_timeout=10" "delete proto tcp" \
		    "limit add 10.0.0.0/8 5" "monitor"; do
		# shellcheck disable=SC2086
		run unpriv_kc kt-srv $args
		[ "$status" -eq 4 ]
		[[ "$output" == *"permission denied"* ]]
	done
	[ "$(kcn kt-srv count)" -eq "$n" ]
	[ "$(nsx kt-srv sysctl -n net.ktrack.udp_timeout)" -eq 30 ]
}

@test "namespaces are isolated: each sees and flushes only its own table" {
	open_conn
	[ "$(kcn kt-idle count)" -eq 0 ]
	[ "$(kcn kt-idle list | wc -l)" -eq 0 ]
	n=$(kcn kt-srv count)
	[ "$n" -ge 1 ]
	run kcn kt-idle flush
	[ "$output" = "0 connections deleted" ]
	[ "$(kcn kt-srv count)" -eq "$n" ]
	kcn kt-idle config udp_timeout=99
	[ "$(kcn kt-srv config udp_timeout)" -eq 30 ]
	# the client side tracks the same connection in its own netns
	[ "$(kcn kt-cli list proto tcp dport 8080 | wc -l)" -eq 1 ]
	run kc -n no-such-ns stats
	[ "$status" -eq 2 ]
}

@test "monitor shows a connection's new and destroy events with the reason" {
	nsx kt-srv socat -u TCP-LISTEN:8080,reuseaddr,fork OPEN:/dev/null &
	wait_port kt-srv 8080
	monitor_start kt-srv -o json --count 2
	echo hello | nsx kt-cli socat -u - TCP:$SRV4:8080
	monitor_wait
	json_ok < <(sed -n 1p "$KC_TMP/mon.out")
	[ "$(sed -n 1p "$KC_TMP/mon.out" | jget '"\(.event) \(.proto) \(.dport) \(.state)"')" = "new tcp 8080 SYN_SENT" ] ||
		[ "$(sed -n 1p "$KC_TMP/mon.out" | jget '"\(.event) \(.proto) \(.dport)"')" = "new tcp 8080" ]
	[ "$(sed -n 2p "$KC_TMP/mon.out" | jget '"\(.event) \(.reason) \(.dport)"')" = "destroy fin 8080" ]
	# every JSON event has the time it was received, seconds since the epoch with microseconds
	for l in 1 2; do
		[ "$(sed -n ${l}p "$KC_TMP/mon.out" | jget ".time | type")" = number ]
		sed -n ${l}p "$KC_TMP/mon.out" | grep -qE '"time":[0-9]{10}\.[0-9]{6},'
		t=$(sed -n ${l}p "$KC_TMP/mon.out" | jget '.time | floor')
		[ "$t" -ge $(( $(date +%s) - 600 )) ]
		[ "$t" -le "$(date +%s)" ]
	done
	# a delete on request is reason flush; -e filters the kinds; text form, -t its time first
	open_conn
	monitor_start kt-srv -t -e destroy --count 1
	kcn kt-srv delete proto tcp dport 8080
	monitor_wait
	cat "$KC_TMP/mon.out"
	grep -qE "^\[[0-9]{10}\.[0-9]{6}\] \[DESTROY\] ipv4 tcp .* dport=8080 .* reason=flush$" "$KC_TMP/mon.out"
	t=$(sed -E 's/^\[([0-9]+)\..*/\1/' "$KC_TMP/mon.out")
	[ "$t" -ge $(( $(date +%s) - 600 )) ]
	[ "$t" -le "$(date +%s)" ]
	no_splat
}

@test "monitor: -e by kind and reason, a refused flow is its own kind, filter words" {
	kcn kt-srv config per_src_limit=1 udp_timeout=600
	monitor_start kt-srv -e destroy:flush,LIMIT -p udp --dport 5702 --count 2
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5701,sourceport=5801	# new: neither kind
	wait_count kt-srv 1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5702,sourceport=5802	# refused: over the limit
	wait_kstat kt-srv drop_source 1
	kcn kt-srv delete proto udp dport 5701			# flush, but not dport 5702
	kcn kt-srv config per_src_limit=0
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5702,sourceport=5802	# new: not asked for
	wait_count kt-srv 1
	kcn kt-srv delete proto udp dport 5702			# flush of dport 5702
	monitor_wait
	cat "$KC_TMP/mon.out"
	[ "$(wc -l < "$KC_TMP/mon.out")" -eq 2 ]
	grep -qE "^\[REFUSED\] ipv4 udp src=$CLI4 dst=$SRV4 sport=5802 dport=5702 .*reason=limit$" \
		<(sed -n 1p "$KC_TMP/mon.out")
	grep -qE "^\[DESTROY\] ipv4 udp src=$CLI4 dst=$SRV4 sport=5802 dport=5702 .*reason=flush$" \
		<(sed -n 2p "$KC_TMP/mon.out")
	# destroy is every reason but a refusal, which ends no entry
	kcn kt-srv config per_src_limit=1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5703,sourceport=5803	# the source's one flow
	wait_count kt-srv 1
	monitor_start kt-srv -o json -e destroy --count 1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5704,sourceport=5804	# refused
	wait_kstat kt-srv drop_source 2
	kcn kt-srv flush
	monitor_wait
	[ "$(jget '"\(.event) \(.reason) \(.dport)"' < "$KC_TMP/mon.out")" = "destroy flush 5703" ]
	# a source prefix as the filter; the JSON kind is refused
	monitor_start kt-srv -o json -e refused src $CLI4/32 --count 1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5705,sourceport=5805	# new: the one flow
	wait_count kt-srv 1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5706,sourceport=5806	# refused
	monitor_wait
	[ "$(jget '"\(.event) \(.reason) \(.sport) \(.dport)"' < "$KC_TMP/mon.out")" = "refused limit 5806 5706" ]
	[ "$(kstat drop_source kt-srv)" -eq 3 ]
	no_splat
}

@test "monitor -b: a small receive buffer overflows where the default does not; the loss is counted in the JSON stream" {
	bulk_setup
	dmac=$(ifmac kt-srv v-kt-srv)
	kcn kt-srv config udp_timeout=600
	# the default 4 MiB holds 300 events of a stopped listener
	monitor_start kt-srv -o json -e new --count 300
	kill -STOP "$MON_PID"
	[ "$(udp_gen kt-cli v-kt-cli "$dmac" 198.18.0.1 $SRV4 9999 300 30)" -eq 300 ]
	wait_count kt-srv 300 120
	kill -CONT "$MON_PID"
	monitor_wait
	[ "$(grep -c '"event":"new"' "$KC_TMP/mon.out")" -eq 300 ]
	[ ! -s "$KC_TMP/mon.err" ]
	[ "$(kcn kt-srv -o json stats | jget .events_overflow)" -eq 0 ]
	# -b 4096 does not
	monitor_start kt-srv -o json -e new -b 4096
	kill -STOP "$MON_PID"
	[ "$(udp_gen kt-cli v-kt-cli "$dmac" 198.18.2.1 $SRV4 9999 300 30)" -eq 300 ]
	wait_count kt-srv 600 120
	ov=$(kcn kt-srv -o json stats | jget .events_overflow)
	[ "$ov" -gt 0 ]
	kill -CONT "$MON_PID"
	wait_grep '"event":"lost"' "$KC_TMP/mon.out"
	cat "$KC_TMP/mon.err"
	lost=$(grep '"event":"lost"' "$KC_TMP/mon.out" | jget .lost)
	echo "# -b 4096: $(grep -c '"event":"new"' "$KC_TMP/mon.out") of 300 events read, $lost lost (events_overflow $ov)" >&3
	[ "$lost" -eq "$ov" ]
	grep -qx "ktrackctl: monitor: $lost events lost (listener too slow)" "$KC_TMP/mon.err"
	[ "$(( $(grep -c '"event":"new"' "$KC_TMP/mon.out") + lost ))" -eq 300 ]
	grep '"event":"lost"' "$KC_TMP/mon.out" | json_ok
	[ "$(grep '"event":"lost"' "$KC_TMP/mon.out" | jget '.time | type')" = number ]
}

@test "per-prefix limits: the longest prefix decides; sources --top lists the largest" {
	bulk_setup
	dmac=$(ifmac kt-srv v-kt-srv)
	kcn kt-srv config udp_timeout=3600
	kcn kt-srv limit add 198.18.0.0/15 3
	kcn kt-srv limit add 198.18.0.2/32 unlimited
	kcn kt-srv limit add 2001:db8::/32 7
	run kcn kt-srv limit list
	[ "${lines[0]}" = "198.18.0.2/32 unlimited" ]
	[[ "$output" == *"198.18.0.0/15 3"* ]]
	[[ "$output" == *"2001:db8::/32 7"* ]]
	kcn kt-srv -o json limit list | json_ok
	# 10 flows from each of 198.18.0.1 .. .3
	udp_gen kt-cli v-kt-cli "$dmac" 198.18.0.1 $SRV4 9999 30 3
	wait_count kt-srv 16
	[ "$(kstat drop_source kt-srv)" -eq 14 ]
	run kcn kt-srv sources --top 2
	[ "${lines[0]}" = "198.18.0.2/32 live 10 limit none" ]
	[[ "${lines[1]}" == "198.18.0."[13]"/32 live 3 limit 3" ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(kcn kt-srv -o json sources | jget '[.[].live] | add')" -eq 16 ]
	kcn kt-srv limit del 198.18.0.2/32
	run kcn kt-srv limit del 198.18.0.2/32
	[ "$status" -eq 6 ]
	[[ "$output" == *"no such limit override"* ]]
	run kcn kt-srv limit add 198.18.0.0/33 1
	[ "$status" -eq 2 ]
}

@test "monitor: destroy reasons rst, timeout, evict, reuse and limit" {
	# kt-srv's table has 8 stripes (2 a CPU, at least 8: net.c), so the eviction below looks at
	# every list head and takes the oldest entry (with more than 64, the oldest of a 64-stripe
	# sample: the newer of two could go, as it once did on the debug kernel)
	ktrack_load
	nsx kt-srv socat -u TCP-LISTEN:8080,reuseaddr,fork OPEN:/dev/null &
	wait_port kt-srv 8080
	# rst: the client aborts (SO_LINGER 0)
	monitor_start kt-srv -o json -e destroy --count 1
	nsx kt-cli /usr/bin/python3 -c "
import socket, struct
s = socket.create_connection(('$SRV4', 8080))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
s.close()"
	monitor_wait
	[ "$(jget '"\(.reason) \(.proto) \(.dport)"' < "$KC_TMP/mon.out")" = "rst tcp 8080" ]
	# timeout: an unanswered UDP flow idle past udp_timeout
	kcn kt-srv config udp_timeout=1
	monitor_start kt-srv -o json -e destroy --count 1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5400
	monitor_wait
	[ "$(jget '"\(.reason) \(.proto) \(.dport)"' < "$KC_TMP/mon.out")" = "timeout udp 5400" ]
	# evict: at max_conns a new flow evicts the oldest never-answered entry
	kcn kt-srv config udp_timeout=600 max_conns=2
	kcn kt-srv flush
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5501,sourceport=5601
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5502,sourceport=5602
	monitor_start kt-srv -o json --count 2
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5503,sourceport=5603
	monitor_wait
	cat "$KC_TMP/mon.out"	# shown if an assertion below fails
	[ "$(sed -n 1p "$KC_TMP/mon.out" | jget '"\(.event) \(.reason) \(.dport)"')" = "destroy evict 5501" ]
	[ "$(sed -n 2p "$KC_TMP/mon.out" | jget '"\(.event) \(.dport)"')" = "new 5503" ]
	[ "$(kstat evicted kt-srv)" -eq 1 ]
	# reuse: a new SYN on a tuple whose connection waits in TIME_WAIT replaces it
	kcn kt-srv config max_conns=1000 tcp_timeout_time_wait=60
	kcn kt-srv flush
	echo hi | nsx kt-cli socat -u - TCP:$SRV4:8080,sourceport=40404,reuseaddr
	for i in $(seq 50); do
		kcn kt-srv list state TIME_WAIT sport 40404 | grep -q . && break
		sleep 0.1
	done
	kcn kt-srv list state TIME_WAIT sport 40404 | grep -q .
	monitor_start kt-srv -o json -e destroy --count 1
	# the client's own TIME_WAIT socket lets the port go with tcp_tw_reuse, a second later
	nsx kt-cli sysctl -qw net.ipv4.tcp_tw_reuse=1
	sleep 1.5
	echo hi | nsx kt-cli socat -u - TCP:$SRV4:8080,sourceport=40404,reuseaddr
	monitor_wait
	[ "$(jget '"\(.reason) \(.sport)"' < "$KC_TMP/mon.out")" = "reuse 40404" ]
	[ "$(kstat tw_reuse kt-srv)" -eq 1 ]
	# limit: a new flow refused by per_src_limit, an event of its own kind with reason limit
	kcn kt-srv config per_src_limit=1 udp_timeout=600
	kcn kt-srv flush
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5701,sourceport=5801
	monitor_start kt-srv -o json -e refused --count 1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5702,sourceport=5802
	monitor_wait
	[ "$(jget '"\(.event) \(.reason) \(.proto) \(.sport) \(.dport)"' < "$KC_TMP/mon.out")" = "refused limit udp 5802 5702" ]
	[ "$(kstat drop_source kt-srv)" -eq 1 ]
	[ "$(kcn kt-srv count)" -eq 1 ]
	no_splat
}

@test "-o json: every verb that prints writes one valid JSON document" {
	open_conn
	kcn kt-srv limit add 10.0.0.0/8 5
	for args in "stats" "stats -c" "count" "list" "list proto tcp" "sources" "sources --top 1" \
		    "config" "config udp_timeout" "limit list"; do
		# shellcheck disable=SC2086
		kcn kt-srv -o json $args > "$KC_TMP/out.json"
		json_ok < "$KC_TMP/out.json"
	done
	# a top-level array has one element per line (for | head, | grep)
	kcn kt-srv -o json list proto tcp dport 8080 > "$KC_TMP/out.json"
	[ "$(wc -l < "$KC_TMP/out.json")" -eq 3 ]
	[ "$(sed -n '2{s/,$//;p}' "$KC_TMP/out.json" | jget .dport)" -eq 8080 ]
	sport=$(kcn kt-srv -o json list proto tcp dport 8080 | jget '.[0].sport')
	kcn kt-srv -o json get proto tcp src $CLI4 dst $SRV4 sport "$sport" dport 8080 | json_ok
	[ "$(kcn kt-srv -o json delete proto udp | jget .deleted)" -eq 0 ]
	kcn kt-srv -o json delete proto udp | json_ok
	kcn kt-srv -o json flush | json_ok
	# monitor: one object per line
	monitor_start kt-srv -o json --count 2
	echo hello | nsx kt-cli socat -u - TCP:$SRV4:8080
	monitor_wait
	[ "$(wc -l < "$KC_TMP/mon.out")" -eq 2 ]
	while read -r l; do echo "$l" | json_ok; done < "$KC_TMP/mon.out"
}

# complete WORD...: what bash completion offers after "ktrackctl WORD... <TAB>".
complete_words() {
	# shellcheck disable=SC1091
	. "$TOP/tools/ktrackctl.bash-completion"
	COMP_WORDS=(ktrackctl "$@" "")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_ktrackctl
	echo "${COMPREPLY[*]}"
}

@test "the man page and bash completion know every verb and each verb's options" {
	verbs=$(kc -h | sed -n 's/^verbs: //p')
	[ -n "$verbs" ]
	offered=" $(complete_words) "
	for v in $verbs; do
		[[ "$offered" == *" $v "* ]]
		grep -qE "^\.B $v( |$)" "$TOP/tools/ktrackctl.8"
		# every option in the verb's usage line is offered after the verb and in the man page
		for o in $(kc "$v" -h | sed -n "1s/^usage: .*\] $v//p" | grep -oE -- '(^| |\[)--?[a-z][a-z-]*' |
			   tr -d ' [' | sort -u); do
			[[ " $(complete_words "$v") " == *" $o "* ]]
			grep -qF -- "${o//-/\\-}" "$TOP/tools/ktrackctl.8"
		done
	done
	for o in -n -o -j --json --version -h; do
		[[ "$offered" == *" $o "* ]]
		grep -qF -- "${o//-/\\-}" "$TOP/tools/ktrackctl.8"
	done
	[[ " $(complete_words config) " == *" udp_timeout= "* ]]
	[ "$(complete_words config | wc -w)" -eq "$(kc -o json config | jget length)" ]
	[[ " $(complete_words limit) " == *" add "* ]]
}
