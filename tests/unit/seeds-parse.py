#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
seeds-parse.py DIR - writes a seed corpus for fuzz_parse into DIR: TCP handshakes and closes,
UDP, ICMP and ICMPv6 echo, IPv6 extension headers and fragments, in the input format described
at the top of fuzz_parse.c. Checksums are left zero: the parser does not look at them.
"""
import os
import struct
import sys

V6, LOOSE, LINK = 0x01, 0x02, 0x04
SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10


def ip4(proto, payload, frag=0, src=b"\x0a\x00\x00\x01", dst=b"\xc0\x00\x02\x50"):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0,
                       src, dst) + payload


def ip6(nexthdr, payload, src=b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01",
        dst=b"\x20\x01\x0d\xb8" + bytes(11) + b"\x02"):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr, 64, src, dst) + payload


def tcp(sport, dport, seq, ack, flags, win=65535, opts=b"", data=b""):
    opts += b"\x00" * (-len(opts) % 4)
    doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, win, 0, 0) + opts + data


def udp(sport, dport, data=b"x"):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def echo(typ, ident, seq=1):
    return struct.pack("!BBHHH", typ, 0, 0, ident, seq) + b"ping"


SYNOPTS = b"\x02\x04\x05\xb4\x01\x03\x03\x07\x04\x02"  # MSS, NOP, wscale 7, SACK ok


def handshake(ip, proto=6):
    c, s = 40000, 80
    return [
        (0, ip(proto, tcp(c, s, 1000, 0, SYN, opts=SYNOPTS))),
        (1, ip(proto, tcp(s, c, 5000, 1001, SYN | ACK, opts=b"\x01\x03\x03\x08"))),
        (0, ip(proto, tcp(c, s, 1001, 5001, ACK, win=512))),
        (0, ip(proto, tcp(c, s, 1001, 5001, ACK, win=512, data=b"GET / HTTP/1.0\r\n\r\n"))),
        (1, ip(proto, tcp(s, c, 5001, 1019, ACK | FIN, win=256, data=b"hello"))),
        (0, ip(proto, tcp(c, s, 1019, 5007, ACK | FIN, win=512))),
        (1, ip(proto, tcp(s, c, 5007, 1020, ACK, win=256))),
        (0, ip(proto, tcp(c, s, 1020, 5007, RST))),
    ]


def record(ctl, pkt):
    return struct.pack("<BH", ctl, len(pkt)) + pkt


def seed(opts, pkts):
    return bytes([opts]) + b"".join(record(ctl, p) for ctl, p in pkts)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    hop = lambda nh, p: bytes([nh, 0]) + bytes(6) + p            # hop-by-hop, 8 bytes
    frag = lambda nh, p, off=0: struct.pack("!BBHI", nh, 0, off << 3, 7) + p
    seeds = {
        "tcp4": seed(0, handshake(ip4)),
        "tcp4-loose": seed(LOOSE, handshake(ip4)[2:]),
        "tcp4-nonlinear": seed(0, [(ctl | (12 << 1), p) for ctl, p in handshake(ip4)]),
        "tcp4-link": seed(LINK, [(c, bytes(14) + p) for c, p in handshake(ip4)]),
        "tcp6": seed(V6, handshake(ip6)),
        "tcp6-exthdrs": seed(V6, [(c, ip6(0, hop(44, frag(6, p[40:])))) for c, p in handshake(ip6)]),
        "udp4": seed(0, [(0, ip4(17, udp(5353, 53))), (1, ip4(17, udp(53, 5353)))]),
        "udp6-dstopts": seed(V6, [(0, ip6(60, hop(17, udp(1, 2))))]),
        "icmp4": seed(0, [(0, ip4(1, echo(8, 0x1234))), (1, ip4(1, echo(0, 0x1234))),
                          (0, ip4(1, echo(3, 0)))]),
        "icmp6": seed(V6, [(0, ip6(58, echo(128, 0x4321))), (1, ip6(58, echo(129, 0x4321)))]),
        "frag4": seed(0, [(0, ip4(6, b"x" * 24, frag=0x2000 | 100))]),
        "frag6": seed(V6, [(0, ip6(44, frag(6, b"x" * 24, off=100)))]),
        "ah6": seed(V6, [(0, ip6(51, bytes([6, 1]) + bytes(6) + tcp(1, 2, 3, 0, SYN)))]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
