/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net.h - ktrack's state in one network namespace.
 */
#ifndef _KTRACK_NET_H
#define _KTRACK_NET_H

#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "params.h"
#include "stats.h"

struct ktrack_net {
	struct net *net;
	struct ktrack_stats __percpu *stats;
	unsigned int tun[KTRACK_NTUNABLES];	/* sysctl net.ktrack.*, from the module parameters */
};

extern unsigned int ktrack_net_id;

static inline struct ktrack_net *ktrack_pernet(const struct net *net)
{
	return net_generic(net, ktrack_net_id);
}

static inline void ktrack_stat_inc(struct ktrack_net *kn, enum ktrack_stat stat)
{
	this_cpu_inc(kn->stats->cnt[stat]);
}

int ktrack_net_register(void);
void ktrack_net_unregister(void);

#endif /* _KTRACK_NET_H */
