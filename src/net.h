/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net.h - ktrack's state in one network namespace.
 */
#ifndef _KTRACK_NET_H
#define _KTRACK_NET_H

#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <linux/workqueue.h>

#include "params.h"
#include "source.h"
#include "stats.h"
#include "table.h"

struct ctl_table_header;
struct ktrack_limits;

struct ktrack_net {
	struct net *net;
	struct ktrack_stats __percpu *stats;
	unsigned int tun[KTRACK_NTUNABLES];	/* sysctl net.ktrack.*, from the module parameters */
	struct ktrack_table table;
	struct ktrack_srctable src;
	struct delayed_work expire_work;	/* expire.c */
	struct ctl_table_header *sysctl;
	struct ktrack_limits __rcu *limits;	/* limits.c: per-prefix limit overrides */
	atomic_long_t events_overflow;		/* events.c: events not delivered */
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

static inline void ktrack_stat_add_live(struct ktrack_net *kn, unsigned int state, int delta)
{
	this_cpu_add(kn->stats->tcp_live[state], delta);
}

/* Jiffies an entry of class @c lives without traffic. */
static inline u32 ktrack_timeout(const struct ktrack_net *kn, enum ktrack_class c)
{
	return READ_ONCE(kn->tun[KTRACK_TCP_TIMEOUT_SYN_SENT + c]) * HZ;
}

/* 0 when tunable @t of @kn may take @val now; -EBUSY for a source prefix while sources count. */
int ktrack_net_tunable_check(const struct ktrack_net *kn, enum ktrack_tunable t, unsigned int val);
/* Sets tunable @t of @kn (a sysctl or parameter write): checked as above, the refusal logged. */
int ktrack_net_tunable_set(struct ktrack_net *kn, enum ktrack_tunable t, unsigned int val);

int ktrack_net_register(void);
void ktrack_net_unregister(void);

#endif /* _KTRACK_NET_H */
