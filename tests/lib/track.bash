# shellcheck shell=bash
# tests/lib/track.bash: helpers for the suites that test the connection-tracking engine (40-80).
# Load after common.bash:
#   load ../lib/common
#   load ../lib/track
#
# Under qemu TCG every exec of a program costs a lot (the host root is shared over 9p without
# caching; Python takes seconds to start, scapy a minute to import), so these helpers spawn as
# little as they can:
#  - one agent per namespace does the sockets, the crafted packets (built with struct, no scapy) and
#    the sysctls of its namespace; agents are forked into their namespace by one Python "zygote"
#    started once per VM run; the shell talks to each over two FIFOs;
#  - /proc/net/ktrack and /proc/net/stat/ktrack of a namespace are read as /proc/AGENT-PID/net/...,
#    parsed in pure bash;
#  - ksleep sleeps with a bash builtin;
#  - the suites load ktrack once (kt_ensure_loaded) and make new namespaces for each test, so every
#    test starts with empty tables, zero counters and default sysctls.
# Agents are named after their role (srv, cli, srv2, ...); the helpers below take the agent name
# where they need a namespace. kt_teardown kills the agents and removes their namespaces (then
# cleanup_ns from common.bash for anything left).

KT_TMP=${KT_TMP:-/tmp/ktrack-test}
[ -d "$KT_TMP" ] || mkdir -p "$KT_TMP"
declare -gA KT_APID KT_ANS KT_ASEQ

# ksleep SECONDS: sleep without starting a process.
ksleep() {
	if [ -z "${KT_SLEEPFD:-}" ]; then
		[ -p "$KT_TMP/sleep.fifo" ] || mkfifo "$KT_TMP/sleep.fifo"
		exec {KT_SLEEPFD}<>"$KT_TMP/sleep.fifo"
	fi
	read -r -t "$1" -u "$KT_SLEEPFD" _ || true
}

# now: seconds since the epoch, with microseconds, without a process.
now() {
	echo "$EPOCHREALTIME"
}

# ---------------------------------------------------------------------------------------------
# namespaces

# kt_pair SRVNS CLINS: two new namespaces joined by a veth v-SRVNS/v-CLINS (two execs of ip); kt_setup
# gives them their addresses.
kt_pair() {
	local srv=$1 cli=$2
	ip -force -b - 2>/dev/null <<-EOF || true
	netns del $srv
	netns del $cli
	EOF
	ip -b - <<-EOF
	netns add $srv
	netns add $cli
	link add v-$srv netns $srv type veth peer name v-$cli netns $cli
	EOF
}

# kt_setup [SRVNS CLINS [SRVAGENT CLIAGENT]]: kt_pair, an agent in each namespace (default:
# kt-srv/kt-cli with agents srv/cli), server 192.0.2.1/24 and 2001:db8::1/64, client .2 and ::2
# (common.bash's addresses), everything up, reverse-path filtering off in the server so it accepts
# crafted sources. ktrack is loaded before or after, as the test needs.
kt_setup() {
	local srv=${1:-kt-srv} cli=${2:-kt-cli} sa=${3:-srv} ca=${4:-cli}
	kt_pair "$srv" "$cli"
	kt_agent "$sa" "$srv" "v-$srv"
	kt_agent "$ca" "$cli" "v-$cli"
	agent "$sa" ifup "$SRV4/24" "$SRV6/64"
	agent "$ca" ifup "$CLI4/24" "$CLI6/64"
	agent "$sa" sysw net/ipv4/conf/all/rp_filter 0
	agent "$sa" sysw net/ipv4/conf/v-"$srv"/rp_filter 0
}

# kt_ensure_loaded: ktrack loaded with its default parameters (for setup(): suites load it once and
# keep it across tests, whose namespaces, and so tables, counters and sysctls, are new each time).
# kt_load PARAM...: load it with parameters for one test; the next kt_ensure_loaded reloads.
kt_ensure_loaded() {
	if [ ! -d /sys/module/ktrack ] || [ -e "$KT_TMP/reload" ]; then
		rm -f "$KT_TMP/reload"
		ktrack_load
	fi
}

kt_load() {
	: >"$KT_TMP/reload"
	ktrack_load "$@"
}

# ---------------------------------------------------------------------------------------------
# The agent: one Python process in a namespace, serving commands one at a time. `agent NAME CMD
# ARG...` sends one and leaves the answer in $AR; its status is 1 when the answer starts with
# "fail". Commands (TEXT is the rest of the line; IDs are the test's names for sockets):
#   hello                              answers "ok" (the agent is up)
#   mac                                MAC address of the agent's interface
#   sysr PATH / sysw PATH VALUE        read / write /proc/sys/PATH ("fail EINVAL" when refused)
#   listen PORT                        TCP listener (IPv4 and IPv6); accepted connections are
#                                      named a<client port>, e.g. a40000
#   unlisten PORT                      close that listener
#   connect ID HOST PORT [SPORT [BINDADDR [TIMEOUT]]]   TCP connect ("fail ..." if it does not
#                                      complete within TIMEOUT, default 5 s)
#   send ID TEXT / shut ID / close ID / rst ID       write, shutdown(WR), close (FIN), close with
#                                      SO_LINGER 0 (RST)
#   state ID                           connected, eof, closed, error or none
#   wait_state ID STATE [SECONDS]      until the socket is in STATE
#   wait_data ID TEXT [SECONDS]        until the socket received TEXT
#   data ID                            what the socket received (newlines as spaces)
# Every connected socket is read all the time; when its peer closes, it closes too (so a close by
# one side is a full FIN exchange), like an ordinary server.
#   udp_listen PORT echo|sink          a UDP socket answering each datagram, or never
#   udp_send SPORT HOST PORT [N]       N datagrams (default 1) from SPORT, no answer awaited
#   udp_rr SPORT HOST PORT N           N request/answer rounds from SPORT; answers how many
#                                      answers came (3 s each at most)
#   icmp_echo HOST ID [SECONDS]        one ICMP/ICMPv6 echo request with identifier ID; "ok" when
#                                      the reply came, "fail noreply" otherwise
#   raw PROTO HOST HEX                 one IP packet of protocol PROTO with payload HEX
#   flows KIND DMAC SRC DST DPORT COUNT [SPORT0 [NSRC]]   COUNT frames written straight onto
#                                      the agent's interface (the namespace's own stack does not
#                                      see them), each a new flow: KIND udp (datagrams) or syn
#                                      (TCP SYNs); source ports from SPORT0 (default 10000) up,
#                                      cycling through NSRC (default 1) IPv4 sources from SRC
#   craft ID SPORT DPORT [TS|- [ISN [4|6]]]   a crafted TCP connection from this namespace's
#                                      address (sent as frames, as for flows; needs `peermac`)
#   peermac MAC                        the destination MAC of crafted frames
#   csyn ID                            SYN, wait for the SYN-ACK ("fail nosynack")
#   cprobe ID                          SYN, and what the first answer was: "synack" (then as
#                                      csyn), "ack ACKNUM", "rst" ("fail noanswer")
#   cack ID / cdata ID TEXT            ACK / data segment with the current seq and ack
#   csend ID FLAGS [bad]               a segment with FLAGS (letters of FSRPA) and the current seq
#                                      and ack, no wait; bad: with a wrong TCP checksum
#   cclose ID                          FIN, wait for the server's FIN, last ACK
#   crst ID [OFFSET]                   RST at the current seq + OFFSET
#   coow ID TEXT                       data 2^30 past the current seq (out of window), no wait
#   cpassive ID [ID2]                  after the server's FIN: FIN|ACK acking it, wait for the
#                                      server's last ACK ("fail nofin", "fail nolastack"); with
#                                      ID2, then at once cprobe ID2 (its answer)
#   cretx ID                           the last segment again, unchanged; wait for an ACK from the
#                                      server ("fail noack")
#   icmperr TYPE CODE QSRC QDST QPROTO QSPORT QDPORT [MTU]   an ICMP (ICMPv6 when QSRC is IPv6)
#                                      error to QSRC, through this namespace's stack, quoting an
#                                      IP header QSRC > QDST of protocol QPROTO and 8 bytes of its
#                                      TCP/UDP header (ports; seq 0)
#   reset                              close every socket (RST) and forget crafted connections

IFS= read -r -d '' _kt_agent_py <<'PYEOF' || true
import ctypes, errno, fcntl, os, select, signal, socket, struct, sys, time

tmp = os.environ.get("KT_TMP", "/tmp/ktrack-test")
name = iface = None
cin = cout = None

tcp = {}        # id -> dict(sock, state, data)
listeners = {}  # fd -> socket
udpsrv = {}     # fd -> (socket, echo?)
crafted = {}    # id -> Craft
pkt = None      # AF_PACKET socket for crafted connections
peermac = None

_mac = []
def mymac():
    if not _mac:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        b = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", iface.encode()))  # SIOCGIFHWADDR
        s.close()
        _mac.append(":".join("%02x" % x for x in b[18:24]))
    return _mac[0]

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4hdr(src, dst, proto, plen):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + plen, 0, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]

def tcphdr(src, dst, v6, sport, dport, seq, ack, flags, opts=b"", data=b"", win=65535):
    off = (20 + len(opts)) // 4
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, win, 0, 0) + opts + data
    if v6:
        ph = src + dst + struct.pack("!I3xB", len(t), 6)
    else:
        ph = src + dst + struct.pack("!BBH", 0, 6, len(t))
    c = csum(ph + t)
    return t[:16] + struct.pack("!H", c) + t[18:]

def frame(src, dst, v6, proto, payload, dmac):
    eth = bytes.fromhex(dmac.replace(":", "")) + bytes.fromhex(mymac().replace(":", ""))
    if v6:
        return eth + b"\x86\xdd" + struct.pack("!IHBB", 6 << 28, len(payload), proto, 64) + src + dst + payload
    return eth + b"\x08\x00" + ip4hdr(src, dst, proto, len(payload)) + payload

FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
FLAGS = {"F": FIN, "S": SYN, "R": RST, "P": PSH, "A": ACK}

class Craft:
    def __init__(self, sport, dport, ts, isn, v6):
        self.sport, self.dport, self.ts, self.v6 = sport, dport, ts, v6
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        self.src = socket.inet_pton(fam, "2001:db8::2" if v6 else "192.0.2.2")
        self.dst = socket.inet_pton(fam, "2001:db8::1" if v6 else "192.0.2.1")
        self.seq, self.ack, self.tsecr, self.q = isn, 0, 0, []

    def send(self, flags, data=b"", seq=None, bad=False):
        opts = b""
        if flags & SYN:
            opts += struct.pack("!BBH", 2, 4, 1460)
        if self.ts is not None:
            opts += b"\x01\x01\x08\x0a" + struct.pack("!II", self.ts, self.tsecr)
            self.ts += 1
        s = self.seq if seq is None else seq
        self.last = (flags, data, s)
        t = tcphdr(self.src, self.dst, self.v6, self.sport, self.dport, s,
                   self.ack if flags & ACK else 0, flags, opts, data)
        if bad:
            t = t[:16] + bytes([t[16] ^ 0xff]) + t[17:]
        pkt.send(frame(self.src, self.dst, self.v6, 6, t, peermac))
        if seq is None:
            self.seq = (self.seq + len(data) + (1 if flags & (SYN | FIN) else 0)) % 2**32

    def expect(self, pred, timeout=5):
        end = time.time() + timeout
        while True:
            for p in self.q:
                if pred(p):
                    self.q.remove(p)
                    if p["ts"] is not None:
                        self.tsecr = p["ts"]
                    return p
            if time.time() >= end:
                return None
            n = len(self.q)
            pump(end - time.time(), lambda: len(self.q) != n)

def rx_frame(b):
    et = b[12:14]
    if et == b"\x08\x00":
        ihl = (b[14] & 15) * 4
        if b[23] != 6:
            return
        t = b[14 + ihl:]
    elif et == b"\x86\xdd":
        if b[20] != 6:
            return
        t = b[54:]
    else:
        return
    if len(t) < 20:
        return
    sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", t[:14])
    hl = (off >> 4) * 4
    ts, o = None, t[20:hl]
    i = 0
    while i < len(o):
        if o[i] == 0:
            break
        if o[i] == 1:
            i += 1
            continue
        if i + 1 >= len(o) or o[i + 1] < 2:
            break
        if o[i] == 8 and o[i + 1] == 10:
            ts = struct.unpack("!I", o[i + 2:i + 6])[0]
        i += o[i + 1]
    for c in crafted.values():
        if c.sport == dport and c.dport == sport:
            c.q.append({"flags": flags, "seq": seq, "ack": ack, "len": len(t) - hl, "ts": ts})

def tcp_rx(cid):
    c = tcp[cid]
    try:
        d = c["sock"].recv(65536)
    except OSError as e:
        c["state"] = "error"
        c["sock"].close()
        return
    if d:
        c["data"] += d
    else:
        c["state"] = "closed"
        c["sock"].close()

def pump(timeout, until=None):
    """Serve the sockets (not the commands) for up to timeout seconds, or until until() holds."""
    end = time.time() + timeout
    while True:
        if until is not None and until():
            return True
        left = end - time.time()
        if left <= 0:
            return False
        fds = list(listeners) + list(udpsrv)
        fds += [c["sock"].fileno() for c in tcp.values() if c["state"] == "connected"]
        if pkt is not None:
            fds.append(pkt.fileno())
        r, _, _ = select.select(fds, [], [], min(left, 0.05))
        for fd in r:
            if fd in listeners:
                s, a = listeners[fd].accept()
                s.setblocking(False)
                tcp["a%d" % a[1]] = {"sock": s, "state": "connected", "data": b""}
            elif fd in udpsrv:
                s, echo = udpsrv[fd]
                d, a = s.recvfrom(65536)
                if echo:
                    s.sendto(d, a)
            elif pkt is not None and fd == pkt.fileno():
                b, a = pkt.recvfrom(65536)
                if a[2] != socket.PACKET_OUTGOING:
                    rx_frame(b)
            else:
                for cid, c in list(tcp.items()):
                    if c["state"] == "connected" and c["sock"].fileno() == fd:
                        tcp_rx(cid)

def cprobe(c):
    """A SYN from crafted connection c, and the first answer to it."""
    c.q.clear()
    c.send(SYN)
    p = c.expect(lambda p: True)
    if p is None:
        return "fail noanswer"
    if p["flags"] & RST:
        return "rst"
    if p["flags"] & (SYN | ACK) == SYN | ACK:
        c.ack = (p["seq"] + 1) % 2**32
        return "synack"
    return "ack %d" % p["ack"]

def fam(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET

def errname(e):
    return "fail " + errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "fail " + str(e)

def do(args):
    global pkt, peermac
    cmd = args[0]
    if cmd == "hello":
        return "ok"
    if cmd == "mac":
        return mymac()
    if cmd == "ifup":
        s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        def up(n):
            r = fcntl.ioctl(s4.fileno(), 0x8913, struct.pack("16sH22x", n.encode(), 0))  # SIOCGIFFLAGS
            fl = struct.unpack("16sH", r[:18])[1] | 1  # IFF_UP
            fcntl.ioctl(s4.fileno(), 0x8914, struct.pack("16sH22x", n.encode(), fl))
        up("lo")
        # no DAD, no router solicitations: since 4.9 a host solicits for ever, backing off from
        # 4 s to an hour, and each one is a packet in the counters at a moment no test chose
        for k in ("accept_dad", "router_solicitations"):
            with open("/proc/sys/net/ipv6/conf/%s/%s" % (iface, k), "w") as f:
                f.write("0\n")
        a4, l4 = args[1].split("/")
        nm = iface.encode()
        sin = lambda a: struct.pack("=H2x4s8x", socket.AF_INET, a)
        fcntl.ioctl(s4.fileno(), 0x8916, struct.pack("16s16s8x", nm, sin(socket.inet_aton(a4))))  # SIOCSIFADDR
        mask = struct.pack("!I", (0xffffffff << (32 - int(l4))) & 0xffffffff)
        fcntl.ioctl(s4.fileno(), 0x891c, struct.pack("16s16s8x", nm, sin(mask)))  # SIOCSIFNETMASK
        a6, l6 = args[2].split("/")
        s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        fcntl.ioctl(s6.fileno(), 0x8916, struct.pack("=16sIi", socket.inet_pton(socket.AF_INET6, a6),
                                                     int(l6), socket.if_nametoindex(iface)))
        s6.close()
        up(iface)
        s4.close()
        return "ok"
    if cmd == "sysr":
        try:
            with open("/proc/sys/" + args[1]) as f:
                return " ".join(f.read().split())
        except OSError as e:
            return errname(e)
    if cmd == "sysw":
        try:
            fd = os.open("/proc/sys/" + args[1], os.O_WRONLY)
            try:
                os.write(fd, (args[2] + "\n").encode())
            finally:
                os.close(fd)
            return "ok"
        except OSError as e:
            return errname(e)
    if cmd == "listen":
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", int(args[1])))
        s.listen(64)
        listeners[s.fileno()] = s
        return "ok"
    if cmd == "unlisten":
        for fd, s in list(listeners.items()):
            if s.getsockname()[1] == int(args[1]):
                del listeners[fd]
                s.close()
        return "ok"
    if cmd == "connect":
        cid, host, port = args[1], args[2], int(args[3])
        sport = int(args[4]) if len(args) > 4 else 0
        bind = args[5] if len(args) > 5 and args[5] != "-" else ""
        timeout = float(args[6]) if len(args) > 6 else 5.0
        s = socket.socket(fam(host), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if sport or bind:
            s.bind((bind, sport))
        s.setblocking(False)
        err = s.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            return "fail " + errno.errorcode.get(err, str(err))
        end = time.time() + timeout
        while True:
            _, w, _ = select.select([], [s], [], 0)
            if w:
                break
            if time.time() >= end:
                s.close()
                return "fail timeout"
            pump(min(0.05, end - time.time()))
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            s.close()
            return "fail " + errno.errorcode.get(err, str(err))
        tcp[cid] = {"sock": s, "state": "connected", "data": b""}
        return "ok"
    if cmd in ("send", "shut", "close", "rst"):
        c = tcp.get(args[1])
        if c is None or c["state"] != "connected":
            return "fail state %s" % (c["state"] if c else "none")
        s = c["sock"]
        if cmd == "send":
            s.setblocking(True)
            s.sendall(" ".join(args[2:]).encode())
            s.setblocking(False)
        elif cmd == "shut":
            s.shutdown(socket.SHUT_WR)
        else:
            if cmd == "rst":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            c["state"] = "closed"
        return "ok"
    if cmd == "state":
        c = tcp.get(args[1])
        return c["state"] if c else "none"
    if cmd == "data":
        c = tcp.get(args[1])
        return c["data"].decode(errors="replace").replace("\n", " ") if c else "fail none"
    if cmd == "wait_state":
        secs = float(args[3]) if len(args) > 3 else 10
        get = lambda: tcp[args[1]]["state"] if args[1] in tcp else "none"
        if pump(secs, lambda: get() == args[2]):
            return "ok"
        return "fail state %s" % get()
    if cmd == "wait_data":
        secs = float(args[3]) if len(args) > 3 else 10
        want = args[2].encode()
        get = lambda: tcp[args[1]]["data"] if args[1] in tcp else b""
        if pump(secs, lambda: want in get()):
            return "ok"
        return "fail data '%s'" % get().decode(errors="replace")
    if cmd == "udp_listen":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", int(args[1])))
        udpsrv[s.fileno()] = (s, args[2] == "echo")
        return "ok"
    if cmd in ("udp_send", "udp_rr"):
        sport, host, port = int(args[1]), args[2], int(args[3])
        n = int(args[4]) if len(args) > 4 else 1
        s = socket.socket(fam(host), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", sport))
        got = 0
        for i in range(n):
            s.sendto(b"ktrack %d" % i, (host, port))
            if cmd == "udp_rr":
                end = time.time() + 3
                while time.time() < end:
                    r, _, _ = select.select([s], [], [], 0.05)
                    if r:
                        s.recv(65536)
                        got += 1
                        break
                    pump(0)
        s.close()
        return str(got) if cmd == "udp_rr" else "ok"
    if cmd == "icmp_echo":
        host, ident = args[1], int(args[2])
        secs = float(args[3]) if len(args) > 3 else 3
        v6 = ":" in host
        if v6:
            s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            m = struct.pack("!BBHHH", 128, 0, 0, ident, 1) + b"ktrack"
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            m = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"ktrack"
            m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
        s.sendto(m, (host, 0))
        end = time.time() + secs
        while time.time() < end:
            r, _, _ = select.select([s], [], [], 0.05)
            if r:
                b = s.recv(65536)
                if not v6:
                    b = b[(b[0] & 15) * 4:]
                t, _, _, i = struct.unpack("!BBHH", b[:6])
                if t == (129 if v6 else 0) and i == ident:
                    s.close()
                    return "ok"
            pump(0)
        s.close()
        return "fail noreply"
    if cmd == "raw":
        proto, host = int(args[1]), args[2]
        s = socket.socket(fam(host), socket.SOCK_RAW, proto)
        s.sendto(bytes.fromhex(args[3]), (host, 0))
        s.close()
        return "ok"
    if cmd == "flows":
        kind, dmac, src, dst, dport, count = args[1:7]
        sport0 = int(args[7]) if len(args) > 7 else 10000
        nsrc = int(args[8]) if len(args) > 8 else 1
        dport, count = int(dport), int(count)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((iface, 0))
        d4 = socket.inet_aton(dst)
        base = struct.unpack("!I", socket.inet_aton(src))[0]
        srcs = [struct.pack("!I", base + k) for k in range(nsrc)]
        hdrs = [frame(a, d4, False, 17, bytes(14), dmac)[:-14] for a in srcs]
        n = 0
        for i in range((count + nsrc - 1) // nsrc):
            u = struct.pack("!HHHH", sport0 + i, dport, 14, 0) + b"ktrack"
            for k, a in enumerate(srcs):
                if n == count:
                    break
                if kind == "udp":
                    s.send(hdrs[k] + u)
                else:
                    t = tcphdr(a, d4, False, sport0 + i, dport, 1000 + i, 0, SYN)
                    s.send(frame(a, d4, False, 6, t, dmac))
                n += 1
        s.close()
        return str(n)
    if cmd == "peermac":
        peermac = args[1]
        return "ok"
    if cmd == "craft":
        if pkt is None:
            pkt = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            pkt.bind((iface, 0))
        ts = None if len(args) < 5 or args[4] == "-" else int(args[4])
        isn = int(args[5]) if len(args) > 5 else 1000
        v6 = len(args) > 6 and args[6] == "6"
        crafted[args[1]] = Craft(int(args[2]), int(args[3]), ts, isn, v6)
        return "ok"
    if cmd == "icmperr":
        typ, code, qsrc, qdst = int(args[1]), int(args[2]), args[3], args[4]
        qproto, qsport, qdport = int(args[5]), int(args[6]), int(args[7])
        mtu = int(args[8]) if len(args) > 8 else 0
        l4 = struct.pack("!HHI", qsport, qdport, 0)
        if ":" in qsrc:
            q = struct.pack("!IHBB", 6 << 28, 1000, qproto, 64) + \
                socket.inet_pton(socket.AF_INET6, qsrc) + socket.inet_pton(socket.AF_INET6, qdst)
            s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            m = struct.pack("!BBHI", typ, code, 0, mtu) + q + l4  # the kernel sums ICMPv6
        else:
            q = ip4hdr(socket.inet_aton(qsrc), socket.inet_aton(qdst), qproto, 980)
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            m = struct.pack("!BBHHH", typ, code, 0, 0, mtu) + q + l4
            m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
        s.sendto(m, (qsrc, 0))
        s.close()
        return "ok"
    if cmd in ("csyn", "cack", "cdata", "cclose", "crst", "csend", "coow", "cpassive", "cretx",
               "cprobe"):
        c = crafted[args[1]]
        if cmd == "csyn":
            c.send(SYN)
            sa = c.expect(lambda p: p["flags"] & (SYN | ACK) == SYN | ACK)
            if sa is None:
                return "fail nosynack"
            c.ack = (sa["seq"] + 1) % 2**32
            return "ok"
        if cmd == "cprobe":
            return cprobe(c)
        if cmd == "cack":
            c.send(ACK)
        elif cmd == "cdata":
            c.send(ACK | PSH, " ".join(args[2:]).encode())
        elif cmd == "csend":
            f = 0
            for ch in args[2]:
                f |= FLAGS[ch]
            c.send(f, bad=len(args) > 3 and args[3] == "bad")
        elif cmd == "crst":
            off = int(args[2]) if len(args) > 2 else 0
            c.send(RST, seq=(c.seq + off) % 2**32)
        elif cmd == "cpassive":
            fin = c.expect(lambda p: p["flags"] & FIN)
            if fin is None:
                return "fail nofin"
            c.ack = (fin["seq"] + fin["len"] + 1) % 2**32
            c.send(FIN | ACK)
            if c.expect(lambda p: p["flags"] & (ACK | FIN | RST) == ACK) is None:
                return "fail nolastack"
            if len(args) > 2:
                return cprobe(crafted[args[2]])
        elif cmd == "cretx":
            c.q.clear()
            f, d, s = c.last
            c.send(f, d, seq=s)
            if c.expect(lambda p: p["flags"] & ACK, timeout=3) is None:
                return "fail noack"
        elif cmd == "coow":
            c.send(ACK | PSH, " ".join(args[2:]).encode(), seq=(c.seq + 2**30) % 2**32)
        elif cmd == "cclose":
            c.send(FIN | ACK)
            fin = c.expect(lambda p: p["flags"] & FIN)
            if fin is None:
                return "fail nofin"
            c.ack = (fin["seq"] + fin["len"] + 1) % 2**32
            c.send(ACK)
        return "ok"
    if cmd == "reset":
        for c in tcp.values():
            if c["state"] == "connected":
                c["sock"].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c["sock"].close()
        tcp.clear()
        crafted.clear()
        return "ok"
    return "fail unknown command " + cmd

def serve(rfd, wfd, handle):
    """Answer the commands of one FIFO pair, serving the sockets in between."""
    buf = b""
    while True:
        r, _, _ = select.select([rfd], [], [], 0)
        if not r:
            try:
                pump(0.2, lambda: bool(select.select([rfd], [], [], 0)[0]))
            except Exception as e:
                sys.stderr.write("%s: %s: %s\n" % (name, type(e).__name__, e))
            continue
        buf += os.read(rfd, 65536)
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            words = line.decode().split()
            if not words:
                continue
            seq, args = words[0], words[1:]
            try:
                res = handle(args)
            except Exception as e:
                res = "fail %s: %s" % (type(e).__name__, e)
            os.write(wfd, ("%s %s\n" % (seq, res.replace("\n", " "))).encode())

def fifos(n):
    return (os.open(os.path.join(tmp, n + ".in"), os.O_RDWR | os.O_NONBLOCK),
            os.open(os.path.join(tmp, n + ".out"), os.O_RDWR))

# The zygote: started once (Python starts slowly under TCG), it forks one agent per namespace:
# "spawn NAME NETNS IFACE" answers the agent's pid once it is in NETNS.
libc = ctypes.CDLL(None, use_errno=True)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
zin, zout = fifos("zygote")

def zygote(args):
    global name, iface, cin, cout
    if args[0] == "hello":
        return "ok"
    if args[0] != "spawn":
        return "fail unknown command " + args[0]
    nsfd = os.open("/run/netns/" + args[2], os.O_RDONLY)
    for ext in (".in", ".out"):
        f = os.path.join(tmp, args[1] + ext)
        if os.path.exists(f):
            os.unlink(f)
        os.mkfifo(f)
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        os.close(zin)
        os.close(zout)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if libc.setns(nsfd, 0x40000000) != 0:  # CLONE_NEWNET
            os.write(wr, b"fail setns %d" % ctypes.get_errno())
            os._exit(1)
        os.close(nsfd)
        name, iface = args[1], args[3]
        cin, cout = fifos(name)
        os.write(wr, b"%d" % os.getpid())
        os.close(wr)
        try:
            serve(cin, cout, do)
        finally:
            os._exit(0)
    os.close(nsfd)
    os.close(wr)
    res = os.read(rd, 100).decode()
    os.close(rd)
    return res

serve(zin, zout, zygote)
PYEOF
[ -e "$KT_TMP/agent.py" ] || printf '%s' "$_kt_agent_py" >"$KT_TMP/agent.py"

# kt_agent NAME NETNS IFACE: starts agent NAME in NETNS (IFACE: its interface, for crafted frames).
# Agents are forked by one zygote Python process that lives in the initial namespace for the whole
# VM run (started by the first kt_agent), so no test waits for Python to start.
kt_agent() {
	local name=$1 ns=$2 ifc=$3 zpid=
	read -r zpid 2>/dev/null <"$KT_TMP/zygote.pid" || true
	if [ -z "$zpid" ] || [ ! -e "/proc/$zpid" ]; then
		rm -f "$KT_TMP/zygote.in" "$KT_TMP/zygote.out"
		mkfifo "$KT_TMP/zygote.in" "$KT_TMP/zygote.out"
		local tmp=$KT_TMP
		KT_TMP=$tmp "$PY" "$tmp/agent.py" </dev/null >>"$KT_TMP/agent.log" 2>&1 3>&- &
		echo $! >"$KT_TMP/zygote.pid"
		KT_ASEQ[zygote]=0
	fi
	KT_ASEQ[zygote]=${KT_ASEQ[zygote]:-$RANDOM$RANDOM}
	agent zygote spawn "$name" "$ns" "$ifc" || return 1
	KT_APID[$name]=$AR
	KT_ANS[$name]=$ns
	KT_ASEQ[$name]=0
}

# agent NAME CMD [ARG...]: one command; the answer in $AR, status 1 when it starts with "fail".
# Waits at most $KT_AGENT_TIMEOUT (default 300) seconds.
agent() {
	local name=$1 seq fdi fdo s r pid end line part
	shift
	seq=$((${KT_ASEQ[$name]:?no agent $name} + 1))
	KT_ASEQ[$name]=$seq
	exec {fdi}<>"$KT_TMP/$name.in" {fdo}<>"$KT_TMP/$name.out"
	echo "$seq $*" >&"$fdi"
	AR=
	pid=${KT_APID[$name]:-}
	[ "$name" != zygote ] || read -r pid <"$KT_TMP/zygote.pid"
	end=$((EPOCHSECONDS + ${KT_AGENT_TIMEOUT:-300}))
	line=
	while :; do
		# a read that times out keeps what it read of the line in $part: keep it too
		if IFS= read -r -t 2 -u "$fdo" part; then
			line+=$part
			read -r s r <<<"$line"
			line=
			[ "$s" = "$seq" ] && { AR=$r; break; }
			continue
		fi
		line+=$part
		if [ ! -e "/proc/$pid" ]; then
			AR="fail agent $name is gone"
			break
		fi
		if [ "$EPOCHSECONDS" -gt "$end" ]; then
			AR="fail agent $name did not answer '$*'"
			break
		fi
	done
	exec {fdi}>&- {fdo}>&-
	case "$AR" in
	fail*)
		echo "agent $name: $* -> $AR" >&2
		return 1
		;;
	esac
	return 0
}

# ---------------------------------------------------------------------------------------------
# /proc/net/ktrack of an agent's namespace

# kt_read AGENT: KT_LINES, the lines of its /proc/net/ktrack with runs of spaces squeezed to one.
kt_read() {
	local l raw f
	KT_LINES=()
	mapfile -t raw <"/proc/${KT_APID[$1]}/net/ktrack" || return 1
	for l in "${raw[@]}"; do
		read -r -a f <<<"$l"
		KT_LINES+=("${f[*]}")
	done
}

# kt_proc AGENT: print them.
kt_proc() {
	kt_read "$1" && printf '%s\n' "${KT_LINES[@]}"
}

# kt_find AGENT PROTO ORIG-TUPLE: KT_LINE, the line whose protocol name is PROTO and whose original
# tuple starts with ORIG-TUPLE ("src=A dst=B sport=P dport=Q" or "src=A dst=B type=8 code=0 id=N");
# status 1 (KT_LINE empty) when there is none.
kt_find() {
	local l rest
	KT_LINE=
	kt_read "$1" || return 1
	for l in "${KT_LINES[@]}"; do
		[[ "$l" == "ipv"[46]" "*" $2 "* ]] || continue
		rest=${l#* src=}
		[ "$rest" != "$l" ] || continue
		if [[ "src=$rest " == "$3 "* ]]; then
			KT_LINE=$l
			return 0
		fi
	done
	return 1
}

# kt_has AGENT PROTO ORIG-TUPLE
kt_has() {
	kt_find "$@"
}

# tuple SRC DST SPORT DPORT
tuple() {
	echo "src=$1 dst=$2 sport=$3 dport=$4"
}

# kt_field N: field N of $KT_LINE (5: seconds to expiry, 6: TCP state).
kt_field() {
	local f
	read -r -a f <<<"$KT_LINE"
	echo "${f[$(($1 - 1))]}"
}

# kt_state AGENT ORIG-TUPLE: KT_STATE, the TCP state of that entry, or "none".
kt_state() {
	local f
	KT_STATE=none
	kt_find "$1" tcp "$2" || return 0
	read -r -a f <<<"$KT_LINE"
	KT_STATE=${f[5]}
}

# kt_wait_state AGENT ORIG-TUPLE STATE [SECONDS]: until the TCP entry is in STATE (none: gone).
kt_wait_state() {
	local end=$((EPOCHSECONDS + ${4:-10}))
	while :; do
		kt_state "$1" "$2"
		[ "$KT_STATE" = "$3" ] && return 0
		[ "$EPOCHSECONDS" -le "$end" ] || break
		ksleep 0.05
	done
	echo "$1: $2 is $KT_STATE, not $3 after ${4:-10}s; /proc/net/ktrack:" >&2
	kt_proc "$1" >&2
	return 1
}

# kt_wait_gone AGENT PROTO ORIG-TUPLE [SECONDS]
kt_wait_gone() {
	local end=$((EPOCHSECONDS + ${4:-10}))
	while kt_find "$1" "$2" "$3"; do
		if [ "$EPOCHSECONDS" -gt "$end" ]; then
			echo "$1: still there after ${4:-10}s: $KT_LINE" >&2
			return 1
		fi
		ksleep 0.05
	done
}

# kt_wait_line AGENT PROTO ORIG-TUPLE [SECONDS]
kt_wait_line() {
	local end=$((EPOCHSECONDS + ${4:-10}))
	until kt_find "$1" "$2" "$3"; do
		if [ "$EPOCHSECONDS" -gt "$end" ]; then
			echo "$1: no $2 $3 after ${4:-10}s; /proc/net/ktrack:" >&2
			kt_proc "$1" >&2
			return 1
		fi
		ksleep 0.05
	done
}

# kt_wait_left AGENT PROTO ORIG-TUPLE MAX [SECONDS]: until the entry shows at most MAX seconds left
# (KT_LINE holds it then).
kt_wait_left() {
	local end=$((EPOCHSECONDS + ${5:-15}))
	while :; do
		kt_find "$1" "$2" "$3" || { echo "$1: no $2 $3" >&2; return 1; }
		[ "$(kt_field 5)" -le "$4" ] && return 0
		[ "$EPOCHSECONDS" -le "$end" ] || break
		ksleep 0.1
	done
	echo "$1: $KT_LINE: not down to $4 s in ${5:-15} s" >&2
	return 1
}

# kt_nlines AGENT: lines in its /proc/net/ktrack.
kt_nlines() {
	local raw
	mapfile -t raw <"/proc/${KT_APID[$1]}/net/ktrack"
	echo "${#raw[@]}"
}

# ---------------------------------------------------------------------------------------------
# sysctls and counters

# ksys AGENT NAME: net.ktrack.NAME in the agent's namespace (in $AR, and printed).
ksys() {
	agent "$1" sysr "net/ktrack/$2" && echo "$AR"
}

# ksys_set AGENT NAME VALUE: write net.ktrack.NAME; status 1 (and "fail ERRNO" in $AR) if refused.
ksys_set() {
	agent "$1" sysw "net/ktrack/$2" "$3"
}

# kt_count AGENT: net.ktrack.count.
kt_count() {
	ksys "$1" count
}

# kt_wait_count AGENT N [SECONDS]: until net.ktrack.count is N.
kt_wait_count() {
	local end=$((EPOCHSECONDS + ${3:-10}))
	while :; do
		agent "$1" sysr net/ktrack/count || return 1
		[ "$AR" = "$2" ] && return 0
		[ "$EPOCHSECONDS" -le "$end" ] || break
		ksleep 0.1
	done
	echo "$1: count is $AR, not $2 after ${3:-10}s" >&2
	return 1
}

# kst AGENT NAME: a /proc/net/stat/ktrack column summed over CPUs, or a live_* count (from ktrackctl
# stats: not in that file), in $KV and printed.
kst() {
	if [[ "$2" == live_* ]]; then
		KV=$(kstat_live "$2" "${KT_ANS[$1]}") || return
	else
		KV=$(kstat_sum "$2" <"/proc/${KT_APID[$1]}/net/stat/ktrack") || return
	fi
	echo "$KV"
}

# ksnap AGENT NAME...: remember counters; kdelta AGENT NAME: how far one moved since (in $KD).
ksnap() {
	local a=$1 n
	shift
	for n in "$@"; do
		kst "$a" "$n" >/dev/null || return 1
		eval "_ksnap_${a}_$n=$KV"
	done
}

kdelta() {
	local v
	eval "v=\${_ksnap_${1}_$2:?no ksnap of $2 for $1}"
	kst "$1" "$2" >/dev/null || return 1
	KD=$((KV - v))
	echo "$KD"
}

# kexpect AGENT NAME N: the counter moved by exactly N since ksnap.
kexpect() {
	kdelta "$1" "$2" >/dev/null || return 1
	[ "$KD" -eq "$3" ] && return 0
	echo "$1: counter $2 moved by $KD, expected $3" >&2
	return 1
}

# kexpect_ge AGENT NAME N: the counter moved by at least N.
kexpect_ge() {
	kdelta "$1" "$2" >/dev/null || return 1
	[ "$KD" -ge "$3" ] && return 0
	echo "$1: counter $2 moved by $KD, expected at least $3" >&2
	return 1
}

# kwait AGENT NAME N [SECONDS]: until the counter moved by at least N since ksnap.
kwait() {
	local end=$((EPOCHSECONDS + ${4:-10}))
	while :; do
		kdelta "$1" "$2" >/dev/null || return 1
		[ "$KD" -ge "$3" ] && return 0
		[ "$EPOCHSECONDS" -le "$end" ] || break
		ksleep 0.05
	done
	echo "$1: counter $2 moved by $KD, not $3, in ${4:-10}s" >&2
	return 1
}

# kt_snmp AGENT GROUP FIELD: a counter of the agent's namespace from /proc/net/snmp (Ip, Tcp, Udp,
# ...) or /proc/net/netstat (TcpExt, IpExt), in $KV and printed.
kt_snmp() {
	local f=snmp
	[[ "$2" == *Ext ]] && f=netstat
	KV=$(awk -v g="$2:" -v k="$3" '$1 == g && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == g && h { print $c[k]; exit }' "/proc/${KT_APID[$1]}/net/$f")
	echo "$KV"
}

# kmsg_mark / kmsg_since: the kernel log lines logged after the mark.
kmsg_mark() {
	_kmsg_mark=$(dmesg | wc -l)
}

kmsg_since() {
	dmesg | tail -n +$((_kmsg_mark + 1))
}

# ---------------------------------------------------------------------------------------------
# traffic shortcuts

# craft_setup [SRVAGENT CLIAGENT CLINS]: crafted TCP from the client: its own stack must not answer
# the server's segments with RSTs, and crafted frames go to the server's MAC.
craft_setup() {
	local sa=${1:-srv} ca=${2:-cli} ns=${3:-kt-cli}
	nsx "$ns" nft -f - <<-'NFT'
	table inet kt_craft {
		chain out { type filter hook output priority 0; tcp flags rst drop; }
	}
	NFT
	agent "$sa" mac
	agent "$ca" peermac "$AR"
}

# srvmac [SRVAGENT]: the server interface's MAC in $SRVMAC.
srvmac() {
	agent "${1:-srv}" mac
	# shellcheck disable=SC2034	# used by the suites
	SRVMAC=$AR
}

# elapsed_ms START: milliseconds since START (from now).
elapsed_ms() {
	local a=${EPOCHREALTIME/./} b=${1/./}
	echo $(((a - b) / 1000))
}

# match TEXT REGEX: TEXT matches the extended REGEX; says both when not.
match() {
	[[ "$1" =~ $2 ]] && return 0
	printf 'no match:\n  text:  %s\n  regex: %s\n' "$1" "$2" >&2
	return 1
}

# between LOW N HIGH: LOW <= N <= HIGH, with a message when not.
between() {
	[ "$1" -le "$2" ] && [ "$2" -le "$3" ] && return 0
	echo "$2 is not within $1..$3" >&2
	return 1
}

# kt_diag: what the agents' namespaces track and their non-zero counters (for a failed test).
kt_diag() {
	local a rows hdr f i s c
	for a in "${!KT_APID[@]}"; do
		[ -r "/proc/${KT_APID[$a]}/net/stat/ktrack" ] || continue
		echo "# --- $a (${KT_ANS[$a]}): /proc/net/ktrack"
		kt_proc "$a" | head -n 40
		mapfile -t rows <"/proc/${KT_APID[$a]}/net/stat/ktrack"
		read -r -a hdr <<<"${rows[0]}"
		s=
		for c in "${!hdr[@]}"; do
			[ "$c" -gt 0 ] || continue
			i=0
			for f in "${rows[@]:1}"; do
				read -r -a f <<<"$f"
				i=$((i + 16#${f[c]}))
			done
			[ "$i" -eq 0 ] || s+=" ${hdr[$c]}=$i"
		done
		echo "# counters:$s"
	done
	echo "# --- kernel log (ktrack, last 20)"
	dmesg | grep -a ktrack | tail -n 20
}

# kt_teardown: diagnostics when the test failed, then the namespaces away (the module stays).
kt_teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		kt_diag >&2 || true
	fi
	local a
	for a in "${!KT_APID[@]}"; do
		kill "${KT_APID[$a]}" 2>/dev/null || true
	done
	for a in "${!KT_APID[@]}"; do
		echo "netns del ${KT_ANS[$a]}"
	done | ip -force -b - 2>/dev/null || true
	cleanup_ns
}
