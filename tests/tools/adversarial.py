#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""adversarial.py - malformed and edge-case packets through every ktrack hook, for
tests/vm/94-adversarial.bats. Built with scapy; sent as Ethernet frames from the client namespace
(they enter the server's PREROUTING, and LOCAL_IN when the stack delivers them) and as raw IP
packets (IP_HDRINCL) from the server namespace (its LOCAL_OUT).

    adversarial.py SRVNS CLINS SRVIF CLIIF RESULTS

Each case sends its packets, waits until the server's ktrack has parsed them, and writes to RESULTS
one line per counter of /proc/net/stat/ktrack that moved ("CASE COUNTER DELTA"), plus
"CASE sent N", "CASE senderr N" (packets the kernel refused to send), and for cases that leave
entries, "CASE entries N" and "CASE state_<STATE> N" for the server's entries of the case's port.
The last line is "done". Scapy takes most of a minute to import under TCG: everything is one run.
"""
import ctypes, errno, fcntl, os, socket, struct, sys, time

from scapy.packet import Raw
from scapy.layers.l2 import Ether
from scapy.layers.inet import IP, TCP, UDP, ICMP, IPOption_NOP, IPOption_Router_Alert
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt,
                                IPv6ExtHdrFragment, ICMPv6PacketTooBig, ICMPv6DestUnreach, PadN)

SRVNS, CLINS, SRVIF, CLIIF, RESULTS = sys.argv[1:6]
SRV4, CLI4, SRV6, CLI6 = "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"
libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)


def mac(ifname):
    """The interface's MAC address, asked in the current namespace (/sys shows the first one)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = fcntl.ioctl(s.fileno(), 0x8927, struct.pack("256s", ifname.encode()))  # SIOCGIFHWADDR
    s.close()
    return ":".join("%02x" % x for x in b[18:24])


def stats_():
    rows = open("/proc/self/net/stat/ktrack").read().split("\n")
    hdr = rows[0].split()
    tot = dict.fromkeys(hdr[1:], 0)
    for r in rows[1:]:
        f = r.split()
        for i, v in enumerate(f[1:], 1):
            tot[hdr[i]] += int(v, 16)
    return tot


def entries_(dport):
    """The server's entries whose original destination port is dport: {state: n}."""
    res = {}
    for line in open("/proc/self/net/ktrack"):
        f = line.split()
        if next((x for x in f if x.startswith("dport=")), None) != "dport=%d" % dport:
            continue
        st = f[5] if f[2] == "tcp" else f[2]
        res[st] = res.get(st, 0) + 1
    return res


def sysctl_(name, val):
    with open("/proc/sys/net/ktrack/" + name, "w") as f:
        f.write("%s\n" % val)


stats, entries, sysctl = stats_, entries_, sysctl_
if os.environ.get("ADV_DRYRUN"):		# build every packet, send nothing (a syntax check)
    class Null:
        def __getattr__(self, name):
            return lambda *a, **k: None
    enter = mac = lambda *a: "02:00:00:00:00:01"
    socket.socket = lambda *a: Null()
    _stats = {"packets": 0}
    open_ = open
    open = lambda f, m="r": open_(f, m) if m == "w" else None
    stats = lambda: dict(_stats)
    entries = lambda d: {}
    sysctl = lambda n, v: None
    _t = [0.0]
    def _tick():
        _t[0] += 1
        return _t[0]
    time.time = _tick
    time.sleep = lambda x: None


# the client's frame socket, then everything else from inside the server namespace
enter(CLINS)
climac = mac(CLIIF)
fsock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
fsock.bind((CLIIF, 0))
enter(SRVNS)
srvmac = mac(SRVIF)
raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
out = open(RESULTS, "w")


class Case:
    """One kind of packet: sends, then waits for ktrack to have parsed every one that gets to it."""
    def __init__(self, name, dport=None):
        self.name, self.dport = name, dport
        self.sent = self.err = self.reach = 0
        self.before = stats()

    def pre(self, pkt, reach=True):
        """pkt (IP or IPv6, or Raw IPv4 bytes) from the client, into the server's PREROUTING."""
        eth = Ether(src=climac, dst=srvmac, type=0x86dd if isinstance(pkt, IPv6) else 0x800)
        fsock.send(bytes(eth / pkt))
        self.sent += 1
        self.reach += reach

    def out(self, pkt, dst=None, reach=True):
        """pkt (IP or IPv6, or raw bytes) sent by the server itself: its LOCAL_OUT."""
        b = bytes(pkt)
        v6 = (b[0] >> 4) == 6 if dst is None else ":" in dst
        try:
            if v6:
                raw6.sendto(b, (dst or CLI6, 0))
            else:
                raw4.sendto(b, (dst or CLI4, 0))
            self.reach += reach
        except OSError as e:
            self.err += 1
            sys.stderr.write("%s: send refused: %s\n" % (self.name, errno.errorcode.get(e.errno)))
        self.sent += 1

    def wait(self):
        """Until the packets counter moved by what should reach ktrack, and settled."""
        end = time.time() + 10
        while stats()["packets"] - self.before["packets"] < self.reach and time.time() < end:
            time.sleep(0.02)
        last = None
        while True:
            time.sleep(0.1)
            s = stats()
            if s == last or time.time() > end:
                return s
            last = s

    def done(self):
        after = self.wait()
        for k, v in after.items():
            if v != self.before[k]:
                out.write("%s %s %d\n" % (self.name, k, v - self.before[k]))
        out.write("%s sent %d\n%s senderr %d\n" % (self.name, self.sent, self.name, self.err))
        if self.dport is not None:
            e = entries(self.dport)
            out.write("%s entries %d\n" % (self.name, sum(e.values())))
            for k, v in e.items():
                out.write("%s state_%s %d\n" % (self.name, k, v))
        out.flush()


def ip4(**kw):
    return IP(src=CLI4, dst=SRV4, **kw)


def ip6(**kw):
    return IPv6(src=CLI6, dst=SRV6, **kw)


def sip4(**kw):
    return IP(src=SRV4, dst=CLI4, **kw)


def sip6(**kw):
    return IPv6(src=SRV6, dst=CLI6, **kw)


# ---- truncated and malformed L4 headers, at PREROUTING
for fam, mk, in (("4", ip4), ("6", ip6)):
    for proto, name, lens in ((6, "tcp", (0, 1, 8, 12, 19)), (17, "udp", (0, 1, 4, 7)),
                              (1 if fam == "4" else 58, "icmp", (0, 1, 4, 7))):
        c = Case("pre_%s%s_trunc" % (name, fam))
        for n in lens:
            p = mk(proto=proto) if fam == "4" else mk(nh=proto)
            c.pre(p / Raw(b"\xa5" * n) if n else p)
        c.done()
    c = Case("pre_tcp%s_doff_small" % fam)
    for d in range(5):
        c.pre(mk() / TCP(sport=1000 + d, dport=1100, flags="S", dataofs=d))
    c.done()
    c = Case("pre_tcp%s_doff_big" % fam)
    for d in range(6, 16):
        c.pre(mk() / TCP(sport=1000 + d, dport=1101, flags="S", dataofs=d))
    c.done()

def ipsum(b):
    x = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while x >> 16:
        x = (x & 0xffff) + (x >> 16)
    return ~x & 0xffff


def with_opts(opts, sport, dport):
    """An IPv4 UDP packet whose 4 option bytes are opts (IHL 6), checksum fixed."""
    b = bytearray(bytes(ip4(options=[IPOption_NOP()] * 4) / UDP(sport=sport, dport=dport)))
    b[20:24] = opts
    b[10:12] = b"\0\0"
    b[10:12] = struct.pack("!H", ipsum(bytes(b[:24])))
    return Raw(bytes(b))


# ---- IPv4 options: tracked as usual; a bad option is refused by the stack after PREROUTING
c = Case("pre_ipopts", dport=1200)
c.pre(ip4(options=[IPOption_NOP()] * 4) / UDP(sport=1201, dport=1200))
c.pre(ip4(options=[IPOption_Router_Alert()]) / UDP(sport=1202, dport=1200))
c.pre(ip4(options=[IPOption_NOP()] * 40) / UDP(sport=1203, dport=1200))
c.done()
c = Case("pre_ipopts_bad", dport=1210)
c.pre(with_opts(b"\x07\x27\x04\x00", 1211, 1210))	# RR longer than the header
c.pre(with_opts(b"\x44\x01\x05\x00", 1212, 1210))	# TS of length 1
c.done()
c = Case("pre_ip4_bad_ihl")				# the stack drops these before PREROUTING
for ihl in (0, 4, 15):
    b = bytearray(bytes(ip4() / UDP(sport=1221, dport=1220)))
    b[0] = 0x40 | ihl
    b[10:12] = b"\0\0"
    b[10:12] = struct.pack("!H", ipsum(bytes(b[:20])))
    c.pre(Raw(bytes(b)), reach=False)
c.done()


# ---- fragments
def udp_bytes(mk, sport, dport, n):
    p = mk() / UDP(sport=sport, dport=dport) / Raw(b"k" * n)
    b = bytes(p)
    return b[20:] if mk is ip4 else b[40:]


c = Case("pre_frag4_nonfirst")
for off, mf in ((1, 1), (100, 0), (8191, 0), (3, 1)):
    c.pre(ip4(proto=17, frag=off, flags="MF" if mf else 0, id=7) / Raw(b"x" * 24))
c.done()
c = Case("pre_frag4_first_only", dport=1300)
c.pre(ip4(proto=17, flags="MF", id=8) / Raw(udp_bytes(ip4, 1301, 1300, 56)[:32]))
c.pre(ip4(proto=6, flags="MF", id=9) / Raw(bytes(ip4() / TCP(sport=1302, dport=1300, flags="S"))[20:] + b"x" * 12))
c.done()
c = Case("pre_frag4_full", dport=1310)
u = udp_bytes(ip4, 1311, 1310, 56)
c.pre(ip4(proto=17, flags="MF", id=10) / Raw(u[:32]))
c.pre(ip4(proto=17, frag=4, id=10) / Raw(u[32:]))
u = udp_bytes(ip4, 1312, 1310, 56)				# the other way round
c.pre(ip4(proto=17, frag=4, id=11) / Raw(u[32:]))
c.pre(ip4(proto=17, flags="MF", id=11) / Raw(u[:32]))
c.done()
c = Case("pre_frag6_nonfirst")
for off, m in ((1, 1), (100, 0), (8191, 0)):
    c.pre(ip6() / IPv6ExtHdrFragment(nh=17, offset=off, m=m, id=7) / Raw(b"x" * 24))
c.done()
c = Case("pre_frag6_first_only", dport=1320)
c.pre(ip6() / IPv6ExtHdrFragment(nh=17, m=1, id=8) / Raw(udp_bytes(ip6, 1321, 1320, 56)[:32]))
c.done()
c = Case("pre_frag6_full", dport=1330)
u = udp_bytes(ip6, 1331, 1330, 56)
c.pre(ip6() / IPv6ExtHdrFragment(nh=17, m=1, id=10) / Raw(u[:32]))
c.pre(ip6() / IPv6ExtHdrFragment(nh=17, offset=4, id=10) / Raw(u[32:]))
c.done()

# ---- IPv6 extension header chains
c = Case("pre_ext6_chains", dport=1400)
c.pre(ip6() / IPv6ExtHdrHopByHop() / UDP(sport=1401, dport=1400))
c.pre(ip6() / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(segleft=0) /
      IPv6ExtHdrDestOpt() / UDP(sport=1402, dport=1400))
c.pre(ip6() / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 12)]) / UDP(sport=1403, dport=1400))
ah = struct.pack("!BBHII", 17, 4, 0, 0x100, 1) + b"\0" * 12	# AH, 24 bytes, then UDP
c.pre(ip6(nh=51) / Raw(ah + udp_bytes(ip6, 1404, 1400, 8)))
p = ip6()
for i in range(7):
    p = p / IPv6ExtHdrDestOpt()
c.pre(p / UDP(sport=1407, dport=1400))
c.done()
c = Case("pre_ext6_eight", dport=1410)
p = ip6()
for i in range(8):
    p = p / IPv6ExtHdrDestOpt()
c.pre(p / UDP(sport=1411, dport=1410))
c.done()
c = Case("pre_ext6_long", dport=1420)
for n in (9, 20, 60):
    p = ip6()
    for i in range(n):
        p = p / IPv6ExtHdrDestOpt()
    c.pre(p / UDP(sport=1420 + n, dport=1420))
c.done()
c = Case("pre_ext6_trunc")
b = bytes(IPv6ExtHdrDestOpt(nh=17))				# 8 bytes; claim 10 * 8 more
c.pre(ip6(nh=60) / Raw(b[:1] + b"\x0a" + b[2:]))
c.pre(ip6(nh=60) / Raw(b"\x11"))				# a header cut after 1 byte
c.pre(ip6() / IPv6ExtHdrDestOpt(nh=60) / Raw(b"\x11"))	# the second one cut
c.done()
c = Case("pre_ip6_nonext")
c.pre(ip6(nh=59) / Raw(b"\0" * 8))
c.done()

# ---- protocols and ICMP types ktrack does not track
c = Case("pre_other_proto")
c.pre(ip4(proto=47) / Raw(b"\0" * 8))
c.pre(ip4(proto=132) / Raw(b"\0" * 12))
c.pre(ip4(proto=255) / Raw(b"\0" * 4))
c.pre(ip6(nh=132) / Raw(b"\0" * 12))
c.pre(ip4() / ICMP(type=13))					# timestamp request
c.pre(ip4() / ICMP(type=3, code=1) / Raw(b"\0" * 28))		# an error quoting nothing of ours
c.done()
c = Case("pre_echo_reply_unsolicited", dport=None)
c.pre(ip4() / ICMP(type=0, id=4242))
c.done()


# ---- TCP: all 256 combinations of the flag bits on new flows (loose=1, then loose=0)
def flags_new(name, base):
    c = Case(name, dport=base)
    for f in range(256):
        c.pre(ip4() / TCP(sport=base + 1 + f, dport=base, flags=f, seq=1000 + f, ack=5000, window=1000))
    c.done()


flags_new("new_flags_loose", 2000)
sysctl("loose", 0)
flags_new("new_flags_strict", 3000)
sysctl("loose", 1)


# ---- crafted connections: handshake from the client (PREROUTING) and the server (LOCAL_OUT)
class Conn:
    def __init__(self, sport, dport, v6=False, cwin=65535, swin=65535, isn=100000, sisn=900000):
        self.sport, self.dport, self.v6 = sport, dport, v6
        self.cseq, self.sseq, self.cwin, self.swin = isn, sisn, cwin, swin

    def c(self, flags, data=b"", seq=None, ack=None, win=None):
        mk = ip6 if self.v6 else ip4
        p = mk() / TCP(sport=self.sport, dport=self.dport, flags=flags,
                       seq=self.cseq if seq is None else seq,
                       ack=(self.sseq if ack is None else ack) if "A" in flags else 0,
                       window=self.cwin if win is None else win)
        return p / Raw(data) if data else p

    def s(self, flags, data=b"", seq=None, ack=None, win=None):
        mk = sip6 if self.v6 else sip4
        p = mk() / TCP(sport=self.dport, dport=self.sport, flags=flags,
                       seq=self.sseq if seq is None else seq,
                       ack=self.cseq if ack is None else ack,
                       window=self.swin if win is None else win)
        return p / Raw(data) if data else p


def handshake(c, conns):
    for k in conns:
        c.pre(k.c("S"))
        k.cseq += 1
    c.wait()
    for k in conns:
        c.out(k.s("SA"))
        k.sseq += 1
    c.wait()
    for k in conns:
        c.pre(k.c("A"))


c = Case("est_handshake", dport=4000)
conns = [Conn(4001 + f, 4000) for f in range(256)]
handshake(c, conns)
c.done()
c = Case("est_flags", dport=4000)
for f, k in enumerate(conns):
    c.pre(ip4() / TCP(sport=k.sport, dport=4000, flags=f, seq=k.cseq, ack=k.sseq, window=65535))
c.done()

# zero windows: both sides announce 0; a zero-window probe passes, a segment far ahead is ignored
c = Case("zero_window", dport=4300)
k = Conn(4301, 4300, cwin=0, swin=0)
handshake(c, [k])
c.wait()
c.pre(k.c("PA", b"z"))						# the probe: one byte at the edge
c.wait()
c.pre(k.c("PA", b"y" * 100, seq=k.cseq + 100000))		# far beyond any window
c.wait()
c.out(k.s("A", ack=k.cseq + 1, win=65535))			# the window opens
k.cseq += 1
c.wait()
c.pre(k.c("PA", b"w" * 100, seq=k.cseq + 30000))		# within it now
c.done()

# SYN with data: tracked; a SYN|ACK acking only the SYN leaves it in SYN_SENT, one acking the data
# moves on
c = Case("syn_data_acked", dport=4400)
k = Conn(4401, 4400)
c.pre(k.c("S", b"d" * 100))
k.cseq += 101
c.wait()
c.out(k.s("SA"))
k.sseq += 1
c.wait()
c.pre(k.c("A"))
c.done()
c = Case("syn_data_refused", dport=4410)
k = Conn(4411, 4410)
c.pre(k.c("S", b"d" * 100))
c.wait()
c.out(k.s("SA", ack=k.cseq + 1))
c.done()

# ICMP errors quoting tracked flows (v4 and v6), from both sides: other; the flows are unchanged
c = Case("icmp_err_setup", dport=4500)
k4, k6 = Conn(4501, 4500), Conn(4502, 4500, v6=True)
handshake(c, [k4, k6])
c.done()
c = Case("icmp_err", dport=4500)
q = bytes(k4.s("A"))[:28]
c.pre(ip4() / ICMP(type=3, code=3) / Raw(q))			# port unreachable, from the client
c.pre(ip4() / ICMP(type=3, code=4) / Raw(q))	# fragmentation needed
c.pre(ip4() / ICMP(type=11) / Raw(q[:24]))			# time exceeded, quote cut short
c.pre(ip4() / ICMP(type=3, code=3) / Raw(b"\x45" + b"\xff" * 27))	# garbage quote
c.out(sip4() / ICMP(type=3, code=3) / Raw(bytes(k4.c("A"))[:28]))	# from the server
q6 = bytes(k6.s("A"))[:48]
c.pre(ip6() / ICMPv6PacketTooBig(mtu=1280) / Raw(q6))
c.pre(ip6() / ICMPv6DestUnreach(code=4) / Raw(q6))
c.out(sip6() / ICMPv6DestUnreach(code=1) / Raw(bytes(k6.c("A"))[:48]))
c.done()

# ---- the server's LOCAL_OUT: headers only a local sender can get past the IP stack
c = Case("out_ip4_bad_ihl")
for ihl in range(5):
    b = bytearray(bytes(sip4(proto=17) / UDP(sport=5001, dport=5000)))
    b[0] = 0x40 | ihl
    c.out(bytes(b), dst=CLI4)
c.done()
c = Case("out_ip4_bad_version")
for v in (0, 5, 6, 15):
    b = bytearray(bytes(sip4(proto=17) / UDP(sport=5002, dport=5000)))
    b[0] = v << 4 | 5
    c.out(bytes(b), dst=CLI4)
c.done()
c = Case("out_l4_trunc")
c.out(sip4(proto=6) / Raw(b"\0" * 10))
c.out(sip4(proto=17) / Raw(b"\0" * 4))
c.out(sip4(proto=1) / Raw(b"\0" * 3))
c.out(sip6(nh=6) / Raw(b"\0" * 10))
c.out(sip6(plen=200) / UDP(sport=5003, dport=5000))		# IPv6 payload length beyond the packet
c.done()
c = Case("out_tcp_doff_small")
c.out(sip4() / TCP(sport=5004, dport=5000, flags="SA", dataofs=2))
c.out(sip6() / TCP(sport=5004, dport=5000, flags="SA", dataofs=4))
c.done()
c = Case("out_ip6_bad")
b = bytearray(bytes(sip6() / UDP(sport=5005, dport=5000)))
b[0] = 0x40
c.out(bytes(b), dst=CLI6)
p = sip6()
for i in range(12):
    p = p / IPv6ExtHdrDestOpt()
c.out(p / UDP(sport=5006, dport=5000))
c.done()
c = Case("out_frag")
c.out(sip4(proto=17, frag=10, id=3) / Raw(b"x" * 16))
c.out(sip6() / IPv6ExtHdrFragment(nh=17, offset=10, id=3) / Raw(b"x" * 16))
c.done()

out.write("done\n")
out.close()
