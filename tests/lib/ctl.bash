# shellcheck shell=bash
# tests/lib/ctl.bash: helpers for the control-plane suites (90-ctl, 91-nlconform, 99-operators):
# ktrackctl, JSON checks, an unprivileged runner, a fast UDP flow generator, a held TCP connection.
# Load after common.bash.

KC_TMP=${KC_TMP:-/tmp/ktrack-ctl}
mkdir -p "$KC_TMP"
NLCLIENT=$TOP/tests/nlclient/ktrack-nltest

# kc ARGS...: ktrackctl.
kc() {
	"$KTRACKCTL" "$@"
}

# kcn NETNS ARGS...: ktrackctl -n NETNS.
kcn() {
	local ns=$1
	shift
	"$KTRACKCTL" -n "$ns" "$@"
}

# unpriv CMD...: CMD as nobody, without capabilities.
unpriv() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}

# unpriv_kc NETNS ARGS...: ktrackctl in NETNS as nobody, without capabilities.
unpriv_kc() {
	local ns=$1
	shift
	ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$(unpriv_copy "$KTRACKCTL")" "$@"
}

# json_ok: stdin is valid JSON (python3 -m json.tool).
json_ok() {
	/usr/bin/python3 -m json.tool >/dev/null
}

# jget FILTER: a jq filter on the JSON document read from stdin (raw output).
jget() {
	jq -r "$1"
}

# proc_lines NETNS: entries in /proc/net/ktrack of NETNS.
proc_lines() {
	nsx "$1" cat /proc/net/ktrack | wc -l
}

# ifmac NETNS IFACE: the MAC address of IFACE.
ifmac() {
	nsx "$1" cat "/sys/class/net/$2/address"
}

# udp_gen NETNS IFACE DMAC SRC DST DPORT COUNT [NSRC]: COUNT UDP datagrams, each its own flow
# (source ports from 1024 up, cycling over NSRC consecutive IPv4 sources from SRC), written as
# Ethernet frames onto IFACE. Prints how many were sent.
udp_gen() {
	nsx "$1" /usr/bin/python3 - "${@:2}" <<'PYEOF'
import socket, struct, sys
iface, dmac, src, dst, dport, count = sys.argv[1:7]
nsrc = int(sys.argv[7]) if len(sys.argv) > 7 else 1
dport, count = int(dport), int(count)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
smac = open("/sys/class/net/%s/address" % iface).read().strip()
eth = bytes.fromhex(dmac.replace(":", "")) + bytes.fromhex(smac.replace(":", "")) + b"\x08\x00"
def csum(b):
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while x >> 16:
        x = (x & 0xffff) + (x >> 16)
    return ~x & 0xffff
def iphdr(a):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + 2, 0, 0, 64, 17, 0, a, socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]
base = struct.unpack("!I", socket.inet_aton(src))[0]
hdrs = [eth + iphdr(struct.pack("!I", base + k)) for k in range(nsrc)]
n = 0
port = 1024
while n < count:
    u = struct.pack("!HHHH", port, dport, 10, 0) + b"kt"
    for h in hdrs:
        if n == count:
            break
        s.send(h + u)
        n += 1
    port += 1
print(n)
PYEOF
}

# flows SRC NSRC COUNT [SPORT0]: COUNT new UDP flows from NSRC sources from SRC on into kt-srv:9999,
# by tests/tools/ktrack-flowgen (frames written onto kt-cli's veth to $DMAC, kt-srv's MAC: after
# bulk_setup); prints how many were sent.
flows() {
	nsx kt-cli "$TOP/tests/tools/ktrack-flowgen" v-kt-cli "$DMAC" "$1" "$2" $SRV4 9999 "$3" \
		"${4:-1024}"
}

# bulk_setup: kt-srv accepts 198.18.0.0/15 sources from the veth (route back, no rp_filter).
bulk_setup() {
	nsx kt-srv sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.v-kt-srv.rp_filter=0
	nsx kt-srv ip route add 198.18.0.0/15 via "$CLI4"
}

# prints VALUE CMD...: CMD prints VALUE.
prints() {
	[ "$("${@:2}")" = "$1" ]
}

# wait_count NETNS N [SECONDS]: until ktrackctl count in NETNS says N.
wait_count() {
	poll "${3:-20}" prints "$2" kcn "$1" count && return 0
	echo "count in $1 is $(kcn "$1" count), not $2" >&2
	return 1
}

# wait_kstat NETNS COUNTER N [SECONDS]: until COUNTER of NETNS's /proc/net/stat/ktrack is N.
wait_kstat() {
	poll "${4:-20}" prints "$3" kstat "$2" "$1" && return 0
	echo "$2 in $1 is $(kstat "$2" "$1"), not $3" >&2
	return 1
}

# wait_grep PATTERN FILE [SECONDS]: until FILE has a line with PATTERN (grep -E), 60 s at most.
wait_grep() {
	poll "${3:-60}" grep -qE -- "$1" "$2" && return 0
	echo "no '$1' in $2 after ${3:-60} s" >&2
	return 1
}

# monitor_start NETNS ARGS...: ktrackctl monitor in NETNS, output in $KC_TMP/mon.out; returns
# once the events group is joined.
monitor_start() {
	local ns=$1
	shift
	rm -f "$KC_TMP/mon.out" "$KC_TMP/mon.ready"
	KTRACKCTL_READY_FD=3 "$KTRACKCTL" -n "$ns" monitor "$@" >"$KC_TMP/mon.out" \
		2>"$KC_TMP/mon.err" 3>"$KC_TMP/mon.ready" &
	MON_PID=$!
	poll 10 grep -q ready "$KC_TMP/mon.ready" && return 0
	echo "monitor did not start" >&2
	cat "$KC_TMP/mon.err" >&2
	return 1
}

# monitor_wait [SECONDS]: the monitor of monitor_start ends (it was given --count) within
# SECONDS (default 120); else it is killed, what it printed is shown, and this fails.
monitor_wait() {
	if poll "${1:-120}" fails kill -0 "$MON_PID" 2>/dev/null; then
		wait "$MON_PID"
		MON_PID=
		return
	fi
	kill "$MON_PID" 2>/dev/null || true
	MON_PID=
	echo "monitor did not end within ${1:-120} s; it printed:" >&2
	cat "$KC_TMP/mon.out" "$KC_TMP/mon.err" >&2
	return 1
}

# open_conn: one established TCP connection kt-cli -> kt-srv:8080 that stays open (10 min at most:
# a test takes minutes under TCG on a busy host).
open_conn() {
	nsx kt-srv socat -u TCP-LISTEN:8080,reuseaddr,fork OPEN:/dev/null &
	wait_port kt-srv 8080
	nsx kt-cli socat -u EXEC:"sleep 600" TCP:$SRV4:8080 &
	local i
	for i in $(seq 100); do
		kcn kt-srv list proto tcp dport 8080 state ESTABLISHED | grep -q . && return 0
		sleep 0.1
	done
	echo "no established connection" >&2
	return 1
}
