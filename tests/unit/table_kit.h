/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table_kit.h - what the table's unit tests (test_table.c, test_resize.c) share: the one table a
 * test sets up and tears down (checking that nothing leaked or warned), packets and entries made
 * from addresses and ports, insert, lookup and delete as the module does them, and a small PRNG.
 * Included once by each test program.
 */
#ifndef _KTRACK_TABLE_KIT_H
#define _KTRACK_TABLE_KIT_H

#include <stdlib.h>
#include <arpa/inet.h>

#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/slab.h>

#include "ktest.h"
#include "parse.h"
#include "table.h"

#define O	KTRACK_DIR_ORIG
#define R	KTRACK_DIR_REPLY

static struct ktrack_table t;
static long allocs_before;
static int warnings_before;

static inline void setup(unsigned int nbuckets)
{
	allocs_before = shim_live_allocs;
	warnings_before = shim_warnings;
	KT_EQ(ktrack_table_init(&t, nbuckets, 0), 0);
}

/* Destroys the table; everything the test allocated must be gone, and nothing may have warned. */
static inline void teardown(void)
{
	rcu_barrier();
	ktrack_table_destroy(&t);
	KT_EQ(shim_live_allocs, allocs_before);
	KT_EQ(shim_warnings, warnings_before);
}

static inline __be32 ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static inline struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

/* A packet of the original direction; ICMP echo: sport is the id (request), dport 0. */
static inline struct ktrack_pkt pkt4(u8 l4, __be32 s, u16 sport, __be32 d, u16 dport)
{
	struct ktrack_pkt p = {
		.family = NFPROTO_IPV4, .l4 = l4, .sport = htons(sport), .dport = htons(dport),
	};

	p.saddr.ip = s;
	p.daddr.ip = d;
	return p;
}

static inline struct ktrack_pkt pkt6(u8 l4, struct in6_addr s, u16 sport, struct in6_addr d,
				     u16 dport)
{
	struct ktrack_pkt p = {
		.family = NFPROTO_IPV6, .l4 = l4, .sport = htons(sport), .dport = htons(dport),
	};

	p.saddr.in6 = s;
	p.daddr.in6 = d;
	return p;
}

/* The same flow seen the other way. */
static inline struct ktrack_pkt rev(struct ktrack_pkt p)
{
	swap(p.saddr, p.daddr);
	swap(p.sport, p.dport);
	return p;
}

/* A new entry for @p's flow, @p in the original direction (lifecycle.c's ktrack_conn_fill()). */
static inline struct ktrack_conn *conn(const struct ktrack_pkt *p)
{
	struct ktrack_conn *ct = ktrack_conn_alloc(p->family == NFPROTO_IPV6, GFP_KERNEL);

	if (!ct)
		abort();
	ct->flags |= p->l4;
	ct->sport = p->sport;
	ct->dport = p->dport;
	if (p->l4 == KTRACK_L4_TCP)
		ct->state = KTRACK_TCP_SYN_SENT;
	if (p->family == NFPROTO_IPV6) {
		container_of(ct, struct ktrack_conn6, c)->saddr = p->saddr.in6;
		container_of(ct, struct ktrack_conn6, c)->daddr = p->daddr.in6;
	} else {
		container_of(ct, struct ktrack_conn4, c)->saddr = p->saddr.ip;
		container_of(ct, struct ktrack_conn4, c)->daddr = p->daddr.ip;
	}
	return ct;
}

/* A new entry for @p's flow, @p in the reply direction. */
static inline struct ktrack_conn *conn_rev(const struct ktrack_pkt *p)
{
	struct ktrack_pkt r = rev(*p);

	return conn(&r);
}

static inline struct ktrack_conn *insert(const struct ktrack_pkt *p)
{
	struct ktrack_conn *ct = conn(p);

	if (!KT_CHECK(ktrack_table_insert(&t, ct) == NULL)) {
		ktrack_conn_free(ct);
		return NULL;
	}
	return ct;
}

static inline struct ktrack_conn *lookup(const struct ktrack_pkt *p, enum ktrack_dir *dir)
{
	struct ktrack_conn *ct;

	*dir = -1;
	rcu_read_lock();
	ct = ktrack_table_lookup(&t, p, dir);
	rcu_read_unlock();
	return ct;
}

/* @p finds @ct in direction @want. */
#define EXPECT_FOUND(p, ct, want) do {					\
	enum ktrack_dir __d;						\
	struct ktrack_pkt __p = (p);					\
	if (KT_CHECK(lookup(&__p, &__d) == (ct)))			\
		KT_EQ(__d, want);					\
} while (0)
#define EXPECT_MISSING(p) do {						\
	enum ktrack_dir __d;						\
	struct ktrack_pkt __p = (p);					\
	KT_CHECK(lookup(&__p, &__d) == NULL);				\
} while (0)

static inline struct ktrack_stripe *stripe(const struct ktrack_conn *ct)
{
	return ktrack_stripe_of(&t, ktrack_conn_hash(&t, ct));
}

static inline void unlink_ct(struct ktrack_conn *ct)
{
	struct ktrack_stripe *s = stripe(ct);

	spin_lock_bh(&s->lock);
	ktrack_table_unlink(&t, ct);
	spin_unlock_bh(&s->lock);
}

static inline void delete(struct ktrack_conn *ct)
{
	unlink_ct(ct);
	ktrack_conn_free_rcu(ct);
}

static inline long count(void)
{
	return percpu_counter_sum(&t.count);
}

/* Is @ct on its stripe's list for its class? */
static inline bool on_class_list(const struct ktrack_conn *ct)
{
	struct list_head *head = &stripe(ct)->expiry[ktrack_conn_class(ct)];
	struct ktrack_conn *pos;

	list_for_each_entry(pos, head, expiry)
		if (pos == ct)
			return true;
	return false;
}

static inline unsigned int chain_len(unsigned int bucket)
{
	struct ktrack_conn *ct;
	unsigned int n = 0;

	for (ct = t.tbl->b[bucket]; ct; ct = ct->next)
		n++;
	return n;
}

static inline u32 lcg(u32 *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

#endif /* _KTRACK_TABLE_KIT_H */
