// SPDX-License-Identifier: GPL-2.0
/*
 * source.c - per-source connection counts. A second RCU hash, keyed by the masked source address,
 * holds each source's live connections. Checking and counting is O(1): a lookup and a compare-and-
 * swap; nothing walks a list of that source's connections (nf_conncount's cost). A node is created
 * with its source's first connection and freed, after a grace period, when the count reaches 0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/netfilter.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>

#include "source.h"

void ktrack_src_mask(u8 family, const union ktrack_addr *addr, unsigned int prefix,
		     union ktrack_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == NFPROTO_IPV4)
		out->ip = addr->ip & inet_make_mask(prefix);
	else
		ipv6_addr_prefix(&out->in6, &addr->in6, prefix);
}

static u32 ktrack_src_hash(const struct ktrack_srctable *st, u8 family,
			   const union ktrack_addr *addr)
{
	if (family == NFPROTO_IPV4)
		return hsiphash_1u32((__force u32)addr->ip, &st->key);
	return hsiphash(&addr->in6, sizeof(addr->in6), &st->key);
}

static bool ktrack_src_equal(const struct ktrack_src *s, u8 family, const union ktrack_addr *addr)
{
	if (s->family != family)
		return false;
	if (family == NFPROTO_IPV4)
		return s->addr.ip == addr->ip;
	return ipv6_addr_equal(&s->addr.in6, &addr->in6);
}

static struct ktrack_src *ktrack_src_find(struct ktrack_srctable *st, u32 hash, u8 family,
					  const union ktrack_addr *addr)
{
	struct ktrack_src *s;

	hlist_for_each_entry_rcu(s, &st->buckets[hash & (st->nbuckets - 1)], node) {
		if (ktrack_src_equal(s, family, addr))
			return s;
	}
	return NULL;
}

/* Add one unless the count is 0 (the node is on its way out) or at @limit. */
static int ktrack_src_get(struct ktrack_src *s, unsigned int limit)
{
	int v = atomic_read(&s->live);

	do {
		if (v == 0)
			return -EAGAIN;
		if (limit && (unsigned int)v >= limit)
			return -EDQUOT;
	} while (!atomic_try_cmpxchg(&s->live, &v, v + 1));
	return 0;
}

int ktrack_src_acquire(struct ktrack_srctable *st, u8 family, const union ktrack_addr *addr,
		       unsigned int limit)
{
	u32 hash = ktrack_src_hash(st, family, addr);
	spinlock_t *lock = &st->locks[hash & (KTRACK_SRC_LOCKS - 1)];
	struct ktrack_src *s;
	int err;

	rcu_read_lock();
	s = ktrack_src_find(st, hash, family, addr);
	err = s ? ktrack_src_get(s, limit) : -EAGAIN;
	rcu_read_unlock();
	if (err != -EAGAIN)
		return err;

	/* First connection of this source (or its node is being freed): create it. */
	spin_lock_bh(lock);
	s = ktrack_src_find(st, hash, family, addr);
	if (s) {
		/* under the lock a node in the table has a count above 0 */
		err = ktrack_src_get(s, limit);
		spin_unlock_bh(lock);
		return err;
	}
	s = kmalloc(sizeof(*s), GFP_ATOMIC);
	if (!s) {
		spin_unlock_bh(lock);
		return -ENOMEM;
	}
	s->addr = *addr;
	s->family = family;
	atomic_set(&s->live, 1);
	hlist_add_head_rcu(&s->node, &st->buckets[hash & (st->nbuckets - 1)]);
	atomic_inc(&st->nsources);
	spin_unlock_bh(lock);
	return 0;
}

void ktrack_src_release(struct ktrack_srctable *st, u8 family, const union ktrack_addr *addr)
{
	u32 hash = ktrack_src_hash(st, family, addr);
	spinlock_t *lock = &st->locks[hash & (KTRACK_SRC_LOCKS - 1)];
	struct ktrack_src *s;

	rcu_read_lock();
	s = ktrack_src_find(st, hash, family, addr);
	if (WARN_ON_ONCE(!s)) {
		rcu_read_unlock();
		return;
	}
	/* The last connection frees the node, under the lock creators take. */
	local_bh_disable();
	if (atomic_dec_and_lock(&s->live, lock)) {
		hlist_del_rcu(&s->node);
		atomic_dec(&st->nsources);
		spin_unlock(lock);
		kfree_rcu(s, rcu);
	}
	local_bh_enable();
	rcu_read_unlock();
}

int ktrack_src_init(struct ktrack_srctable *st, unsigned int nbuckets)
{
	unsigned int i;

	st->nbuckets = roundup_pow_of_two(max(nbuckets, 256U));
	st->buckets = kvcalloc(st->nbuckets, sizeof(*st->buckets), GFP_KERNEL);
	if (!st->buckets)
		return -ENOMEM;
	for (i = 0; i < KTRACK_SRC_LOCKS; i++)
		spin_lock_init(&st->locks[i]);
	get_random_bytes(&st->key, sizeof(st->key));
	atomic_set(&st->nsources, 0);
	return 0;
}

void ktrack_src_destroy(struct ktrack_srctable *st)
{
	struct ktrack_src *s;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < st->nbuckets; i++) {
		hlist_for_each_entry_safe(s, tmp, &st->buckets[i], node) {
			hlist_del(&s->node);
			kfree(s);
		}
	}
	kvfree(st->buckets);
}
