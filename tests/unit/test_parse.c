// SPDX-License-Identifier: GPL-2.0
/*
 * test_parse.c - ICMP and ICMPv6 errors in src/parse.c: which messages are errors, the tuple read
 * from the packet they quote, and the flags that tell a firewall the error is not RELATED (it goes
 * to someone else than the quoted packet's source, or quotes nothing ktrack can read); and the TCP
 * options read from a SYN (window scale, the timestamp tw_rescue compares), walked as the kernel's
 * tcp_parse_options() walks them.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>

#include "parse.h"
#include "ktest.h"

/* A packet being built: bytes appended one header after another. */
struct buf {
	u8 b[512];
	unsigned int len;
};

static void put(struct buf *p, const void *d, unsigned int n)
{
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void put_ip4(struct buf *p, const char *src, const char *dst, u8 proto, u16 frag)
{
	u8 h[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto };
	u16 tot = htons(200);

	memcpy(h + 2, &tot, 2);
	frag = htons(frag);
	memcpy(h + 6, &frag, 2);
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst, h + 16);
	put(p, h, sizeof(h));
}

static void put_ip6(struct buf *p, const char *src, const char *dst, u8 nexthdr, u16 plen)
{
	u8 h[40] = { 0x60 };

	plen = htons(plen);
	memcpy(h + 4, &plen, 2);
	h[6] = nexthdr;
	h[7] = 64;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	put(p, h, sizeof(h));
}

/* An ICMP header (checksum not filled in: ktrack_parse() does not verify it). */
static void put_icmp(struct buf *p, u8 type, u8 code)
{
	u8 h[8] = { type, code };

	put(p, h, sizeof(h));
}

/* The first 8 bytes of a TCP or UDP header: ports, then 4 more bytes. */
static void put_ports(struct buf *p, u16 sport, u16 dport)
{
	u8 h[8] = { sport >> 8, sport & 0xff, dport >> 8, dport & 0xff };

	put(p, h, sizeof(h));
}

/* A TCP header with @olen bytes of options (a multiple of 4), flags SYN. */
static void put_tcp_syn(struct buf *p, const u8 *opt, unsigned int olen)
{
	u8 h[20] = { 0x9c, 0x40, 0x1f, 0x90, 0, 0, 0x03, 0xe8 };

	h[12] = (20 + olen) / 4 << 4;
	h[13] = 0x02;
	put(p, h, sizeof(h));
	put(p, opt, olen);
}

/* Fixes the outer IPv4 total length or IPv6 payload length to the packet as built. */
static enum ktrack_parse_result parse(struct buf *p, u8 family, struct ktrack_pkt *pkt)
{
	struct sk_buff skb = { .len = p->len, .data = p->b };
	u16 v;

	if (family == NFPROTO_IPV4) {
		v = htons(p->len);
		memcpy(p->b + 2, &v, 2);
	} else {
		v = htons(p->len - 40);
		memcpy(p->b + 4, &v, 2);
	}
	memset(pkt, 0xa5, sizeof(*pkt));
	return ktrack_parse(&skb, family, pkt);
}

static bool addr4_is(__be32 a, const char *s)
{
	struct in_addr want;

	inet_pton(AF_INET, s, &want);
	return a == want.s_addr;
}

static void icmp4_port_unreach_quotes_udp(void)
{
	struct buf p = { .len = 0 };
	struct ktrack_pkt pkt;

	/* the client tells the server its UDP answer found no socket */
	put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_ICMP, 0);
	put_icmp(&p, 3, 3);
	put_ip4(&p, "192.0.2.1", "192.0.2.2", IPPROTO_UDP, 0);
	put_ports(&p, 53, 5003);
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr, KTRACK_ICMPERR_PORT);
	KT_EQ(pkt.l4, KTRACK_L4_UDP);
	KT_EQ(pkt.proto, IPPROTO_ICMP);
	KT_EQ(pkt.l4off, 20);
	KT_CHECK(addr4_is(pkt.saddr.ip, "192.0.2.1"));
	KT_CHECK(addr4_is(pkt.daddr.ip, "192.0.2.2"));
	KT_EQ(ntohs(pkt.sport), 53);
	KT_EQ(ntohs(pkt.dport), 5003);
}

static void icmp4_error_to_someone_else_is_foreign(void)
{
	struct buf p = { .len = 0 };
	struct ktrack_pkt pkt;

	/* a fragmentation needed sent to .1, quoting a packet .9 sent */
	put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_ICMP, 0);
	put_icmp(&p, 3, 4);
	put_ip4(&p, "192.0.2.9", "192.0.2.2", IPPROTO_TCP, 0);
	put_ports(&p, 80, 40000);
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr, KTRACK_ICMPERR_FOREIGN);
	KT_EQ(pkt.l4, KTRACK_L4_TCP);
}

static void icmp4_types(void)
{
	static const struct {
		u8 type;
		enum ktrack_parse_result res;
	} cases[] = {
		{ 3, KTRACK_PARSE_ICMPERR }, { 4, KTRACK_PARSE_ICMPERR }, { 5, KTRACK_PARSE_ICMPERR },
		{ 11, KTRACK_PARSE_ICMPERR }, { 12, KTRACK_PARSE_ICMPERR },
		{ 13, KTRACK_PARSE_OTHER }, { 9, KTRACK_PARSE_OTHER }, { 17, KTRACK_PARSE_OTHER },
		{ 8, KTRACK_PARSE_OK }, { 0, KTRACK_PARSE_OK },
	};
	struct ktrack_pkt pkt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf p = { .len = 0 };

		put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_ICMP, 0);
		put_icmp(&p, cases[i].type, 0);
		put_ip4(&p, "192.0.2.1", "192.0.2.2", IPPROTO_UDP, 0);
		put_ports(&p, 1, 2);
		if (!KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), cases[i].res))
			printf("# type %u\n", cases[i].type);
	}
}

static void icmp4_quotes_nothing_readable(void)
{
	struct ktrack_pkt pkt;
	struct buf p;

	/* the quote is cut short: the IP header and 4 bytes */
	p.len = 0;
	put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_ICMP, 0);
	put_icmp(&p, 11, 0);
	put_ip4(&p, "192.0.2.1", "192.0.2.2", IPPROTO_TCP, 0);
	put(&p, "\0\x50\x9c\x40", 4);
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr, KTRACK_ICMPERR_BAD);

	/* a later fragment has no ports */
	p.len = 0;
	put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_ICMP, 0);
	put_icmp(&p, 3, 3);
	put_ip4(&p, "192.0.2.1", "192.0.2.2", IPPROTO_UDP, 100);
	put_ports(&p, 53, 5003);
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr & KTRACK_ICMPERR_BAD, KTRACK_ICMPERR_BAD);

	/* an error about an ICMP error */
	p.len = 0;
	put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_ICMP, 0);
	put_icmp(&p, 3, 1);
	put_ip4(&p, "192.0.2.1", "192.0.2.2", IPPROTO_ICMP, 0);
	put_icmp(&p, 3, 3);
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr & KTRACK_ICMPERR_BAD, KTRACK_ICMPERR_BAD);

	/* garbage where the IP header should be */
	p.len = 0;
	put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_ICMP, 0);
	put_icmp(&p, 3, 3);
	put(&p, "\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		"\xff\xff\xff\xff\xff\xff\xff\xff", 28);
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr & KTRACK_ICMPERR_BAD, KTRACK_ICMPERR_BAD);
}

static void icmp4_quotes_echo(void)
{
	struct buf p = { .len = 0 };
	struct ktrack_pkt pkt;
	u8 echo[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };

	/* time exceeded for the server's own ping */
	put_ip4(&p, "198.18.1.254", "192.0.2.1", IPPROTO_ICMP, 0);
	put_icmp(&p, 11, 0);
	put_ip4(&p, "192.0.2.1", "192.0.2.2", IPPROTO_ICMP, 0);
	put(&p, echo, sizeof(echo));
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr, 0);
	KT_EQ(pkt.l4, KTRACK_L4_ICMP);
	KT_EQ(ntohs(pkt.sport), 0x1234);
	KT_EQ(pkt.dport, 0);
}

static void icmp6_packet_too_big_through_extension_headers(void)
{
	struct buf p = { .len = 0 };
	struct ktrack_pkt pkt;
	u8 dstopt[8] = { IPPROTO_TCP, 0 };

	put_ip6(&p, "2001:db8:1::fe", "2001:db8::1", IPPROTO_ICMPV6, 0);
	put_icmp(&p, 2, 0);
	put_ip6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_DSTOPTS, 1400);
	put(&p, dstopt, sizeof(dstopt));
	put_ports(&p, 80, 40000);
	KT_EQ(parse(&p, NFPROTO_IPV6, &pkt), KTRACK_PARSE_ICMPERR);
	KT_EQ(pkt.icmperr, 0);
	KT_EQ(pkt.l4, KTRACK_L4_TCP);
	KT_EQ(pkt.proto, IPPROTO_ICMPV6);
	KT_EQ(ntohs(pkt.sport), 80);
	KT_EQ(ntohs(pkt.dport), 40000);
}

static void icmp6_types(void)
{
	struct ktrack_pkt pkt;
	unsigned int t;

	/* every type below 128 is an error; neighbour discovery and MLD are not */
	for (t = 0; t < 256; t++) {
		struct buf p = { .len = 0 };
		enum ktrack_parse_result want = t < 128 ? KTRACK_PARSE_ICMPERR :
						t == 128 || t == 129 ? KTRACK_PARSE_OK :
						KTRACK_PARSE_OTHER;

		put_ip6(&p, "2001:db8::2", "2001:db8::1", IPPROTO_ICMPV6, 0);
		put_icmp(&p, t, 4);
		put_ip6(&p, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 16);
		put_ports(&p, 53, 5003);
		if (!KT_EQ(parse(&p, NFPROTO_IPV6, &pkt), want))
			printf("# type %u\n", t);
		if (t == 1)
			KT_EQ(pkt.icmperr, KTRACK_ICMPERR_PORT);
	}
}

/* A SYN's options as the TCP stacks send them: both read, wherever they sit. */
static void tcp_syn_options_read(void)
{
	static const u8 opt[] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
				  1, 3, 3, 7 };
	struct buf p = { .len = 0 };
	struct ktrack_pkt pkt;
	struct sk_buff skb;
	u32 tsval = 0;

	put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_TCP, 0);
	put_tcp_syn(&p, opt, sizeof(opt));
	KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_OK);
	KT_EQ(pkt.tcp.wscale, 7);
	skb = (struct sk_buff){ .len = p.len, .data = p.b };
	KT_CHECK(ktrack_parse_tsval(&skb, &pkt, &tsval));
	KT_EQ(tsval, 0x01020304);
}

/* Which timestamp option counts, and where the walk stops: as tcp_parse_options(). */
static void tcp_timestamp_option_rules(void)
{
	static const struct {
		const char *what;
		u8 opt[24];
		unsigned int olen;
		bool found;
		u32 tsval;
	} c[] = {
		{ "no options", { 0 }, 0, false, 0 },
		{ "the last of two", { 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 8, 10, 0, 0, 0, 2, 0, 0, 0, 0 },
		  20, true, 2 },
		{ "after the end of options", { 0, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 }, 12, false, 0 },
		{ "after an option of length 0", { 30, 0, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 }, 12, false, 0 },
		{ "of the wrong length", { 8, 8, 0, 0, 0, 1, 0, 0 }, 8, false, 0 },
		{ "running past the header", { 1, 1, 1, 8, 10, 0, 0, 0 }, 8, false, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct buf p = { .len = 0 };
		struct ktrack_pkt pkt;
		struct sk_buff skb;
		u32 tsval = 0;
		bool found;

		put_ip4(&p, "192.0.2.2", "192.0.2.1", IPPROTO_TCP, 0);
		put_tcp_syn(&p, c[i].opt, c[i].olen);
		KT_EQ(parse(&p, NFPROTO_IPV4, &pkt), KTRACK_PARSE_OK);
		skb = (struct sk_buff){ .len = p.len, .data = p.b };
		found = ktrack_parse_tsval(&skb, &pkt, &tsval);
		if (found != c[i].found || tsval != c[i].tsval)
			printf("# %s\n", c[i].what);
		KT_EQ(found, c[i].found);
		KT_EQ(tsval, c[i].tsval);
	}
}

/* IPv6 behind an extension header: the options are read where the TCP header is. */
static void tcp6_timestamp_behind_extension_header(void)
{
	static const u8 opt[] = { 1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0 };
	static const u8 dstopts[8] = { IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0 };
	struct buf p = { .len = 0 };
	struct ktrack_pkt pkt;
	struct sk_buff skb;
	u32 tsval = 0;

	put_ip6(&p, "2001:db8::2", "2001:db8::1", 60, 0);
	put(&p, dstopts, sizeof(dstopts));
	put_tcp_syn(&p, opt, sizeof(opt));
	KT_EQ(parse(&p, NFPROTO_IPV6, &pkt), KTRACK_PARSE_OK);
	KT_EQ(pkt.l4off, 48);
	skb = (struct sk_buff){ .len = p.len, .data = p.b };
	KT_CHECK(ktrack_parse_tsval(&skb, &pkt, &tsval));
	KT_EQ(tsval, 0xdeadbeef);
}

int main(void)
{
	KT_RUN(icmp4_port_unreach_quotes_udp);
	KT_RUN(icmp4_error_to_someone_else_is_foreign);
	KT_RUN(icmp4_types);
	KT_RUN(icmp4_quotes_nothing_readable);
	KT_RUN(icmp4_quotes_echo);
	KT_RUN(icmp6_packet_too_big_through_extension_headers);
	KT_RUN(icmp6_types);
	KT_RUN(tcp_syn_options_read);
	KT_RUN(tcp_timestamp_option_rules);
	KT_RUN(tcp6_timestamp_behind_extension_header);
	return kt_done();
}
