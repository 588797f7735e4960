// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - the connection table: a keyed symmetric hash (a connection is one entry, found from
 * either direction), RCU lookups, lock-striped inserts and unlinks, and the slab caches the entries
 * come from (one per address family, sized to the entry: 56 bytes for IPv4, 80 for IPv6).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
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

/* Called under rcu_read_lock(); the entry stays valid until the read side ends. */
struct ktrack_conn *ktrack_table_lookup(const struct ktrack_table *t, const struct ktrack_pkt *pkt,
					enum ktrack_dir *dir)
{
	u32 hash = ktrack_pkt_hash(t, pkt);
	struct ktrack_conn *ct;

	for (ct = rcu_dereference(t->buckets[hash & (t->nbuckets - 1)]); ct;
	     ct = rcu_dereference(ct->next)) {
		if (ktrack_conn_match(ct, pkt, dir))
			return ct;
	}
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

struct ktrack_conn *ktrack_table_insert(struct ktrack_table *t, struct ktrack_conn *ct)
{
	u32 hash = ktrack_conn_hash(t, ct);
	struct ktrack_conn __rcu **head = &t->buckets[hash & (t->nbuckets - 1)];
	struct ktrack_stripe *s = ktrack_stripe_of(t, hash);
	struct ktrack_conn *old;
	struct ktrack_pkt key;
	enum ktrack_dir dir;

	ktrack_conn_to_pkt(ct, &key);
	spin_lock_bh(&s->lock);
	for (old = rcu_dereference_protected(*head, lockdep_is_held(&s->lock)); old;
	     old = rcu_dereference_protected(old->next, lockdep_is_held(&s->lock))) {
		if (ktrack_conn_match(old, &key, &dir)) {
			spin_unlock_bh(&s->lock);
			return old;
		}
	}
	list_add_tail(&ct->expiry, &s->expiry[ktrack_conn_class(ct)]);
	RCU_INIT_POINTER(ct->next, rcu_dereference_protected(*head, lockdep_is_held(&s->lock)));
	rcu_assign_pointer(*head, ct);
	percpu_counter_add_batch(&t->count, 1, READ_ONCE(t->count_batch));
	spin_unlock_bh(&s->lock);
	return NULL;
}

void __ktrack_table_unlink(struct ktrack_table *t, struct ktrack_conn *ct, u32 hash)
{
	struct ktrack_conn __rcu **pp = &t->buckets[hash & (t->nbuckets - 1)];
	struct ktrack_stripe *s = ktrack_stripe_of(t, hash);
	struct ktrack_stripe_memo *m;
	struct ktrack_conn *cur;

	lockdep_assert_held(&s->lock);
	while ((cur = rcu_dereference_protected(*pp, true)) != ct) {
		if (WARN_ON_ONCE(!cur))
			return;
		pp = &cur->next;
	}
	/* Readers on @ct still see its next pointer until the grace period ends. */
	rcu_assign_pointer(*pp, rcu_dereference_protected(ct->next, true));
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

void ktrack_table_chains(const struct ktrack_table *t, unsigned int *used, unsigned long *entries,
			 unsigned int *longest)
{
	struct ktrack_conn *ct;
	unsigned int i, len;

	*used = 0;
	*entries = 0;
	*longest = 0;
	rcu_read_lock();
	for (i = 0; i < t->nbuckets; i++) {
		len = 0;
		for (ct = rcu_dereference(t->buckets[i]); ct; ct = rcu_dereference(ct->next))
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

	WRITE_ONCE(t->count_batch, b);
	WRITE_ONCE(t->count_slack, (s64)b * ncpus);
}

int ktrack_table_init(struct ktrack_table *t, unsigned int nbuckets)
{
	unsigned int i, j;
	int err;

	t->nbuckets = roundup_pow_of_two(nbuckets);
	t->nstripes = min_t(unsigned int, KTRACK_MAX_STRIPES, max(t->nbuckets / 16, 1U));
	t->buckets = kvcalloc(t->nbuckets, sizeof(*t->buckets), GFP_KERNEL_ACCOUNT);
	if (!t->buckets)
		return -ENOMEM;
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
	kvfree(t->buckets);
	return err;
}

void ktrack_table_destroy(struct ktrack_table *t)
{
	struct ktrack_conn *ct, *next;
	unsigned int i;

	for (i = 0; i < t->nbuckets; i++) {
		for (ct = rcu_dereference_protected(t->buckets[i], true); ct; ct = next) {
			next = rcu_dereference_protected(ct->next, true);
			ktrack_conn_free(ct);
		}
		if (!(i & 0xffff))
			cond_resched();
	}
	percpu_counter_destroy(&t->count);
	kvfree(t->stripes);
	kvfree(t->buckets);
}
