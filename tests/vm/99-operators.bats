#!/usr/bin/env bats
# What an operator runs: `stats -o prometheus` (parsed by prometheus_client: names, HELP and TYPE,
# labels for reasons and states, the values the counters hold, --netns-label), ktrack-textfile for
# node_exporter (merged namespaces, written by rename), `stats -i` rates, `lnstat -f ktrack` (as
# root and as nobody), conntrack's spellings and ip's abbreviations on real connections, arguments
# checked with the module loaded as without it,
# exit codes, -o ndjson and -p, and the persistent configuration of examples/: the module
# installed in the VM (an overlay on /lib/modules), autoloaded by ktrackctl with modprobe.d's
# options, kept out by `install ktrack /bin/false` or `blacklist ktrack`, and sysctl.d applied.

load ../lib/common
load ../lib/ctl

PROMCHECK=$TOP/tests/tools/promcheck.py
TEXTFILE=$TOP/tools/ktrack-textfile
OVL=/tmp/ktrack-ovl

setup() {
	ktrack_load
	pair kt-srv kt-cli
	mkns kt-idle
}

teardown() {
	local p
	[ -z "${MON_PID:-}" ] || kill "$MON_PID" 2>/dev/null || true
	for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
	cleanup_ns
	ktrack_unload
	modules_uninstall
}

# closed_conn: one short TCP connection to kt-srv:8081 that closes with FINs (deleted: del_fin).
closed_conn() {
	local before i
	before=$(kstat del_fin kt-srv)
	nsx kt-srv socat -u TCP-LISTEN:8081,reuseaddr OPEN:/dev/null &
	wait_port kt-srv 8081
	echo bye | nsx kt-cli socat -u - TCP:$SRV4:8081
	for i in $(seq 100); do
		[ "$(kstat del_fin kt-srv)" -gt "$before" ] && return 0
		sleep 0.1
	done
	echo "no FIN deletion" >&2
	return 1
}

# prom NETNS ARGS...: `ktrackctl -n NETNS stats -o prometheus ARGS`, checked and flattened by
# promcheck.py (one `NAME{labels} VALUE` a line) into $KC_TMP/prom.
prom() {
	local ns=$1
	shift
	kcn "$ns" stats -o prometheus "$@" > "$KC_TMP/prom.txt"
	"$PY" "$PROMCHECK" < "$KC_TMP/prom.txt" > "$KC_TMP/prom"
}

# srv ARGS...: ktrackctl -n kt-srv ARGS, without the timeouts (they count down between two calls).
srv() {
	kcn kt-srv "$@" | sed 's/ timeout=[0-9]*//'
}

# sample NAME{LABELS}: its value in $KC_TMP/prom.
sample() {
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { exit !f }' "$KC_TMP/prom"
}

@test "stats -o prometheus: parsed by prometheus_client, the values of stats under ktrack_ names" {
	open_conn
	closed_conn
	prom kt-srv
	cat "$KC_TMP/prom.txt"
	js=$(kcn kt-srv -o json stats)
	[ "$(sample 'ktrack_entries{state="established"}')" -eq "$(jget .live_established <<<"$js")" ]
	[ "$(sample 'ktrack_entries{state="established"}')" -ge 1 ]
	[ "$(sample 'ktrack_entries{state="other"}')" -eq "$(jget .live_other <<<"$js")" ]
	[ "$(sample ktrack_entries_limit)" -eq "$(jget .max_conns <<<"$js")" ]
	[ "$(sample ktrack_buckets)" -eq "$(jget .buckets <<<"$js")" ]
	[ "$(sample 'ktrack_entries_deleted_total{reason="fin"}')" -eq "$(jget .del_fin <<<"$js")" ]
	[ "$(sample 'ktrack_entries_deleted_total{reason="fin"}')" -ge 1 ]
	for r in rst timeout flush evict reuse icmp; do sample "ktrack_entries_deleted_total{reason=\"$r\"}"; done
	for r in table source invalid nomem; do sample "ktrack_flows_dropped_total{reason=\"$r\"}"; done
	[ "$(sample 'ktrack_table_resizes_total{direction="grow"}')" -eq "$(jget .resize_grow <<<"$js")" ]
	[ "$(sample 'ktrack_table_resizes_total{direction="shrink"}')" -eq "$(jget .resize_shrink <<<"$js")" ]
	[ "$(sample ktrack_table_resize_failures_total)" -eq "$(jget .resize_fail <<<"$js")" ]
	[ "$(sample ktrack_entries_created_total)" -eq "$(jget .new <<<"$js")" ]
	[ "$(jget .packets <<<"$js")" -ge "$(sample ktrack_packets_total)" ]
	# the sum over states is the count
	[ "$(awk '$1 ~ /^ktrack_entries\{/ { s += $2 } END { print s }' "$KC_TMP/prom")" -eq "$(kcn kt-srv count)" ]
	# build info: the module's version and the tool's
	[ "$(sample "ktrack_build_info{ktrackctl=\"$(cat /sys/module/ktrack/version)\",version=\"$(cat /sys/module/ktrack/version)\"}")" -eq 1 ]
	# counters are typed counter, gauges gauge; every counter of stats is exported (count: the sum)
	grep -qx 'family ktrack_entries_deleted counter' "$KC_TMP/prom"
	grep -qx 'family ktrack_entries gauge' "$KC_TMP/prom"
	grep -qx 'family ktrack_entries_limit gauge' "$KC_TMP/prom"
	[ "$(grep -vc -e '^family ' -e '^ktrack_build_info' "$KC_TMP/prom")" -eq "$(( $(jget length <<<"$js") - 1 ))" ]
	# no netns label unless asked for
	fails grep -q 'netns=' "$KC_TMP/prom"
	# the same format after the verb, and as conntrack's -S
	[ "$(kcn kt-idle stats -o prometheus | grep -c '^ktrack_')" -eq "$(kcn kt-idle -o prometheus -S | grep -c '^ktrack_')" ]
}

@test "stats -o prometheus --netns-label: every sample carries netns=\"NETNS\" of -n" {
	prom kt-srv --netns-label
	n=$(grep -vc '^family ' "$KC_TMP/prom")
	[ "$n" -gt 20 ]
	[ "$(grep -c 'netns="kt-srv"' "$KC_TMP/prom")" -eq "$n" ]
	prom /run/netns/kt-idle --netns-label
	[ "$(sample 'ktrack_entries{netns="/run/netns/kt-idle",state="established"}')" -eq 0 ]
}

@test "ktrack-textfile: namespaces merged into one valid file, written by rename, kept on failure" {
	open_conn
	local d=$KC_TMP/textfile ino
	rm -rf "$d"
	mkdir -p "$d"
	KTRACKCTL=$KTRACKCTL "$TEXTFILE" -d "$d" -n kt-srv -n kt-idle
	[ "$(ls -A "$d")" = ktrack.prom ]
	"$PY" "$PROMCHECK" < "$d/ktrack.prom" > "$KC_TMP/prom"
	cat "$KC_TMP/prom"
	[ "$(sample 'ktrack_entries{netns="kt-srv",state="established"}')" -ge 1 ]
	[ "$(sample 'ktrack_entries{netns="kt-idle",state="established"}')" -eq 0 ]
	sample 'ktrack_entries{state="established"}'
	[ "$(grep -c '^family ktrack_entries gauge$' "$KC_TMP/prom")" -eq 1 ]
	# a second run replaces the file by rename (a new inode), leaves no temporary file
	ino=$(stat -c %i "$d/ktrack.prom")
	KTRACKCTL=$KTRACKCTL "$TEXTFILE" -d "$d" --all-netns
	[ "$(ls -A "$d")" = ktrack.prom ]
	[ "$(stat -c %i "$d/ktrack.prom")" != "$ino" ]
	"$PY" "$PROMCHECK" < "$d/ktrack.prom" > "$KC_TMP/prom"
	sample 'ktrack_entries{netns="kt-cli",state="established"}'
	# a failed run leaves the last file as it was
	cp "$d/ktrack.prom" "$KC_TMP/last.prom"
	run env KTRACKCTL="$KTRACKCTL" "$TEXTFILE" -d "$d" -n kt-no-such
	[ "$status" -eq 2 ]
	cmp "$d/ktrack.prom" "$KC_TMP/last.prom"
	[ "$(ls -A "$d")" = ktrack.prom ]
}

@test "stats -i SECONDS --count N: N blocks of per-second rates; an idle netns's are all zero" {
	nsx kt-cli ping -q -i 0.2 -w 60 "$SRV4" >/dev/null &
	# the pings are flowing (their entry is there) before the intervals start: a slow kernel
	# takes seconds to start ping
	wait_count kt-srv 1 60
	run kcn kt-srv -o json stats -i 1 --count 2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do
		json_ok <<<"$l"
		[ "$(jget '.interval_ms >= 900 and .interval_ms < 30000' <<<"$l")" = true ]
		[ "$(jget '.rates.packets > 0' <<<"$l")" = true ]
		[ "$(jget '.rates | has("del_fin") and (has("count") | not)' <<<"$l")" = true ]
		jget .count <<<"$l" | grep -qE '^[0-9]+$'
	done
	run kcn kt-idle stats -i 0.5 --count 1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "interval "*" s" ]]
	grep -qE '^packets +0\.0/s$' <<<"$output"
	fails grep -v ' 0\.0/s$' < <(grep -E '/s$' <<<"$output")
	grep -qE '^count +0$' <<<"$output"
}

@test "lnstat -f ktrack: entries and the counters summed as stats has them; lnstat as nobody too" {
	closed_conn
	# the UDP flows below live until both reads are done, however slow the kernel
	kcn kt-srv config udp_timeout=600
	# more than 9 of each, so that a decimal value read as hexadecimal would differ
	for p in $(seq 5001 5012); do
		echo x | nsx kt-cli socat -u - UDP:$SRV4:5353,sourceport=$p
	done
	wait_count kt-srv 12
	run nsx kt-srv lnstat -j -f ktrack -c 1 -i 1
	echo "$output"
	json_ok <<<"${lines[0]}"
	[ "$(jget .entries <<<"${lines[0]}")" -eq "$(nsx kt-srv sysctl -n net.ktrack.count)" ]
	[ "$(jget .entries <<<"${lines[0]}")" -eq 12 ]
	[ "$(jget .new <<<"${lines[0]}")" -ge 13 ]
	for k in new del_fin drop_source; do
		[ "$(jget ".$k" <<<"${lines[0]}")" -eq "$(kstat "$k" kt-srv)" ]
	done
	[ "$(jget .del_fin <<<"${lines[0]}")" -ge 1 ]
	[ "$(jget '.packets >= .found and .found > 0' <<<"${lines[0]}")" = true ]
	# without -f lnstat opens every file of /proc/net/stat: all of ktrack's there are readable
	run nsx kt-srv setpriv --reuid=65534 --regid=65534 --clear-groups lnstat -k ktrack:new -c 1 -i 1
	echo "$output"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(tr -d ' |' <<<"${lines[2]}")" -eq "$(kstat new kt-srv)" ]
}

@test "conntrack's spellings and ip's abbreviations on a real connection; exit 6 for no such one" {
	open_conn
	want=$(srv list proto tcp dport 8080 state ESTABLISHED)
	[ -n "$want" ]
	[ "$(srv -L -p tcp --dport 443 --state ESTABLISHED)" = "" ]
	[ "$(srv -L -p tcp --dport 8080 --state ESTABLISHED)" = "$want" ]
	[ "$(srv -p tcp -L --dport 8080)" = "$want" ]
	[ "$(srv li pro tcp dp 8080 st ESTABLISHED)" = "$want" ]
	[ "$(srv -L -f ipv4 -s $CLI4 -d $SRV4 --dport 8080)" = "$want" ]
	[ "$(srv -L -f ipv6 --dport 8080)" = "" ]
	[ "$(kcn kt-srv -C)" = "$(kcn kt-srv count)" ]
	[ "$(kcn kt-srv co)" = "$(kcn kt-srv count)" ]
	kcn kt-srv -S | grep -qE '^packets +[0-9]+$'
	kcn kt-srv st | grep -qE '^packets +[0-9]+$'
	sport=$(kcn kt-srv -o json list proto tcp dport 8080 | jget '.[0].sport')
	[ "$(srv -G -p tcp -s $CLI4 -d $SRV4 --sport "$sport" --dport 8080)" = "$want" ]
	run kcn kt-srv -G -p tcp -s $CLI4 -d $SRV4 --sport 1 --dport 8080
	[ "$status" -eq 6 ]
	[ "$output" = "ktrackctl: get: no such connection" ]
	kcn kt-srv limit a 10.0.0.0/8 5
	[ "$(kcn kt-srv limit l)" = "10.0.0.0/8 5" ]
	kcn kt-srv limit d 10.0.0.0/8
	run kcn kt-srv limit del 10.0.0.0/8
	[ "$status" -eq 6 ]
	[ "$output" = "ktrackctl: limit: no such limit override" ]
	run kcn kt-srv -D -p tcp -s $CLI4 -d $SRV4 --sport "$sport" --dport 8080
	[ "$output" = "1 connection deleted" ]
	run kcn kt-srv -D -p tcp -s $CLI4 -d $SRV4 --sport "$sport" --dport 8080
	[ "$status" -eq 6 ]
	# -E is monitor (its own arguments follow)
	run kcn kt-srv -E -e bogus
	[[ "$output" == "ktrackctl: monitor: -e bogus: events are new, destroy, refused, "* ]]
	monitor_start kt-srv -o json -e new --count 1
	echo x | nsx kt-cli socat -u - UDP:$SRV4:5701
	monitor_wait
	[ "$(jget '"\(.event) \(.dport)"' < "$KC_TMP/mon.out")" = "new 5701" ]
	[[ "$(kcn kt-srv -F)" == *" deleted" ]]
	[ "$(kcn kt-srv count)" -eq 0 ]
}

@test "with the module loaded, bad arguments exit 2 with the same one line as without it" {
	for args in "list proto sctp" "-L -p tcp --dport 99999" "stats -i 0" "frob" "-o yaml stats" \
		    "get proto tcp src $CLI4" "config bogus=1" "-E -e bogus" "-o prometheus list"; do
		# shellcheck disable=SC2086
		run kcn kt-srv $args
		echo "$args: $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "ktrackctl: "* ]]
	done
	run kc -n /etc/passwd stats
	[ "$status" -eq 2 ]
	[ "$output" = "ktrackctl: netns /etc/passwd: /etc/passwd is not a network namespace" ]
	run kc -n /proc/self/ns/ipc stats
	[ "$status" -eq 2 ]
}

@test "-o ndjson: one object per line, no brackets; -p indents; -j -o text is text" {
	open_conn
	nsx kt-cli socat -u EXEC:"sleep 600" TCP:$SRV4:8080 &
	for i in $(seq 100); do [ "$(kcn kt-srv count)" -ge 2 ] && break; sleep 0.1; done
	kcn kt-srv -o ndjson list proto tcp > "$KC_TMP/nd"
	cat "$KC_TMP/nd"
	[ "$(wc -l < "$KC_TMP/nd")" -eq "$(kcn kt-srv list proto tcp | wc -l)" ]
	[ "$(wc -l < "$KC_TMP/nd")" -ge 2 ]
	while read -r l; do [ "$(jget .proto <<<"$l")" = tcp ]; done < "$KC_TMP/nd"
	fails grep -q '^\[' "$KC_TMP/nd"
	[ "$(kcn kt-idle -o ndjson list | wc -c)" -eq 0 ]
	kcn kt-srv -o ndjson sources | while read -r l; do json_ok <<<"$l"; done
	# -p: the same document, indented
	kcn kt-srv -j -p list proto tcp > "$KC_TMP/pp"
	json_ok < "$KC_TMP/pp"
	[ "$(jq -c 'map(del(.timeout))' < "$KC_TMP/pp")" = "$(kcn kt-srv -j list proto tcp | jq -c 'map(del(.timeout))')" ]
	grep -q '^    "proto": "tcp",$' "$KC_TMP/pp"
	kcn kt-srv -p -j stats | jget .packets | grep -qE '^[0-9]+$'
	[ "$(kcn kt-srv -p -j stats | wc -l)" -gt 20 ]
	# the last format named wins
	[ "$(kcn kt-srv -j -o text count)" = "$(kcn kt-srv count)" ]
	kcn kt-srv -j -o text list | grep -q '^ipv4 tcp '
	kcn kt-srv -o text list -j | json_ok
}

# modules_install: ktrack installed in this VM's /lib/modules/$(uname -r)/extra (an overlay on the
# host's read-only tree) and a writable copy of /etc/modprobe.d, so that modprobe and the kernel's
# autoload find it; modules_uninstall undoes both.
modules_install() {
	local kver
	kver=$(uname -r)
	mkdir -p "$OVL/up" "$OVL/work" "$OVL/modprobe.d"
	mount -t overlay overlay -o "lowerdir=/lib/modules/$kver,upperdir=$OVL/up,workdir=$OVL/work" \
		"/lib/modules/$kver" || skip "no overlayfs on /lib/modules here"
	mkdir -p "/lib/modules/$kver/extra"
	cp "$KO" "/lib/modules/$kver/extra/ktrack.ko"
	depmod -a "$kver"
	cp -a /etc/modprobe.d/. "$OVL/modprobe.d/" 2>/dev/null || true
	mount --bind "$OVL/modprobe.d" /etc/modprobe.d
}

modules_uninstall() {
	mountpoint -q /etc/modprobe.d && umount /etc/modprobe.d
	mountpoint -q "/lib/modules/$(uname -r)" && umount "/lib/modules/$(uname -r)"
	rm -rf "$OVL"
}

@test "make demo's script: monitor lines, list, sources, stats, lnstat and a stateful rule set at work" {
	cleanup_ns
	run env KTRACK_DEMO_CONNS=10 "$TOP/scripts/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"   10 of 10 connections answered"* ]]
	# monitor -t: four events of :80, new ones and ones ended by their FINs
	[ "$(grep -cE '^   \[[0-9]{10}\.[0-9]{6}\] \[(NEW|DESTROY)\] ipv4 tcp .* dport=80 ' <<<"$output")" -eq 4 ]
	grep -qE '^   \[[0-9]{10}\.[0-9]{6}\] \[NEW\] ipv4 tcp .* dport=80 ' <<<"$output"
	grep -qE '^   \[[0-9]{10}\.[0-9]{6}\] \[DESTROY\] ipv4 tcp .* dport=80 .* reason=fin$' <<<"$output"
	# list, sources, ndjson: the three held open
	[ "$(grep -cE '^   ipv4 tcp ESTABLISHED src=192\.0\.2\.2 dst=192\.0\.2\.1 sport=[0-9]+ dport=5001 timeout=[0-9]+ \[ASSURED\]$' <<<"$output")" -eq 3 ]
	grep -qE '^   192\.0\.2\.2/32 live 3 limit ' <<<"$output"
	[ "$(grep -cE '^   \{"family":"ipv4","proto":"tcp","state":"ESTABLISHED",.*"dport":5001,' <<<"$output")" -eq 3 ]
	# stats after they closed, lnstat's header
	grep -qx '   \$ ktrackctl -n demo-srv stats .*' <<<"$output"
	grep -qE '^   del_fin +[1-9]' <<<"$output"
	grep -qE '^   count +0$' <<<"$output"
	grep -qE '^ +ktrack\|' <<<"$output"
	# the rule set: :80 admitted as NEW, :5001 dropped, every rule's counter shown
	grep -qx '   3 connections to :80: 3 answered; one to :5001: no answer' <<<"$output"
	grep -qE '^   [1-9][0-9]* packets: new :80$' <<<"$output"
	grep -qE '^   [1-9][0-9]* packets: established,related$' <<<"$output"
	grep -qE '^   [1-9][0-9]* packets: dropped$' <<<"$output"
	grep -qE '^   [0-9]+ packets: invalid$' <<<"$output"
	grep -qE '^   nf_conntrack is (not loaded|present \((module|built in)\), its table in demo-srv holds 0 entries)$' <<<"$output"
}

@test "installed: ktrackctl autoloads ktrack with modprobe.d's options; install /bin/false and blacklist keep it out" {
	ktrack_unload
	modules_install
	cp "$TOP/examples/modprobe.d/ktrack.conf" /etc/modprobe.d/ktrack.conf
	# first use: the kernel loads the module for its netlink family, with the example's options
	run unpriv_kc kt-idle count
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	[ -d /sys/module/ktrack ]
	opts=$(sed -n 's/^options ktrack //p' "$TOP/examples/modprobe.d/ktrack.conf")
	for o in $opts; do
		[ "$(cat "/sys/module/ktrack/parameters/${o%%=*}")" = "${o#*=}" ]
	done
	# the example's commented line, taken in: never loaded, told "not loaded" (it is installed)
	ktrack_unload
	sed -i 's/^#install ktrack/install ktrack/' /etc/modprobe.d/ktrack.conf
	run kc stats
	[ "$status" -eq 3 ]
	[ "$output" = "ktrackctl: ktrack is not loaded (modprobe ktrack)" ]
	[ ! -d /sys/module/ktrack ]
	run modprobe ktrack
	[ "$status" -ne 0 ]
	[ ! -d /sys/module/ktrack ]
	# blacklist: no autoload, but modprobe by name loads it
	echo "blacklist ktrack" > /etc/modprobe.d/ktrack.conf
	run kc stats
	[ "$status" -eq 3 ]
	[ ! -d /sys/module/ktrack ]
	modprobe ktrack
	[ -d /sys/module/ktrack ]
	kc count
	# modules-load.d's example loads it as systemd does at boot
	ktrack_unload
	rm /etc/modprobe.d/ktrack.conf
	if [ -x /lib/systemd/systemd-modules-load ]; then
		/lib/systemd/systemd-modules-load "$TOP/examples/modules-load.d/ktrack.conf"
		[ -d /sys/module/ktrack ]
	fi
	modules_uninstall
	ktrack_unload
	run kc stats
	[ "$status" -eq 5 ]
	[[ "$output" == "ktrackctl: ktrack is not installed for kernel $(uname -r) "* ]]
}

@test "the sysctl.d example applies to the initial netns" {
	sysctl -q -p "$TOP/examples/sysctl.d/60-ktrack.conf"
	while IFS== read -r k v; do
		[ "$(sysctl -n "$k")" = "$v" ]
	done < <(grep -E '^net\.ktrack\.' "$TOP/examples/sysctl.d/60-ktrack.conf" | sed 's/ *= */=/')
}
