// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - the connection table: a keyed symmetric hash (a connection is one entry, found from
 * either direction), RCU lookups, lock-striped inserts and unlinks, and the slab caches the entries
 * come from (one per address family, sized to the entry: 56 bytes for IPv4, 80 for IPv6); the move
 * of a resize, and the walk that a resize does not disturb.
 *
 * A resize moves the entries of an old bucket one at a time, the last of its chain first: linked
 * at the head of its new bucket, then cut from the old chain. A reader standing on it goes on into
 * the new chain (having passed the rest of the old one), a reader that comes after finds it in the
 * new array: the old array's future is set before the first move, and a miss in an array looks in
 * its future (lookups and inserts take the arrays from the newest to the oldest in the same way).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/bitrev.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/netfilter.h>
#include <net/ipv6.h>

#include "parse.h"
#include "table.h"

#define KTRACK_MAX_STRIPES	1024
#define KTRACK_TABLE_SIZE_MAX	(1U << 26)

static struct kmem_cache *ktrack_conn4_cache __read_mostly;
static struct kmem_cache *ktrack_conn6_cache __read_mostly;

int ktrack_conn_caches_init(void)
{
	ktrack_conn4_cache = KMEM_CACHE(ktrack_conn4, 0);
	ktrack_conn6_cache = KMEM_CACHE(ktrack_conn6, 0);
	if (!ktrack_conn4_cache || !ktrack_conn6_cache) {
		ktrack_conn_caches_exit();
		return -ENOMEM;
	}
	pr_debug("entry sizes: ipv4 %zu, ipv6 %zu bytes\n",
		 sizeof(struct ktrack_conn4), sizeof(struct ktrack_conn6));
	return 0;
}

void ktrack_conn_caches_exit(void)
{
	kmem_cache_destroy(ktrack_conn4_cache);
	kmem_cache_destroy(ktrack_conn6_cache);
}

struct ktrack_conn *ktrack_conn_alloc(bool v6, gfp_t gfp)
{
	struct ktrack_conn *ct;

	ct = kmem_cache_zalloc(v6 ? ktrack_conn6_cache : ktrack_conn4_cache, gfp);
	if (ct && v6)
		ct->flags = KTRACK_F_IPV6;
	return ct;
}

void ktrack_conn_free(struct ktrack_conn *ct)
{
	kmem_cache_free(ktrack_conn_is_v6(ct) ? ktrack_conn6_cache : ktrack_conn4_cache, ct);
}

static void ktrack_conn_free_cb(struct rcu_head *head)
{
	ktrack_conn_free(container_of(head, struct ktrack_conn, rcu));
}

void ktrack_conn_free_rcu(struct ktrack_conn *ct)
{
	call_rcu(&ct->rcu, ktrack_conn_free_cb);
}

/*
 * The hash is symmetric: the two endpoints (address, port) are put in a fixed order first, so both
 * directions of a connection land in the same bucket.
 */
static u32 ktrack_hash4(const struct ktrack_table *t, __be32 a1, __be16 p1, __be32 a2, __be16 p2,
			u8 l4)
{
	u32 x1 = (__force u32)a1, x2 = (__force u32)a2;
	u32 q1 = (__force u16)p1, q2 = (__force u16)p2;

	if (x1 > x2 || (x1 == x2 && q1 > q2)) {
		swap(x1, x2);
		swap(q1, q2);
	}
	return hsiphash_4u32(x1, x2, q1 << 16 | q2, l4, &t->key);
}

static u32 ktrack_hash6(const struct ktrack_table *t, const struct in6_addr *a1, __be16 p1,
			const struct in6_addr *a2, __be16 p2, u8 l4)
{
	struct {
		struct in6_addr lo, hi;
		u16 plo, phi;
		u32 l4;
	} k;
	int c = memcmp(a1, a2, sizeof(*a1));

	if (c > 0 || (c == 0 && (__force u16)p1 > (__force u16)p2)) {
		swap(a1, a2);
		swap(p1, p2);
	}
	k.lo = *a1;
	k.hi = *a2;
	k.plo = (__force u16)p1;
	k.phi = (__force u16)p2;
	k.l4 = l4;
	return hsiphash(&k, sizeof(k), &t->key);
}

static u32 ktrack_pkt_hash(const struct ktrack_table *t, const struct ktrack_pkt *pkt)
{
	if (pkt->family == NFPROTO_IPV4)
		return ktrack_hash4(t, pkt->saddr.ip, pkt->sport, pkt->daddr.ip, pkt->dport, pkt->l4);
	return ktrack_hash6(t, &pkt->saddr.in6, pkt->sport, &pkt->daddr.in6, pkt->dport, pkt->l4);
}

u32 ktrack_conn_hash(const struct ktrack_table *t, const struct ktrack_conn *ct)
{
	if (ktrack_conn_is_v6(ct)) {
		const struct ktrack_conn6 *c6 = container_of(ct, struct ktrack_conn6, c);

		return ktrack_hash6(t, &c6->saddr, ct->sport, &c6->daddr, ct->dport,
				    ktrack_conn_l4(ct));
	} else {
		const struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

		return ktrack_hash4(t, c4->saddr, ct->sport, c4->daddr, ct->dport,
				    ktrack_conn_l4(ct));
	}
}

/* Does @ct carry @pkt's tuple, and in which direction? */
static bool ktrack_conn_match(const struct ktrack_conn *ct, const struct ktrack_pkt *pkt,
			      enum ktrack_dir *dir)
{
	bool v6 = pkt->family == NFPROTO_IPV6;

	if (ktrack_conn_l4(ct) != pkt->l4 || ktrack_conn_is_v6(ct) != v6)
		return false;
	if (v6) {
		const struct ktrack_conn6 *c6 = container_of(ct, struct ktrack_conn6, c);

		if (ct->sport == pkt->sport && ct->dport == pkt->dport &&
		    ipv6_addr_equal(&c6->saddr, &pkt->saddr.in6) &&
		    ipv6_addr_equal(&c6->daddr, &pkt->daddr.in6)) {
			*dir = KTRACK_DIR_ORIG;
			return true;
		}
		if (ct->sport == pkt->dport && ct->dport == pkt->sport &&
		    ipv6_addr_equal(&c6->saddr, &pkt->daddr.in6) &&
		    ipv6_addr_equal(&c6->daddr, &pkt->saddr.in6)) {
			*dir = KTRACK_DIR_REPLY;
			return true;
		}
	} else {
		const struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

		if (ct->sport == pkt->sport && ct->dport == pkt->dport &&
		    c4->saddr == pkt->saddr.ip && c4->daddr == pkt->daddr.ip) {
			*dir = KTRACK_DIR_ORIG;
			return true;
		}
		if (ct->sport == pkt->dport && ct->dport == pkt->sport &&
		    c4->saddr == pkt->daddr.ip && c4->daddr == pkt->saddr.ip) {
			*dir = KTRACK_DIR_REPLY;
			return true;
		}
	}
	return false;
}

static struct ktrack_conn __rcu **ktrack_bucket(struct ktrack_buckets *tbl, u32 hash)
{
	return &tbl->b[hash & (tbl->size - 1)];
}

/* Called under rcu_read_lock(); the entry stays valid until the read side ends. */
struct ktrack_conn *ktrack_table_lookup(const struct ktrack_table *t, const struct ktrack_pkt *pkt,
					enum ktrack_dir *dir)
{
	u32 hash = ktrack_pkt_hash(t, pkt);
	struct ktrack_buckets *tbl = rcu_dereference(t->tbl);
	struct ktrack_conn *ct;

	do {
		for (ct = rcu_dereference(*ktrack_bucket(tbl, hash)); ct;
		     ct = rcu_dereference(ct->next)) {
			if (ktrack_conn_match(ct, pkt, dir))
				return ct;
		}
		/* it may have been moved on to the future array since: look there (see top) */
		smp_rmb();
		tbl = rcu_dereference(tbl->future);
	} while (unlikely(tbl));
	return NULL;
}

/* The tuple of @ct as a packet in the original direction, for matching. */
static void ktrack_conn_to_pkt(const struct ktrack_conn *ct, struct ktrack_pkt *pkt)
{
	pkt->l4 = ktrack_conn_l4(ct);
	pkt->sport = ct->sport;
	pkt->dport = ct->dport;
	if (ktrack_conn_is_v6(ct)) {
		const struct ktrack_conn6 *c6 = container_of(ct, struct ktrack_conn6, c);

		pkt->family = NFPROTO_IPV6;
		pkt->saddr.in6 = c6->saddr;
		pkt->daddr.in6 = c6->daddr;
	} else {
		const struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

		pkt->family = NFPROTO_IPV4;
		pkt->saddr.ip = c4->saddr;
		pkt->daddr.ip = c4->daddr;
	}
}

/* An entry of @tbl's chain for @hash that matches @key; the stripe's lock held. */
static struct ktrack_conn *ktrack_chain_match(struct ktrack_buckets *tbl, u32 hash,
					      const struct ktrack_pkt *key, spinlock_t *lock)
{
	struct ktrack_conn *ct;
	enum ktrack_dir dir;

	for (ct = rcu_dereference_protected(*ktrack_bucket(tbl, hash), lockdep_is_held(lock)); ct;
	     ct = rcu_dereference_protected(ct->next, lockdep_is_held(lock))) {
		if (ktrack_conn_match(ct, key, &dir))
			return ct;
	}
	return NULL;
}

struct ktrack_conn *ktrack_table_insert(struct ktrack_table *t, struct ktrack_conn *ct)
{
	u32 hash = ktrack_conn_hash(t, ct);
	struct ktrack_stripe *s = ktrack_stripe_of(t, hash);
	struct ktrack_conn __rcu **head;
	struct ktrack_buckets *tbl, *next;
	struct ktrack_conn *old;
	struct ktrack_pkt key;

	ktrack_conn_to_pkt(ct, &key);
	spin_lock_bh(&s->lock);
	/* the arrays are read under the lock: a resize moves this stripe's buckets under it too */
	rcu_read_lock();
	tbl = rcu_dereference(t->tbl);
	for (;;) {
		old = ktrack_chain_match(tbl, hash, &key, &s->lock);
		if (old) {
			rcu_read_unlock();
			spin_unlock_bh(&s->lock);
			return old;
		}
		next = rcu_dereference(tbl->future);
		if (!next)
			break;
		tbl = next;
	}
	/* into the newest array: a resize that runs has moved this bucket already, or will */
	head = ktrack_bucket(tbl, hash);
	list_add_tail(&ct->expiry, &s->expiry[ktrack_conn_class(ct)]);
	RCU_INIT_POINTER(ct->next, rcu_dereference_protected(*head, lockdep_is_held(&s->lock)));
	rcu_assign_pointer(*head, ct);
	rcu_read_unlock();
	percpu_counter_add_batch(&t->count, 1, READ_ONCE(t->count_batch));
	spin_unlock_bh(&s->lock);
	return NULL;
}

void __ktrack_table_unlink(struct ktrack_table *t, struct ktrack_conn *ct, u32 hash)
{
	struct ktrack_stripe *s = ktrack_stripe_of(t, hash);
	struct ktrack_stripe_memo *m;
	struct ktrack_buckets *tbl;
	struct ktrack_conn __rcu **pp;
	struct ktrack_conn *cur;

	lockdep_assert_held(&s->lock);
	rcu_read_lock();
	for (tbl = rcu_dereference(t->tbl); tbl; tbl = rcu_dereference(tbl->future)) {
		pp = ktrack_bucket(tbl, hash);
		/* the stripe lock is asserted above */
		while ((cur = rcu_dereference_protected(*pp, true)) && cur != ct)
			pp = &cur->next;
		if (cur)
			break;
	}
	if (WARN_ON_ONCE(!tbl)) {
		rcu_read_unlock();
		return;
	}
	/* Readers on @ct still see its next pointer until the grace period ends. */
	rcu_assign_pointer(*pp, rcu_dereference_protected(ct->next, true));
	rcu_read_unlock();
	list_del(&ct->expiry);
	/* a memo names its entry by address: the address may come back as another entry */
	m = ktrack_stripe_memo_of(s, ct);
	if (m)
		m->ct = NULL;
	ct->flags |= KTRACK_F_DEAD;
	percpu_counter_add_batch(&t->count, -1, READ_ONCE(t->count_batch));
}

void ktrack_table_unlink(struct ktrack_table *t, struct ktrack_conn *ct)
{
	__ktrack_table_unlink(t, ct, ktrack_conn_hash(t, ct));
}

void ktrack_table_chains(struct ktrack_table *t, unsigned int *used, unsigned long *entries,
			 unsigned int *longest)
{
	struct ktrack_buckets *tbl;
	struct ktrack_conn *ct;
	unsigned int i, len;

	*used = 0;
	*entries = 0;
	*longest = 0;
	mutex_lock(&t->resize_mutex);
	tbl = ktrack_table_buckets(t);
	rcu_read_lock();
	for (i = 0; i < tbl->size; i++) {
		len = 0;
		for (ct = rcu_dereference(tbl->b[i]); ct; ct = rcu_dereference(ct->next))
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
	mutex_unlock(&t->resize_mutex);
}

struct ktrack_conn *ktrack_table_walk_next(struct ktrack_table *t, struct ktrack_walk *w)
{
	struct ktrack_buckets *tbl = ktrack_table_buckets(t);
	unsigned long n = 0;

	while (w->rev < KTRACK_WALK_END) {
		struct ktrack_conn *ct, *best = NULL;
		u64 best_rev = 0, end;
		unsigned int b;

		b = ktrack_walk_bucket(tbl->size, w->rev, &end);
		/* a chain is in no order: its next entry is the least after the place */
		for (ct = rcu_dereference(tbl->b[b]); ct; ct = rcu_dereference(ct->next)) {
			u64 rev = bitrev32(ktrack_conn_hash(t, ct));

			if (READ_ONCE(ct->flags) & KTRACK_F_DEAD ||
			    !ktrack_walk_after(rev, (unsigned long)ct, w->rev, w->addr))
				continue;
			if (!best || !ktrack_walk_after(rev, (unsigned long)ct, best_rev,
							(unsigned long)best)) {
				best = ct;
				best_rev = rev;
			}
		}
		if (best) {
			w->rev = best_rev;
			w->addr = (unsigned long)best;
			return best;
		}
		/* that stretch is done */
		w->rev = end;
		w->addr = 0;
		ktrack_walk_pause(++n);
	}
	return NULL;
}

/*
 * Each CPU folds its part of the count into the shared one every count_batch entries, so the shared
 * value is off by less than count_batch per CPU: at most max_conns / 64 in all, unless the table is
 * so small for the CPUs that a step of 1 is too much (see ktrack_table_room()).
 */
void ktrack_table_set_limit(struct ktrack_table *t, unsigned int max)
{
	unsigned int ncpus = num_possible_cpus();
	unsigned int b = clamp(max / (64 * ncpus), 1U, 64U);
	unsigned int size = roundup_pow_of_two(clamp(max / 2, 1U, KTRACK_TABLE_SIZE_MAX));

	WRITE_ONCE(t->count_batch, b);
	WRITE_ONCE(t->count_slack, (s64)b * ncpus);
	WRITE_ONCE(t->max_size, max(size, t->min_size));
}

/*
 * The array apart from its header, so that a small table's is a power of two in bytes (256 buckets:
 * 2 KiB, not a 4 KiB slab object for 2 KiB and 16 bytes).
 */
static struct ktrack_buckets *ktrack_buckets_alloc(unsigned int size, gfp_t gfp)
{
	struct ktrack_buckets *tbl = kzalloc(sizeof(*tbl), gfp);

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

static void ktrack_buckets_free(struct ktrack_buckets *tbl)
{
	kvfree(tbl->b);
	kfree(tbl);
}

/* Moves the entries of @old's bucket @i to @new; the bucket's stripe lock held. */
static void ktrack_buckets_move(struct ktrack_table *t, struct ktrack_buckets *old, unsigned int i,
				struct ktrack_buckets *new, spinlock_t *lock)
{
	struct ktrack_conn __rcu **pp, **head;
	struct ktrack_conn *ct, *next;

	for (;;) {
		pp = &old->b[i];
		ct = rcu_dereference_protected(*pp, lockdep_is_held(lock));
		if (!ct)
			return;
		/* the last of the chain: no reader can pass anything by following it elsewhere */
		while ((next = rcu_dereference_protected(ct->next, lockdep_is_held(lock)))) {
			pp = &ct->next;
			ct = next;
		}
		head = ktrack_bucket(new, ktrack_conn_hash(t, ct));
		rcu_assign_pointer(ct->next, rcu_dereference_protected(*head, lockdep_is_held(lock)));
		rcu_assign_pointer(*head, ct);
		/* linked in the new array before it leaves the old one */
		smp_wmb();
		RCU_INIT_POINTER(*pp, NULL);
	}
}

int ktrack_table_resize(struct ktrack_table *t, unsigned int size)
{
	struct ktrack_buckets *old = ktrack_table_buckets(t), *new;
	unsigned int i;

	lockdep_assert_held(&t->resize_mutex);
	if (WARN_ON_ONCE(!is_power_of_2(size) || size < t->nstripes))
		return -EINVAL;
	new = ktrack_buckets_alloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!new)
		return -ENOMEM;
	rcu_assign_pointer(old->future, new);
	for (i = 0; i < old->size; i++) {
		spinlock_t *lock = &t->stripes[i & (t->nstripes - 1)].lock;

		spin_lock_bh(lock);
		ktrack_buckets_move(t, old, i, new, lock);
		spin_unlock_bh(lock);
		if ((i & 255) == 255)
			cond_resched();
	}
	rcu_assign_pointer(t->tbl, new);
	WRITE_ONCE(t->nbuckets, size);
	/* a reader or writer that took the old array may still look at it, and at its future */
	synchronize_rcu();
	ktrack_buckets_free(old);
	return 0;
}

int ktrack_table_init(struct ktrack_table *t, unsigned int nbuckets, unsigned int nstripes)
{
	struct ktrack_buckets *tbl;
	unsigned int i, j;
	int err;

	nbuckets = roundup_pow_of_two(nbuckets);
	if (!nstripes)
		nstripes = min_t(unsigned int, KTRACK_MAX_STRIPES, max(nbuckets / 16, 1U));
	t->nstripes = roundup_pow_of_two(min_t(unsigned int, nstripes, KTRACK_MAX_STRIPES));
	/* a bucket is under one stripe whatever the size: never fewer buckets than stripes */
	nbuckets = max(nbuckets, t->nstripes);
	t->min_size = nbuckets;
	t->max_size = nbuckets;
	t->nbuckets = nbuckets;
	t->grow_above = UINT_MAX;
	tbl = ktrack_buckets_alloc(nbuckets, GFP_KERNEL_ACCOUNT);
	if (!tbl)
		return -ENOMEM;
	RCU_INIT_POINTER(t->tbl, tbl);
	t->stripes = kvcalloc(t->nstripes, sizeof(*t->stripes), GFP_KERNEL_ACCOUNT);
	if (!t->stripes) {
		err = -ENOMEM;
		goto err_buckets;
	}
	for (i = 0; i < t->nstripes; i++) {
		spin_lock_init(&t->stripes[i].lock);
		for (j = 0; j < KTRACK_NCLASSES; j++)
			INIT_LIST_HEAD(&t->stripes[i].expiry[j]);
	}
	mutex_init(&t->resize_mutex);
	get_random_bytes(&t->key, sizeof(t->key));
	t->evict_idle_until = jiffies;
	t->full_until = jiffies;
	t->count_batch = 1;
	t->count_slack = num_possible_cpus();
	err = percpu_counter_init(&t->count, 0, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_stripes;
	return 0;

err_stripes:
	kvfree(t->stripes);
err_buckets:
	ktrack_buckets_free(tbl);
	return err;
}

void ktrack_table_destroy(struct ktrack_table *t)
{
	struct ktrack_buckets *tbl = rcu_dereference_protected(t->tbl, true);
	struct ktrack_conn *ct, *next;
	unsigned int i;

	/* no resize runs (resize.c stops first), so the entries are all in the one array */
	WARN_ON_ONCE(rcu_access_pointer(tbl->future));
	for (i = 0; i < tbl->size; i++) {
		for (ct = rcu_dereference_protected(tbl->b[i], true); ct; ct = next) {
			next = rcu_dereference_protected(ct->next, true);
			ktrack_conn_free(ct);
		}
		if (!(i & 0xffff))
			cond_resched();
	}
	percpu_counter_destroy(&t->count);
	mutex_destroy(&t->resize_mutex);
	kvfree(t->stripes);
	ktrack_buckets_free(tbl);
}
