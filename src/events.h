/* SPDX-License-Identifier: GPL-2.0 */
/*
 * events.h - new/destroy notifications on the "events" multicast group, and the netlink form of a
 * connection that dumps and events share.
 */
#ifndef _KTRACK_EVENTS_H
#define _KTRACK_EVENTS_H

#include <linux/compiler.h>
#include <linux/skbuff.h>
#include <linux/ktrack.h>

#include "net.h"
#include "parse.h"
#include "netlink.h"

/* Set while the family is registered: only then may the group be looked at. */
extern bool ktrack_events_ready;

/* AF_INET/AF_INET6 to NFPROTO_*, 0 when neither. */
u8 ktrack_nfproto(u8 af);
/* An address attribute of the length @family needs (extack message when not). */
int ktrack_nl_get_addr(const struct nlattr *attr, u8 family, union ktrack_addr *a,
		       struct netlink_ext_ack *extack);
int ktrack_nl_put_addr(struct sk_buff *skb, int type, u8 family, const union ktrack_addr *a);

/* Puts @ct as a nest of type @attrtype (KTRACK_CONN_A_*); -EMSGSIZE when it does not fit. */
int ktrack_nl_put_conn(struct sk_buff *skb, int attrtype, const struct ktrack_net *kn,
		       const struct ktrack_conn *ct);

/* Builds and multicasts one event; @reason is a KTRACK_STAT_DEL_*, EVICTED, TW_REUSE or DROP_*. */
void ktrack_event_send(struct ktrack_net *kn, const struct ktrack_conn *ct, u8 cmd,
		       enum ktrack_stat reason);

/* Cheap when nobody listens: a flag and a bit test on the netns's genetlink socket. */
static inline bool ktrack_events_wanted(const struct ktrack_net *kn)
{
	return READ_ONCE(ktrack_events_ready) &&
	       genl_has_listeners(&ktrack_genl_family, kn->net, KTRACK_MCGRP_EVENTS);
}

static inline void ktrack_event_new(struct ktrack_net *kn, const struct ktrack_conn *ct)
{
	if (unlikely(ktrack_events_wanted(kn)))
		ktrack_event_send(kn, ct, KTRACK_CMD_EVENT_NEW, KTRACK_NSTATS);
}

static inline void ktrack_event_destroy(struct ktrack_net *kn, const struct ktrack_conn *ct,
					enum ktrack_stat reason)
{
	if (unlikely(ktrack_events_wanted(kn)))
		ktrack_event_send(kn, ct, KTRACK_CMD_EVENT_DESTROY, reason);
}

#endif /* _KTRACK_EVENTS_H */
