// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - reads IPv4/IPv6 and TCP/UDP/ICMP headers into a struct ktrack_pkt. Every read goes
 * through skb_header_pointer() and is bounded by the length the IP header claims, so a truncated or
 * self-contradicting packet is classified, never read out of bounds. It compiles unchanged in the
 * userspace unit build (tests/unit/shim), where the fuzzer drives it.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/netfilter.h>
#include <net/ipv6.h>

#include "conn.h"
#include "parse.h"

#define KTRACK_IP_OFFSET	0x1fff	/* IPv4 fragment offset field */
#define KTRACK_IP_MF		0x2000	/* IPv4 "more fragments" flag */
#define KTRACK_IP6_OFFSET	0xfff8	/* IPv6 fragment header offset field */
#define KTRACK_IP6_MAX_EXTHDRS	8	/* a longer chain is treated as malformed */
#define KTRACK_TCPOPT_WINDOW	3
#define KTRACK_TCPOPT_TIMESTAMP	8

/*
 * The last option @kind of @size bytes among the @len bytes of TCP options at @off, copied to @out;
 * false when there is none. The walk stops where the kernel's tcp_parse_options() stops.
 */
static bool ktrack_tcp_option(const struct sk_buff *skb, unsigned int off, unsigned int len,
			      u8 kind, u8 size, u8 *out)
{
	bool found = false;
	unsigned int i = 0;
	const u8 *opt;
	u8 buf[40];

	opt = skb_header_pointer(skb, off, len, buf);
	if (!opt)
		return false;
	while (i < len) {
		if (opt[i] == 0)	/* end of options */
			break;
		if (opt[i] == 1) {	/* no-op */
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == kind && opt[i + 1] == size) {
			memcpy(out, opt + i, size);
			found = true;
		}
		i += opt[i + 1];
	}
	return found;
}

/* The window scale option of a SYN, or KTRACK_TCP_NO_WSCALE. */
static u8 ktrack_parse_wscale(const struct sk_buff *skb, unsigned int off, unsigned int len)
{
	u8 o[3];

	if (!ktrack_tcp_option(skb, off, len, KTRACK_TCPOPT_WINDOW, sizeof(o), o))
		return KTRACK_TCP_NO_WSCALE;
	return min_t(u8, o[2], KTRACK_TCP_MAX_WSCALE);
}

bool ktrack_parse_tsval(const struct sk_buff *skb, const struct ktrack_pkt *pkt, u32 *tsval)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	__be32 val;
	u8 o[10];

	th = skb_header_pointer(skb, pkt->l4off, sizeof(_th), &_th);
	if (!th || th->doff * 4 <= sizeof(*th))
		return false;
	if (!ktrack_tcp_option(skb, pkt->l4off + sizeof(*th), th->doff * 4 - sizeof(*th),
			       KTRACK_TCPOPT_TIMESTAMP, sizeof(o), o))
		return false;
	memcpy(&val, o + 2, sizeof(val));
	*tsval = ntohl(val);
	return true;
}

static enum ktrack_parse_result ktrack_parse_tcp(const struct sk_buff *skb, unsigned int off,
						 unsigned int len, struct ktrack_pkt *pkt)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int doff;

	if (len < sizeof(*th))
		return KTRACK_PARSE_TRUNCATED;
	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	if (!th)
		return KTRACK_PARSE_TRUNCATED;
	doff = th->doff * 4;
	if (doff < sizeof(*th))
		return KTRACK_PARSE_MALFORMED;
	if (doff > len)
		return KTRACK_PARSE_TRUNCATED;

	pkt->sport = th->source;
	pkt->dport = th->dest;
	pkt->tcp.seq = ntohl(th->seq);
	pkt->tcp.ack = ntohl(th->ack_seq);
	pkt->tcp.win = ntohs(th->window);
	pkt->tcp.len = len - doff;
	pkt->tcp.flags = ((const u8 *)th)[13];
	pkt->tcp.wscale = KTRACK_TCP_NO_WSCALE;
	if (th->syn && doff > sizeof(*th))
		pkt->tcp.wscale = ktrack_parse_wscale(skb, off + sizeof(*th), doff - sizeof(*th));
	pkt->l4 = KTRACK_L4_TCP;
	return KTRACK_PARSE_OK;
}

static enum ktrack_parse_result ktrack_parse_udp(const struct sk_buff *skb, unsigned int off,
						 unsigned int len, struct ktrack_pkt *pkt)
{
	struct udphdr _uh;
	const struct udphdr *uh;

	if (len < sizeof(*uh))
		return KTRACK_PARSE_TRUNCATED;
	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh)
		return KTRACK_PARSE_TRUNCATED;
	pkt->sport = uh->source;
	pkt->dport = uh->dest;
	pkt->nocsum |= pkt->family == NFPROTO_IPV4 && !uh->check;
	pkt->l4 = KTRACK_L4_UDP;
	pkt->starts = true;
	return KTRACK_PARSE_OK;
}

/* ICMP and ICMPv6 echo share a layout: type, code, checksum, id, sequence. */
static enum ktrack_parse_result ktrack_parse_echo(const struct sk_buff *skb, unsigned int off,
						  unsigned int len, u8 request, u8 reply,
						  struct ktrack_pkt *pkt)
{
	struct icmphdr _ih;
	const struct icmphdr *ih;

	if (len < sizeof(*ih))
		return KTRACK_PARSE_TRUNCATED;
	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return KTRACK_PARSE_TRUNCATED;
	if (ih->type == request) {
		pkt->sport = ih->un.echo.id;
		pkt->dport = 0;
		pkt->starts = true;
	} else if (ih->type == reply) {
		pkt->sport = 0;
		pkt->dport = ih->un.echo.id;
	} else {
		return KTRACK_PARSE_OTHER;
	}
	pkt->l4 = KTRACK_L4_ICMP;
	return KTRACK_PARSE_OK;
}

static bool ktrack_parse_quoted(const struct sk_buff *skb, unsigned int off, unsigned int len,
				struct ktrack_pkt *pkt);

/* ICMP types that quote the packet they answer (RFC 792: unreachable, quench, redirect, time
 * exceeded, parameter problem); every ICMPv6 type below 128 (RFC 4443).
 */
static bool ktrack_icmp_is_error(u8 family, u8 type)
{
	if (family == NFPROTO_IPV6)
		return type < 128;
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

static bool ktrack_icmp_port_unreach(u8 family, u8 type, u8 code)
{
	if (family == NFPROTO_IPV6)
		return type == ICMPV6_DEST_UNREACH && code == ICMPV6_PORT_UNREACH;
	return type == ICMP_DEST_UNREACH && code == ICMP_PORT_UNREACH;
}

/* An ICMP or ICMPv6 message that is not an echo: an error is read down to what it quotes. */
static enum ktrack_parse_result ktrack_parse_icmp_error(const struct sk_buff *skb,
							unsigned int off, unsigned int len,
							struct ktrack_pkt *pkt)
{
	union ktrack_addr outer = pkt->daddr;
	struct icmphdr _ih;
	const struct icmphdr *ih;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih || !ktrack_icmp_is_error(pkt->family, ih->type))
		return KTRACK_PARSE_OTHER;
	pkt->icmperr = ktrack_icmp_port_unreach(pkt->family, ih->type, ih->code) ?
		       KTRACK_ICMPERR_PORT : 0;
	if (!ktrack_parse_quoted(skb, off + sizeof(*ih), len - sizeof(*ih), pkt))
		pkt->icmperr |= KTRACK_ICMPERR_BAD;
	else if (pkt->family == NFPROTO_IPV4 ? outer.ip != pkt->saddr.ip :
		 !ipv6_addr_equal(&outer.in6, &pkt->saddr.in6))
		pkt->icmperr |= KTRACK_ICMPERR_FOREIGN;
	return KTRACK_PARSE_ICMPERR;
}

static enum ktrack_parse_result ktrack_parse_l4(const struct sk_buff *skb, unsigned int off,
						unsigned int len, struct ktrack_pkt *pkt)
{
	enum ktrack_parse_result res;

	pkt->l4off = off;
	switch (pkt->proto) {
	case IPPROTO_TCP:
		return ktrack_parse_tcp(skb, off, len, pkt);
	case IPPROTO_UDP:
		return ktrack_parse_udp(skb, off, len, pkt);
	case IPPROTO_ICMP:
		if (pkt->family != NFPROTO_IPV4)
			return KTRACK_PARSE_OTHER;
		res = ktrack_parse_echo(skb, off, len, ICMP_ECHO, ICMP_ECHOREPLY, pkt);
		break;
	case IPPROTO_ICMPV6:
		if (pkt->family != NFPROTO_IPV6)
			return KTRACK_PARSE_OTHER;
		res = ktrack_parse_echo(skb, off, len, ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY, pkt);
		break;
	default:
		return KTRACK_PARSE_OTHER;
	}
	return res == KTRACK_PARSE_OTHER ? ktrack_parse_icmp_error(skb, off, len, pkt) : res;
}

static enum ktrack_parse_result ktrack_parse_ipv4(const struct sk_buff *skb, unsigned int nhoff,
						  struct ktrack_pkt *pkt)
{
	struct iphdr _iph;
	const struct iphdr *iph;
	unsigned int hlen, tot;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph)
		return KTRACK_PARSE_TRUNCATED;
	hlen = iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	if (iph->version != 4 || hlen < sizeof(*iph) || tot < hlen)
		return KTRACK_PARSE_MALFORMED;
	if (tot > skb->len - nhoff)
		return KTRACK_PARSE_TRUNCATED;
	if (ntohs(iph->frag_off) & KTRACK_IP_OFFSET)
		return KTRACK_PARSE_FRAGMENT;
	/* a first fragment: its L4 checksum covers what has not arrived */
	if (ntohs(iph->frag_off) & KTRACK_IP_MF)
		pkt->nocsum = true;

	pkt->saddr.ip = iph->saddr;
	pkt->daddr.ip = iph->daddr;
	pkt->proto = iph->protocol;
	return ktrack_parse_l4(skb, nhoff + hlen, tot - hlen, pkt);
}

/*
 * Walks up to KTRACK_IP6_MAX_EXTHDRS extension headers from @*off, whose type is @*nexthdr, to the
 * upper-layer header, all within @end. KTRACK_PARSE_OK leaves @*off and @*nexthdr there; a first
 * fragment sets @*first.
 */
static enum ktrack_parse_result ktrack_ipv6_exthdrs(const struct sk_buff *skb, unsigned int *off,
						    unsigned int end, u8 *nexthdr, bool *first)
{
	unsigned int n;

	for (n = 0; n <= KTRACK_IP6_MAX_EXTHDRS; n++) {
		u8 _hdr[4];
		const u8 *hdr;
		unsigned int hdrlen;

		switch (*nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
		case IPPROTO_FRAGMENT:
			break;
		case IPPROTO_NONE:
			return KTRACK_PARSE_OTHER;
		default:
			return KTRACK_PARSE_OK;
		}
		if (*off + sizeof(_hdr) > end)
			return KTRACK_PARSE_TRUNCATED;
		hdr = skb_header_pointer(skb, *off, sizeof(_hdr), _hdr);
		if (!hdr)
			return KTRACK_PARSE_TRUNCATED;
		if (*nexthdr == IPPROTO_FRAGMENT) {
			if ((hdr[2] << 8 | hdr[3]) & KTRACK_IP6_OFFSET)
				return KTRACK_PARSE_FRAGMENT;
			if (hdr[3] & 1)	/* M: a first fragment */
				*first = true;
			hdrlen = 8;
		} else if (*nexthdr == IPPROTO_AH) {
			hdrlen = (hdr[1] + 2) * 4;
		} else {
			hdrlen = (hdr[1] + 1) * 8;
		}
		if (hdrlen > end - *off)
			return KTRACK_PARSE_TRUNCATED;
		*nexthdr = hdr[0];
		*off += hdrlen;
	}
	return KTRACK_PARSE_MALFORMED;
}

static enum ktrack_parse_result ktrack_parse_ipv6(const struct sk_buff *skb, unsigned int nhoff,
						  struct ktrack_pkt *pkt)
{
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	enum ktrack_parse_result res;
	unsigned int off, end, plen;
	u8 nexthdr;

	ip6h = skb_header_pointer(skb, nhoff, sizeof(_ip6h), &_ip6h);
	if (!ip6h)
		return KTRACK_PARSE_TRUNCATED;
	if (ip6h->version != 6)
		return KTRACK_PARSE_MALFORMED;
	plen = ntohs(ip6h->payload_len);
	if (!plen)	/* jumbogram or BIG TCP: the packet's own length counts */
		plen = skb->len - nhoff - sizeof(*ip6h);
	if (sizeof(*ip6h) + plen > skb->len - nhoff)
		return KTRACK_PARSE_TRUNCATED;

	pkt->saddr.in6 = ip6h->saddr;
	pkt->daddr.in6 = ip6h->daddr;
	nexthdr = ip6h->nexthdr;
	off = nhoff + sizeof(*ip6h);
	end = off + plen;
	/* a first fragment: its L4 checksum covers what has not arrived */
	res = ktrack_ipv6_exthdrs(skb, &off, end, &nexthdr, &pkt->nocsum);
	if (res != KTRACK_PARSE_OK)
		return res;
	pkt->proto = nexthdr;
	return ktrack_parse_l4(skb, off, end - off, pkt);
}

/*
 * The first 8 bytes of a quoted TCP, UDP or echo header (all an ICMP error must carry): its ports,
 * or the echo id as ktrack_parse_echo() places it.
 */
static bool ktrack_parse_quoted_l4(const struct sk_buff *skb, unsigned int off, unsigned int len,
				   u8 proto, struct ktrack_pkt *pkt)
{
	u8 _h[8];
	const u8 *h;
	bool v6 = pkt->family == NFPROTO_IPV6;
	__be16 id;

	if (len < sizeof(_h))
		return false;
	h = skb_header_pointer(skb, off, sizeof(_h), _h);
	if (!h)
		return false;
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		pkt->l4 = proto == IPPROTO_TCP ? KTRACK_L4_TCP : KTRACK_L4_UDP;
		memcpy(&pkt->sport, h, sizeof(pkt->sport));
		memcpy(&pkt->dport, h + 2, sizeof(pkt->dport));
		return true;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (proto != (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
			return false;
		memcpy(&id, h + 4, sizeof(id));
		pkt->l4 = KTRACK_L4_ICMP;
		if (h[0] == (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO)) {
			pkt->sport = id;
			pkt->dport = 0;
		} else if (h[0] == (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHOREPLY)) {
			pkt->sport = 0;
			pkt->dport = id;
		} else {
			return false;	/* an error about an error, or an untracked type */
		}
		return true;
	default:
		return false;
	}
}

/*
 * The packet an ICMP error quotes, at @off (@len bytes): its IP header, of the error's own family,
 * whole; what it claims as its length is not checked (the quote is cut short). Its tuple goes into
 * @pkt; false when nothing ktrack tracks can be read from it.
 */
static bool ktrack_parse_quoted4(const struct sk_buff *skb, unsigned int off, unsigned int len,
				 struct ktrack_pkt *pkt)
{
	struct iphdr _iph;
	const struct iphdr *iph;
	unsigned int hlen;

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || len < sizeof(*iph))
		return false;
	hlen = iph->ihl * 4;
	if (iph->version != 4 || hlen < sizeof(*iph) || hlen > len ||
	    (ntohs(iph->frag_off) & KTRACK_IP_OFFSET))
		return false;
	pkt->saddr.ip = iph->saddr;
	pkt->daddr.ip = iph->daddr;
	return ktrack_parse_quoted_l4(skb, off + hlen, len - hlen, iph->protocol, pkt);
}

static bool ktrack_parse_quoted6(const struct sk_buff *skb, unsigned int off, unsigned int len,
				 struct ktrack_pkt *pkt)
{
	unsigned int end = off + len;
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	bool first = false;
	u8 nexthdr;

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || len < sizeof(*ip6h) || ip6h->version != 6)
		return false;
	pkt->saddr.in6 = ip6h->saddr;
	pkt->daddr.in6 = ip6h->daddr;
	nexthdr = ip6h->nexthdr;
	off += sizeof(*ip6h);
	if (ktrack_ipv6_exthdrs(skb, &off, end, &nexthdr, &first) != KTRACK_PARSE_OK)
		return false;
	return ktrack_parse_quoted_l4(skb, off, end - off, nexthdr, pkt);
}

/*
 * The packet an ICMP error quotes, at @off (@len bytes): its IP header, of the error's own family,
 * whole; what it claims as its length is not checked (the quote is cut short). Its tuple goes into
 * @pkt; false when nothing ktrack tracks can be read from it.
 */
static bool ktrack_parse_quoted(const struct sk_buff *skb, unsigned int off, unsigned int len,
				struct ktrack_pkt *pkt)
{
	if (pkt->family == NFPROTO_IPV4)
		return ktrack_parse_quoted4(skb, off, len, pkt);
	return ktrack_parse_quoted6(skb, off, len, pkt);
}

/**
 * ktrack_parse - read a packet's tuple and, for TCP, its segment fields
 * @skb: the packet, its network header at skb_network_offset()
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @pkt: filled in; meaningful only when KTRACK_PARSE_OK is returned
 */
enum ktrack_parse_result ktrack_parse(const struct sk_buff *skb, u8 family, struct ktrack_pkt *pkt)
{
	unsigned int nhoff = skb_network_offset(skb);

	pkt->family = family;
	pkt->starts = false;
	pkt->nocsum = false;
	pkt->icmperr = 0;
	if (nhoff > skb->len)
		return KTRACK_PARSE_TRUNCATED;
	if (family == NFPROTO_IPV4)
		return ktrack_parse_ipv4(skb, nhoff, pkt);
	return ktrack_parse_ipv6(skb, nhoff, pkt);
}
