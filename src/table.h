/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.h - the connection table of one network namespace.
 *
 * Buckets are singly linked RCU chains (8 bytes a bucket, 8 bytes a link in the entry); readers never
 * lock. Writers take the spinlock of the bucket's stripe. The bucket array changes size with the
 * load (resize.c) while traffic flows, as lib/rhashtable.c does it: a resize links a second array
 * behind the first (its future) and moves the entries over a bucket at a time, under the stripe
 * locks; inserts go to the newest array, and a lookup that misses in one array looks in its future.
 * The hash key and the stripe count never change, and a bucket is always under the stripe of the
 * same low bits of the hash (there are at least as many buckets as stripes), so an entry never
 * changes stripe: its expiry list, its memo and the eviction are not touched by a resize.
 *
 * Each stripe also owns one FIFO list per timeout class. An entry is queued at the tail of its
 * class's list with the time (its stamp) and expires when it has been idle for the class's timeout
 * in force, so a list is in stamp order and its head is the next to expire whatever the tunables
 * do: a timeout that is lowered or raised applies at once to every entry of its class. A stripe
 * also remembers the last ignored SYN of up to KTRACK_STRIPE_MEMOS of its entries (nf_conntrack
 * keeps that in every entry; here it costs nothing per entry), for the TCP resync (tcp.c).
 */
#ifndef _KTRACK_TABLE_H
#define _KTRACK_TABLE_H

#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu_counter.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>

#include "conn.h"
#include "tcp.h"
#include "walkorder.h"

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
	KTRACK_CLASS_UNACK,		/* TCP picked up (loose) and not answered */
	KTRACK_NCLASSES
};

/* One remembered ignored SYN: whose, and what tcp.c needs of it. */
struct ktrack_stripe_memo {
	const struct ktrack_conn *ct;	/* NULL: free */
	struct ktrack_tcp_memo m;
};

#define KTRACK_STRIPE_MEMOS	2

struct ktrack_stripe {
	spinlock_t lock;
	struct list_head expiry[KTRACK_NCLASSES];
	struct ktrack_stripe_memo memo[KTRACK_STRIPE_MEMOS];
} ____cacheline_aligned_in_smp;

/* One bucket array. */
struct ktrack_buckets {
	unsigned int size;			/* a power of two, at least the stripe count */
	struct ktrack_buckets __rcu *future;	/* the array a resize is moving the entries to */
	struct ktrack_conn __rcu **b;
};

/* An automatic table's initial size and floor: 2 KiB of buckets (at least one per stripe). */
#define KTRACK_TABLE_FLOOR	256U

struct ktrack_table {
	struct ktrack_buckets __rcu *tbl;	/* the current array */
	unsigned int nbuckets;		/* its size (net.ktrack.buckets), written under resize_mutex */
	unsigned int grow_above;	/* count past which it should grow (resize.c) */
	struct percpu_counter count;	/* live entries, per CPU in steps of count_batch */
	s32 count_batch;		/* small enough that count is within max_conns / 64 */
	s64 count_slack;		/* count_batch times the CPUs: the count's largest error */
	unsigned int nstripes;		/* a power of two, at most min_size */
	struct ktrack_stripe *stripes;
	hsiphash_key_t key;
	unsigned int min_size;		/* the bounds of a resize, powers of two */
	unsigned int max_size;		/* room for max_conns at 2 per bucket */
	struct mutex resize_mutex;	/* held by a resize, and by a walk: it sees one array */
	unsigned long evict_idle_until;	/* jiffies: a full scan found nothing to evict */
	unsigned long full_until;	/* jiffies: an exact count found the table full */
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

/*
 * @nbuckets: the initial size, rounded up to a power of two, and the smallest a resize goes to;
 * @nstripes: 0 for nbuckets / 16 (at most 1024), else rounded up to a power of two (at most
 * nbuckets: more buckets are made if need be).
 */
int ktrack_table_init(struct ktrack_table *t, unsigned int nbuckets, unsigned int nstripes);
/*
 * The limit the count is checked against changed: the count's per-CPU step follows it, and so
 * does the largest size a resize goes to.
 */
void ktrack_table_set_limit(struct ktrack_table *t, unsigned int max);
/*
 * Moves every entry to a new array of @size buckets (a power of two, at least the stripe count),
 * a bucket at a time; lookups, inserts and unlinks go on meanwhile. resize_mutex held; may sleep.
 * -ENOMEM: the table is as it was.
 */
int ktrack_table_resize(struct ktrack_table *t, unsigned int size);
/* Largest error of percpu_counter_read(&t->count), in entries. */
static inline s64 ktrack_table_count_slack(const struct ktrack_table *t)
{
	return READ_ONCE(t->count_slack);
}
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
/*
 * The next entry after @w's place (setting the place to it), or NULL at the end. Under
 * rcu_read_lock() with resize_mutex held; every 1024 buckets it passes without an entry, it lets
 * the read side end (ktrack_walk_pause()), so an entry it returned before is not to be used after.
 */
struct ktrack_conn *ktrack_table_walk_next(struct ktrack_table *t, struct ktrack_walk *w);

/* The array, for a caller that holds resize_mutex: no resize runs, so there is only that one. */
static inline struct ktrack_buckets *ktrack_table_buckets(struct ktrack_table *t)
{
	return rcu_dereference_protected(t->tbl, lockdep_is_held(&t->resize_mutex));
}

/* The shape of the chains, for /proc/net/ktrack_chains: buckets in use, entries, the longest. */
void ktrack_table_chains(struct ktrack_table *t, unsigned int *used, unsigned long *entries,
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
		/* a pickup unanswered: only one side was ever seen (nf_conntrack's UNACK cap) */
		if (ct->state == KTRACK_TCP_ESTABLISHED && !(ct->flags & KTRACK_F_REPLIED))
			return KTRACK_CLASS_UNACK;
		return KTRACK_CLASS_SYN_SENT + ct->state - KTRACK_TCP_SYN_SENT;
	case KTRACK_L4_UDP:
		return ct->flags & KTRACK_F_STREAM ? KTRACK_CLASS_UDP_STREAM : KTRACK_CLASS_UDP;
	default:
		return KTRACK_CLASS_ICMP;
	}
}

static inline u32 ktrack_now(void)
{
	return (u32)jiffies;
}

/* Jiffies @ct has been idle (since it was last queued). */
static inline s32 ktrack_conn_idle(const struct ktrack_conn *ct, u32 now)
{
	return (s32)(now - READ_ONCE(ct->stamp));
}

/* The remembered SYN of @ct on its stripe @s, or NULL; @s->lock held. */
static inline struct ktrack_stripe_memo *ktrack_stripe_memo_of(struct ktrack_stripe *s,
							      const struct ktrack_conn *ct)
{
	int i;

	for (i = 0; i < KTRACK_STRIPE_MEMOS; i++)
		if (s->memo[i].ct == ct)
			return &s->memo[i];
	return NULL;
}

#endif /* _KTRACK_TABLE_H */
