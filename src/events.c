// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - the netlink form of a connection (KTRACK_A_CONN, shared by dumps, get and events) and
 * of an address, and the new/destroy notifications on the "events" multicast group.
 *
 * Events cost nothing while nobody listens: the packet path tests ktrack_events_wanted() (a bit in
 * the netns's genetlink socket) before building anything. An event that cannot be allocated, or
 * that a listener with NETLINK_BROADCAST_ERROR set missed (its receive buffer was full), counts in
 * events_overflow; any listener that missed events gets ENOBUFS from its next read, as for
 * nf_conntrack events.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "events.h"
#include "table.h"
#include "walk.h"

bool ktrack_events_ready __read_mostly;

/* AF_INET/AF_INET6 to NFPROTO_*, 0 when neither. */
u8 ktrack_nfproto(u8 af)
{
	return af == AF_INET ? NFPROTO_IPV4 : af == AF_INET6 ? NFPROTO_IPV6 : 0;
}

/* An address attribute of the length its family needs. */
int ktrack_nl_get_addr(const struct nlattr *attr, u8 family, union ktrack_addr *a,
			   struct netlink_ext_ack *extack)
{
	int len = family == NFPROTO_IPV4 ? 4 : 16;

	if (nla_len(attr) != len) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "address length does not match the family");
		return -EINVAL;
	}
	memset(a, 0, sizeof(*a));
	memcpy(a, nla_data(attr), len);
	return 0;
}

int ktrack_nl_put_addr(struct sk_buff *skb, int type, u8 family, const union ktrack_addr *a)
{
	if (family == NFPROTO_IPV4)
		return nla_put_in_addr(skb, type, a->ip);
	return nla_put_in6_addr(skb, type, &a->in6);
}

int ktrack_nl_put_conn(struct sk_buff *skb, int attrtype, const struct ktrack_net *kn,
		       const struct ktrack_conn *ct)
{
	u8 flags = READ_ONCE(ct->flags);
	struct nlattr *nest;
	u32 status = 0;

	if (flags & KTRACK_F_REPLIED)
		status |= KTRACK_CONN_S_REPLIED;
	if (flags & KTRACK_F_STREAM)
		status |= KTRACK_CONN_S_STREAM;
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (ktrack_conn_is_v6(ct)) {
		const struct ktrack_conn6 *c6 = container_of(ct, struct ktrack_conn6, c);

		if (nla_put_u8(skb, KTRACK_CONN_A_FAMILY, AF_INET6) ||
		    nla_put_in6_addr(skb, KTRACK_CONN_A_SRC, &c6->saddr) ||
		    nla_put_in6_addr(skb, KTRACK_CONN_A_DST, &c6->daddr))
			goto cancel;
	} else {
		const struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

		if (nla_put_u8(skb, KTRACK_CONN_A_FAMILY, AF_INET) ||
		    nla_put_in_addr(skb, KTRACK_CONN_A_SRC, c4->saddr) ||
		    nla_put_in_addr(skb, KTRACK_CONN_A_DST, c4->daddr))
			goto cancel;
	}
	if (nla_put_u8(skb, KTRACK_CONN_A_PROTO, ktrack_conn_proto(ct)) ||
	    nla_put_be16(skb, KTRACK_CONN_A_SPORT, ct->sport) ||
	    nla_put_be16(skb, KTRACK_CONN_A_DPORT, ct->dport) ||
	    nla_put_u32(skb, KTRACK_CONN_A_TIMEOUT, ktrack_conn_left(kn, ct)) ||
	    nla_put_u32(skb, KTRACK_CONN_A_STATUS, status))
		goto cancel;
	if (ktrack_conn_l4(ct) == KTRACK_L4_TCP &&
	    nla_put_u8(skb, KTRACK_CONN_A_STATE, READ_ONCE(ct->state)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static u8 ktrack_reason_of(enum ktrack_stat reason)
{
	switch (reason) {
	case KTRACK_STAT_DEL_RST:
		return KTRACK_REASON_RST;
	case KTRACK_STAT_DEL_FIN:
		return KTRACK_REASON_FIN;
	case KTRACK_STAT_DEL_TIMEOUT:
		return KTRACK_REASON_TIMEOUT;
	case KTRACK_STAT_EVICTED:
		return KTRACK_REASON_EVICT;
	case KTRACK_STAT_DEL_FLUSH:
		return KTRACK_REASON_FLUSH;
	case KTRACK_STAT_TW_REUSE:
		return KTRACK_REASON_REUSE;
	case KTRACK_STAT_DEL_ICMP:
		return KTRACK_REASON_ICMP;
	case KTRACK_STAT_DROP_TABLE:
	case KTRACK_STAT_DROP_SOURCE:
		return KTRACK_REASON_LIMIT;
	default:
		return KTRACK_REASON_UNSPEC;
	}
}

void ktrack_event_send(struct ktrack_net *kn, const struct ktrack_conn *ct, u8 cmd,
		       enum ktrack_stat reason)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	/* the family stays registered while ready is seen set in here: ktrack_nl_exit() */
	rcu_read_lock();
	if (!READ_ONCE(ktrack_events_ready))
		goto out;
	skb = genlmsg_new(NLMSG_GOODSIZE / 8, GFP_ATOMIC);
	if (!skb)
		goto overflow;
	hdr = genlmsg_put(skb, 0, 0, &ktrack_genl_family, 0, cmd);
	if (!hdr)
		goto nospace;
	if (ktrack_nl_put_conn(skb, KTRACK_A_CONN, kn, ct))
		goto nospace;
	if (cmd == KTRACK_CMD_EVENT_DESTROY &&
	    nla_put_u8(skb, KTRACK_A_REASON, ktrack_reason_of(reason)))
		goto nospace;
	genlmsg_end(skb, hdr);
	/*
	 * A full receive buffer is an error for netlink_broadcast() (ENOBUFS) only when the listener
	 * set NETLINK_BROADCAST_ERROR; ESRCH (delivered to none) cannot be told from "no listener
	 * in this netns", since the listener bitmap that ktrack_events_wanted() tests is global.
	 */
	err = genlmsg_multicast_netns(&ktrack_genl_family, kn->net, skb, 0, KTRACK_MCGRP_EVENTS,
				      GFP_ATOMIC);
	if (err && err != -ESRCH)
		goto overflow;
	goto out;

nospace:
	nlmsg_free(skb);
overflow:
	atomic_long_inc(&kn->events_overflow);
out:
	rcu_read_unlock();
}
