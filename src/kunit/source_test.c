// SPDX-License-Identifier: GPL-2.0
/*
 * source_test.c - KUnit suite of the per-source counts (src/source.c, included below), through its
 * public functions (the counts are read back with the walk): acquire and release, the per-source
 * limit, masking to a prefix, many sources, two CPUs acquiring and releasing one source at its
 * limit while its node is freed and created again (KASAN sees a node used after its RCU free,
 * kmemleak one never freed); and, through the lockless step of acquire and release
 * (ktrack_src_find_rcu(), ktrack_src_hold()), a node freed in one table and reused at once by
 * another table for the same address while a reader of the first still stands on it.
 */
#include "../source.c"

#include <kunit/test.h>
#include <linux/kthread.h>

static struct ktrack_srctable *tsrc(struct kunit *test)
{
	return test->priv;
}

/* Sources with at least one live connection. */
static int tsources(struct kunit *test)
{
	return ktrack_src_total(tsrc(test));
}


static union ktrack_addr taddr4(u32 a)
{
	union ktrack_addr x = {};

	x.ip = htonl(a);
	return x;
}

static union ktrack_addr taddr6(u16 hi, u16 lo)
{
	union ktrack_addr x = {};

	x.in6.s6_addr16[0] = htons(0x2001);
	x.in6.s6_addr16[1] = htons(0xdb8);
	x.in6.s6_addr16[3] = htons(hi);
	x.in6.s6_addr16[7] = htons(lo);
	return x;
}

/* What a walk over every source finds: how many, their total, and the count of one of them. */
struct tsum {
	u8 family;
	union ktrack_addr addr;
	unsigned int sources, total, live;
};

static int tsum_fn(void *arg, u8 family, const union ktrack_addr *addr, unsigned int live)
{
	struct tsum *sum = arg;

	sum->sources++;
	sum->total += live;
	if (family == sum->family && !memcmp(addr, &sum->addr, sizeof(*addr)))
		sum->live = live;
	return 0;
}

/* The live count of @addr (0: no node), checking that the walk agrees with the source count. */
static unsigned int tlive(struct kunit *test, u8 family, union ktrack_addr addr)
{
	struct tsum sum = { .family = family, .addr = addr };
	struct ktrack_walk w;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		ktrack_walk_init(&w);
		KUNIT_EXPECT_EQ(test, ktrack_src_walk(tsrc(test), v6, &w, tsum_fn, &sum), 0);
	}
	KUNIT_EXPECT_EQ(test, sum.sources, (unsigned int)tsources(test));
	return sum.live;
}

static unsigned int tlive4(struct kunit *test, u32 a)
{
	return tlive(test, NFPROTO_IPV4, taddr4(a));
}

static int tacq4(struct kunit *test, u32 a, unsigned int limit)
{
	union ktrack_addr x = taddr4(a);

	return ktrack_src_acquire(tsrc(test), NFPROTO_IPV4, &x, limit);
}

static void trel4(struct kunit *test, u32 a)
{
	union ktrack_addr x = taddr4(a);

	ktrack_src_release(tsrc(test), NFPROTO_IPV4, &x);
}

static int source_test_init(struct kunit *test)
{
	struct ktrack_srctable *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	test->priv = st;
	return ktrack_src_init(st, 256, 256);
}

/* @st's node of IPv4 @x, found under its bucket's lock (RCU held by the caller). */
static struct ktrack_src *tfind_locked(struct ktrack_srctable *st, const union ktrack_addr *x)
{
	u32 hash = ktrack_src_hash(st, false, x);
	spinlock_t *lock = ktrack_src_lock(st, hash);
	struct ktrack_srcbuckets *newest;
	struct ktrack_src __rcu **pp;
	struct ktrack_src *s = NULL;

	spin_lock_bh(lock);
	pp = ktrack_src_find_locked(st, false, hash, x, &newest);
	if (pp)
		s = ktrack_src_at(pp, lock);
	spin_unlock_bh(lock);
	return s;
}

static void source_test_exit(struct kunit *test)
{
	rcu_barrier();
	ktrack_src_destroy(tsrc(test));
}

static int source_suite_init(struct kunit_suite *suite)
{
	return ktrack_src_caches_init();
}

static void source_suite_exit(struct kunit_suite *suite)
{
	rcu_barrier();
	ktrack_src_caches_exit();
}

/* The first connection creates the source, the last release removes it. */
static void source_acquire_release(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, tacq4(test, 0xc6120001, 0), 0);
	KUNIT_EXPECT_EQ(test, tsources(test), 1);
	KUNIT_EXPECT_EQ(test, tlive4(test, 0xc6120001), 3U);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc6120002, 0), 0);
	KUNIT_EXPECT_EQ(test, tsources(test), 2);
	KUNIT_EXPECT_EQ(test, tlive4(test, 0xc6120002), 1U);
	trel4(test, 0xc6120001);
	trel4(test, 0xc6120001);
	KUNIT_EXPECT_EQ(test, tsources(test), 2);
	KUNIT_EXPECT_EQ(test, tlive4(test, 0xc6120001), 1U);
	trel4(test, 0xc6120001);
	KUNIT_EXPECT_EQ(test, tsources(test), 1);
	KUNIT_EXPECT_EQ(test, tlive4(test, 0xc6120001), 0U);
	trel4(test, 0xc6120002);
	KUNIT_EXPECT_EQ(test, tsources(test), 0);
	/* and it can come back */
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc6120001, 1), 0);
	KUNIT_EXPECT_EQ(test, tsources(test), 1);
	trel4(test, 0xc6120001);
	KUNIT_EXPECT_EQ(test, tsources(test), 0);
}

/* A source at its limit is refused; others are not; a release makes room again. */
static void source_limit(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 3), 0);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 3), -EDQUOT);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 3), -EDQUOT);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000203, 3), 0);
	trel4(test, 0xc0000202);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 3), 0);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 3), -EDQUOT);
	/* a lower limit (changed by sysctl) refuses until under it; 0 means none */
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 2), -EDQUOT);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 0), 0);
	KUNIT_EXPECT_EQ(test, tacq4(test, 0xc0000202, 1), -EDQUOT);
	KUNIT_EXPECT_EQ(test, tsources(test), 2);
	KUNIT_EXPECT_EQ(test, tlive4(test, 0xc0000202), 4U);
	KUNIT_EXPECT_EQ(test, tlive4(test, 0xc0000203), 1U);
	for (i = 0; i < 4; i++)
		trel4(test, 0xc0000202);
	trel4(test, 0xc0000203);
	KUNIT_EXPECT_EQ(test, tsources(test), 0);
}

/* Addresses masked to the prefix share one count; IPv4 and IPv6 never mix. */
static void source_mask(struct kunit *test)
{
	struct ktrack_srctable *st = tsrc(test);
	union ktrack_addr a = taddr4(0xc612014d), m, a6 = taddr6(0x1234, 0x77), m6, b6;

	ktrack_src_mask(NFPROTO_IPV4, &a, 24, &m);
	KUNIT_EXPECT_EQ(test, ntohl(m.ip), 0xc6120100U);
	ktrack_src_mask(NFPROTO_IPV4, &a, 32, &m);
	KUNIT_EXPECT_EQ(test, ntohl(m.ip), 0xc612014dU);
	ktrack_src_mask(NFPROTO_IPV4, &a, 0, &m);
	KUNIT_EXPECT_EQ(test, m.ip, 0U);
	ktrack_src_mask(NFPROTO_IPV6, &a6, 64, &m6);
	b6 = taddr6(0x1234, 0);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&m6.in6, &b6.in6));
	ktrack_src_mask(NFPROTO_IPV6, &a6, 128, &m6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&m6.in6, &a6.in6));

	/* two hosts of one /24 against a limit of 2 */
	ktrack_src_mask(NFPROTO_IPV4, &a, 24, &m);
	KUNIT_EXPECT_EQ(test, ktrack_src_acquire(st, NFPROTO_IPV4, &m, 2), 0);
	a = taddr4(0xc61201fe);
	ktrack_src_mask(NFPROTO_IPV4, &a, 24, &m);
	KUNIT_EXPECT_EQ(test, ktrack_src_acquire(st, NFPROTO_IPV4, &m, 2), 0);
	KUNIT_EXPECT_EQ(test, ktrack_src_acquire(st, NFPROTO_IPV4, &m, 2), -EDQUOT);
	KUNIT_EXPECT_EQ(test, tsources(test), 1);

	/* an IPv6 address whose first bytes equal that IPv4 address is another source */
	memset(&b6, 0, sizeof(b6));
	b6.ip = m.ip;
	KUNIT_EXPECT_EQ(test, ktrack_src_acquire(st, NFPROTO_IPV6, &b6, 2), 0);
	KUNIT_EXPECT_EQ(test, tsources(test), 2);
	KUNIT_EXPECT_EQ(test, tlive(test, NFPROTO_IPV4, m), 2U);
	KUNIT_EXPECT_EQ(test, tlive(test, NFPROTO_IPV6, b6), 1U);
	ktrack_src_release(st, NFPROTO_IPV6, &b6);
	ktrack_src_release(st, NFPROTO_IPV4, &m);
	ktrack_src_release(st, NFPROTO_IPV4, &m);
	KUNIT_EXPECT_EQ(test, tsources(test), 0);
}

/* Many sources of both families: each counted once, all gone after their release. */
static void source_many(struct kunit *test)
{
	struct ktrack_srctable *st = tsrc(test);
	unsigned int i, n = 10000, errors = 0;

	for (i = 0; i < n; i++) {
		union ktrack_addr x = i & 1 ? taddr6(i, 1) : taddr4(0xc6120000 + i);

		errors += !!ktrack_src_acquire(st, i & 1 ? NFPROTO_IPV6 : NFPROTO_IPV4, &x, 1);
		errors += ktrack_src_acquire(st, i & 1 ? NFPROTO_IPV6 : NFPROTO_IPV4, &x, 1) !=
			  -EDQUOT;
	}
	KUNIT_EXPECT_EQ(test, errors, 0U);
	KUNIT_EXPECT_EQ(test, tsources(test), (int)n);
	KUNIT_EXPECT_EQ(test, tlive(test, NFPROTO_IPV6, taddr6(4999, 1)), 1U);
	for (i = 0; i < n; i += 2)
		trel4(test, 0xc6120000 + i);
	KUNIT_EXPECT_EQ(test, tsources(test), (int)n / 2);
	for (i = 1; i < n; i += 2) {
		union ktrack_addr x = taddr6(i, 1);

		ktrack_src_release(st, NFPROTO_IPV6, &x);
	}
	KUNIT_EXPECT_EQ(test, tsources(test), 0);
}

/* Two threads on one source with a limit: never above it, and every count given back. */
struct tworker {
	struct ktrack_srctable *st;
	unsigned int limit, rounds;
	atomic_t *live, *max;
	unsigned long ok, refused, other;
	struct completion done;
};

static int tworker_fn(void *arg)
{
	struct tworker *w = arg;
	union ktrack_addr a = taddr4(0xcb007101);
	unsigned int i, held = 0;

	for (i = 0; i < w->rounds; i++) {
		/* take up to two, then give everything back: the node comes and goes */
		int err = ktrack_src_acquire(w->st, NFPROTO_IPV4, &a, w->limit);

		if (!err) {
			int now = atomic_inc_return(w->live);
			int max = atomic_read(w->max);

			while (now > max && !atomic_try_cmpxchg(w->max, &max, now))
				;
			w->ok++;
			held++;
		} else if (err == -EDQUOT) {
			w->refused++;
		} else {
			w->other++;
		}
		if (held == 2 || (held && (i & 3) == 3)) {
			while (held) {
				atomic_dec(w->live);
				ktrack_src_release(w->st, NFPROTO_IPV4, &a);
				held--;
			}
		}
		if (!(i & 127))
			cond_resched();
	}
	while (held--) {
		atomic_dec(w->live);
		ktrack_src_release(w->st, NFPROTO_IPV4, &a);
	}
	complete(&w->done);
	return 0;
}

static void source_two_cpus_one_source(struct kunit *test)
{
	atomic_t live = ATOMIC_INIT(0), max = ATOMIC_INIT(0);
	struct tworker *w;
	unsigned int i;

	w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < 2; i++) {
		struct task_struct *task;

		w[i].st = tsrc(test);
		w[i].limit = 3;
		w[i].rounds = 20000;
		w[i].live = &live;
		w[i].max = &max;
		init_completion(&w[i].done);
		task = kthread_create(tworker_fn, &w[i], "ktrack-kunit-src%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, i % num_online_cpus());
		wake_up_process(task);
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&w[i].done);
	kunit_info(test, "acquired %lu, refused %lu, at most %d live\n",
		   w[0].ok + w[1].ok, w[0].refused + w[1].refused, atomic_read(&max));
	KUNIT_EXPECT_EQ(test, w[0].other + w[1].other, 0UL);
	KUNIT_EXPECT_LE(test, atomic_read(&max), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&live), 0);
	KUNIT_EXPECT_GT(test, w[0].ok, 0UL);
	KUNIT_EXPECT_GT(test, w[1].ok, 0UL);
	KUNIT_EXPECT_EQ(test, tsources(test), 0);
}

/*
 * Two tables (two network namespaces) share the caches. A reader of table A found A's node of an
 * address and still stands on it (under RCU) when the node is freed and handed at once to table B
 * for the same address: SLUB gives the object just freed on this CPU to the next allocation. The
 * reader's next step, the one acquire and release both take on a node they found, must refuse it:
 * counted, it would be a connection of A on B's node, and A's release would then look for that
 * node in A's buckets (not there: a NULL dereference) or take a count of B's.
 */
static void source_two_tables_reuse(struct kunit *test)
{
	struct ktrack_srctable *a = tsrc(test), *b;
	union ktrack_addr x = taddr4(0xc0000207);
	u32 hash = ktrack_src_hash(a, false, &x);
	struct ktrack_src *n = NULL, *m = NULL;
	unsigned int tries;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, ktrack_src_init(b, 256, 256), 0);
	KUNIT_EXPECT_NE(test, a->id, b->id);

	for (tries = 0; tries < 100; tries++) {
		KUNIT_ASSERT_EQ(test, ktrack_src_acquire(a, NFPROTO_IPV4, &x, 0), 0);
		rcu_read_lock();
		preempt_disable();	/* on this CPU, for its free list */
		n = ktrack_src_find_rcu(a, false, hash, &x);	/* the reader stands on it */
		ktrack_src_release(a, NFPROTO_IPV4, &x);	/* freed: A's last connection */
		KUNIT_EXPECT_EQ(test, ktrack_src_acquire(b, NFPROTO_IPV4, &x, 0), 0);
		m = tfind_locked(b, &x);
		preempt_enable();
		if (n && n == m)
			break;
		/* another object came (KFENCE, a remote free): again */
		rcu_read_unlock();
		ktrack_src_release(b, NFPROTO_IPV4, &x);
		n = NULL;
	}
	if (!n) {
		ktrack_src_destroy(b);
		kunit_skip(test, "the node freed in A was never the next one allocated");
	}
	kunit_info(test, "reused after %u tries\n", tries);

	/* the reader of A on B's node of the same address: refused, B's count unchanged */
	KUNIT_EXPECT_EQ(test, ktrack_src_hold(a, false, n, &x, 0), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ktrack_src_hold(a, false, n, &x, 5), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ktrack_src_ref_live(atomic64_read(&n->ref)), 1U);

	/* A counts that address again, on a node of its own; its release is not misled by n */
	KUNIT_EXPECT_EQ(test, ktrack_src_acquire(a, NFPROTO_IPV4, &x, 0), 0);
	KUNIT_EXPECT_EQ(test, ktrack_src_hold(a, false, n, &x, 0), -EAGAIN);
	KUNIT_EXPECT_PTR_NE(test, ktrack_src_find_rcu(a, false, hash, &x), n);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, tsources(test), 1);
	KUNIT_EXPECT_EQ(test, tlive4(test, 0xc0000207), 1U);
	ktrack_src_release(a, NFPROTO_IPV4, &x);
	KUNIT_EXPECT_EQ(test, tsources(test), 0);

	/* B's count was never touched by A: one connection, and its release frees the node */
	KUNIT_EXPECT_EQ(test, ktrack_src_total(b), 1);
	KUNIT_EXPECT_EQ(test, ktrack_src_ref_live(atomic64_read(&n->ref)), 1U);
	ktrack_src_release(b, NFPROTO_IPV4, &x);
	KUNIT_EXPECT_EQ(test, ktrack_src_total(b), 0);
	ktrack_src_destroy(b);
}

/*
 * Two threads churn one source at its limit while this one resizes the IPv4 buckets back and
 * forth, 64 other sources counted throughout: the limit holds, and every count is where it was.
 */
static void source_resize_under_churn(struct kunit *test)
{
	static const unsigned int sizes[] = { 4096, 256, 16384, 512, 1024 };
	atomic_t live = ATOMIC_INIT(0), max = ATOMIC_INIT(0);
	struct ktrack_srctable *st = tsrc(test);
	struct tworker *w;
	unsigned int i;

	for (i = 0; i < 64; i++) {
		KUNIT_ASSERT_EQ(test, tacq4(test, 0xc6120000 + i, 0), 0);
		KUNIT_ASSERT_EQ(test, tacq4(test, 0xc6120000 + i, 0), 0);
	}
	w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < 2; i++) {
		struct task_struct *task;

		w[i].st = st;
		w[i].limit = 3;
		w[i].rounds = 20000;
		w[i].live = &live;
		w[i].max = &max;
		init_completion(&w[i].done);
		task = kthread_run(tworker_fn, &w[i], "ktrack-kunit-rs%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < 50; i++) {
		mutex_lock(&st->resize_mutex);
		KUNIT_EXPECT_EQ(test, ktrack_src_resize(st, false, sizes[i % ARRAY_SIZE(sizes)]), 0);
		mutex_unlock(&st->resize_mutex);
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&w[i].done);
	KUNIT_EXPECT_EQ(test, w[0].other + w[1].other, 0UL);
	KUNIT_EXPECT_LE(test, atomic_read(&max), 3);
	KUNIT_EXPECT_EQ(test, st->fam[0].nbuckets, sizes[49 % ARRAY_SIZE(sizes)]);
	KUNIT_EXPECT_EQ(test, tsources(test), 64);
	for (i = 0; i < 64; i++) {
		KUNIT_EXPECT_EQ(test, tlive4(test, 0xc6120000 + i), 2U);
		trel4(test, 0xc6120000 + i);
		trel4(test, 0xc6120000 + i);
	}
	KUNIT_EXPECT_EQ(test, tsources(test), 0);
}

static struct kunit_case source_cases[] = {
	KUNIT_CASE(source_acquire_release),
	KUNIT_CASE(source_limit),
	KUNIT_CASE(source_mask),
	KUNIT_CASE(source_many),
	KUNIT_CASE(source_two_cpus_one_source),
	KUNIT_CASE(source_two_tables_reuse),
	KUNIT_CASE(source_resize_under_churn),
	{}
};

static struct kunit_suite source_suite = {
	.name = "ktrack_source",
	.suite_init = source_suite_init,
	.suite_exit = source_suite_exit,
	.init = source_test_init,
	.exit = source_test_exit,
	.test_cases = source_cases,
};
kunit_test_suite(source_suite);
