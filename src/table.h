/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.h - the connection table of one network namespace.
 *
 * Buckets are singly linked RCU chains (8 bytes a bucket, 8 bytes a link in the entry); readers never
 * lock. Writers take the spinlock of the bucket's stripe. Each stripe also owns one FIFO list per
 * timeout class: every entry of a class on a stripe has the same timeout, so a list is in deadline
 * order and its head is the next to expire.
 */
#ifndef _KTRACK_TABLE_H
#define _KTRACK_TABLE_H

#include <linux/cache.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/percpu_counter.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>

#include "conn.h"

struct ktrack_pkt;

/* Timeout classes; the order matches the timeout tunables from KTRACK_TCP_TIMEOUT_SYN_SENT on. */
enum ktrack_class {
	KTRACK_CLASS_SYN_SENT,
	KTRACK_CLASS_SYN_RECV,
	KTRACK_CLASS_ESTABLISHED,
	KTRACK_CLASS_FIN_WAIT,
	KTRACK_CLASS_CLOSE_WAIT,
	KTRACK_CLASS_LAST_ACK,
	KTRACK_CLASS_TIME_WAIT,
	KTRACK_CLASS_CLOSE,
	KTRACK_CLASS_UDP,		/* UDP not answered */
	KTRACK_CLASS_UDP_STREAM,	/* UDP answered */
	KTRACK_CLASS_ICMP,
	KTRACK_NCLASSES
};

struct ktrack_stripe {
	spinlock_t lock;
	struct list_head expiry[KTRACK_NCLASSES];
} ____cacheline_aligned_in_smp;

struct ktrack_table {
	struct ktrack_conn __rcu **buckets;
	unsigned int nbuckets;		/* a power of two */
	unsigned int nstripes;		/* a power of two, at most nbuckets */
	struct ktrack_stripe *stripes;
	hsiphash_key_t key;
	struct percpu_counter count;	/* live entries */
	unsigned long evict_idle_until;	/* jiffies: a full scan found nothing to evict */
};

/*
 * Called by a walk under RCU (/proc/net/ktrack, the netlink dump) before bucket @b, where it holds
 * no entry: every 1024 buckets the read-side section ends and a reschedule is allowed, so that a
 * mostly empty table of millions of buckets is not scanned in one section, holding up grace
 * periods (under PREEMPT_RCU, for as long as the walker is preempted).
 */
static inline void ktrack_walk_pause(unsigned long b)
{
	if (b && !(b & 1023)) {
		rcu_read_unlock();
		cond_resched();
		rcu_read_lock();
	}
}

int ktrack_table_init(struct ktrack_table *t, unsigned int nbuckets);
/* Frees every entry; no reader or writer may remain. */
void ktrack_table_destroy(struct ktrack_table *t);

struct ktrack_conn *ktrack_table_lookup(const struct ktrack_table *t, const struct ktrack_pkt *pkt,
					enum ktrack_dir *dir);
/* Links @ct (not yet visible) on the tail of its class list; returns an entry with the same tuple
 * instead when there is one (then @ct is not linked). Takes the stripe lock itself.
 */
struct ktrack_conn *ktrack_table_insert(struct ktrack_table *t, struct ktrack_conn *ct);
/* Unlinks @ct from its chain and class list, marks it dead; stripe lock held. */
void ktrack_table_unlink(struct ktrack_table *t, struct ktrack_conn *ct);
/* The same when the caller has the entry's hash at hand. */
void __ktrack_table_unlink(struct ktrack_table *t, struct ktrack_conn *ct, u32 hash);

u32 ktrack_conn_hash(const struct ktrack_table *t, const struct ktrack_conn *ct);
/* The shape of the chains, for /proc/net/stat/ktrack_chains: buckets in use, entries, the longest. */
void ktrack_table_chains(const struct ktrack_table *t, unsigned int *used, unsigned long *entries,
			 unsigned int *longest);
struct ktrack_conn *ktrack_conn_alloc(bool v6, gfp_t gfp);
/* Frees @ct after an RCU grace period. */
void ktrack_conn_free_rcu(struct ktrack_conn *ct);
void ktrack_conn_free(struct ktrack_conn *ct);
int ktrack_conn_caches_init(void);
void ktrack_conn_caches_exit(void);

static inline struct ktrack_stripe *ktrack_stripe_of(const struct ktrack_table *t, u32 hash)
{
	return &t->stripes[hash & (t->nstripes - 1)];
}

static inline enum ktrack_class ktrack_conn_class(const struct ktrack_conn *ct)
{
	switch (ktrack_conn_l4(ct)) {
	case KTRACK_L4_TCP:
		return KTRACK_CLASS_SYN_SENT + ct->state - KTRACK_TCP_SYN_SENT;
	case KTRACK_L4_UDP:
		return ct->flags & KTRACK_F_REPLIED ? KTRACK_CLASS_UDP_STREAM : KTRACK_CLASS_UDP;
	default:
		return KTRACK_CLASS_ICMP;
	}
}

static inline u32 ktrack_now(void)
{
	return (u32)jiffies;
}

static inline bool ktrack_conn_expired(const struct ktrack_conn *ct, u32 now)
{
	return (s32)(READ_ONCE(ct->deadline) - now) <= 0;
}

#endif /* _KTRACK_TABLE_H */
