/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net.h - ktrack's state in one network namespace.
 */
#ifndef _KTRACK_NET_H
#define _KTRACK_NET_H

#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <linux/netfilter.h>
#include <linux/seqlock.h>
#include <linux/workqueue.h>

#include "params.h"
#include "source.h"
#include "stats.h"
#include "table.h"

struct ctl_table_header;
struct ktrack_limits;
struct mem_cgroup;

/* The hashes of a netns that resize (resize.c): the connections, the IPv4 and the IPv6 sources. */
enum ktrack_hash {
	KTRACK_HASH_CONN,
	KTRACK_HASH_SRC4,
	KTRACK_HASH_SRC6,
	KTRACK_NHASHES
};

/* A hash's shrink: the expiry work watches its count while under 1 entry for 8 buckets. */
struct ktrack_resize_watch {
	unsigned int size;		/* the size watched, 0: none */
	unsigned long since;		/* jiffies: under 1/8 a bucket since */
	s64 peak;			/* the highest count since */
	s64 shrink_peak;		/* a shrink's request for the work: peak + 1 */
};

struct ktrack_net {
	struct net *net;
	struct ktrack_stats __percpu *stats;
	unsigned int tun[KTRACK_NTUNABLES];	/* sysctl net.ktrack.*, from the module parameters */
	seqlock_t prefix_lock;			/* per_src_prefix4/6 changes: net.c */
	struct ktrack_table table;
	struct ktrack_srctable src;
	struct delayed_work expire_work;	/* expire.c */
	/* resize.c: the work that resizes the hashes, and their shrinks' watches */
	struct work_struct resize_work;
	struct mem_cgroup *memcg;		/* the netns creator's: charged for new buckets */
	unsigned long resize_retry;		/* jiffies: no grow before (after a failure) */
	struct ktrack_resize_watch resize_watch[KTRACK_NHASHES];
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

/*
 * Seconds a closed connection stays in TIME_WAIT. With state_mark set, tcp_timeout_time_wait 0
 * means tcp_timeout_close: a firewall must still know the FIN or last ACK that is retransmitted
 * after the exchange (its source is released at once all the same).
 */
static inline unsigned int ktrack_time_wait_secs(const struct ktrack_net *kn)
{
	unsigned int tw = READ_ONCE(kn->tun[KTRACK_TCP_TIMEOUT_TIME_WAIT]);

	if (!tw && READ_ONCE(kn->tun[KTRACK_STATE_MARK]))
		tw = READ_ONCE(kn->tun[KTRACK_TCP_TIMEOUT_CLOSE]);
	return tw;
}

/* Jiffies an entry of class @c lives without traffic, as the tunables say now. */
static inline u32 ktrack_timeout(const struct ktrack_net *kn, enum ktrack_class c)
{
	u32 est;

	if (c == KTRACK_CLASS_TIME_WAIT)
		return ktrack_time_wait_secs(kn) * HZ;
	if (c != KTRACK_CLASS_UNACK)
		return READ_ONCE(kn->tun[KTRACK_TCP_TIMEOUT_SYN_SENT + c]) * HZ;
	/* an unanswered pickup: at most its state's own timeout */
	est = READ_ONCE(kn->tun[KTRACK_TCP_TIMEOUT_ESTABLISHED]);
	return min(est, READ_ONCE(kn->tun[KTRACK_TCP_TIMEOUT_UNACK])) * HZ;
}

/* @ct has been idle for its class's timeout. */
static inline bool ktrack_conn_expired(const struct ktrack_net *kn, const struct ktrack_conn *ct,
				       u32 now)
{
	return ktrack_conn_idle(ct, now) >= (s32)ktrack_timeout(kn, ktrack_conn_class(ct));
}

/* Seconds until @ct expires, 0 when due (what /proc/net/ktrack and netlink show). */
static inline u32 ktrack_conn_left(const struct ktrack_net *kn, const struct ktrack_conn *ct)
{
	s32 left;

	/* a refused flow's stand-in (lifecycle.c) has no TCP state, hence no class */
	if (ktrack_conn_l4(ct) == KTRACK_L4_TCP && READ_ONCE(ct->state) == KTRACK_TCP_NONE)
		return 0;
	left = (s32)ktrack_timeout(kn, ktrack_conn_class(ct)) - ktrack_conn_idle(ct, ktrack_now());
	return left > 0 ? left / HZ : 0;
}

/*
 * Sets the tunables of @kn whose bits are in @mask to @val[t], all or none: -EINVAL (logged) for a
 * state_mark of the wrong shape, -EBUSY (logged) when a source prefix would change while sources
 * are counted. ktrack_limits_mutex held.
 */
int ktrack_net_config(struct ktrack_net *kn, const unsigned int *val, unsigned long mask);
/* One tunable (a sysctl or parameter write), taking the mutex. */
int ktrack_net_tunable_set(struct ktrack_net *kn, enum ktrack_tunable t, unsigned int val);

/* The source prefix length in force for @family. */
static inline unsigned int ktrack_src_prefix(const struct ktrack_net *kn, u8 family)
{
	return READ_ONCE(kn->tun[family == NFPROTO_IPV4 ? KTRACK_PER_SRC_PREFIX4 :
				 KTRACK_PER_SRC_PREFIX6]);
}

int ktrack_net_register(void);
void ktrack_net_unregister(void);

#endif /* _KTRACK_NET_H */
