/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - live connections per masked source address, for per-source limits.
 */
#ifndef _KTRACK_SOURCE_H
#define _KTRACK_SOURCE_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/stddef.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>

#include "parse.h"
#include "walkorder.h"

#define KTRACK_SRC_LOCKS	256U

/*
 * One source: a masked address with at least one live connection; 20 bytes for IPv4, 32 for IPv6
 * (slab objects of 32 and 40: SLUB keeps a typesafe cache's free pointer after the object). Nodes
 * come from SLAB_TYPESAFE_BY_RCU caches shared by every table (every netns): a reader may meet a
 * node that was freed and reused for another source of the same family, in its own table or in
 * another's. So the count and the id of the table the node belongs to are one word, and a reader
 * raises the count only with a compare-and-swap of that word that finds its own table's id there;
 * once it holds a count, it checks the address again (source.c).
 */
struct ktrack_src {
	struct ktrack_src __rcu *next;	/* bucket chain, singly linked, walked under RCU */
	atomic64_t ref;			/* table id << 32 | live; live 0: free or being freed */
	__be32 addr[];			/* 1 word (IPv4) or 4 (IPv6) */
};

#define KTRACK_SRC_SIZE(v6)	(offsetof(struct ktrack_src, addr) + \
				 ((v6) ? sizeof(struct in6_addr) : sizeof(__be32)))

/* One bucket array of a family. */
struct ktrack_srcbuckets {
	unsigned int size;			/* a power of two, at least KTRACK_SRC_LOCKS */
	struct ktrack_srcbuckets __rcu *future;	/* the array a resize is moving the nodes to */
	struct ktrack_src __rcu **b;
};

/*
 * One family's buckets: a v4 node is only ever linked in the v4 buckets, and so on. They resize as
 * the connection table's do (table.c; when: resize.c): a resize moves a bucket's nodes at a time
 * to a future array under the bucket's lock, and a lookup that misses in an array looks in its
 * future.
 */
struct ktrack_srcfam {
	struct ktrack_srcbuckets __rcu *tbl;	/* the current array */
	unsigned int nbuckets;		/* its size, written under the table's resize_mutex */
	unsigned int grow_above;	/* sources past which it should grow (resize.c) */
	atomic_t nsources;
	unsigned int min_size;		/* the bounds of a resize, powers of two */
	unsigned int max_size;
};

struct ktrack_srctable {
	struct ktrack_srcfam fam[2];	/* [0] IPv4, [1] IPv6 */
	hsiphash_key_t key;
	bool grow;			/* a family went past grow_above: for resize.c */
	u32 id;				/* in its nodes' ref; unique among live tables, not 0 */
	struct mutex resize_mutex;	/* held by a resize, and by a walk: it sees one array */
	spinlock_t locks[KTRACK_SRC_LOCKS];
};

int ktrack_src_caches_init(void);
void ktrack_src_caches_exit(void);

/*
 * @nbuckets4/@nbuckets6: the initial bucket counts of each family (rounded up, at least 256), also
 * the smallest a resize goes to. Its allocations are charged to the caller's memory cgroup (the
 * creator of the netns).
 */
int ktrack_src_init(struct ktrack_srctable *st, unsigned int nbuckets4, unsigned int nbuckets6);
void ktrack_src_destroy(struct ktrack_srctable *st);
/* max_conns changed: the largest size of a family is 2 sources a bucket at @max. */
void ktrack_src_set_limit(struct ktrack_srctable *st, unsigned int max);
/*
 * Moves every node of a family to a new array of @size buckets (a power of two, at least
 * KTRACK_SRC_LOCKS), a bucket at a time; acquires and releases go on meanwhile. resize_mutex held;
 * may sleep. -ENOMEM: the family is as it was.
 */
int ktrack_src_resize(struct ktrack_srctable *st, bool v6, unsigned int size);

/* Live sources of both families. */
static inline unsigned int ktrack_src_total(const struct ktrack_srctable *st)
{
	return atomic_read(&st->fam[0].nsources) + atomic_read(&st->fam[1].nsources);
}

/*
 * Count one more connection from @addr (already masked); refused with -EDQUOT when it has @limit
 * (0: no limit), -ENOMEM when its node cannot be allocated.
 */
int ktrack_src_acquire(struct ktrack_srctable *st, u8 family, const union ktrack_addr *addr,
		       unsigned int limit);
void ktrack_src_release(struct ktrack_srctable *st, u8 family, const union ktrack_addr *addr);

/* @addr masked to @prefix bits. */
void ktrack_src_mask(u8 family, const union ktrack_addr *addr, unsigned int prefix,
		     union ktrack_addr *out);

/*
 * Calls @fn for every source of a family after the place @w, in the order of walkorder.h, and moves
 * the place to each source that @fn took; each bucket is read under its lock, so @fn sees it as it
 * is (@fn is called under that lock and rcu_read_lock()). When @fn returns non-zero the walk stops there (the place before that source). Takes
 * resize_mutex: a walk done in steps meets each source alive for the whole of it once, whatever
 * resizes between the steps. Returns @fn's non-zero value, or 0 at the end (the place at
 * KTRACK_WALK_END).
 */
typedef int (*ktrack_src_fn)(void *arg, u8 family, const union ktrack_addr *addr,
			     unsigned int live);
int ktrack_src_walk(struct ktrack_srctable *st, bool v6, struct ktrack_walk *w, ktrack_src_fn fn,
		    void *arg);

/* The shape of a family's chains: buckets in use, sources, the longest (/proc/net/ktrack_chains). */
void ktrack_src_chains(struct ktrack_srctable *st, bool v6, unsigned int *used,
		       unsigned long *entries, unsigned int *longest);

#endif /* _KTRACK_SOURCE_H */
