// SPDX-License-Identifier: GPL-2.0
/*
 * test_source.c - unit tests of the per-source connection counts (src/source.c), built in
 * userspace through shim/ with liburcu: limits, freeing at zero, prefix masking, the walk the
 * sources dump uses, the allocations of a table (charged to the caller's memory cgroup, undone
 * when one fails), and threads acquiring and releasing at once (counts stay exact, the limit is
 * never exceeded, and nodes freed at zero and reused at once for other sources, as the
 * SLAB_TYPESAFE_BY_RCU cache allows, are never counted for the wrong source), in one table and in
 * two tables that share the caches, as two network namespaces do (never for the wrong table).
 */
#include <pthread.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/slab.h>

#include "ktest.h"
#include "source.h"

static struct ktrack_srctable st;
static long allocs_before;
static int warnings_before;

static void setup(void)
{
	allocs_before = shim_live_allocs;
	warnings_before = shim_warnings;
	KT_EQ(ktrack_src_init(&st, 256, 256), 0);
}

static void teardown(void)
{
	rcu_barrier();
	ktrack_src_destroy(&st);
	KT_EQ(shim_live_allocs, allocs_before);
	KT_EQ(shim_warnings, warnings_before);
}

static union ktrack_addr a4(const char *s)
{
	union ktrack_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.ip) != 1)
		abort();
	return a;
}

static union ktrack_addr a6(const char *s)
{
	union ktrack_addr a;

	if (inet_pton(AF_INET6, s, &a.in6) != 1)
		abort();
	return a;
}

static bool same(union ktrack_addr x, union ktrack_addr y)
{
	return !memcmp(&x, &y, sizeof(x));
}

/* Masked as ktrack_conn_create() does before it acquires. */
static union ktrack_addr masked(u8 family, union ktrack_addr a, unsigned int prefix)
{
	union ktrack_addr m;

	ktrack_src_mask(family, &a, prefix, &m);
	return m;
}

static int acquire(u8 family, union ktrack_addr a, unsigned int limit)
{
	return ktrack_src_acquire(&st, family, &a, limit);
}

static void release(u8 family, union ktrack_addr a)
{
	ktrack_src_release(&st, family, &a);
}

static int nsources(void)
{
	return ktrack_src_total(&st);
}

/* Walks both families of @tb with @fn, whole. */
static void walk_all(struct ktrack_srctable *tb, ktrack_src_fn fn, void *arg)
{
	struct ktrack_walk w;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		ktrack_walk_init(&w);
		KT_EQ(ktrack_src_walk(tb, v6, &w, fn, arg), 0);
		KT_CHECK(w.rev == KTRACK_WALK_END);
	}
}

struct live_arg {
	u8 family;
	union ktrack_addr addr;
	int live;
	int seen;		/* sources the walk passed */
};

static int live_fn(void *arg, u8 family, const union ktrack_addr *addr, unsigned int live)
{
	struct live_arg *la = arg;

	la->seen++;
	if (family == la->family && !memcmp(addr, &la->addr, sizeof(*addr)))
		la->live = live;
	return 0;
}

/* The live count of @a's node, -1 when it has none. */
static int live(u8 family, union ktrack_addr a)
{
	struct live_arg la = { .family = family, .addr = a, .live = -1 };

	walk_all(&st, live_fn, &la);
	KT_EQ(la.seen, nsources());
	return la.live;
}

#define V4	NFPROTO_IPV4
#define V6	NFPROTO_IPV6

static void init_sizes(void)
{
	setup();
	KT_EQ(st.fam[0].nbuckets, 256);
	KT_EQ(st.fam[1].nbuckets, 256);
	teardown();
	allocs_before = shim_live_allocs;
	KT_EQ(ktrack_src_init(&st, 1000, 5000), 0);
	KT_EQ(st.fam[0].nbuckets, 1024);
	KT_EQ(st.fam[1].nbuckets, 8192);
	KT_EQ(nsources(), 0);
	teardown();
	allocs_before = shim_live_allocs;
	KT_EQ(ktrack_src_init(&st, 3, 0), 0);
	KT_EQ(st.fam[0].nbuckets, 256);	/* at least one bucket a lock */
	KT_EQ(st.fam[1].nbuckets, 256);
	teardown();
}

/*
 * Anyone may create a netns: what a table allocates is charged to the creator's memory cgroup
 * (__GFP_ACCOUNT), and an init that fails at any step frees what it had, its table id too.
 */
static void init_accounted_nomem(void)
{
	long allocs = shim_allocs, accounted = shim_allocs_accounted;
	u32 id;
	int i;

	setup();
	id = st.id;
	KT_CHECK(id != 0);
	KT_EQ(shim_allocs - allocs, 4);		/* each family's array and its header */
	KT_EQ(shim_allocs_accounted - accounted, shim_allocs - allocs);
	teardown();
	for (i = 0; i < 5; i++) {		/* IPv4's two, IPv6's two, the table's id */
		shim_alloc_fail_after = i;
		KT_EQ(ktrack_src_init(&st, 256, 256), -ENOMEM);
		shim_alloc_fail_after = -1;
		KT_EQ(shim_live_allocs, allocs_before);
	}
	setup();
	KT_EQ(st.id, id);			/* the lowest free id: none was kept */
	teardown();
}

static void limit_then_edquot(void)
{
	union ktrack_addr a = a4("192.0.2.7");
	int i;

	setup();
	for (i = 0; i < 3; i++)
		KT_EQ(acquire(V4, a, 3), 0);
	KT_EQ(live(V4, a), 3);
	KT_EQ(acquire(V4, a, 3), -EDQUOT);
	KT_EQ(acquire(V4, a, 3), -EDQUOT);
	KT_EQ(live(V4, a), 3);
	KT_EQ(nsources(), 1);
	/* a lower limit (changed by sysctl) refuses, a higher one admits */
	KT_EQ(acquire(V4, a, 1), -EDQUOT);
	KT_EQ(acquire(V4, a, 4), 0);
	release(V4, a);
	release(V4, a);
	KT_EQ(acquire(V4, a, 3), 0);
	KT_EQ(acquire(V4, a, 3), -EDQUOT);
	/* another source is not affected */
	KT_EQ(acquire(V4, a4("192.0.2.8"), 3), 0);
	KT_EQ(nsources(), 2);
	for (i = 0; i < 3; i++)
		release(V4, a);
	release(V4, a4("192.0.2.8"));
	KT_EQ(nsources(), 0);
	teardown();
}

static void release_frees_at_zero(void)
{
	union ktrack_addr a = a6("2001:db8::1");
	long before;

	setup();
	before = shim_live_allocs;
	KT_EQ(acquire(V6, a, 0), 0);
	KT_EQ(acquire(V6, a, 0), 0);
	KT_EQ(shim_live_allocs, before + 1);	/* one node */
	release(V6, a);
	KT_EQ(nsources(), 1);
	KT_EQ(live(V6, a), 1);
	release(V6, a);
	KT_EQ(nsources(), 0);
	KT_EQ(live(V6, a), -1);			/* unlinked at once */
	KT_EQ(shim_live_allocs, before);	/* and back in its (typesafe) cache */
	/* and created anew */
	KT_EQ(acquire(V6, a, 1), 0);
	KT_EQ(acquire(V6, a, 1), -EDQUOT);
	KT_EQ(nsources(), 1);
	release(V6, a);
	KT_EQ(nsources(), 0);
	teardown();
}

static void mask_ipv4(void)
{
	union ktrack_addr a = a4("10.1.2.3");

	KT_EQ(masked(V4, a, 24).ip, a4("10.1.2.0").ip);
	KT_EQ(masked(V4, a, 32).ip, a.ip);
	KT_EQ(masked(V4, a, 0).ip, 0);
	KT_EQ(masked(V4, a, 31).ip, a4("10.1.2.2").ip);
	KT_EQ(masked(V4, a, 9).ip, a4("10.0.0.0").ip);
	KT_EQ(masked(V4, a4("255.255.255.255"), 17).ip, a4("255.255.128.0").ip);
	/* the rest of the union is cleared, so nodes compare and hash the same */
	KT_CHECK(same(masked(V4, a, 24), a4("10.1.2.0")));
}

static void mask_ipv6(void)
{
	union ktrack_addr a = a6("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");

	KT_CHECK(same(masked(V6, a, 64), a6("2001:db8:aaaa:bbbb::")));
	KT_CHECK(same(masked(V6, a, 48), a6("2001:db8:aaaa::")));
	KT_CHECK(same(masked(V6, a, 61), a6("2001:db8:aaaa:bbb8::")));
	KT_CHECK(same(masked(V6, a, 128), a));
	KT_CHECK(same(masked(V6, a, 0), a6("::")));
}

static void prefix24_groups_sources(void)
{
	setup();
	KT_EQ(acquire(V4, masked(V4, a4("10.1.2.3"), 24), 2), 0);
	KT_EQ(acquire(V4, masked(V4, a4("10.1.2.200"), 24), 2), 0);
	KT_EQ(acquire(V4, masked(V4, a4("10.1.2.99"), 24), 2), -EDQUOT);
	KT_EQ(acquire(V4, masked(V4, a4("10.1.3.1"), 24), 2), 0);	/* the next /24 */
	KT_EQ(nsources(), 2);
	KT_EQ(live(V4, a4("10.1.2.0")), 2);
	release(V4, masked(V4, a4("10.1.2.3"), 24));
	release(V4, masked(V4, a4("10.1.2.77"), 24));	/* any address of the /24 */
	release(V4, masked(V4, a4("10.1.3.1"), 24));
	KT_EQ(nsources(), 0);
	teardown();
}

static void prefix64_groups_sources(void)
{
	setup();
	KT_EQ(acquire(V6, masked(V6, a6("2001:db8:1:2::1"), 64), 2), 0);
	KT_EQ(acquire(V6, masked(V6, a6("2001:db8:1:2:ffff:ffff:ffff:ffff"), 64), 2), 0);
	KT_EQ(acquire(V6, masked(V6, a6("2001:db8:1:2:1:2:3:4"), 64), 2), -EDQUOT);
	KT_EQ(acquire(V6, masked(V6, a6("2001:db8:1:3::1"), 64), 2), 0);
	KT_EQ(nsources(), 2);
	KT_EQ(live(V6, a6("2001:db8:1:2::")), 2);
	release(V6, masked(V6, a6("2001:db8:1:2::9"), 64));
	release(V6, masked(V6, a6("2001:db8:1:2::9"), 64));
	release(V6, masked(V6, a6("2001:db8:1:3::"), 64));
	KT_EQ(nsources(), 0);
	teardown();
}

static void limit_zero_unlimited(void)
{
	union ktrack_addr a = a4("198.51.100.1");
	int i, fails = 0;

	setup();
	for (i = 0; i < 20000; i++)
		fails += acquire(V4, a, 0) != 0;
	KT_EQ(fails, 0);
	KT_EQ(live(V4, a), 20000);
	KT_EQ(nsources(), 1);
	for (i = 0; i < 20000; i++)
		release(V4, a);
	KT_EQ(nsources(), 0);
	teardown();
}

static void families_distinct(void)
{
	/* the same bytes in the union: 10.0.0.1 and 0a00:0001:: */
	union ktrack_addr v4 = a4("10.0.0.1"), v6 = a6("a00:1::");

	setup();
	KT_CHECK(same(v4, v6));
	KT_EQ(acquire(V4, v4, 1), 0);
	KT_EQ(acquire(V6, v6, 1), 0);
	KT_EQ(nsources(), 2);
	release(V4, v4);
	KT_EQ(live(V6, v6), 1);
	release(V6, v6);
	KT_EQ(nsources(), 0);
	teardown();
}

static void many_sources(void)
{
	enum { N = 20000 };
	union ktrack_addr a;
	int i, bad = 0;

	setup();
	memset(&a, 0, sizeof(a));
	for (i = 0; i < N; i++) {
		a.ip = htonl(0x0a000000 + i);
		bad += acquire(V4, a, 2) != 0;
		bad += acquire(V4, a, 2) != 0;
		bad += acquire(V4, a, 2) != -EDQUOT;
	}
	KT_EQ(bad, 0);
	KT_EQ(nsources(), N);
	for (i = 0; i < N; i++) {
		a.ip = htonl(0x0a000000 + i);
		release(V4, a);
		release(V4, a);
	}
	KT_EQ(nsources(), 0);
	teardown();
}

struct walk_arg {
	int seen, stop_after;
	u32 sum4;		/* sum of the IPv4 sources' last bytes times their counts */
	int v6;
};

static int walk_fn(void *arg, u8 family, const union ktrack_addr *addr, unsigned int live)
{
	struct walk_arg *w = arg;

	if (w->seen == w->stop_after)
		return -EMSGSIZE;	/* as a full dump skb */
	w->seen++;
	if (family == V4)
		w->sum4 += (ntohl(addr->ip) & 0xff) * live;
	else
		w->v6 += live;
	return 0;
}

/* The walk resumed after every single source sees each source once, as one walk does. */
static void walk_resumes(void)
{
	struct walk_arg all = { .stop_after = -1 }, part = { .stop_after = 1 };
	struct ktrack_walk w;
	union ktrack_addr a;
	int i, j, v6, calls = 0;

	setup();
	memset(&a, 0, sizeof(a));
	for (i = 1; i <= 200; i++) {
		a.ip = htonl(0x0a000000 + i);
		for (j = 0; j < i % 3 + 1; j++)
			KT_EQ(acquire(V4, a, 0), 0);
	}
	KT_EQ(acquire(V6, a6("2001:db8::1"), 0), 0);
	KT_EQ(acquire(V6, a6("2001:db8::1"), 0), 0);
	walk_all(&st, walk_fn, &all);
	KT_EQ(all.seen, 201);
	KT_EQ(all.v6, 2);
	for (v6 = 0; v6 < 2; v6++) {
		ktrack_walk_init(&w);
		while (ktrack_src_walk(&st, v6, &w, walk_fn, &part)) {
			part.stop_after++;
			calls++;
		}
	}
	KT_EQ(calls, 200);	/* one source each time, the last call reaches the end */
	KT_EQ(part.seen, 201);
	KT_EQ(part.sum4, all.sum4);
	KT_EQ(part.v6, 2);
	for (i = 1; i <= 200; i++) {
		a.ip = htonl(0x0a000000 + i);
		for (j = 0; j < i % 3 + 1; j++)
			release(V4, a);
	}
	release(V6, a6("2001:db8::1"));
	release(V6, a6("2001:db8::1"));
	KT_EQ(nsources(), 0);
	teardown();
}

static void nomem(void)
{
	union ktrack_addr a = a4("10.0.0.1");

	setup();
	shim_alloc_fail_after = 0;
	KT_EQ(acquire(V4, a, 5), -ENOMEM);
	shim_alloc_fail_after = -1;
	KT_EQ(nsources(), 0);
	KT_EQ(acquire(V4, a, 5), 0);
	/* an existing node needs no allocation */
	shim_alloc_fail_after = 0;
	KT_EQ(acquire(V4, a, 5), 0);
	shim_alloc_fail_after = -1;
	release(V4, a);
	release(V4, a);
	teardown();
}

static void release_unknown_warns(void)
{
	setup();
	shim_warn_quiet = true;
	release(V4, a4("10.0.0.1"));
	shim_warn_quiet = false;
	KT_EQ(shim_warnings, warnings_before + 1);
	warnings_before = shim_warnings;
	KT_EQ(nsources(), 0);
	teardown();
}

/* Threads */

enum { NTHREADS = 4 };

static u32 lcg(u32 *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static pthread_barrier_t start;

/* Each thread tries 200 times on one source; the limit is 300 of the 800 attempts. */
static void *grab(void *arg)
{
	long ok = 0, i;

	(void)arg;
	rcu_register_thread();
	pthread_barrier_wait(&start);
	for (i = 0; i < 200; i++) {
		int err = acquire(V4, a4("203.0.113.9"), 300);

		if (err == 0)
			ok++;
		else if (err != -EDQUOT)
			ok = -1000000;
	}
	rcu_unregister_thread();
	return (void *)ok;
}

static void concurrent_limit_exact(void)
{
	pthread_t th[NTHREADS];
	long ok, total = 0;
	int i;

	setup();
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, grab, NULL);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], (void **)&ok);
		total += ok;
	}
	pthread_barrier_destroy(&start);
	KT_EQ(total, 300);
	KT_EQ(live(V4, a4("203.0.113.9")), 300);
	for (i = 0; i < 300; i++)
		release(V4, a4("203.0.113.9"));
	KT_EQ(nsources(), 0);
	teardown();
}

/*
 * Threads acquire and release on a few sources at random, so counts cross zero all the time
 * (nodes freed and created again while others look them up). held[] counts the connections the
 * threads hold: raised after a successful acquire, lowered before the release, so it is never
 * above the node's count, and must never be above the limit.
 */
enum { CHURN_SRCS = 8, CHURN_LIMIT = 3, CHURN_OPS = 100000 };
static int held[CHURN_SRCS];
static int over_limit;

static u8 churn_fam(unsigned int i)
{
	return i & 1 ? V6 : V4;
}

/* Source @i: 192.0.2.i or 2001:db8::i */
static union ktrack_addr churn_addr(unsigned int i)
{
	union ktrack_addr a = i & 1 ? a6("2001:db8::") : a4("192.0.2.0");

	if (churn_fam(i) == V6)
		a.in6.s6_addr[15] = i;
	else
		a.ip |= htonl(i);
	return a;
}

static void *churn(void *arg)
{
	int mine[CHURN_SRCS] = { 0 }, i, errs = 0;
	u32 seed = (long)arg * 31 + 7;

	rcu_register_thread();
	pthread_barrier_wait(&start);
	for (i = 0; i < CHURN_OPS; i++) {
		unsigned int s = lcg(&seed) % CHURN_SRCS;
		union ktrack_addr a = churn_addr(s);
		u8 fam = churn_fam(s);

		if (mine[s] && (lcg(&seed) & 1)) {
			__atomic_fetch_sub(&held[s], 1, __ATOMIC_SEQ_CST);
			release(fam, a);
			mine[s]--;
		} else {
			int err = acquire(fam, a, CHURN_LIMIT);

			if (err == 0) {
				mine[s]++;
				if (__atomic_add_fetch(&held[s], 1, __ATOMIC_SEQ_CST) > CHURN_LIMIT)
					__atomic_store_n(&over_limit, 1, __ATOMIC_RELAXED);
			} else if (err != -EDQUOT) {
				errs++;
			}
		}
	}
	for (i = 0; i < CHURN_SRCS; i++) {
		for (; mine[i]; mine[i]--) {
			__atomic_fetch_sub(&held[i], 1, __ATOMIC_SEQ_CST);
			release(churn_fam(i), churn_addr(i));
		}
	}
	rcu_unregister_thread();
	return (void *)(long)errs;
}

static void concurrent_churn(void)
{
	pthread_t th[NTHREADS];
	long errs;
	int i;

	setup();
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, churn, (void *)(long)i);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], (void **)&errs);
		KT_EQ(errs, 0);
	}
	pthread_barrier_destroy(&start);
	KT_EQ(over_limit, 0);
	for (i = 0; i < CHURN_SRCS; i++)
		KT_EQ(held[i], 0);
	KT_EQ(nsources(), 0);
	teardown();
}

/*
 * Two tables, as two network namespaces have, share the global caches: a node freed in one is
 * handed out again at once (the shim's typesafe cache reuses the last object freed, as SLUB's
 * per-CPU free list does, before any grace period) and may become the other table's node for the
 * same address while a lockless reader of the first still stands on it. Threads acquire and
 * release the same two sources (an IPv4 and an IPv6 one) in both tables, each thread holding at
 * most one count of each in each table, so that counts cross zero all the time; the shim's
 * preemption points (<linux/atomic.h>) take readers off the CPU between their steps. Afterwards
 * each table's count of each source is what the threads hold in that table, nothing warned, and
 * every node is freed.
 */
enum { XT_SRCS = 2, XT_OPS = 300000, XT_THREADS = 4 };
static struct ktrack_srctable xt[2];

struct xt_thread {
	long id, errs;
	int mine[2][XT_SRCS];
};

static void *xt_churn(void *arg)
{
	struct xt_thread *t = arg;
	u32 seed = t->id * 7919 + 13;
	int i;

	rcu_register_thread();
	pthread_barrier_wait(&start);
	for (i = 0; i < XT_OPS; i++) {
		u32 r = lcg(&seed);
		unsigned int tb = r & 1, s = (r >> 1) % XT_SRCS;
		union ktrack_addr a = churn_addr(s);
		int *mine = &t->mine[tb][s];

		if (*mine) {
			ktrack_src_release(&xt[tb], churn_fam(s), &a);
			--*mine;
		} else if (ktrack_src_acquire(&xt[tb], churn_fam(s), &a, 0) == 0) {
			++*mine;
		} else {
			t->errs++;
		}
	}
	rcu_unregister_thread();
	return NULL;
}

/* The live count of @a's node in @tb, -1 when it has none. */
static int xt_live(struct ktrack_srctable *tb, u8 family, union ktrack_addr a)
{
	struct live_arg la = { .family = family, .addr = a, .live = -1 };

	walk_all(tb, live_fn, &la);
	KT_EQ(la.seen, ktrack_src_total(tb));
	return la.live;
}

static void two_tables_share_nodes(void)
{
	struct kmem_cache *c = kmem_cache_create("typesafe", 16, 8, SLAB_TYPESAFE_BY_RCU, NULL);
	static struct xt_thread th[XT_THREADS];
	pthread_t tid[XT_THREADS];
	long before = shim_live_allocs;
	int warned = shim_warnings;
	int i, tb, s, n, want;
	void *p;

	/* the premise: a freed object is handed out again at once, no grace period between */
	p = kmem_cache_alloc(c, GFP_ATOMIC);
	kmem_cache_free(c, p);
	KT_CHECK(kmem_cache_alloc(c, GFP_ATOMIC) == p);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);

	KT_EQ(ktrack_src_init(&xt[0], 256, 256), 0);
	KT_EQ(ktrack_src_init(&xt[1], 256, 256), 0);
	shim_preempt_odds = 4;
	pthread_barrier_init(&start, NULL, XT_THREADS);
	for (i = 0; i < XT_THREADS; i++) {
		th[i].id = i;
		pthread_create(&tid[i], NULL, xt_churn, &th[i]);
	}
	for (i = 0; i < XT_THREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&start);
	shim_preempt_odds = 0;
	for (tb = 0; tb < 2; tb++) {
		int nsrc = 0;

		for (s = 0; s < XT_SRCS; s++) {
			for (i = 0, n = 0; i < XT_THREADS; i++)
				n += th[i].mine[tb][s];
			nsrc += n > 0;
			want = n ? n : -1;	/* -1: no node */
			if (!KT_EQ(xt_live(&xt[tb], churn_fam(s), churn_addr(s)), want))
				printf("# table %d source %d: the threads hold %d\n", tb, s, n);
		}
		KT_EQ(ktrack_src_total(&xt[tb]), nsrc);
	}
	for (i = 0; i < XT_THREADS; i++) {
		KT_EQ(th[i].errs, 0);
		for (tb = 0; tb < 2; tb++) {
			for (s = 0; s < XT_SRCS; s++) {
				union ktrack_addr a = churn_addr(s);

				for (; th[i].mine[tb][s]; th[i].mine[tb][s]--)
					ktrack_src_release(&xt[tb], churn_fam(s), &a);
			}
		}
	}
	KT_EQ(ktrack_src_total(&xt[0]), 0);
	KT_EQ(ktrack_src_total(&xt[1]), 0);
	KT_EQ(shim_warnings, warned);
	rcu_barrier();
	ktrack_src_destroy(&xt[0]);
	ktrack_src_destroy(&xt[1]);
	KT_EQ(shim_live_allocs, before);
}

int main(void)
{
	rcu_register_thread();
	if (ktrack_src_caches_init())
		return 1;
	KT_RUN(init_sizes);
	KT_RUN(init_accounted_nomem);
	KT_RUN(limit_then_edquot);
	KT_RUN(release_frees_at_zero);
	KT_RUN(mask_ipv4);
	KT_RUN(mask_ipv6);
	KT_RUN(prefix24_groups_sources);
	KT_RUN(prefix64_groups_sources);
	KT_RUN(limit_zero_unlimited);
	KT_RUN(families_distinct);
	KT_RUN(many_sources);
	KT_RUN(walk_resumes);
	KT_RUN(nomem);
	KT_RUN(release_unknown_warns);
	KT_RUN(concurrent_limit_exact);
	KT_RUN(concurrent_churn);
	KT_RUN(two_tables_share_nodes);
	ktrack_src_caches_exit();
	rcu_unregister_thread();
	return kt_done();
}
