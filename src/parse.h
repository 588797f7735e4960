/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h - what ktrack reads from a packet's headers.
 */
#ifndef _KTRACK_PARSE_H
#define _KTRACK_PARSE_H

#include <linux/types.h>
#include <linux/in6.h>

#include "tcp.h"

struct sk_buff;

union ktrack_addr {
	__be32 ip;
	struct in6_addr in6;
};

/* One packet's tuple as it travels (not yet oriented to an entry). */
struct ktrack_pkt {
	union ktrack_addr saddr, daddr;
	__be16 sport, dport;	/* ICMP echo request: id, 0; echo reply: 0, id */
	u8 family;		/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 proto;		/* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 (of the outer packet) */
	u8 l4;			/* enum ktrack_l4 (of the quoted packet, for an ICMP error) */
	u8 icmperr;		/* KTRACK_PARSE_ICMPERR: KTRACK_ICMPERR_* */
	bool starts;		/* may create an entry: TCP (decided by tcp.c), UDP, ICMP echo request */
	bool nocsum;		/* no L4 checksum to verify: UDP over IPv4 with 0, a first fragment */
	u16 l4off;		/* offset of the TCP/UDP/ICMP header in the skb */
	struct ktrack_tcp_seg tcp;	/* TCP only */
};

/* What an ICMP error says beyond the tuple it quotes. */
#define KTRACK_ICMPERR_FOREIGN	0x01	/* its destination is not the quoted packet's source */
#define KTRACK_ICMPERR_PORT	0x02	/* port unreachable */
#define KTRACK_ICMPERR_BAD	0x04	/* it quotes no TCP, UDP or echo packet ktrack can read */

enum ktrack_parse_result {
	KTRACK_PARSE_OK,	/* TCP, UDP or ICMP echo: trackable */
	KTRACK_PARSE_OTHER,	/* another protocol, or an ICMP type that is not echo */
	KTRACK_PARSE_FRAGMENT,	/* a non-first fragment */
	KTRACK_PARSE_TRUNCATED,	/* a header ends beyond the packet */
	KTRACK_PARSE_MALFORMED,	/* a header contradicts itself or the packet */
	/*
	 * an ICMP (types 3, 4, 5, 11, 12) or ICMPv6 (< 128) error: unless KTRACK_ICMPERR_BAD, the
	 * tuple is the quoted packet's (as that packet was sent); l4off and proto are the error's
	 */
	KTRACK_PARSE_ICMPERR,
};

enum ktrack_parse_result ktrack_parse(const struct sk_buff *skb, u8 family, struct ktrack_pkt *pkt);

/*
 * The TSval of the timestamp option of the TCP segment @pkt was parsed from (the last one, as the
 * kernel's tcp_parse_options()); false when it carries none. Read on demand: it is not on the
 * path of every packet.
 */
bool ktrack_parse_tsval(const struct sk_buff *skb, const struct ktrack_pkt *pkt, u32 *tsval);

#endif /* _KTRACK_PARSE_H */
