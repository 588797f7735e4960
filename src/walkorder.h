/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walkorder.h - the order in which a walk visits a hash that resizes (the connection table,
 * table.c, and each family's sources, source.c), so that a walk done in steps keeps its place
 * across a resize between two steps.
 *
 * The walk visits the entries in the order of bitrev32(hash), then of their address, and has passed
 * every entry before its place. A bucket of 2^k holds the entries whose bitrev32(hash) has the same
 * top k bits (the low k bits of the hash, reversed), so in that order a bucket is one stretch of the
 * walk, whatever the size: a resize between two steps splits or joins stretches and leaves the place
 * where it is. An entry alive for the whole walk is met exactly once.
 */
#ifndef _KTRACK_WALKORDER_H
#define _KTRACK_WALKORDER_H

#include <linux/bitrev.h>
#include <linux/log2.h>
#include <linux/types.h>

struct ktrack_walk {
	u64 rev;		/* bitrev32(hash) of the last entry passed; 1 << 32 at the end */
	unsigned long addr;	/* its address; 0: none of that rev passed yet */
};

#define KTRACK_WALK_END		(1ULL << 32)

static inline void ktrack_walk_init(struct ktrack_walk *w)
{
	w->rev = 0;
	w->addr = 0;
}

/*
 * The bucket of an array of @size (a power of two) where the stretch of @rev lies, and the rev
 * where that stretch ends.
 */
static inline unsigned int ktrack_walk_bucket(unsigned int size, u64 rev, u64 *end)
{
	unsigned int bits = ilog2(size);
	u64 step = KTRACK_WALK_END >> bits;
	u64 j = rev / step;

	*end = (j + 1) * step;
	return bits ? bitrev32((u32)(j << (32 - bits))) : 0;
}

/* Is the entry of key (@rev, @addr) after the place (@w_rev, @w_addr)? */
static inline bool ktrack_walk_after(u64 rev, unsigned long addr, u64 w_rev, unsigned long w_addr)
{
	return rev > w_rev || (rev == w_rev && addr > w_addr);
}

#endif /* _KTRACK_WALKORDER_H */
