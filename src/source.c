// SPDX-License-Identifier: GPL-2.0
/*
 * source.c - per-source connection counts. A second RCU hash, keyed by the masked source address,
 * holds each source's live connections. Checking and counting is O(1): a lookup and a compare-and-
 * swap; nothing walks a list of that source's connections (nf_conncount's cost). A node is created
 * with its source's first connection and freed when the count reaches 0.
 *
 * Size: a node is 20 bytes (IPv4) or 32 (IPv6), slab objects of 32 and 40, with no rcu_head: the
 * caches are SLAB_TYPESAFE_BY_RCU, as nf_conntrack's, so a node may be reused at once, but only for
 * another node of the same family; the caches are global, so the node may go to another table (a
 * netns) for the same address. (With kfree_rcu an IPv4 node would be a 40-byte object.) The rules
 * that make that safe:
 *  - a node's word ref is its table's id (high 32 bits) and its count (low 32 bits); table ids
 *    are unique among live tables (an IDA) and never 0;
 *  - a node's count goes 1 -> 0 only under its bucket's lock, which unlinks and frees it there;
 *    a lockless reader never raises a count from 0, nor on a node whose id is not its table's:
 *    it raises with a compare-and-swap of the whole word, so it never holds a count of another
 *    table's node, and a node it holds a count of stays its table's and keeps its address;
 *  - a new node gets its address while its count is 0, then its table's id and the count 1 in one
 *    store (release), then it is linked: a reader that saw its id with a count above 0 (acquire)
 *    sees the address that goes with it;
 *  - a lockless reader that raised a count checks the address again and, if the node now belongs
 *    to another source (of its own table: the id said so), gives the count back to that source;
 *    one that wandered into another chain (following a reused node, maybe into another table's
 *    buckets) may miss, and a miss is settled under the lock;
 *  - a table going away sets its nodes' words to 0 before freeing them, so no node keeps its id
 *    for a later table that gets the same id.
 * Each family has its own buckets, so a node is never compared with an address of the other family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/netfilter.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>

#include "source.h"

static struct kmem_cache *ktrack_src_cache[2] __read_mostly;
static DEFINE_IDA(ktrack_src_ida);	/* table ids */

/* A node's ref: its table's id and its count. */
static s64 ktrack_src_ref(u32 id, u32 live)
{
	return (s64)((u64)id << 32 | live);
}

static u32 ktrack_src_ref_id(s64 ref)
{
	return (u64)ref >> 32;
}

static u32 ktrack_src_ref_live(s64 ref)
{
	return (u32)ref;
}

int ktrack_src_caches_init(void)
{
	ktrack_src_cache[0] = kmem_cache_create("ktrack_src4", KTRACK_SRC_SIZE(false),
						__alignof__(struct ktrack_src),
						SLAB_TYPESAFE_BY_RCU, NULL);
	ktrack_src_cache[1] = kmem_cache_create("ktrack_src6", KTRACK_SRC_SIZE(true),
						__alignof__(struct ktrack_src),
						SLAB_TYPESAFE_BY_RCU, NULL);
	if (!ktrack_src_cache[0] || !ktrack_src_cache[1]) {
		ktrack_src_caches_exit();
		return -ENOMEM;
	}
	pr_debug("source node sizes: ipv4 %zu, ipv6 %zu bytes\n",
		 KTRACK_SRC_SIZE(false), KTRACK_SRC_SIZE(true));
	return 0;
}

void ktrack_src_caches_exit(void)
{
	kmem_cache_destroy(ktrack_src_cache[0]);
	kmem_cache_destroy(ktrack_src_cache[1]);
}

void ktrack_src_mask(u8 family, const union ktrack_addr *addr, unsigned int prefix,
		     union ktrack_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == NFPROTO_IPV4)
		out->ip = addr->ip & inet_make_mask(prefix);
	else
		ipv6_addr_prefix(&out->in6, &addr->in6, prefix);
}

static u32 ktrack_src_hash(const struct ktrack_srctable *st, bool v6,
			   const union ktrack_addr *addr)
{
	if (!v6)
		return hsiphash_1u32((__force u32)addr->ip, &st->key);
	return hsiphash(&addr->in6, sizeof(addr->in6), &st->key);
}

static spinlock_t *ktrack_src_lock(struct ktrack_srctable *st, u32 hash)
{
	return &st->locks[hash & (KTRACK_SRC_LOCKS - 1)];
}

static struct ktrack_src __rcu **ktrack_src_bucket(struct ktrack_srctable *st, bool v6, u32 hash)
{
	struct ktrack_srcfam *f = &st->fam[v6];

	return &f->buckets[hash & (f->nbuckets - 1)];
}

static bool ktrack_src_match(const struct ktrack_src *s, bool v6, const union ktrack_addr *addr)
{
	if (!v6)
		return READ_ONCE(s->addr[0]) == addr->ip;
	return ipv6_addr_equal((const struct in6_addr *)s->addr, &addr->in6);
}

static void ktrack_src_addr(const struct ktrack_src *s, bool v6, union ktrack_addr *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, s->addr, v6 ? sizeof(out->in6) : sizeof(out->ip));
}

/*
 * Lockless: @st's node of @addr with a count above 0, or NULL. The count may drop to 0 and the
 * node be reused right after, in this table or another; only a caller that holds one of its counts
 * (ktrack_src_get()) knows it stays.
 */
static struct ktrack_src *ktrack_src_find_rcu(struct ktrack_srctable *st, bool v6, u32 hash,
					      const union ktrack_addr *addr)
{
	struct ktrack_src *s;
	s64 ref;

	for (s = rcu_dereference(*ktrack_src_bucket(st, v6, hash)); s; s = rcu_dereference(s->next)) {
		if (!ktrack_src_match(s, v6, addr))
			continue;
		/* an id with a count above 0 comes with the address it was set with */
		ref = atomic64_read_acquire(&s->ref);
		if (ktrack_src_ref_id(ref) == st->id && ktrack_src_ref_live(ref) > 0 &&
		    ktrack_src_match(s, v6, addr))
			return s;
	}
	return NULL;
}

/*
 * Under the bucket's lock: the chain is stable and every node on it is @st's, with a count above 0
 * and an address that stays.
 */
static struct ktrack_src *ktrack_src_find_locked(struct ktrack_srctable *st, bool v6, u32 hash,
						 const union ktrack_addr *addr)
{
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_src *s;

	for (s = rcu_dereference_protected(*ktrack_src_bucket(st, v6, hash), lockdep_is_held(lock));
	     s; s = rcu_dereference_protected(s->next, lockdep_is_held(lock))) {
		if (ktrack_src_match(s, v6, addr))
			return s;
	}
	return NULL;
}

/*
 * Add one unless @s is not @st's, or its count is 0 (the node is free or on its way out), or at
 * @limit. Once it added, @s stays @st's and keeps its address until the count is given back.
 */
static int ktrack_src_get(struct ktrack_srctable *st, struct ktrack_src *s, unsigned int limit)
{
	s64 ref = atomic64_read(&s->ref);

	do {
		if (ktrack_src_ref_id(ref) != st->id || !ktrack_src_ref_live(ref))
			return -EAGAIN;
		if (limit && ktrack_src_ref_live(ref) >= limit)
			return -EDQUOT;
	} while (!atomic64_try_cmpxchg(&s->ref, &ref, ref + 1));
	return 0;
}

/*
 * Give back @n counts of @s, a node of @st whose counts the caller holds, @hash being its
 * address's; the last one unlinks and frees it.
 */
static void ktrack_src_put(struct ktrack_srctable *st, bool v6, struct ktrack_src *s, u32 hash,
			   unsigned int n)
{
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_src __rcu **pp;
	struct ktrack_src *p;

	local_bh_disable();
	/* lockless unless it reaches 0: that only under the lock (as atomic_dec_and_lock()) */
	if (atomic64_add_unless(&s->ref, -(s64)n, ktrack_src_ref(st->id, n))) {
		local_bh_enable();
		return;
	}
	spin_lock(lock);
	if (atomic64_sub_return(n, &s->ref) != ktrack_src_ref(st->id, 0)) {
		spin_unlock(lock);	/* a reader raised it meanwhile */
		local_bh_enable();
		return;
	}
	pp = ktrack_src_bucket(st, v6, hash);
	while ((p = rcu_dereference_protected(*pp, lockdep_is_held(lock))) != s)
		pp = &p->next;
	/* s->next stays: a reader standing on s goes on along the chain */
	RCU_INIT_POINTER(*pp, rcu_dereference_protected(s->next, lockdep_is_held(lock)));
	atomic_dec(&st->nsources);
	spin_unlock(lock);
	kmem_cache_free(ktrack_src_cache[v6], s);
	local_bh_enable();
}

/*
 * Lockless, on a node @s found under RCU: one count more if @s is @st's node of @addr: 0, or
 * -EDQUOT at @limit, or -EAGAIN when it is not (any more): free, another table's, or reused for
 * another source of @st.
 */
static int ktrack_src_hold(struct ktrack_srctable *st, bool v6, struct ktrack_src *s,
			   const union ktrack_addr *addr, unsigned int limit)
{
	union ktrack_addr other;
	int err;

	err = ktrack_src_get(st, s, limit);
	/* it may have gone to another source of @st since it matched */
	smp_rmb();
	if (err == -EAGAIN || ktrack_src_match(s, v6, addr))
		return err;
	if (!err) {
		/* @st's node (the id said so) of another source: give that source its count back */
		ktrack_src_addr(s, v6, &other);	/* stable: we hold a count */
		ktrack_src_put(st, v6, s, ktrack_src_hash(st, v6, &other), 1);
	}
	return -EAGAIN;
}

int ktrack_src_acquire(struct ktrack_srctable *st, u8 family, const union ktrack_addr *addr,
		       unsigned int limit)
{
	bool v6 = family == NFPROTO_IPV6;
	u32 hash = ktrack_src_hash(st, v6, addr);
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_src __rcu **head;
	struct ktrack_src *s;
	int err = -EAGAIN;

	rcu_read_lock();
	s = ktrack_src_find_rcu(st, v6, hash, addr);
	if (s)
		err = ktrack_src_hold(st, v6, s, addr, limit);
	rcu_read_unlock();
	if (err != -EAGAIN)
		return err;

	/* First connection of this source, or a lockless miss: settle it under the lock. */
	spin_lock_bh(lock);
	s = ktrack_src_find_locked(st, v6, hash, addr);
	if (s) {
		err = ktrack_src_get(st, s, limit);
		spin_unlock_bh(lock);
		return err;
	}
	s = kmem_cache_alloc(ktrack_src_cache[v6], GFP_ATOMIC);
	if (!s) {
		spin_unlock_bh(lock);
		return -ENOMEM;
	}
	/*
	 * Its count is 0 (freed at 0; a node never used is reached by no reader): readers of every
	 * table pass it by while the address changes.
	 */
	if (!v6)
		WRITE_ONCE(s->addr[0], addr->ip);
	else
		memcpy(s->addr, &addr->in6, sizeof(addr->in6));
	head = ktrack_src_bucket(st, v6, hash);
	RCU_INIT_POINTER(s->next, rcu_dereference_protected(*head, lockdep_is_held(lock)));
	atomic64_set_release(&s->ref, ktrack_src_ref(st->id, 1));
	rcu_assign_pointer(*head, s);
	atomic_inc(&st->nsources);
	spin_unlock_bh(lock);
	return 0;
}

void ktrack_src_release(struct ktrack_srctable *st, u8 family, const union ktrack_addr *addr)
{
	bool v6 = family == NFPROTO_IPV6;
	u32 hash = ktrack_src_hash(st, v6, addr);
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_src *s;

	/*
	 * The caller holds one of @addr's counts, so @addr has one live node in @st, which stays
	 * until that count is given back. A node found locklessly may be another (reused meanwhile,
	 * in @st or in another table) until it is known to be @st's and @addr's: by a count of our
	 * own, taken as acquire does, then given back with the caller's.
	 */
	rcu_read_lock();
	s = ktrack_src_find_rcu(st, v6, hash, addr);
	if (s && !ktrack_src_hold(st, v6, s, addr, 0)) {
		ktrack_src_put(st, v6, s, hash, 2);
		rcu_read_unlock();
		return;
	}
	spin_lock_bh(lock);
	s = ktrack_src_find_locked(st, v6, hash, addr);
	spin_unlock_bh(lock);
	if (!WARN_ON_ONCE(!s))
		ktrack_src_put(st, v6, s, hash, 1);
	rcu_read_unlock();
}

int ktrack_src_walk(struct ktrack_srctable *st, unsigned long *pos, unsigned long *skip,
		    ktrack_src_fn fn, void *arg)
{
	unsigned long n4 = st->fam[0].nbuckets, end = n4 + st->fam[1].nbuckets;
	unsigned long b = *pos, done = *skip;
	int ret = 0;

	for (; b < end; b++, done = 0) {
		bool v6 = b >= n4;
		unsigned long i = 0, idx = v6 ? b - n4 : b;
		spinlock_t *lock = &st->locks[idx & (KTRACK_SRC_LOCKS - 1)];
		struct ktrack_src *s;

		spin_lock_bh(lock);
		for (s = rcu_dereference_protected(st->fam[v6].buckets[idx], lockdep_is_held(lock));
		     s; s = rcu_dereference_protected(s->next, lockdep_is_held(lock))) {
			union ktrack_addr addr;

			if (i++ < done)
				continue;
			ktrack_src_addr(s, v6, &addr);
			ret = fn(arg, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4, &addr,
				 ktrack_src_ref_live(atomic64_read(&s->ref)));
			if (ret) {
				done = i - 1;
				break;
			}
		}
		spin_unlock_bh(lock);
		if (ret)
			break;
	}
	*pos = b;
	*skip = ret ? done : 0;
	return ret;
}

static int ktrack_srcfam_init(struct ktrack_srcfam *f, unsigned int nbuckets)
{
	f->nbuckets = roundup_pow_of_two(max_t(unsigned int, nbuckets, KTRACK_SRC_LOCKS));
	f->buckets = kvcalloc(f->nbuckets, sizeof(*f->buckets), GFP_KERNEL_ACCOUNT);
	return f->buckets ? 0 : -ENOMEM;
}

int ktrack_src_init(struct ktrack_srctable *st, unsigned int nbuckets4, unsigned int nbuckets6)
{
	unsigned int i;
	int id;

	if (ktrack_srcfam_init(&st->fam[0], nbuckets4))
		return -ENOMEM;
	if (ktrack_srcfam_init(&st->fam[1], nbuckets6))
		goto err_fam0;
	id = ida_alloc_min(&ktrack_src_ida, 1, GFP_KERNEL_ACCOUNT);
	if (id < 0)
		goto err_fam1;
	st->id = id;
	for (i = 0; i < KTRACK_SRC_LOCKS; i++)
		spin_lock_init(&st->locks[i]);
	get_random_bytes(&st->key, sizeof(st->key));
	atomic_set(&st->nsources, 0);
	return 0;

err_fam1:
	kvfree(st->fam[1].buckets);
err_fam0:
	kvfree(st->fam[0].buckets);
	return -ENOMEM;
}

/*
 * No reader and no writer of @st is left (the netns is going away); readers of other tables may
 * still stand on its nodes, and only read them.
 */
void ktrack_src_destroy(struct ktrack_srctable *st)
{
	struct ktrack_src *s, *next;
	unsigned int v6, i;

	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < st->fam[v6].nbuckets; i++) {
			for (s = rcu_dereference_raw(st->fam[v6].buckets[i]); s; s = next) {
				next = rcu_dereference_raw(s->next);
				/* no id: a later table with @st's id must not find it live */
				atomic64_set(&s->ref, 0);
				kmem_cache_free(ktrack_src_cache[v6], s);
			}
		}
		kvfree(st->fam[v6].buckets);
	}
	ida_free(&ktrack_src_ida, st->id);
}
