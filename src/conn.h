/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conn.h - the connection entry: one per tracked connection, found from either direction.
 *
 * Layout is chosen for the size budget (design brief: 64 bytes all-in per IPv4 connection). The common
 * part is 48 bytes; the IPv4 entry adds 8 bytes of addresses (56), the IPv6 entry 32 (80). Ports and
 * addresses are those of the original direction (the side that opened the connection).
 */
#ifndef _KTRACK_CONN_H
#define _KTRACK_CONN_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/in6.h>

/* Direction of a packet relative to the entry. */
enum ktrack_dir {
	KTRACK_DIR_ORIG = 0,	/* from the side that opened the connection */
	KTRACK_DIR_REPLY = 1,
};

/* Protocol codes kept in the entry's flags (2 bits). */
enum ktrack_l4 {
	KTRACK_L4_TCP = 0,
	KTRACK_L4_UDP = 1,
	KTRACK_L4_ICMP = 2,	/* ICMP echo, or ICMPv6 echo in an IPv6 entry */
};

/* TCP states, as in nf_conntrack; NONE is only seen before an entry is set up. */
enum ktrack_tcp_state {
	KTRACK_TCP_NONE = 0,
	KTRACK_TCP_SYN_SENT,
	KTRACK_TCP_SYN_RECV,
	KTRACK_TCP_ESTABLISHED,
	KTRACK_TCP_FIN_WAIT,
	KTRACK_TCP_CLOSE_WAIT,
	KTRACK_TCP_LAST_ACK,
	KTRACK_TCP_TIME_WAIT,
	KTRACK_TCP_CLOSE,
	KTRACK_TCP_NSTATES
};

/* Per-direction TCP bits in ktrack_conn.tcp_wsf[dir]. */
#define KTRACK_TCP_WSCALE_MASK	0x0f	/* window scale this side announced on its SYN */
#define KTRACK_TCP_WSCALE_OK	0x10	/* both SYNs carried the option: scaling applies */
#define KTRACK_TCP_FIN_SEEN	0x20	/* this side sent a FIN */
#define KTRACK_TCP_END_KNOWN	0x40	/* tcp_end[dir] holds a real sequence number */
#define KTRACK_TCP_FIN_ACKED	0x80	/* this side's FIN was acknowledged by the peer */

/* ktrack_conn.flags */
#define KTRACK_F_L4_MASK	0x03	/* enum ktrack_l4 */
#define KTRACK_F_IPV6		0x04	/* a struct ktrack_conn6 */
#define KTRACK_F_REPLIED	0x08	/* a packet was seen in the reply direction */
#define KTRACK_F_SRC_COUNTED	0x10	/* counted in its source's live count */
#define KTRACK_F_DEAD		0x20	/* unlinked from the table; freed after a grace period */
#define KTRACK_F_STREAM		0x40	/* UDP: still active 2 s after its first answer */
#define KTRACK_F_NFCT		0x80	/* notrack=1: nf_conntrack keeps this flow (it was NATed) */

struct ktrack_conn {
	struct ktrack_conn __rcu *next;	/* hash chain, singly linked, walked under RCU */
	union {
		struct list_head expiry;	/* on its lock stripe's list for its timeout class */
		struct rcu_head rcu;		/* once unlinked from both */
	};
	u32 stamp;			/* jiffies (low 32 bits) it was last queued: it expires when
					 * idle for its class's timeout in force (net.h)
					 */
	__be16 sport, dport;		/* original direction; ICMP echo: id in sport, 0 in dport */
	/* TCP tracking (unused by other protocols), indexed by enum ktrack_dir */
	u32 tcp_end[2];			/* highest seq + len (+1 for SYN/FIN) sent by that side */
	u16 tcp_win[2];			/* largest raw window that side advertised */
	u8 tcp_wsf[2];			/* KTRACK_TCP_* bits */
	u8 state;			/* TCP: enum ktrack_tcp_state */
	u8 flags;			/* KTRACK_F_* */
};

struct ktrack_conn4 {
	struct ktrack_conn c;
	__be32 saddr, daddr;		/* original direction */
};

struct ktrack_conn6 {
	struct ktrack_conn c;
	struct in6_addr saddr, daddr;	/* original direction */
};

static inline enum ktrack_l4 ktrack_conn_l4(const struct ktrack_conn *ct)
{
	return ct->flags & KTRACK_F_L4_MASK;
}

static inline bool ktrack_conn_is_v6(const struct ktrack_conn *ct)
{
	return ct->flags & KTRACK_F_IPV6;
}

#endif /* _KTRACK_CONN_H */
