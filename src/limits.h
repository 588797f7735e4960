/* SPDX-License-Identifier: GPL-2.0 */
/*
 * limits.h - per-prefix overrides of per_src_limit: the longest matching prefix decides a new flow's
 * per-source limit.
 */
#ifndef _KTRACK_LIMITS_H
#define _KTRACK_LIMITS_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/ktrack.h>
#include <net/genetlink.h>

#include "net.h"
#include "parse.h"

struct ktrack_limit {
	union ktrack_addr addr;		/* masked to plen */
	u8 family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 plen;
	u32 limit;			/* 0: unlimited */
};

/* An immutable array, longest prefix first; replaced as a whole (RCU) on every change. */
struct ktrack_limits {
	struct rcu_head rcu;
	unsigned int n;
	struct ktrack_limit e[];
};

unsigned int ktrack_limit_lookup(const struct ktrack_limits *l, u8 family,
				 const union ktrack_addr *addr, unsigned int dflt);

/* Called with ktrack_limits_mutex held. */
int ktrack_limit_add(struct ktrack_net *kn, const struct ktrack_limit *lim);
int ktrack_limit_del(struct ktrack_net *kn, const struct ktrack_limit *lim);
void ktrack_limits_exit(struct ktrack_net *kn);

extern struct mutex ktrack_limits_mutex;

/* KTRACK_CMD_NEW_LIMIT, DEL_LIMIT, GET_LIMIT (netlink.c registers them). */
extern const struct nla_policy ktrack_limit_policy[KTRACK_LIMIT_A_MAX + 1];
int ktrack_nl_new_limit(struct sk_buff *skb, struct genl_info *info);
int ktrack_nl_del_limit(struct sk_buff *skb, struct genl_info *info);
int ktrack_nl_limit_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* The per-source limit of a new flow from @addr (unmasked); under rcu_read_lock(). */
static inline unsigned int ktrack_limit_for(struct ktrack_net *kn, u8 family,
					    const union ktrack_addr *addr)
{
	const struct ktrack_limits *l = rcu_dereference(kn->limits);
	unsigned int dflt = READ_ONCE(kn->tun[KTRACK_PER_SRC_LIMIT]);

	if (likely(!l))
		return dflt;
	return ktrack_limit_lookup(l, family, addr, dflt);
}

#endif /* _KTRACK_LIMITS_H */
