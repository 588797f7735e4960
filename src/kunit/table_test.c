// SPDX-License-Identifier: GPL-2.0
/*
 * table_test.c - KUnit suite of the connection table (src/table.c, included below so the suite runs
 * the real code with its real slab caches, spinlocks and RCU): lookups from both directions, a second
 * insert of a tuple, unlinking from a shared chain, the FIFO class lists that expiry and eviction take
 * the oldest from, and lookups on another CPU racing inserts and RCU frees, and racing resizes
 * (KASAN, lockdep and the RCU checks of the debug kernel watch all of it).
 */
#include "../table.c"

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#define O	KTRACK_DIR_ORIG
#define R	KTRACK_DIR_REPLY

static struct ktrack_pkt tpkt4(u8 l4, u32 s, u16 sport, u32 d, u16 dport)
{
	struct ktrack_pkt p = {
		.family = NFPROTO_IPV4, .l4 = l4, .sport = htons(sport), .dport = htons(dport),
	};

	p.saddr.ip = htonl(s);
	p.daddr.ip = htonl(d);
	return p;
}

static struct ktrack_pkt tpkt6(u8 l4, u16 s, u16 sport, u16 d, u16 dport)
{
	struct ktrack_pkt p = {
		.family = NFPROTO_IPV6, .l4 = l4, .sport = htons(sport), .dport = htons(dport),
	};

	/* 2001:db8::S and 2001:db8::D */
	p.saddr.in6.s6_addr16[0] = htons(0x2001);
	p.saddr.in6.s6_addr16[1] = htons(0xdb8);
	p.daddr.in6 = p.saddr.in6;
	p.saddr.in6.s6_addr16[7] = htons(s);
	p.daddr.in6.s6_addr16[7] = htons(d);
	return p;
}

static struct ktrack_pkt trev(struct ktrack_pkt p)
{
	swap(p.saddr, p.daddr);
	swap(p.sport, p.dport);
	return p;
}

/* A new entry for @p's flow with @p in the original direction, as lifecycle.c fills one. */
static struct ktrack_conn *tconn(struct kunit *test, const struct ktrack_pkt *p)
{
	struct ktrack_conn *ct = ktrack_conn_alloc(p->family == NFPROTO_IPV6, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ct);
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

static struct ktrack_table *ttable(struct kunit *test)
{
	return test->priv;
}

static struct ktrack_conn *tinsert(struct kunit *test, const struct ktrack_pkt *p)
{
	struct ktrack_conn *ct = tconn(test, p);

	if (ktrack_table_insert(ttable(test), ct)) {
		ktrack_conn_free(ct);
		KUNIT_FAIL(test, "the tuple was already in the table");
		return NULL;
	}
	return ct;
}

/* The entry @p finds, and in which direction (-1 when none). */
static struct ktrack_conn *tlookup(struct kunit *test, struct ktrack_pkt p, int *dir)
{
	enum ktrack_dir d = -1;
	struct ktrack_conn *ct;

	rcu_read_lock();
	ct = ktrack_table_lookup(ttable(test), &p, &d);
	rcu_read_unlock();
	*dir = ct ? d : -1;
	return ct;
}

#define EXPECT_FOUND(test, p, ct, want) do {				\
	int __d;							\
	KUNIT_EXPECT_PTR_EQ(test, tlookup(test, p, &__d), ct);		\
	KUNIT_EXPECT_EQ(test, __d, (int)(want));			\
} while (0)

#define EXPECT_MISSING(test, p) do {					\
	int __d;							\
	KUNIT_EXPECT_PTR_EQ(test, tlookup(test, p, &__d), NULL);	\
} while (0)

static void tdelete(struct kunit *test, struct ktrack_conn *ct)
{
	struct ktrack_table *t = ttable(test);
	struct ktrack_stripe *s = ktrack_stripe_of(t, ktrack_conn_hash(t, ct));

	spin_lock_bh(&s->lock);
	ktrack_table_unlink(t, ct);
	spin_unlock_bh(&s->lock);
	KUNIT_EXPECT_TRUE(test, ct->flags & KTRACK_F_DEAD);
	ktrack_conn_free_rcu(ct);
}

static s64 tcount(struct kunit *test)
{
	return percpu_counter_sum(&ttable(test)->count);
}

/* The entries of @ct's class list on its stripe, oldest first, into @out; returns how many. */
static unsigned int tclass_list(struct kunit *test, const struct ktrack_conn *ct,
				struct ktrack_conn **out, unsigned int max)
{
	struct ktrack_table *t = ttable(test);
	struct ktrack_stripe *s = ktrack_stripe_of(t, ktrack_conn_hash(t, ct));
	struct ktrack_conn *pos;
	unsigned int n = 0;

	spin_lock_bh(&s->lock);
	list_for_each_entry(pos, &s->expiry[ktrack_conn_class(ct)], expiry) {
		if (n < max)
			out[n] = pos;
		n++;
	}
	spin_unlock_bh(&s->lock);
	return n;
}

static int ttable_init(struct kunit *test, unsigned int nbuckets)
{
	struct ktrack_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	test->priv = t;
	return ktrack_table_init(t, nbuckets, 0);
}

static int table_test_init(struct kunit *test)
{
	return ttable_init(test, 1024);
}

static void table_test_exit(struct kunit *test)
{
	rcu_barrier();
	ktrack_table_destroy(ttable(test));
}

static int table_suite_init(struct kunit_suite *suite)
{
	return ktrack_conn_caches_init();
}

static void table_suite_exit(struct kunit_suite *suite)
{
	rcu_barrier();
	ktrack_conn_caches_exit();
}

/* Every kind of flow is found from both directions, and only by its own tuple. */
static void table_lookup_both_directions(struct kunit *test)
{
	enum { N = 6 };
	/* off the stack: KASAN's frames would pass the 1024-byte limit */
	struct ktrack_pkt *p = kunit_kcalloc(test, N, sizeof(*p), GFP_KERNEL);
	struct ktrack_conn *ct[N];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	p[0] = tpkt4(KTRACK_L4_TCP, 0xc0000202, 40000, 0xc0000201, 80);
	p[1] = tpkt4(KTRACK_L4_UDP, 0xc0000202, 5353, 0xc0000201, 53);
	p[2] = tpkt4(KTRACK_L4_ICMP, 0xc0000202, 77, 0xc0000201, 0);
	p[3] = tpkt6(KTRACK_L4_TCP, 2, 40000, 1, 80);
	p[4] = tpkt6(KTRACK_L4_UDP, 2, 5353, 1, 53);
	p[5] = tpkt6(KTRACK_L4_ICMP, 2, 77, 1, 0);
	for (i = 0; i < N; i++) {
		ct[i] = tinsert(test, &p[i]);
		KUNIT_ASSERT_NOT_NULL(test, ct[i]);
	}
	KUNIT_EXPECT_EQ(test, tcount(test), (s64)N);
	for (i = 0; i < N; i++) {
		struct ktrack_pkt q = p[i];

		EXPECT_FOUND(test, p[i], ct[i], O);
		EXPECT_FOUND(test, trev(p[i]), ct[i], R);
		q.sport = htons(ntohs(q.sport) + 1);
		EXPECT_MISSING(test, q);
		EXPECT_MISSING(test, trev(q));
		/* the same addresses and ports, another protocol */
		q = p[i];
		q.l4 = q.l4 == KTRACK_L4_TCP ? KTRACK_L4_UDP : KTRACK_L4_TCP;
		EXPECT_MISSING(test, q);
	}
	/* a connection to itself (same address and port both ways) is found as ORIG */
	{
		struct ktrack_pkt self = tpkt4(KTRACK_L4_UDP, 0x7f000001, 9, 0x7f000001, 9);
		struct ktrack_conn *c = tinsert(test, &self);

		EXPECT_FOUND(test, self, c, O);
	}
}

/* A second entry for a tuple (from either direction) is refused and the first one returned. */
static void table_insert_duplicate(struct kunit *test)
{
	struct ktrack_pkt p = tpkt4(KTRACK_L4_TCP, 0xc6120001, 1234, 0xc0000201, 443);
	struct ktrack_pkt p6 = tpkt6(KTRACK_L4_UDP, 5, 1000, 6, 2000);
	struct ktrack_conn *first = tinsert(test, &p), *first6 = tinsert(test, &p6), *dup;
	struct ktrack_pkt r = trev(p), r6 = trev(p6);

	dup = tconn(test, &p);
	KUNIT_EXPECT_PTR_EQ(test, ktrack_table_insert(ttable(test), dup), first);
	ktrack_conn_free(dup);
	dup = tconn(test, &r);
	KUNIT_EXPECT_PTR_EQ(test, ktrack_table_insert(ttable(test), dup), first);
	ktrack_conn_free(dup);
	dup = tconn(test, &r6);
	KUNIT_EXPECT_PTR_EQ(test, ktrack_table_insert(ttable(test), dup), first6);
	ktrack_conn_free(dup);
	KUNIT_EXPECT_EQ(test, tcount(test), 2);
	EXPECT_FOUND(test, p, first, O);
	EXPECT_FOUND(test, r6, first6, R);
}

/* Unlinking the head, the middle and the tail of one chain leaves the others reachable. */
static void table_unlink_shared_chain(struct kunit *test)
{
	enum { N = 8 };
	struct ktrack_pkt *p = kunit_kcalloc(test, N, sizeof(*p), GFP_KERNEL);	/* KASAN: not on the stack */
	struct ktrack_conn *ct[N];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	/* one bucket: every entry on the same chain */
	ktrack_table_destroy(ttable(test));
	KUNIT_ASSERT_EQ(test, ktrack_table_init(ttable(test), 1, 0), 0);
	KUNIT_ASSERT_EQ(test, ttable(test)->nbuckets, 1U);
	for (i = 0; i < N; i++) {
		p[i] = i & 1 ? tpkt6(KTRACK_L4_TCP, 2, 40000 + i, 1, 80) :
			       tpkt4(KTRACK_L4_TCP, 0xc0000202, 40000 + i, 0xc0000201, 80);
		ct[i] = tinsert(test, &p[i]);
		KUNIT_ASSERT_NOT_NULL(test, ct[i]);
	}
	/* inserts go to the chain's head: ct[7] is first, ct[0] last */
	tdelete(test, ct[7]);
	tdelete(test, ct[3]);
	tdelete(test, ct[0]);
	KUNIT_EXPECT_EQ(test, tcount(test), 5);
	for (i = 0; i < N; i++) {
		if (i == 7 || i == 3 || i == 0) {
			EXPECT_MISSING(test, p[i]);
			EXPECT_MISSING(test, trev(p[i]));
		} else {
			EXPECT_FOUND(test, p[i], ct[i], O);
			EXPECT_FOUND(test, trev(p[i]), ct[i], R);
		}
	}
	/* the tuple can come back once unlinked */
	ct[3] = tinsert(test, &p[3]);
	EXPECT_FOUND(test, trev(p[3]), ct[3], R);
	KUNIT_EXPECT_EQ(test, tcount(test), 6);
}

/*
 * Each stripe keeps one list per timeout class in insertion order: the head is the oldest entry,
 * the one expiry and eviction take first. Unlinking keeps the order of the rest.
 */
static void table_class_lists_fifo(struct kunit *test)
{
	struct ktrack_conn *ct[6], *got[8], *udp, *icmp;
	struct ktrack_pkt p;
	unsigned int i, n;

	/* 16 buckets: a single stripe, so every entry of a class is on one list */
	ktrack_table_destroy(ttable(test));
	KUNIT_ASSERT_EQ(test, ktrack_table_init(ttable(test), 16, 0), 0);
	KUNIT_ASSERT_EQ(test, ttable(test)->nstripes, 1U);
	for (i = 0; i < ARRAY_SIZE(ct); i++) {
		p = tpkt4(KTRACK_L4_TCP, 0xc6120000 + i, 1000 + i, 0xc0000201, 80);
		ct[i] = tinsert(test, &p);
		KUNIT_ASSERT_NOT_NULL(test, ct[i]);
	}
	p = tpkt4(KTRACK_L4_UDP, 0xc6120100, 53, 0xc0000201, 53);
	udp = tinsert(test, &p);
	p = tpkt6(KTRACK_L4_ICMP, 9, 1, 1, 0);
	icmp = tinsert(test, &p);

	n = tclass_list(test, ct[0], got, ARRAY_SIZE(got));
	KUNIT_ASSERT_EQ(test, n, (unsigned int)ARRAY_SIZE(ct));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, got[i], ct[i]);
	KUNIT_EXPECT_EQ(test, tclass_list(test, udp, got, 1), 1U);
	KUNIT_EXPECT_PTR_EQ(test, got[0], udp);
	KUNIT_EXPECT_EQ(test, tclass_list(test, icmp, got, 1), 1U);
	KUNIT_EXPECT_PTR_EQ(test, got[0], icmp);

	/* the oldest goes (as eviction does), then one from the middle */
	tdelete(test, ct[0]);
	tdelete(test, ct[3]);
	n = tclass_list(test, ct[1], got, ARRAY_SIZE(got));
	KUNIT_ASSERT_EQ(test, n, 4U);
	KUNIT_EXPECT_PTR_EQ(test, got[0], ct[1]);
	KUNIT_EXPECT_PTR_EQ(test, got[1], ct[2]);
	KUNIT_EXPECT_PTR_EQ(test, got[2], ct[4]);
	KUNIT_EXPECT_PTR_EQ(test, got[3], ct[5]);
	KUNIT_EXPECT_EQ(test, ktrack_conn_class(udp), KTRACK_CLASS_UDP);
	KUNIT_EXPECT_EQ(test, ktrack_conn_class(icmp), KTRACK_CLASS_ICMP);
	KUNIT_EXPECT_EQ(test, ktrack_conn_class(ct[1]), KTRACK_CLASS_SYN_SENT);
}

/* The hash is the same from both directions and changes with every field of the tuple. */
static void table_hash_symmetric(struct kunit *test)
{
	struct ktrack_table *t = ttable(test);
	struct ktrack_pkt p = tpkt4(KTRACK_L4_UDP, 0xc0000202, 1111, 0xc0000201, 2222);
	struct ktrack_pkt r = trev(p);
	struct ktrack_conn *a = tconn(test, &p), *b = tconn(test, &r);
	unsigned int i, same = 0;

	KUNIT_EXPECT_EQ(test, ktrack_conn_hash(t, a), ktrack_conn_hash(t, b));
	for (i = 0; i < 64; i++) {
		struct ktrack_pkt q = p;
		struct ktrack_conn *c;

		q.sport = htons(1111 + 1 + i);
		c = tconn(test, &q);
		same += ktrack_conn_hash(t, c) == ktrack_conn_hash(t, a);
		ktrack_conn_free(c);
	}
	KUNIT_EXPECT_LE(test, same, 1U);
	ktrack_conn_free(a);
	ktrack_conn_free(b);
}

/* Lookups on another CPU while this one inserts and deletes (freeing after a grace period). */
struct treader {
	struct ktrack_table *t;
	struct ktrack_pkt p[64];
	atomic_t stop;
	unsigned long lookups, found, wrong;
	struct completion done;
};

static int treader_fn(void *arg)
{
	struct treader *r = arg;
	unsigned int i = 0;

	while (!atomic_read(&r->stop)) {
		const struct ktrack_pkt *p = &r->p[i++ % ARRAY_SIZE(r->p)];
		struct ktrack_pkt q = trev(*p);
		struct ktrack_conn *ct;
		enum ktrack_dir d;

		rcu_read_lock();
		ct = ktrack_table_lookup(r->t, i & 1 ? p : &q, &d);
		if (ct) {
			r->found++;
			/* the entry found stays readable and carries the tuple looked up */
			if (READ_ONCE(ct->sport) != p->sport || d != (i & 1 ? O : R))
				r->wrong++;
		}
		rcu_read_unlock();
		r->lookups++;
		if (!(i & 63))
			cond_resched();
	}
	complete(&r->done);
	return 0;
}

static void table_rcu_readers_race_writer(struct kunit *test)
{
	struct ktrack_conn *ct[64] = {};
	struct task_struct *task;
	struct treader *r;
	unsigned int i, round;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->t = ttable(test);
	init_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(r->p); i++)
		r->p[i] = i & 1 ? tpkt6(KTRACK_L4_TCP, 3, 30000 + i, 4, 443) :
				  tpkt4(KTRACK_L4_UDP, 0xc6120000 + i, 30000 + i, 0xc0000201, 53);
	task = kthread_run(treader_fn, r, "ktrack-kunit-rd");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (round = 0; round < 200; round++) {
		for (i = 0; i < ARRAY_SIZE(ct); i++) {
			if (ct[i]) {
				tdelete(test, ct[i]);
				ct[i] = NULL;
			} else if ((i + round) % 3) {
				ct[i] = tinsert(test, &r->p[i]);
			}
		}
		cond_resched();
	}
	atomic_set(&r->stop, 1);
	wait_for_completion(&r->done);
	kunit_info(test, "%lu lookups, %lu found\n", r->lookups, r->found);
	KUNIT_EXPECT_GT(test, r->lookups, 0UL);
	KUNIT_EXPECT_EQ(test, r->wrong, 0UL);
	for (i = 0; i < ARRAY_SIZE(ct); i++)
		if (ct[i])
			EXPECT_FOUND(test, r->p[i], ct[i], O);
}

/*
 * Lookups on another CPU while this one resizes the table back and forth: an entry that stays in
 * the table is found every time, and an old array is freed only when no reader can be on it.
 */
static void table_resize_under_readers(struct kunit *test)
{
	static const unsigned int sizes[] = { 4096, 64, 16384, 128, 1024 };
	struct ktrack_table *t = ttable(test);
	struct ktrack_conn *ct[64];
	struct task_struct *task;
	struct treader *r;
	unsigned int i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->t = t;
	init_completion(&r->done);
	for (i = 0; i < ARRAY_SIZE(r->p); i++) {
		r->p[i] = i & 1 ? tpkt6(KTRACK_L4_TCP, 5, 20000 + i, 6, 443) :
				  tpkt4(KTRACK_L4_UDP, 0xc6130000 + i, 20000 + i, 0xc0000201, 53);
		ct[i] = tinsert(test, &r->p[i]);
		KUNIT_ASSERT_NOT_NULL(test, ct[i]);
	}
	task = kthread_run(treader_fn, r, "ktrack-kunit-rd");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (i = 0; i < 50; i++) {
		mutex_lock(&t->resize_mutex);
		KUNIT_EXPECT_EQ(test, ktrack_table_resize(t, sizes[i % ARRAY_SIZE(sizes)]), 0);
		mutex_unlock(&t->resize_mutex);
	}
	atomic_set(&r->stop, 1);
	wait_for_completion(&r->done);
	kunit_info(test, "%lu lookups, %lu found\n", r->lookups, r->found);
	KUNIT_EXPECT_GT(test, r->lookups, 0UL);
	KUNIT_EXPECT_EQ(test, r->found, r->lookups);
	KUNIT_EXPECT_EQ(test, r->wrong, 0UL);
	KUNIT_EXPECT_EQ(test, t->nbuckets, sizes[49 % ARRAY_SIZE(sizes)]);
	for (i = 0; i < ARRAY_SIZE(ct); i++)
		EXPECT_FOUND(test, r->p[i], ct[i], O);
}

/* Destroying a table with live entries frees them (kmemleak checks that at the end of the run). */
static void table_destroy_live(struct kunit *test)
{
	struct ktrack_pkt p;
	unsigned int i;

	for (i = 0; i < 5000; i++) {
		p = i & 1 ? tpkt6(KTRACK_L4_UDP, i, 1000, 1, 53) :
			    tpkt4(KTRACK_L4_TCP, 0xc6120000 + i, 1000, 0xc0000201, 80);
		KUNIT_ASSERT_NOT_NULL(test, tinsert(test, &p));
	}
	KUNIT_EXPECT_EQ(test, tcount(test), 5000);
}

static struct kunit_case table_cases[] = {
	KUNIT_CASE(table_lookup_both_directions),
	KUNIT_CASE(table_insert_duplicate),
	KUNIT_CASE(table_unlink_shared_chain),
	KUNIT_CASE(table_class_lists_fifo),
	KUNIT_CASE(table_hash_symmetric),
	KUNIT_CASE(table_rcu_readers_race_writer),
	KUNIT_CASE(table_resize_under_readers),
	KUNIT_CASE(table_destroy_live),
	{}
};

static struct kunit_suite table_suite = {
	.name = "ktrack_table",
	.suite_init = table_suite_init,
	.suite_exit = table_suite_exit,
	.init = table_test_init,
	.exit = table_test_exit,
	.test_cases = table_cases,
};
kunit_test_suite(table_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of ktrack");
