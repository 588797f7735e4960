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
 *
 * A family's buckets resize as the connection table's (table.c): a resize moves a bucket's nodes,
 * the last of its chain first, linked at the head of its new bucket and then cut from the old
 * chain, under the bucket's lock; a lockless lookup that misses in an array looks in its future.
 * The lock of a bucket is the low 8 bits of the hash at every size (never fewer buckets than locks),
 * so a bucket and what it splits into or joins with are under one lock. A lockless lookup that
 * misses still goes to the lock, as above, so a reader that strays during a move costs a lock, never
 * a wrong count.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitrev.h>
#include <linux/cache.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/netfilter.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>

#include "source.h"

#define KTRACK_SRC_SIZE_MAX	(1U << 26)

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

static struct ktrack_src __rcu **ktrack_src_bucket(struct ktrack_srcbuckets *tbl, u32 hash)
{
	return &tbl->b[hash & (tbl->size - 1)];
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
	struct ktrack_srcbuckets *tbl = rcu_dereference(st->fam[v6].tbl);
	struct ktrack_src *s;
	s64 ref;

	do {
		for (s = rcu_dereference(*ktrack_src_bucket(tbl, hash)); s;
		     s = rcu_dereference(s->next)) {
			if (!ktrack_src_match(s, v6, addr))
				continue;
			/* an id with a count above 0 comes with the address it was set with */
			ref = atomic64_read_acquire(&s->ref);
			if (ktrack_src_ref_id(ref) == st->id && ktrack_src_ref_live(ref) > 0 &&
			    ktrack_src_match(s, v6, addr))
				return s;
		}
		/* it may have been moved on to the future array since: look there (see top) */
		smp_rmb();
		tbl = rcu_dereference(tbl->future);
	} while (unlikely(tbl));
	return NULL;
}

/*
 * Under the bucket's lock: the chains are stable (a resize moves them under it too) and every node
 * on them is @st's, with a count above 0 and an address that stays. The link that points to
 * @addr's node, in whichever array holds it, or NULL; *@newest: the newest array, where a new
 * node goes. Under rcu_read_lock(), for the arrays.
 */
static struct ktrack_src __rcu **ktrack_src_find_locked(struct ktrack_srctable *st, bool v6,
							u32 hash, const union ktrack_addr *addr,
							struct ktrack_srcbuckets **newest)
{
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_srcbuckets *tbl;
	struct ktrack_src __rcu **pp;
	struct ktrack_src *s;

	for (tbl = rcu_dereference(st->fam[v6].tbl); tbl; tbl = rcu_dereference(tbl->future)) {
		*newest = tbl;
		for (pp = ktrack_src_bucket(tbl, hash);
		     (s = rcu_dereference_protected(*pp, lockdep_is_held(lock))); pp = &s->next) {
			if (ktrack_src_match(s, v6, addr))
				return pp;
		}
	}
	return NULL;
}

/* The node a link found by ktrack_src_find_locked() points to. */
static struct ktrack_src *ktrack_src_at(struct ktrack_src __rcu **pp, spinlock_t *lock)
{
	return rcu_dereference_protected(*pp, lockdep_is_held(lock));
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
	struct ktrack_srcbuckets *newest;
	struct ktrack_src __rcu **pp;
	union ktrack_addr addr;

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
	ktrack_src_addr(s, v6, &addr);
	rcu_read_lock();
	pp = ktrack_src_find_locked(st, v6, hash, &addr, &newest);
	if (WARN_ON_ONCE(!pp || ktrack_src_at(pp, lock) != s)) {
		/* not in its chain: left as it is, rather than freed where a reader may reach it */
		rcu_read_unlock();
		spin_unlock(lock);
		local_bh_enable();
		return;
	}
	/* s->next stays: a reader standing on s goes on along the chain */
	RCU_INIT_POINTER(*pp, rcu_dereference_protected(s->next, lockdep_is_held(lock)));
	rcu_read_unlock();
	atomic_dec(&st->fam[v6].nsources);
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
	struct ktrack_srcfam *f = &st->fam[v6];
	u32 hash = ktrack_src_hash(st, v6, addr);
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_src __rcu **pp, **head;
	struct ktrack_srcbuckets *newest;
	struct ktrack_src *s;
	int err = -EAGAIN;

	rcu_read_lock();
	s = ktrack_src_find_rcu(st, v6, hash, addr);
	if (s)
		err = ktrack_src_hold(st, v6, s, addr, limit);
	if (err != -EAGAIN) {
		rcu_read_unlock();
		return err;
	}

	/* First connection of this source, or a lockless miss: settle it under the lock. */
	spin_lock_bh(lock);
	pp = ktrack_src_find_locked(st, v6, hash, addr, &newest);
	if (pp) {
		err = ktrack_src_get(st, ktrack_src_at(pp, lock), limit);
		goto out;
	}
	s = kmem_cache_alloc(ktrack_src_cache[v6], GFP_ATOMIC);
	if (!s) {
		err = -ENOMEM;
		goto out;
	}
	/*
	 * Its count is 0 (freed at 0; a node never used is reached by no reader): readers of every
	 * table pass it by while the address changes.
	 */
	if (!v6)
		WRITE_ONCE(s->addr[0], addr->ip);
	else
		memcpy(s->addr, &addr->in6, sizeof(addr->in6));
	/* into the newest array: a resize that runs has moved this bucket already, or will */
	head = ktrack_src_bucket(newest, hash);
	RCU_INIT_POINTER(s->next, rcu_dereference_protected(*head, lockdep_is_held(lock)));
	atomic64_set_release(&s->ref, ktrack_src_ref(st->id, 1));
	rcu_assign_pointer(*head, s);
	/* once past it, the family is off until resize.c arms it again */
	if (unlikely((unsigned int)atomic_inc_return(&f->nsources) > READ_ONCE(f->grow_above))) {
		WRITE_ONCE(f->grow_above, UINT_MAX);
		WRITE_ONCE(st->grow, true);
	}
	err = 0;
out:
	spin_unlock_bh(lock);
	rcu_read_unlock();
	return err;
}

void ktrack_src_release(struct ktrack_srctable *st, u8 family, const union ktrack_addr *addr)
{
	bool v6 = family == NFPROTO_IPV6;
	u32 hash = ktrack_src_hash(st, v6, addr);
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_srcbuckets *newest;
	struct ktrack_src __rcu **pp;
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
	pp = ktrack_src_find_locked(st, v6, hash, addr, &newest);
	s = pp ? ktrack_src_at(pp, lock) : NULL;
	spin_unlock_bh(lock);
	if (!WARN_ON_ONCE(!s))
		ktrack_src_put(st, v6, s, hash, 1);
	rcu_read_unlock();
}

/* The one array, for a caller that holds resize_mutex: no resize runs. */
static struct ktrack_srcbuckets *ktrack_src_buckets(struct ktrack_srctable *st, bool v6)
{
	return rcu_dereference_protected(st->fam[v6].tbl, lockdep_is_held(&st->resize_mutex));
}

/*
 * Of bucket @b's chain, under its lock, the node least after the place (@w_rev, @w_addr) (a chain
 * is in no order), with its key in *@rev; NULL when none is after it.
 */
static struct ktrack_src *ktrack_src_walk_least(struct ktrack_srctable *st, bool v6,
						struct ktrack_srcbuckets *tbl, unsigned int b,
						u64 w_rev, unsigned long w_addr, u64 *rev)
{
	spinlock_t *lock = &st->locks[b & (KTRACK_SRC_LOCKS - 1)];
	struct ktrack_src *s, *best = NULL;
	union ktrack_addr addr;
	u64 r;

	for (s = rcu_dereference_protected(tbl->b[b], lockdep_is_held(lock)); s;
	     s = rcu_dereference_protected(s->next, lockdep_is_held(lock))) {
		ktrack_src_addr(s, v6, &addr);
		r = bitrev32(ktrack_src_hash(st, v6, &addr));
		if (!ktrack_walk_after(r, (unsigned long)s, w_rev, w_addr))
			continue;
		if (!best || !ktrack_walk_after(r, (unsigned long)s, *rev, (unsigned long)best)) {
			best = s;
			*rev = r;
		}
	}
	return best;
}

int ktrack_src_walk(struct ktrack_srctable *st, bool v6, struct ktrack_walk *w, ktrack_src_fn fn,
		    void *arg)
{
	u8 family = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	struct ktrack_srcbuckets *tbl;
	unsigned long n = 0;
	int ret = 0;

	mutex_lock(&st->resize_mutex);
	tbl = ktrack_src_buckets(st, v6);
	while (!ret && w->rev < KTRACK_WALK_END) {
		unsigned int b;
		spinlock_t *lock;
		struct ktrack_src *s;
		union ktrack_addr addr;
		u64 end, rev = 0;

		b = ktrack_walk_bucket(tbl->size, w->rev, &end);
		lock = &st->locks[b & (KTRACK_SRC_LOCKS - 1)];
		spin_lock_bh(lock);
		rcu_read_lock();	/* for @fn */
		while ((s = ktrack_src_walk_least(st, v6, tbl, b, w->rev, w->addr, &rev))) {
			ktrack_src_addr(s, v6, &addr);
			ret = fn(arg, family, &addr, ktrack_src_ref_live(atomic64_read(&s->ref)));
			if (ret)
				break;
			w->rev = rev;
			w->addr = (unsigned long)s;
		}
		rcu_read_unlock();
		spin_unlock_bh(lock);
		if (!ret) {
			/* that stretch is done */
			w->rev = end;
			w->addr = 0;
		}
		if (!(++n & 1023))
			cond_resched();
	}
	mutex_unlock(&st->resize_mutex);
	return ret;
}

void ktrack_src_chains(struct ktrack_srctable *st, bool v6, unsigned int *used,
		       unsigned long *entries, unsigned int *longest)
{
	struct ktrack_srcbuckets *tbl;
	struct ktrack_src *s;
	unsigned int i, len;

	*used = 0;
	*entries = 0;
	*longest = 0;
	mutex_lock(&st->resize_mutex);
	tbl = ktrack_src_buckets(st, v6);
	rcu_read_lock();
	for (i = 0; i < tbl->size; i++) {
		len = 0;
		for (s = rcu_dereference(tbl->b[i]); s; s = rcu_dereference(s->next))
			len++;
		*used += len > 0;
		*entries += len;
		*longest = max(*longest, len);
		if ((i & 0xffff) == 0xffff) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	mutex_unlock(&st->resize_mutex);
}

/* The array apart from its header, as the connection table's (table.c). */
static struct ktrack_srcbuckets *ktrack_srcbuckets_alloc(unsigned int size, gfp_t gfp)
{
	struct ktrack_srcbuckets *tbl = kzalloc(sizeof(*tbl), gfp);

	if (!tbl)
		return NULL;
	tbl->b = kvcalloc(size, sizeof(*tbl->b), gfp);
	if (!tbl->b) {
		kfree(tbl);
		return NULL;
	}
	tbl->size = size;
	return tbl;
}

static void ktrack_srcbuckets_free(struct ktrack_srcbuckets *tbl)
{
	kvfree(tbl->b);
	kfree(tbl);
}

/* Moves the nodes of @old's bucket @i to @new; the bucket's lock held. */
static void ktrack_srcbuckets_move(struct ktrack_srctable *st, bool v6,
				   struct ktrack_srcbuckets *old, unsigned int i,
				   struct ktrack_srcbuckets *new, spinlock_t *lock)
{
	struct ktrack_src __rcu **pp, **head;
	struct ktrack_src *s, *next;
	union ktrack_addr addr;

	for (;;) {
		pp = &old->b[i];
		s = rcu_dereference_protected(*pp, lockdep_is_held(lock));
		if (!s)
			return;
		/* the last of the chain: no reader can pass anything by following it elsewhere */
		while ((next = rcu_dereference_protected(s->next, lockdep_is_held(lock)))) {
			pp = &s->next;
			s = next;
		}
		ktrack_src_addr(s, v6, &addr);
		head = ktrack_src_bucket(new, ktrack_src_hash(st, v6, &addr));
		rcu_assign_pointer(s->next, rcu_dereference_protected(*head, lockdep_is_held(lock)));
		rcu_assign_pointer(*head, s);
		/* linked in the new array before it leaves the old one */
		smp_wmb();
		RCU_INIT_POINTER(*pp, NULL);
	}
}

int ktrack_src_resize(struct ktrack_srctable *st, bool v6, unsigned int size)
{
	struct ktrack_srcbuckets *old = ktrack_src_buckets(st, v6), *new;
	struct ktrack_srcfam *f = &st->fam[v6];
	unsigned int i;

	lockdep_assert_held(&st->resize_mutex);
	if (WARN_ON_ONCE(!is_power_of_2(size) || size < KTRACK_SRC_LOCKS))
		return -EINVAL;
	new = ktrack_srcbuckets_alloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!new)
		return -ENOMEM;
	rcu_assign_pointer(old->future, new);
	for (i = 0; i < old->size; i++) {
		spinlock_t *lock = &st->locks[i & (KTRACK_SRC_LOCKS - 1)];

		spin_lock_bh(lock);
		ktrack_srcbuckets_move(st, v6, old, i, new, lock);
		spin_unlock_bh(lock);
		if ((i & 255) == 255)
			cond_resched();
	}
	rcu_assign_pointer(f->tbl, new);
	WRITE_ONCE(f->nbuckets, size);
	/* a reader or writer that took the old array may still look at it, and at its future */
	synchronize_rcu();
	ktrack_srcbuckets_free(old);
	return 0;
}

void ktrack_src_set_limit(struct ktrack_srctable *st, unsigned int max)
{
	unsigned int size = roundup_pow_of_two(clamp(max / 2, 1U, KTRACK_SRC_SIZE_MAX));
	int v6;

	for (v6 = 0; v6 < 2; v6++)
		WRITE_ONCE(st->fam[v6].max_size, max(size, st->fam[v6].min_size));
}

static int ktrack_srcfam_init(struct ktrack_srcfam *f, unsigned int nbuckets)
{
	struct ktrack_srcbuckets *tbl;

	nbuckets = roundup_pow_of_two(clamp(nbuckets, KTRACK_SRC_LOCKS, KTRACK_SRC_SIZE_MAX));
	tbl = ktrack_srcbuckets_alloc(nbuckets, GFP_KERNEL_ACCOUNT);
	if (!tbl)
		return -ENOMEM;
	RCU_INIT_POINTER(f->tbl, tbl);
	f->nbuckets = nbuckets;
	f->min_size = nbuckets;
	f->max_size = nbuckets;
	f->grow_above = UINT_MAX;
	atomic_set(&f->nsources, 0);
	return 0;
}

static void ktrack_srcfam_destroy(struct ktrack_srcfam *f, bool v6)
{
	struct ktrack_srcbuckets *tbl = rcu_dereference_protected(f->tbl, true);
	struct ktrack_src *s, *next;
	unsigned int i;

	/* no resize runs (resize.c stops first), so the nodes are all in the one array */
	WARN_ON_ONCE(rcu_access_pointer(tbl->future));
	for (i = 0; i < tbl->size; i++) {
		for (s = rcu_dereference_raw(tbl->b[i]); s; s = next) {
			next = rcu_dereference_raw(s->next);
			/* no id: a later table with @st's id must not find it live */
			atomic64_set(&s->ref, 0);
			kmem_cache_free(ktrack_src_cache[v6], s);
		}
		if (!(i & 0xffff))
			cond_resched();
	}
	ktrack_srcbuckets_free(tbl);
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
	st->grow = false;
	mutex_init(&st->resize_mutex);
	for (i = 0; i < KTRACK_SRC_LOCKS; i++)
		spin_lock_init(&st->locks[i]);
	get_random_bytes(&st->key, sizeof(st->key));
	return 0;

err_fam1:
	ktrack_srcfam_destroy(&st->fam[1], true);
err_fam0:
	ktrack_srcfam_destroy(&st->fam[0], false);
	return -ENOMEM;
}

/*
 * No reader and no writer of @st is left (the netns is going away); readers of other tables may
 * still stand on its nodes, and only read them.
 */
void ktrack_src_destroy(struct ktrack_srctable *st)
{
	ktrack_srcfam_destroy(&st->fam[0], false);
	ktrack_srcfam_destroy(&st->fam[1], true);
	mutex_destroy(&st->resize_mutex);
	ida_free(&ktrack_src_ida, st->id);
}
