/* SPDX-License-Identifier: GPL-2.0 */
/*
 * source.h - live connections per masked source address, for per-source limits.
 */
#ifndef _KTRACK_SOURCE_H
#define _KTRACK_SOURCE_H

#include <linux/atomic.h>
#include <linux/rculist.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>

#include "parse.h"

#define KTRACK_SRC_LOCKS	256

/* One source: a masked address with at least one live connection. */
struct ktrack_src {
	struct hlist_node node;		/* in its bucket, RCU */
	struct rcu_head rcu;
	union ktrack_addr addr;		/* masked by the netns's prefix length */
	u8 family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	atomic_t live;			/* live connections; freed when it reaches 0 */
};

struct ktrack_srctable {
	struct hlist_head *buckets;
	unsigned int nbuckets;		/* a power of two */
	spinlock_t locks[KTRACK_SRC_LOCKS];
	hsiphash_key_t key;
	atomic_t nsources;
};

int ktrack_src_init(struct ktrack_srctable *st, unsigned int nbuckets);
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

#endif /* _KTRACK_SOURCE_H */
