/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk.h - walking the connection table for the control plane: connection filters, and deleting
 * every entry a filter matches.
 */
#ifndef _KTRACK_WALK_H
#define _KTRACK_WALK_H

#include "net.h"
#include "parse.h"

/* struct ktrack_filter.mask bits: which members are set */
#define KTRACK_FLT_FAMILY	0x01
#define KTRACK_FLT_PROTO	0x02
#define KTRACK_FLT_STATE	0x04
#define KTRACK_FLT_SRC		0x08
#define KTRACK_FLT_DST		0x10
#define KTRACK_FLT_PORT		0x20
#define KTRACK_FLT_SPORT	0x40
#define KTRACK_FLT_DPORT	0x80

/* What a dump or a delete matches, against the original direction. */
struct ktrack_filter {
	u32 mask;
	u8 family;			/* NFPROTO_* */
	u8 proto;			/* IPPROTO_* */
	u8 state;			/* enum ktrack_tcp_state */
	u8 src_plen, dst_plen;
	union ktrack_addr src, dst;	/* masked */
	__be16 port, sport, dport;
};

/* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 of an entry. */
u8 ktrack_conn_proto(const struct ktrack_conn *ct);

bool ktrack_filter_match(const struct ktrack_filter *f, const struct ktrack_conn *ct);

/* Deletes (reason del_flush) every entry @f matches; process context. Returns how many. */
unsigned int ktrack_walk_delete(struct ktrack_net *kn, const struct ktrack_filter *f);

#endif /* _KTRACK_WALK_H */
