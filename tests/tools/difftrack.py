#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""difftrack.py - the observing half of the differential test of ktrack against nf_conntrack
(tests/vm/45-differential.bats, which sets the namespaces up, runs this once and judges the
results).

    difftrack.py SRVNS CLINS SRVIF CLIIF RESULTS

What it owns: the crafted TCP, UDP and ICMP sequences (each on its own ports) and the record of
what both trackers of the server namespace SRVNS say about each sequence's connection after every
packet. It judges nothing: the comparison, and the list of deliberate differences, are the bats
file's.

How: both trackers run in SRVNS on the same packets (ktrack's hooks at PREROUTING/LOCAL_OUT -310
and LOCAL_IN INT_MAX-1; nf_conntrack's, made active there by an nft `ct` rule). Client packets are
Ethernet frames written with AF_PACKET on CLIIF in CLINS: they go through the server's
PREROUTING and LOCAL_IN. Server packets are raw IP (IP_HDRINCL) sent in SRVNS: LOCAL_OUT and
POSTROUTING. The bats file's sink table copies every crafted packet to NFLOG group 45 at the last
priority (INT_MAX) of input (then drops it: the server's stack never answers) and of
postrouting; it is created before nf_conntrack's hooks are registered, so that conntrack's
confirm, at the same priority, runs before it (a hook goes in before those of its priority
already there). After each packet the program waits, event-driven and bounded (10 s), for that
packet's NFLOG copy (by then both trackers are done with it) and for ktrack's `packets` counter to
have counted it, then reads the connection's line from /proc/self/net/nf_conntrack and
/proc/self/net/ktrack. Only the timeout checks let time pass on purpose (Seq.pause).

RESULTS, one record a line, fields separated by tabs:
    info KEY VALUE                  sysctls in force in SRVNS (nf.*, kt.*), ktrack's parameters
                                    (ktparam.*), how long the import and the run took
    seq NAME begin / seq NAME end
    step SEQ N T PACKET NF_STATE NF_FLAGS NF_TIMEOUT NF_DIR KT_STATE KT_FLAGS KT_TIMEOUT KT_DIR
         NOTES
        T: seconds since the sequence began, when the packet was sent; STATE: the TCP state, or
        the protocol name for UDP/ICMP, "-" when the tracker has no entry; FLAGS: U ([UNREPLIED])
        and/or A ([ASSURED]), "-" for none; DIR: o when the entry's original direction is the
        client's, r when it is the server's; NOTES: counters that moved (kt:+ignored nf:+invalid).
    error SEQ N MESSAGE             a packet whose NFLOG copy never came, an exception
    done

Run it through the bats file (KTRACK_SUITES=45-differential make check, or scripts/vm with
tests/vm/run); its output is build/vm-diff/difftrack.txt (and .log). DIFF_NOKTRACK=1 runs it
where ktrack is not loaded (to try the nf_conntrack half on another kernel): ktrack is then
"absent" everywhere.
"""
import ctypes, fcntl, ipaddress, os, select, socket, struct, sys, time

T_IMPORT = time.monotonic()
from scapy.packet import Raw
from scapy.layers.l2 import Ether
from scapy.layers.inet import IP, TCP, UDP, ICMP
from scapy.layers.inet6 import IPv6, ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6DestUnreach

SRVNS, CLINS, SRVIF, CLIIF, RESULTS = sys.argv[1:6]
SRV4, CLI4, SRV6, CLI6 = "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"
NFLOG_GROUP = 45
WAIT = 10.0		# bound of every wait for a packet to be seen
NOKT = bool(os.environ.get("DIFF_NOKTRACK"))
libc = ctypes.CDLL(None, use_errno=True)
M32 = 2**32


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)


def mac(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", ifname.encode()))  # SIOCGIFHWADDR
    s.close()
    return ":".join("%02x" % x for x in b[18:24])


# ---- the sockets: the client's frames, then everything else from inside the server namespace
enter(CLINS)
climac = mac(CLIIF)
fsock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
fsock.bind((CLIIF, 0))
enter(SRVNS)
srvmac = mac(SRVIF)
raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
out = open(RESULTS, "w")


def rec(*fields):
    out.write("\t".join(str(f) for f in fields) + "\n")
    out.flush()


# ---- NFLOG (nfnetlink_log), raw netlink: bind group 45, copy packets, no batching
NETLINK_NETFILTER, NFNL_SUBSYS_ULOG = 12, 4
NFULNL_MSG_PACKET, NFULNL_MSG_CONFIG = 0, 1
NFULA_CFG_CMD, NFULA_CFG_MODE, NFULA_CFG_TIMEOUT, NFULA_CFG_QTHRESH = 1, 2, 3, 4
NFULA_PAYLOAD = 9
nfl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
nfl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
nfl.bind((0, 0))


def nla(t, data):
    return struct.pack("=HH", 4 + len(data), t) + data + b"\0" * (-len(data) % 4)


def nflog_config():
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(NFLOG_GROUP))
    body += nla(NFULA_CFG_CMD, struct.pack("B", 1))			# BIND
    body += nla(NFULA_CFG_MODE, struct.pack("!IBB", 1024, 2, 0))	# copy 1024 bytes of packet
    body += nla(NFULA_CFG_QTHRESH, struct.pack("!I", 1))		# one message per packet
    body += nla(NFULA_CFG_TIMEOUT, struct.pack("!I", 1))
    msg = struct.pack("=IHHII", 16 + len(body), NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG,
                      1 | 4, 1, 0) + body				# NLM_F_REQUEST | NLM_F_ACK
    nfl.send(msg)
    r = nfl.recv(65536)
    _, typ, _, _, _ = struct.unpack_from("=IHHII", r)
    err = struct.unpack_from("=i", r, 16)[0] if typ == 2 else 0
    if err:
        raise OSError(-err, "NFLOG bind of group %d" % NFLOG_GROUP)
    nfl.setblocking(False)


def nflog_packets():
    """The packets of the NFLOG messages waiting on the socket."""
    res = []
    while True:
        try:
            data = nfl.recv(1 << 16)
        except BlockingIOError:
            return res
        off = 0
        while off + 16 <= len(data):
            ln, typ = struct.unpack_from("=IH", data, off)
            if ln < 16:
                break
            if typ == NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_PACKET:
                a = off + 20
                while a + 4 <= off + ln:
                    alen, atyp = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    if atyp & 0x3fff == NFULA_PAYLOAD:
                        res.append(data[a + 4:a + alen])
                    a += (alen + 3) & ~3
            off += (ln + 3) & ~3


def l4(b):
    """The transport header and payload of IP packet b (no IPv6 extension headers here)."""
    return b[(b[0] & 15) * 4:] if b[0] >> 4 == 4 else b[40:]


# ---- the two trackers' counters and tables
def kt_stats():
    if NOKT:
        return {}
    rows = open("/proc/self/net/stat/ktrack").read().split("\n")
    hdr = rows[0].split()
    tot = dict.fromkeys(hdr[1:], 0)
    for r in rows[1:]:
        f = r.split()
        for i, v in enumerate(f[1:], 1):
            tot[hdr[i]] += int(v, 16)
    return tot


def nf_stats():
    rows = open("/proc/self/net/stat/nf_conntrack").read().split("\n")
    hdr = rows[0].split()
    tot = dict.fromkeys(hdr, 0)
    for r in rows[1:]:
        for k, v in zip(hdr, r.split()):
            tot[k] += int(v, 16)
    return tot


def parse_line(line):
    """(proto, orig tuple, state, flags, timeout) of one line of either file."""
    f = line.split()
    proto, timeout = f[2], int(f[4])
    state = f[5] if proto == "tcp" else proto
    tup, n, flags = [], 0, ""
    for w in f[5:]:
        if w.startswith("src="):
            n += 1
        if n == 1 and "=" in w:
            k, v = w.split("=", 1)
            if k in ("src", "dst"):
                tup.append(str(ipaddress.ip_address(v)))
            elif k in ("sport", "dport", "id"):
                tup.append(int(v))
        if w == "[UNREPLIED]":
            flags += "U"
        if w == "[ASSURED]":
            flags += "A"
    return proto, tuple(tup), state, flags or "-", timeout


def lookup(path, flow):
    """(state, flags, timeout, dir) of flow's entry in one file, or ("-", "-", "-", "-")."""
    try:
        lines = open(path).read().split("\n")
    except FileNotFoundError:
        lines = []
    fwd, rev = flow.tuple(), flow.tuple(reverse=True)
    for line in lines:
        if not line.strip():
            continue
        proto, tup, state, flags, timeout = parse_line(line)
        if proto != flow.pname:
            continue
        if tup == fwd or tup == rev:
            return state, flags, timeout, "o" if tup == fwd else "r"
    return "-", "-", "-", "-"


def moved(before, after, prefix, skip):
    return ["%s:+%s" % (prefix, k) for k in after
            if k not in skip and not k.startswith("live_") and after[k] != before.get(k, 0)]


KT_SKIP = ("packets", "found")
NF_SKIP = ("entries", "found", "searched", "new", "ignore", "delete", "chainlength",
           "search_restart", "clashres")


# ---- sequences and flows
class Seq:
    """One sequence: its packets, each followed by the record of what both trackers say."""
    def __init__(self, name):
        global current
        self.name, self.n, self.t0 = name, 0, time.monotonic()
        current = name
        rec("seq", name, "begin")

    def send(self, flow, pkt, client, label, watch=None):
        b = bytes(pkt)
        self.n += 1
        t = time.monotonic() - self.t0
        ks, ns = kt_stats(), nf_stats()
        nflog_packets()				# nothing left over from before
        if client:
            eth = Ether(src=climac, dst=srvmac, type=0x86dd if b[0] >> 4 == 6 else 0x800)
            fsock.send(bytes(eth) + b)
        elif b[0] >> 4 == 6:
            raw6.sendto(b, (str(ipaddress.ip_address(b[24:40])), 0))
        else:
            raw4.sendto(b, (socket.inet_ntoa(b[16:20]), 0))
        key = l4(b)[:64]
        end = time.monotonic() + WAIT
        seen = False
        while not seen and time.monotonic() < end:
            if not select.select([nfl], [], [], max(0.0, end - time.monotonic()))[0]:
                break
            seen = any(len(q) >= 8 and key.startswith(q)
                       for q in (l4(p)[:64] for p in nflog_packets()))
        if not seen:
            rec("error", self.name, self.n, "no NFLOG copy of packet %d (%s) within %d s"
                % (self.n, label, WAIT))
        while not NOKT and kt_stats()["packets"] == ks["packets"] and time.monotonic() < end:
            time.sleep(0.01)
        if not NOKT and kt_stats()["packets"] == ks["packets"]:
            rec("error", self.name, self.n, "ktrack did not count packet %d (%s)" % (self.n, label))
        self.observe(watch or flow, label, t, moved(ks, kt_stats(), "kt", KT_SKIP) +
                     moved(ns, nf_stats(), "nf", NF_SKIP))

    def observe(self, flow, label, t, notes=()):
        nf = lookup("/proc/self/net/nf_conntrack", flow)
        kt = lookup("/proc/self/net/ktrack", flow)
        rec("step", self.name, self.n, "%.1f" % t, label, *nf, *kt, " ".join(notes) or "-")

    def pause(self, secs, flow):
        """Lets time pass on purpose (a timeout check, not a wait for anything), then looks."""
        time.sleep(secs)
        self.n += 1
        self.observe(flow, "(%g s pass)" % secs, time.monotonic() - self.t0)

    def end(self):
        rec("seq", self.name, "end")


_port = [42000]


def newport():
    _port[0] += 1
    return _port[0]


FLAGNAMES = {"S": "SYN", "A": "ACK", "F": "FIN", "R": "RST", "P": "PSH", "U": "URG"}


def flagname(flags):
    if flags == "":
        return "no-flags"
    order = "SFRPAU"
    return "|".join(FLAGNAMES[c] for c in order if c in flags)


class Flow:
    """One connection between the client (CLI4/CLI6) and the server (SRV4/SRV6)."""
    def __init__(self, seq, proto="tcp", dport=80, v6=False, cisn=1000000, sisn=9000000,
                 cwin=65535, swin=65535, sport=None):
        self.seq, self.proto, self.v6 = seq, proto, v6
        self.sport, self.dport = sport or newport(), dport
        self.cisn, self.sisn = cisn % M32, sisn % M32
        self.cnext, self.snext = (cisn + 1) % M32, (sisn + 1) % M32
        self.cwin, self.swin = cwin, swin
        self.pname = {"tcp": "tcp", "udp": "udp", "icmp": "icmpv6" if v6 else "icmp"}[proto]
        self.cli, self.srv = (CLI6, SRV6) if v6 else (CLI4, SRV4)

    def tuple(self, reverse=False):
        a, b = str(ipaddress.ip_address(self.cli)), str(ipaddress.ip_address(self.srv))
        if self.proto == "icmp":
            return (b, a, self.sport) if reverse else (a, b, self.sport)
        return (b, a, self.dport, self.sport) if reverse else (a, b, self.sport, self.dport)

    def ip(self, client):
        if self.v6:
            return IPv6(src=self.cli, dst=self.srv) if client else IPv6(src=self.srv, dst=self.cli)
        return IP(src=self.cli, dst=self.srv) if client else IP(src=self.srv, dst=self.cli)

    def tcp(self, client, flags, n=0, seq=None, ack=None, win=None, opts=None):
        """A TCP segment from one side; default seq and ack follow the connection, and a
        segment sent at the default seq advances it."""
        me = "c" if client else "s"
        other = "s" if client else "c"
        adv = seq is None
        if seq is None:
            seq = getattr(self, me + "isn") if "S" in flags else getattr(self, me + "next")
        if ack is None:
            ack = getattr(self, other + "next") if "A" in flags else 0
        h = TCP(sport=self.sport if client else self.dport,
                dport=self.dport if client else self.sport, flags=flags, seq=seq % M32,
                ack=ack % M32,
                window=(self.cwin if client else self.swin) if win is None else win,
                options=opts or [])
        p = self.ip(client) / h
        if n:
            p = p / Raw(b"d" * n)
        if adv:
            setattr(self, me + "next", (seq + n + ("S" in flags) + ("F" in flags)) % M32)
        return p

    @staticmethod
    def _label(side, flags, n, label):
        if label:
            return side + " " + label
        return side + " " + flagname(flags) + (" +%dB" % n if n else "")

    def c(self, flags, n=0, label=None, bad_csum=False, **kw):
        """The client sends a TCP segment (a frame into the server's PREROUTING)."""
        p = self.tcp(True, flags, n, **kw)
        if bad_csum:
            p = Raw(corrupt_csum(p))
        self.seq.send(self, p, True, self._label("C", flags, n, label))

    def s(self, flags, n=0, label=None, **kw):
        """The server sends a TCP segment (raw IP: its LOCAL_OUT and POSTROUTING)."""
        self.seq.send(self, self.tcp(False, flags, n, **kw), False,
                      self._label("S", flags, n, label))

    # UDP and ICMP echo
    def cu(self, data=b"q", label=None):
        p = self.ip(True) / UDP(sport=self.sport, dport=self.dport) / Raw(data)
        self.seq.send(self, p, True, "C " + (label or "UDP %dB" % len(data)))

    def su(self, data=b"a", label=None):
        p = self.ip(False) / UDP(sport=self.dport, dport=self.sport) / Raw(data)
        self.seq.send(self, p, False, "S " + (label or "UDP %dB" % len(data)))

    def echo(self, client, num):
        if self.v6:
            m = ICMPv6EchoRequest if client else ICMPv6EchoReply
            p = self.ip(client) / m(id=self.sport, seq=num)
        else:
            p = self.ip(client) / ICMP(type=8 if client else 0, id=self.sport, seq=num)
        self.seq.send(self, p, client, "%s echo %s %d" % ("C" if client else "S",
                                                          "request" if client else "reply", num))

    def quote(self, client):
        """The first bytes of a packet this flow's client (or server) sent: for ICMP errors."""
        if self.proto == "tcp":
            p = self.tcp(client, "A", seq=self.cnext if client else self.snext)
        else:
            p = self.ip(client) / UDP(sport=self.sport if client else self.dport,
                                      dport=self.dport if client else self.sport) / Raw(b"q")
        return bytes(p)[:48 if self.v6 else 28]


def corrupt_csum(p):
    b = bytearray(bytes(p))
    off = (b[0] & 15) * 4 if b[0] >> 4 == 4 else 40
    b[off + 16] ^= 0x5a
    return bytes(b)


def icmp_error(seq, flow, client, watch):
    """An ICMP port unreachable from the client (or server) quoting what the other side sent."""
    q = flow.quote(not client)
    if flow.v6:
        p = flow.ip(client) / ICMPv6DestUnreach(code=4) / Raw(q)
    else:
        p = flow.ip(client) / ICMP(type=3, code=3) / Raw(q)
    seq.send(flow, p, client, "%s ICMP%s port unreachable quoting %s %s" % (
        "C" if client else "S", "v6" if flow.v6 else "", watch.pname, "S>C" if client else "C>S"),
        watch=watch)


def handshake(k):
    k.c("S")
    k.s("SA")
    k.c("A")


# ---- the sequences
def hs_close_client():
    s = Seq("hs_close_client")
    k = Flow(s)
    handshake(k)
    k.c("PA", 100)
    k.s("A")
    k.s("PA", 50)
    k.c("A")
    k.c("FA")
    k.s("A")
    k.s("FA")
    k.c("A")
    k.cisn = k.cnext + 100000
    k.c("S", label="SYN (new ISN) on TIME_WAIT")
    s.end()


def close_server():
    s = Seq("close_server")
    k = Flow(s)
    handshake(k)
    k.s("FA")
    k.c("A")
    k.c("FA")
    k.s("A")
    s.end()


def close_simultaneous():
    s = Seq("close_simultaneous")
    k = Flow(s)
    handshake(k)
    k.c("FA")
    k.s("FA", ack=k.cnext - 1, label="FIN|ACK (crossing, not acking the client's FIN)")
    k.c("A", label="ACK of the server's FIN")
    k.s("A", label="ACK of the client's FIN")
    s.end()


def simopen(name, client_first):
    s = Seq(name)
    k = Flow(s)
    k.c("S")
    k.s("S", label="SYN (simultaneous open)")
    if client_first:
        k.c("SA")
        k.s("SA")
    else:
        k.s("SA")
        k.c("SA")
    k.c("A")
    k.s("A")
    s.end()


def syn_retrans():
    s = Seq("syn_retrans")
    k = Flow(s)
    k.c("S")
    s.pause(6, k)
    k.c("S", label="SYN retransmitted")
    s.pause(6, k)
    k.c("S", label="SYN retransmitted")
    k.s("SA")
    k.c("A")
    s.end()


def synack_retrans():
    s = Seq("synack_retrans")
    k = Flow(s)
    k.c("S")
    k.s("SA")
    s.pause(6, k)
    k.s("SA", label="SYN|ACK retransmitted")
    k.c("A")
    s.end()


def oow_data():
    s = Seq("oow_data")
    k = Flow(s)
    handshake(k)
    k.c("PA", 100, seq=k.cnext + 200000, label="+100B at seq+200000 (beyond the window)")
    k.c("PA", 100, seq=k.cnext - 200000, label="+100B at seq-200000 (before the window)")
    k.s("PA", 100, seq=k.snext + 200000, label="+100B at seq+200000 (beyond the window)")
    k.s("PA", 100, seq=k.snext - 200000, label="+100B at seq-200000 (before the window)")
    k.c("FA")
    k.s("A")
    k.s("FA")
    k.c("A")
    s.end()


def oow_fin():
    s = Seq("oow_fin")
    k = Flow(s)
    handshake(k)
    k.c("FA", seq=k.cnext + 200000, label="FIN|ACK at seq+200000 (beyond the window)")
    k.s("FA", seq=k.snext + 200000, label="FIN|ACK at seq+200000 (beyond the window)")
    k.c("FA")
    k.s("A")
    k.s("FA")
    k.c("A")
    s.end()


def ack_unsent():
    s = Seq("ack_unsent")
    k = Flow(s)
    k.c("S")
    k.s("SA")
    k.c("A", ack=k.snext + 5000, label="ACK acking 5000 bytes the server never sent")
    k.c("A")
    k.c("A", ack=k.snext + 100000, label="ACK acking 100000 bytes the server never sent")
    k.c("FA")
    k.s("A", ack=k.cnext + 3000, label="ACK of the FIN and of 3000 bytes never sent")
    k.s("A")
    k.s("FA")
    k.c("A")
    s.end()


def rst_exact():
    s = Seq("rst_exact_client")
    k = Flow(s)
    handshake(k)
    k.c("RA", label="RST|ACK at the exact seq")
    s.end()
    s = Seq("rst_exact_server")
    k = Flow(s)
    handshake(k)
    k.s("RA", label="RST|ACK at the exact seq")
    s.end()


def rst_inexact():
    s = Seq("rst_inexact")
    k = Flow(s)
    handshake(k)
    k.c("R", seq=k.cnext + 1000, label="RST at seq+1000 (in window, not exact)")
    k.s("A", label="challenge ACK")
    k.c("R", seq=k.cnext, label="RST at the seq the challenge ACK acked")
    s.end()


def rst_oow():
    s = Seq("rst_oow_client")
    k = Flow(s)
    handshake(k)
    k.c("R", seq=k.cnext + 200000, label="RST at seq+200000 (beyond the window)")
    k.c("RA", seq=k.cnext - 200000, label="RST|ACK at seq-200000 (before the window)")
    k.c("A", label="ACK (still tracked?)")
    s.end()
    s = Seq("rst_oow_server")
    k = Flow(s)
    handshake(k)
    k.s("R", seq=k.snext + 200000, label="RST at seq+200000 (beyond the window)")
    k.s("RA", seq=k.snext - 200000, label="RST|ACK at seq-200000 (before the window)")
    k.s("A", label="ACK (still tracked?)")
    s.end()


def rst_synack():
    s = Seq("rst_synack")
    k = Flow(s)
    k.c("S")
    k.s("RA", seq=0, label="RST|ACK seq 0 answering the SYN (port closed)")
    s.end()


def resync():
    s = Seq("resync")
    k = Flow(s)
    handshake(k)
    ci2, si2 = k.cnext + 0x40000000, k.snext + 0x30000000
    k.c("S", seq=ci2, label="SYN with a new ISN on ESTABLISHED")
    k.s("SA", seq=si2, ack=ci2 + 1, label="SYN|ACK acking the new SYN")
    k.cnext, k.snext = (ci2 + 1) % M32, (si2 + 1) % M32
    k.c("A", label="ACK of the new handshake")
    k.c("FA", label="FIN|ACK in the new sequence space")
    k.s("A")
    k.s("FA")
    k.c("A")
    s.end()


def challenge_ack():
    s = Seq("challenge_ack")
    k = Flow(s)
    handshake(k)
    ci2 = k.cnext + 0x40000000
    k.c("S", seq=ci2, label="SYN with a new ISN on ESTABLISHED")
    k.s("A", label="challenge ACK (old seq, old ack)")
    k.c("R", seq=k.cnext, label="RST at the seq the challenge ACK acked")
    k.cisn, k.cnext = ci2 % M32, (ci2 + 1) % M32
    k.sisn = k.snext + 0x30000000
    k.c("S", label="SYN (the new ISN) again")
    k.s("SA")
    k.c("A")
    s.end()


def wscale():
    s = Seq("wscale")
    k = Flow(s)
    k.c("S", opts=[("WScale", 7)], label="SYN wscale 7 win 65535")
    k.s("SA", opts=[("WScale", 7)], label="SYN|ACK wscale 7 win 65535")
    k.cwin = k.swin = 2048				# 2048 << 7 = 262144 bytes
    k.c("A", label="ACK win 2048 (262144 bytes)")
    k.s("A", label="ACK win 2048 (262144 bytes)")
    edge = k.cnext + 262144
    k.c("FA", seq=edge + 1, label="FIN|ACK at seq+262145 (just outside the scaled window)")
    k.c("FA", 100, seq=edge - 100, label="FIN|ACK +100B at seq+262044 (inside, ends at the edge)")
    k.cnext = (edge + 1) % M32
    k.s("A")
    edge = k.snext + 262144
    k.s("FA", seq=edge + 1, label="FIN|ACK at seq+262145 (just outside the scaled window)")
    k.s("FA", 100, seq=edge - 100, label="FIN|ACK +100B at seq+262044 (inside, ends at the edge)")
    k.snext = (edge + 1) % M32
    k.c("A")
    s.end()


def seqwrap():
    s = Seq("seqwrap")
    k = Flow(s, cisn=M32 - 50, sisn=M32 - 20)
    handshake(k)
    k.c("R", seq=k.cnext - 200000, label="RST at seq-200000 (before the window, across the wrap)")
    k.c("FA", 200, label="FIN|ACK +200B (across 2^32)")
    k.s("A", label="ACK (across 2^32)")
    k.s("FA", 200, label="FIN|ACK +200B (across 2^32)")
    k.c("A", label="ACK (across 2^32)")
    s.end()


BAD_FLAGS = (("SF", "SYN|FIN"), ("", "no flags"), ("F", "FIN without ACK"), ("SR", "SYN|RST"))


def badflags():
    s = Seq("badflags_new")
    for f, name in BAD_FLAGS:
        k = Flow(s)
        k.c(f, label=name + " (new flow)")
    s.end()
    s = Seq("badflags_est")
    k = Flow(s)
    handshake(k)
    for f, name in BAD_FLAGS:
        k.c(f, seq=k.cnext, ack=k.snext, label=name)
    k.s("F", seq=k.snext, label="FIN without ACK")
    k.s("SR", seq=k.snext, label="SYN|RST")
    k.c("A", label="ACK (still ESTABLISHED)")
    s.end()


def badcsum():
    s = Seq("badcsum")
    k = Flow(s)
    k.c("S", bad_csum=True, label="SYN, bad TCP checksum (new flow)")
    k = Flow(s, cisn=3000000, sisn=7000000)
    k.c("A", bad_csum=True, label="ACK, bad TCP checksum (unknown flow)")
    k = Flow(s)
    handshake(k)
    k.c("RA", bad_csum=True, seq=k.cnext, label="RST|ACK at the exact seq, bad TCP checksum")
    s.end()


def pickup():
    s = Seq("pickup")
    k = Flow(s, cisn=4000000, sisn=8000000)
    k.c("A", label="ACK of an unknown flow (mid-stream pickup)")
    k.s("A", label="ACK (first answer)")
    k.c("A", label="ACK (second packet from the client)")
    k.c("FA")
    k.s("A")
    k.s("FA")
    k.c("A")
    k = Flow(s, cisn=4100000, sisn=8100000)
    k.c("FA", label="FIN|ACK of an unknown flow")
    k = Flow(s, cisn=4200000, sisn=8200000)
    k.s("A", label="ACK of an unknown flow, from the server")
    s.end()


def udp_answered(name="udp_answered", v6=False):
    s = Seq(name)
    k = Flow(s, "udp", dport=53, v6=v6)
    k.cu(b"query-1")
    k.su(b"answer-1")
    s.pause(3, k)
    k.cu(b"query-2", label="UDP 7B (more than 2 s after the first)")
    k.su(b"answer-2")
    s.end()


def udp_unanswered():
    s = Seq("udp_unanswered")
    k = Flow(s, "udp", dport=514)
    k.cu(b"log-1")
    k.cu(b"log-2")
    s.end()


def icmp_echo(name="icmp_echo", v6=False):
    s = Seq(name)
    k = Flow(s, "icmp", v6=v6)
    k.echo(True, 1)
    k.echo(False, 1)
    k.echo(True, 2)
    k.echo(False, 2)
    s.end()


def icmp_err():
    s = Seq("icmp_err")
    k = Flow(s)
    handshake(k)
    u = Flow(s, "udp", dport=53)
    u.cu(label="UDP 1B (left unanswered)")
    k6 = Flow(s, v6=True)
    handshake(k6)
    for f in (k, u, k6):
        icmp_error(s, f, True, f)
        icmp_error(s, f, False, f)
    k.c("A", label="ACK (the TCP flow after the errors)")
    s.end()


def hs_close6():
    s = Seq("hs_close6")
    k = Flow(s, v6=True)
    handshake(k)
    k.c("FA")
    k.s("A")
    k.s("FA")
    k.c("A")
    s.end()


def rst6():
    s = Seq("rst6_exact")
    k = Flow(s, v6=True)
    handshake(k)
    k.c("RA", label="RST|ACK at the exact seq")
    s.end()
    s = Seq("rst6_inexact")
    k = Flow(s, v6=True)
    handshake(k)
    k.c("R", seq=k.cnext + 1000, label="RST at seq+1000 (in window, not exact)")
    s.end()


def info():
    for d, pre in (("/proc/sys/net/netfilter", "nf"), ("/proc/sys/net/ktrack", "kt"),
                   ("/sys/module/ktrack/parameters", "ktparam")):
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else ():
            try:
                v = open(os.path.join(d, n)).read().split()
            except OSError:
                continue
            if len(v) == 1:
                rec("info", "%s.%s" % (pre, n), v[0])
    rec("info", "kernel", os.uname().release)


SEQUENCES = (hs_close_client, close_server, close_simultaneous,
             lambda: simopen("simopen_client_synack_first", True),
             lambda: simopen("simopen_server_synack_first", False),
             syn_retrans, synack_retrans, oow_data, oow_fin, ack_unsent, rst_exact, rst_inexact,
             rst_oow, rst_synack, resync, challenge_ack, wscale, seqwrap, badflags, badcsum, pickup,
             udp_answered, udp_unanswered, icmp_echo, icmp_err, hs_close6, rst6,
             lambda: udp_answered("udp6_answered", True), lambda: icmp_echo("icmp6_echo", True))

current = "-"
rec("info", "import_seconds", "%.0f" % (time.monotonic() - T_IMPORT))
nflog_config()
info()
t0 = time.monotonic()
for fn in SEQUENCES:
    try:
        fn()
    except Exception as e:		# record it, go on with the next sequence
        import traceback
        traceback.print_exc()
        rec("error", current, "-", "%s: %s" % (type(e).__name__, e))
rec("info", "run_seconds", "%.0f" % (time.monotonic() - t0))
rec("done")
out.close()
