# shellcheck shell=bash
# tests/lib/track.bash: helpers for the suites that test the connection-tracking engine (40-80):
# reading /proc/net/ktrack and the counters, per-netns sysctls, a scriptable TCP peer, crafted TCP
# connections (scapy) and a fast UDP flow generator. Load after common.bash:
#   load ../lib/common
#   load ../lib/track
# Scratch files go under $KT_TMP (a tmpfs inside the VM).

KT_TMP=${KT_TMP:-/tmp/ktrack-test}
mkdir -p "$KT_TMP"

# ---------------------------------------------------------------------------------------------
# /proc/net/ktrack

# kt_proc NETNS: the connection list of NETNS, runs of spaces squeezed to one.
kt_proc() {
	nsx "$1" cat /proc/net/ktrack | tr -s ' '
}

# kt_line NETNS PROTO ORIG-TUPLE: the (squeezed) line of NETNS whose protocol name is PROTO and whose
# original tuple is ORIG-TUPLE ("src=A dst=B sport=P dport=Q" or "src=A dst=B type=8 code=0 id=N").
# Status 1 when there is none.
kt_line() {
	kt_proc "$1" | awk -v proto="$2" -v tuple="$3" '
		$3 != proto { next }
		{ i = index($0, " src="); if (i && substr($0, i + 1, length(tuple) + 1) == tuple " ") { print; n++ } }
		END { exit n ? 0 : 1 }'
}

# kt_has NETNS PROTO ORIG-TUPLE: there is such a line.
kt_has() {
	kt_line "$@" >/dev/null
}

# tuple SRC DST SPORT DPORT: an original tuple as kt_line wants it.
tuple() {
	echo "src=$1 dst=$2 sport=$3 dport=$4"
}

# kt_field LINE N: field N of a squeezed line (5: seconds to expiry, 6: TCP state).
kt_field() {
	echo "$1" | awk -v n="$2" '{ print $n }'
}

# kt_state NETNS ORIG-TUPLE: the TCP state of that entry, or "none".
kt_state() {
	local l
	l=$(kt_line "$1" tcp "$2") || { echo none; return 0; }
	kt_field "$l" 6
}

# kt_wait_state NETNS ORIG-TUPLE STATE [SECONDS]: until the TCP entry is in STATE ("none": gone).
kt_wait_state() {
	local ns=$1 t=$2 want=$3 secs=${4:-10} i s
	for i in $(seq $((secs * 10))); do
		s=$(kt_state "$ns" "$t")
		[ "$s" = "$want" ] && return 0
		sleep 0.1
	done
	echo "kt_wait_state: $ns $t is $s, not $want after ${secs}s" >&2
	kt_proc "$ns" >&2
	return 1
}

# kt_wait_gone NETNS PROTO ORIG-TUPLE [SECONDS]: until there is no such line.
kt_wait_gone() {
	local i secs=${4:-10}
	for i in $(seq $((secs * 10))); do
		kt_has "$1" "$2" "$3" || return 0
		sleep 0.1
	done
	echo "kt_wait_gone: still there after ${secs}s:" >&2
	kt_line "$1" "$2" "$3" >&2
	return 1
}

# kt_wait_line NETNS PROTO ORIG-TUPLE [SECONDS]: until there is such a line.
kt_wait_line() {
	local i secs=${4:-10}
	for i in $(seq $((secs * 10))); do
		kt_has "$1" "$2" "$3" && return 0
		sleep 0.1
	done
	echo "kt_wait_line: no $2 $3 in $1 after ${secs}s:" >&2
	kt_proc "$1" >&2
	return 1
}

# kt_nlines NETNS: lines in /proc/net/ktrack.
kt_nlines() {
	nsx "$1" cat /proc/net/ktrack | wc -l
}

# ---------------------------------------------------------------------------------------------
# sysctls and counters

# ksys NETNS NAME: net.ktrack.NAME in NETNS.
ksys() {
	nsx "$1" sysctl -n "net.ktrack.$2"
}

# ksys_set NETNS NAME VALUE: sets it, fails when the kernel refuses.
ksys_set() {
	nsx "$1" sysctl -q -w "net.ktrack.$2=$3" >/dev/null
}

# kt_count NETNS: net.ktrack.count.
kt_count() {
	ksys "$1" count
}

# kt_wait_count NETNS N [SECONDS]: until net.ktrack.count is N.
kt_wait_count() {
	local i c secs=${3:-10}
	for i in $(seq $((secs * 10))); do
		c=$(kt_count "$1")
		[ "$c" = "$2" ] && return 0
		sleep 0.1
	done
	echo "kt_wait_count: $1 count is $c, not $2 after ${secs}s" >&2
	return 1
}

# ksnap NETNS NAME...: remember counters; kdelta NETNS NAME: how much one moved since.
ksnap() {
	local ns=$1 n
	shift
	for n in "$@"; do
		eval "_ksnap_${ns//-/_}_$n=$(kstat "$n" "$ns")"
	done
}

kdelta() {
	local v
	eval "v=\${_ksnap_${1//-/_}_$2:?no ksnap of $2 in $1}"
	echo $(($(kstat "$2" "$1") - v))
}

# kexpect NETNS NAME N: the counter moved by exactly N since ksnap (says what it saw when not).
kexpect() {
	local d
	d=$(kdelta "$1" "$2")
	[ "$d" -eq "$3" ] && return 0
	echo "counter $2 in $1 moved by $d, expected $3" >&2
	return 1
}

# kexpect_ge NETNS NAME N: the counter moved by at least N.
kexpect_ge() {
	local d
	d=$(kdelta "$1" "$2")
	[ "$d" -ge "$3" ] && return 0
	echo "counter $2 in $1 moved by $d, expected at least $3" >&2
	return 1
}

# kmsg_mark / kmsg_since: kernel messages logged after the mark.
kmsg_mark() {
	_kmsg_mark=$(dmesg | wc -l)
}

kmsg_since() {
	dmesg | tail -n +$((_kmsg_mark + 1))
}

# ---------------------------------------------------------------------------------------------
# namespaces

# kt_pair: kt-srv and kt-cli joined by a veth (common.bash's pair), reverse-path filtering off in the
# server so it accepts crafted sources.
kt_pair() {
	pair kt-srv kt-cli
	nsx kt-srv sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.v-kt-srv.rp_filter=0
}

# mac NETNS IFACE
mac() {
	nsx "$1" cat "/sys/class/net/$2/address"
}

# bg NETNS CMD...: runs CMD in NETNS in the background, away from bats' file descriptors; its output
# goes to $KT_TMP/bg.log. cleanup_ns kills it with the namespace.
bg() {
	nsx "$@" </dev/null >>"$KT_TMP/bg.log" 2>&1 3>&- &
}

# sink NETNS PORT [FILE]: a TCP server on PORT (IPv4 and IPv6) that appends what it receives to FILE
# (default /dev/null) and closes each connection when its client does.
sink() {
	local out=${3:-/dev/null}
	[ "$out" = /dev/null ] || : >"$out"
	bg "$1" socat -u TCP6-LISTEN:"$2",reuseaddr,fork,ipv6only=0 OPEN:"$out",creat,append
	wait_port "$1" "$2"
}

# udp_sink NETNS PORT: UDP receiver that never answers.
udp_sink() {
	bg "$1" socat -u UDP6-RECV:"$2",ipv6only=0 OPEN:/dev/null
	wait_udp "$1" "$2"
}

# udp_echo NETNS PORT: UDP server that answers every datagram with the same bytes.
udp_echo() {
	bg "$1" "$PY" -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(('::', $2))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)
"
	wait_udp "$1" "$2"
}

# wait_udp NETNS PORT: until a UDP socket is bound to PORT in NETNS.
wait_udp() {
	local i
	for i in $(seq 100); do
		nsx "$1" ss -Hlun "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing bound to udp $2 in $1" >&2
	return 1
}

# ---------------------------------------------------------------------------------------------
# A scriptable TCP endpoint: one Python process per connection, driven through files.
#   peer NAME NETNS connect HOST PORT [SPORT [BINDADDR]]   connect (KT_CONNECT_TIMEOUT, default 5 s)
#   peer NAME NETNS accept PORT                            listen (IPv4 and IPv6) and accept one
# peer waits until the connection is up (or failed: status 1). The endpoint appends what it receives
# to $KT_TMP/NAME.data and closes its side when the other side closes (so a client's close is a full
# FIN exchange). peer_do NAME COMMAND sends it one of:
#   send TEXT   write TEXT
#   close       close (FIN)
#   rst         close with SO_LINGER 0 (RST)
#   shut        shutdown(SHUT_WR) only
# $KT_TMP/NAME.state holds: listening, connected, failed: ERR, eof, closed.

cat >"$KT_TMP/peer.py" <<'PYEOF'
import os, select, socket, struct, sys, time
name, mode = sys.argv[1], sys.argv[2]
base = os.path.join(os.environ.get("KT_TMP", "/tmp/ktrack-test"), name)

def state(s):
    with open(base + ".state.tmp", "w") as f:
        f.write(s + "\n")
    os.rename(base + ".state.tmp", base + ".state")

open(base + ".data", "wb").close()
if mode == "connect":
    host, port = sys.argv[3], int(sys.argv[4])
    sport = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    bindaddr = sys.argv[6] if len(sys.argv) > 6 else ""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport or bindaddr:
        s.bind((bindaddr, sport))
    s.settimeout(float(os.environ.get("KT_CONNECT_TIMEOUT", "5")))
    try:
        s.connect((host, port))
    except OSError as e:
        state("failed: %s" % e)
        sys.exit(1)
else:
    port = int(sys.argv[3])
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", port))
    ls.listen(8)
    state("listening")
    s, _ = ls.accept()
    ls.close()
state("connected")
s.setblocking(False)
cmd = base + ".cmd"
open_ = True
while True:
    if os.path.exists(cmd):
        with open(cmd) as f:
            c = f.read().rstrip("\n")
        os.unlink(cmd)
        verb, _, arg = c.partition(" ")
        if verb == "send":
            s.setblocking(True)
            s.sendall(arg.encode())
            s.setblocking(False)
        elif verb == "shut":
            s.shutdown(socket.SHUT_WR)
        elif verb == "rst":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            state("closed")
            break
        elif verb == "close":
            s.close()
            state("closed")
            break
    r, _, _ = select.select([s], [], [], 0.05)
    if r:
        try:
            d = s.recv(65536)
        except OSError as e:
            state("failed: %s" % e)
            break
        if d:
            with open(base + ".data", "ab") as f:
                f.write(d)
        else:
            state("eof")
            s.close()
            state("closed")
            break
# linger a little so the kernel finishes the close while the process still exists
time.sleep(0.5)
PYEOF

peer() {
	local name=$1 ns=$2 i s
	shift 2
	rm -f "$KT_TMP/$name".{state,cmd,data}
	KT_TMP=$KT_TMP nsx "$ns" "$PY" "$KT_TMP/peer.py" "$name" "$@" </dev/null >>"$KT_TMP/bg.log" 2>&1 3>&- &
	for i in $(seq 300); do
		s=$(cat "$KT_TMP/$name.state" 2>/dev/null) || s=
		case "$s" in
		listening | connected) return 0 ;;
		failed*) echo "peer $name: $s" >&2; return 1 ;;
		esac
		sleep 0.1
	done
	echo "peer $name: no state after 30s" >&2
	return 1
}

# peer_do NAME COMMAND: hand the endpoint a command and wait until it took it.
peer_do() {
	local name=$1 i
	shift
	echo "$*" >"$KT_TMP/$name.cmd.tmp"
	mv "$KT_TMP/$name.cmd.tmp" "$KT_TMP/$name.cmd"
	for i in $(seq 100); do
		[ -e "$KT_TMP/$name.cmd" ] || return 0
		sleep 0.1
	done
	echo "peer $name did not take '$*'" >&2
	return 1
}

# peer_wait NAME STATE [SECONDS]: until the endpoint's state is STATE.
peer_wait() {
	local i s secs=${3:-10}
	for i in $(seq $((secs * 10))); do
		s=$(cat "$KT_TMP/$1.state" 2>/dev/null) || s=
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	echo "peer $1 is '$s', not '$2' after ${secs}s" >&2
	return 1
}

# peer_data NAME: what the endpoint received so far.
peer_data() {
	cat "$KT_TMP/$1.data"
}

# wait_file FILE TEXT [SECONDS]: until FILE contains TEXT.
wait_file() {
	local i secs=${3:-10}
	for i in $(seq $((secs * 10))); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no '$2' in $1 after ${secs}s: '$(cat "$1" 2>/dev/null)'" >&2
	return 1
}

# wait_gone_sock NETNS STATE SPORT: until NETNS has a TCP socket of local port SPORT in ss STATE
# (e.g. time-wait), at most 10 s.
wait_sock() {
	local i
	for i in $(seq 100); do
		nsx "$1" ss -Htan state "$2" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	echo "no $2 socket of port $3 in $1" >&2
	nsx "$1" ss -tan >&2
	return 1
}

# ---------------------------------------------------------------------------------------------
# Crafted TCP (scapy), sent from kt-cli straight onto the veth (bypassing kt-cli's stack) to a real
# listening socket in kt-srv. kt-cli must not answer the server itself: craft_setup drops kt-cli's
# outgoing RSTs. A test writes its Python after `from kt_craft import *`:
#   c = Conn(sport, dport=8080, ts=None, v6=False, isn=1000)
#   c.handshake()          SYN, SYN-ACK, ACK; returns the SYN-ACK or None
#   c.syn()                SYN only; returns the SYN-ACK or None
#   c.send(flags, data=b"", seq=None)     one segment with the current seq/ack
#   c.close()              FIN, wait for the server's FIN, last ACK; True when all went through
#   c.rst(offset=0)        RST at seq + offset
# Run it with: craft <<'EOF' ... EOF (stdout: what the script prints).

cat >"$KT_TMP/kt_craft.py" <<'PYEOF'
import os, sys, threading, time
from scapy.all import conf, Ether, IP, IPv6, TCP, AsyncSniffer, sendp
conf.verb = 0
IFACE = os.environ.get("KT_IFACE", "v-kt-cli")
DMAC = os.environ["KT_DMAC"]

class Conn:
    def __init__(self, sport, dport=8080, ts=None, v6=False, isn=1000,
                 src=None, dst=None):
        self.sport, self.dport, self.ts, self.v6 = sport, dport, ts, v6
        self.src = src or ("2001:db8::2" if v6 else "192.0.2.2")
        self.dst = dst or ("2001:db8::1" if v6 else "192.0.2.1")
        self.seq, self.ack, self.tsecr = isn, 0, 0
        self.got, self.cv = [], threading.Condition()
        started = threading.Event()
        self.sn = AsyncSniffer(iface=IFACE, store=False, prn=self._rx,
                               lfilter=self._mine, started_callback=started.set)
        self.sn.start()
        started.wait(10)

    def _mine(self, p):
        return TCP in p and p[TCP].sport == self.dport and p[TCP].dport == self.sport

    def _rx(self, p):
        with self.cv:
            self.got.append(p)
            self.cv.notify_all()

    def expect(self, pred, timeout=5):
        end = time.time() + timeout
        with self.cv:
            while True:
                for p in self.got:
                    if pred(p[TCP]):
                        self.got.remove(p)
                        return p[TCP]
                left = end - time.time()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def pkt(self, flags, data=b"", seq=None):
        ip = IPv6(src=self.src, dst=self.dst) if self.v6 else IP(src=self.src, dst=self.dst)
        opts = [("Timestamp", (self.ts, self.tsecr))] if self.ts is not None else []
        return (Ether(dst=DMAC) / ip /
                TCP(sport=self.sport, dport=self.dport, flags=flags,
                    seq=self.seq if seq is None else seq,
                    ack=self.ack if "A" in flags else 0, window=65535, options=opts) / data)

    def send(self, flags, data=b"", seq=None):
        sendp(self.pkt(flags, data, seq), iface=IFACE)
        if seq is None:
            self.seq += len(data) + (1 if ("S" in flags or "F" in flags) else 0)
        if self.ts is not None:
            self.ts += 1

    def _opts(self, t):
        for o in t.options:
            if o[0] == "Timestamp":
                self.tsecr = o[1][0]

    def syn(self, timeout=5):
        self.send("S")
        sa = self.expect(lambda t: t.flags.S and t.flags.A, timeout)
        if sa is not None:
            self.ack = sa.seq + 1
            self._opts(sa)
        return sa

    def handshake(self):
        sa = self.syn()
        if sa is not None:
            self.send("A")
        return sa

    def close(self, timeout=5):
        self.send("FA")
        fin = self.expect(lambda t: t.flags.F, timeout)
        if fin is None:
            return False
        self._opts(fin)
        self.ack = fin.seq + len(fin.payload) + 1
        self.send("A")
        return True

    def rst(self, offset=0):
        self.send("R", seq=(self.seq + offset) % 2**32)
PYEOF

# craft_setup: kt-cli never answers crafted traffic with its own RSTs.
craft_setup() {
	nsx kt-cli nft -f - <<-'NFT'
	table inet kt_craft {
		chain out { type filter hook output priority 0; tcp flags rst drop; }
	}
	NFT
}

# craft: runs the Python on stdin in kt-cli with kt_craft imported.
craft() {
	local dmac
	dmac=$(mac kt-srv v-kt-srv)
	KT_DMAC=$dmac PYTHONPATH=$KT_TMP nsx kt-cli "$PY" -c "
import sys
sys.path.insert(0, '$KT_TMP')
from kt_craft import *
exec(sys.stdin.read())
"
}

# ---------------------------------------------------------------------------------------------
# udp_flows NETNS IFACE DMAC SRC DST DPORT COUNT [SPORT0 [NSRC]]: COUNT UDP datagrams, each its own
# flow, written as Ethernet frames onto IFACE (so the sending namespace's stack does not see them):
# source ports SPORT0 (default 10000) upward, and when NSRC > 1 cycling through NSRC consecutive
# IPv4 source addresses from SRC. Fast enough for 10^5 flows under TCG (one send per frame).
udp_flows() {
	nsx "$1" "$PY" - "${@:2}" <<'PYEOF'
import socket, struct, sys
_, iface, dmac, src, dst, dport, count = sys.argv[:7]
sport0 = int(sys.argv[7]) if len(sys.argv) > 7 else 10000
nsrc = int(sys.argv[8]) if len(sys.argv) > 8 else 1
dport, count = int(dport), int(count)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
with open("/sys/class/net/%s/address" % iface) as f:
    smac = f.read().strip()
eth = bytes.fromhex(dmac.replace(":", "")) + bytes.fromhex(smac.replace(":", "")) + b"\x08\x00"
payload = b"ktrack"
def csum(b):
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while x >> 16:
        x = (x & 0xffff) + (x >> 16)
    return ~x & 0xffff
def iphdr(a):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(payload), 0, 0, 64, 17, 0,
                    a, socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]
base = struct.unpack("!I", socket.inet_aton(src))[0]
hdrs = [eth + iphdr(struct.pack("!I", base + k)) for k in range(nsrc)]
ulen = 8 + len(payload)
per = (count + nsrc - 1) // nsrc
n = 0
for i in range(per):
    u = struct.pack("!HHHH", sport0 + i, dport, ulen, 0) + payload
    for h in hdrs:
        if n == count:
            break
        s.send(h + u)
        n += 1
print(n)
PYEOF
}
