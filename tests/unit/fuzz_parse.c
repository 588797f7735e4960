// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_parse.c - libFuzzer target for the packet parser (src/parse.c), and through it the TCP
 * state machine (src/tcp.c).
 *
 * Input: one byte of options, then packets, each a record of a control byte, a 16-bit little-
 * endian length and that many bytes (the last record takes what is left if it is shorter).
 *   options bit 0: IPv6, else IPv4 (for every packet)
 *           bit 1: loose TCP pickup
 *           bit 2: 14 bytes of link-layer header before the network header
 *   control bit 0: direction REPLY, else ORIG (TCP)
 *           bits 1-7: 0 for a linear skb, else the linear head is (n - 1) * 2 bytes and the rest
 *                     plays the paged part, so skb_header_pointer() copies
 *
 * Each packet is copied into a buffer of exactly its size (ASan sees any read past it), parsed,
 * parsed again as a linear skb (the result must not depend on the layout), and checked. TCP
 * packets then drive one entry as the hooks would: ktrack_tcp_start() until a flow starts, then
 * ktrack_tcp_packet(); RESET deletes it, REOPEN starts it anew.
 *
 *   make -C tests/unit fuzz FUZZ_SECONDS=60
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/in.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>

#include "parse.h"
#include "tcp.h"

#define OPT_V6		0x01
#define OPT_LOOSE	0x02
#define OPT_LINK_HDR	0x04
#define LINK_HDR_LEN	14

#define CHECK(cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);\
		abort();							\
	}									\
} while (0)

struct flow {
	struct ktrack_conn ct;
	bool live;
	bool loose;
};

static void fresh(struct ktrack_conn *ct)
{
	memset(ct, 0, sizeof(*ct));
	ct->flags = KTRACK_L4_TCP;
}

static void check_pkt(const struct ktrack_pkt *p, u8 family, const u8 *nh, unsigned int len)
{
	CHECK(p->family == family);
	switch (p->l4) {
	case KTRACK_L4_TCP:
		CHECK(p->proto == IPPROTO_TCP);
		CHECK(!p->starts);	/* tcp.c decides */
		CHECK(p->tcp.wscale == KTRACK_TCP_NO_WSCALE || p->tcp.wscale <= KTRACK_TCP_MAX_WSCALE);
		CHECK(p->tcp.wscale == KTRACK_TCP_NO_WSCALE || (p->tcp.flags & KTRACK_TCPF_SYN));
		CHECK(p->tcp.len < len);
		break;
	case KTRACK_L4_UDP:
		CHECK(p->proto == IPPROTO_UDP);
		CHECK(p->starts);
		break;
	case KTRACK_L4_ICMP:
		CHECK(p->proto == (family == NFPROTO_IPV4 ? IPPROTO_ICMP : IPPROTO_ICMPV6));
		/* request: id, 0; reply: 0, id */
		CHECK(p->starts ? p->dport == 0 : p->sport == 0);
		break;
	default:
		CHECK(!"l4 out of range");
	}
	if (family == NFPROTO_IPV4) {
		CHECK(!memcmp(&p->saddr.ip, nh + 12, 4));
		CHECK(!memcmp(&p->daddr.ip, nh + 16, 4));
	} else {
		CHECK(!memcmp(&p->saddr.in6, nh + 8, 16));
		CHECK(!memcmp(&p->daddr.in6, nh + 24, 16));
	}
}

static void tcp_step(struct flow *f, enum ktrack_dir dir, const struct ktrack_tcp_seg *seg)
{
	enum ktrack_tcp_verdict v;

	if (!f->live) {
		bool can = ktrack_tcp_can_start(seg, f->loose);

		f->live = ktrack_tcp_start(&f->ct, seg, f->loose);
		CHECK(f->live == can);
		if (f->live)
			CHECK(f->ct.state > KTRACK_TCP_NONE && f->ct.state < KTRACK_TCP_NSTATES);
		return;
	}
	v = ktrack_tcp_packet(&f->ct, dir, seg, NULL);
	CHECK(v >= KTRACK_TCP_ACCEPT && v <= KTRACK_TCP_RESYNC);
	CHECK(f->ct.state > KTRACK_TCP_NONE && f->ct.state < KTRACK_TCP_NSTATES);
	if (v == KTRACK_TCP_RESET) {
		CHECK(f->ct.state == KTRACK_TCP_CLOSE);
		f->live = false;
		fresh(&f->ct);
	} else if (v == KTRACK_TCP_REOPEN) {
		fresh(&f->ct);
		CHECK(ktrack_tcp_start(&f->ct, seg, f->loose));
	}
}

static void one_packet(struct flow *f, u8 opts, u8 ctl, const u8 *data, size_t size)
{
	u8 family = opts & OPT_V6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	unsigned int nhoff = opts & OPT_LINK_HDR ? LINK_HDR_LEN : 0;
	struct sk_buff skb = { .len = size, .network_header = nhoff };
	struct ktrack_pkt pkt, lin;
	enum ktrack_parse_result r, rl;
	u8 *buf;

	/*
	 * Exactly sized, so ASan sees a read past the end. With a link-layer header, 2 bytes of
	 * headroom in front align the network header (NET_IP_ALIGN), as drivers do: the kernel
	 * reads headers in place, and UBSan would report a misaligned struct iphdr.
	 */
	buf = malloc((nhoff ? 2 : 0) + (size ? size : 1));
	if (!buf)
		abort();
	skb.data = buf + (nhoff ? 2 : 0);
	memcpy(skb.data, data, size);
	if (ctl >> 1) {
		unsigned int head = ((ctl >> 1) - 1) * 2;

		skb.data_len = head < size ? size - head : 0;
	}

	memset(&pkt, 0xa5, sizeof(pkt));
	r = ktrack_parse(&skb, family, &pkt);
	CHECK(r >= KTRACK_PARSE_OK && r <= KTRACK_PARSE_ICMPERR);

	/* the same packet, all of it linear: the same answer */
	skb.data_len = 0;
	memset(&lin, 0xa5, sizeof(lin));
	rl = ktrack_parse(&skb, family, &lin);
	CHECK(r == rl);
	if (r == KTRACK_PARSE_OK) {
		CHECK(!memcmp(&pkt, &lin, sizeof(pkt)));
		check_pkt(&pkt, family, skb.data + nhoff, size - nhoff);
		if (pkt.l4 == KTRACK_L4_TCP)
			tcp_step(f, ctl & 1 ? KTRACK_DIR_REPLY : KTRACK_DIR_ORIG, &pkt.tcp);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct flow f;
	u8 opts;

	if (size < 1)
		return 0;
	opts = data[0];
	data++;
	size--;
	fresh(&f.ct);
	f.live = false;
	f.loose = opts & OPT_LOOSE;

	while (size >= 3) {
		u8 ctl = data[0];
		size_t len = data[1] | data[2] << 8;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		one_packet(&f, opts, ctl, data, len);
		data += len;
		size -= len;
	}
	return 0;
}
