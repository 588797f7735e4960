/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - live connections per masked source address, for per-source limits.
 */
#ifndef _KTRACK_SOURCE_H
#define _KTRACK_SOURCE_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/stddef.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>

#include "parse.h"

#define KTRACK_SRC_LOCKS	256

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

/* One family's buckets: a v4 node is only ever linked in the v4 buckets, and so on. */
struct ktrack_srcfam {
	struct ktrack_src __rcu **buckets;
	unsigned int nbuckets;		/* a power of two, at least KTRACK_SRC_LOCKS */
};

struct ktrack_srctable {
	struct ktrack_srcfam fam[2];	/* [0] IPv4, [1] IPv6 */
	spinlock_t locks[KTRACK_SRC_LOCKS];
	hsiphash_key_t key;
	atomic_t nsources;
	u32 id;				/* in its nodes' ref; unique among live tables, not 0 */
};

int ktrack_src_caches_init(void);
void ktrack_src_caches_exit(void);

/*
 * @nbuckets4/@nbuckets6: bucket counts wanted for each family (rounded up, at least 256). Its
 * allocations are charged to the caller's memory cgroup (the creator of the netns).
 */
int ktrack_src_init(struct ktrack_srctable *st, unsigned int nbuckets4, unsigned int nbuckets6);
void ktrack_src_destroy(struct ktrack_srctable *st);

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
 * Calls @fn for every source, IPv4 then IPv6, from the position in *@pos (a bucket over both
 * families) and *@skip (sources of that bucket already passed); each bucket is read under its lock,
 * so @fn sees it as it is. When @fn returns non-zero the walk stops there, with *@pos and *@skip
 * set to resume at that source. Returns @fn's non-zero value, or 0 at the end.
 */
typedef int (*ktrack_src_fn)(void *arg, u8 family, const union ktrack_addr *addr,
			     unsigned int live);
int ktrack_src_walk(struct ktrack_srctable *st, unsigned long *pos, unsigned long *skip,
		    ktrack_src_fn fn, void *arg);

#endif /* _KTRACK_SOURCE_H */
