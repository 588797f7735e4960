// SPDX-License-Identifier: GPL-2.0
/*
 * test_srcresize.c - unit tests of the resize of a family's source buckets (src/source.c, included
 * here for its lockless lookup), through shim/ with liburcu: every source's count kept and every
 * node in the bucket of its hash after growing and shrinking, bad sizes and a failed allocation
 * that leave the family as it was, the request to grow an acquire makes past the threshold, a walk
 * done in steps that meets each source once while the buckets are resized between its steps, and
 * threads racing repeated resizes (a lockless lookup of a source counted all along never misses;
 * acquires at the limit never make a second node, in whichever array the first one is).
 */
#include <pthread.h>
#include <arpa/inet.h>

#include "ktest.h"
#include "../../src/source.c"

#define V4	NFPROTO_IPV4
#define V6	NFPROTO_IPV6

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

/* Source @i of a family: 198.18.0.0 + i, or 2001:db8::i. */
static union ktrack_addr src_addr(bool v6, unsigned int i)
{
	union ktrack_addr a;

	memset(&a, 0, sizeof(a));
	if (!v6) {
		a.ip = htonl(0xc6120000 + i);
	} else {
		a.in6.s6_addr32[0] = htonl(0x20010db8);
		a.in6.s6_addr32[3] = htonl(i);
	}
	return a;
}

static unsigned int src_index(bool v6, const union ktrack_addr *a)
{
	return v6 ? ntohl(a->in6.s6_addr32[3]) : ntohl(a->ip) - 0xc6120000;
}

static int resize(bool v6, unsigned int size)
{
	int err;

	mutex_lock(&st.resize_mutex);
	err = ktrack_src_resize(&st, v6, size);
	mutex_unlock(&st.resize_mutex);
	return err;
}

enum { NSRC = 3000 };

/* Source i of each family holds i % 4 + 1 connections. */
static void fill(void)
{
	unsigned int i, j;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < NSRC; i++) {
			union ktrack_addr a = src_addr(v6, i);

			for (j = 0; j < i % 4 + 1; j++)
				KT_EQ(ktrack_src_acquire(&st, v6 ? V6 : V4, &a, 0), 0);
		}
	}
}

static void drain(void)
{
	unsigned int i, j;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < NSRC; i++) {
			union ktrack_addr a = src_addr(v6, i);

			for (j = 0; j < i % 4 + 1; j++)
				ktrack_src_release(&st, v6 ? V6 : V4, &a);
		}
	}
	KT_EQ(ktrack_src_total(&st), 0);
}

/*
 * Family @v6 has one array of @size, every node in the bucket of its hash, and exactly fill()'s
 * sources with their counts; each found by the lockless lookup.
 */
static void check_family(bool v6, unsigned int size)
{
	struct ktrack_srcbuckets *tbl = st.fam[v6].tbl;
	unsigned int b, i, found = 0, misplaced = 0, wrong = 0, lost = 0;
	union ktrack_addr a;
	struct ktrack_src *s;

	KT_EQ(st.fam[v6].nbuckets, size);
	KT_EQ(tbl->size, size);
	KT_CHECK(tbl->future == NULL);
	for (b = 0; b < size; b++) {
		for (s = tbl->b[b]; s; s = s->next) {
			found++;
			ktrack_src_addr(s, v6, &a);
			if ((ktrack_src_hash(&st, v6, &a) & (size - 1)) != b)
				misplaced++;
			i = src_index(v6, &a);
			if (i >= NSRC || ktrack_src_ref_live(atomic64_read(&s->ref)) != i % 4 + 1)
				wrong++;
		}
	}
	rcu_read_lock();
	for (i = 0; i < NSRC; i++) {
		a = src_addr(v6, i);
		if (!ktrack_src_find_rcu(&st, v6, ktrack_src_hash(&st, v6, &a), &a))
			lost++;
	}
	rcu_read_unlock();
	KT_EQ(found, NSRC);
	KT_EQ(atomic_read(&st.fam[v6].nsources), NSRC);
	KT_EQ(misplaced, 0);
	KT_EQ(wrong, 0);
	KT_EQ(lost, 0);
}

static void grow_and_shrink_keep_every_source(void)
{
	static const unsigned int sizes[] = { 1024, 8192, 512, 256, 256, 2048 };
	union ktrack_addr a = src_addr(false, 7);
	unsigned int i;

	setup();
	fill();
	check_family(false, 256);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KT_EQ(resize(false, sizes[i]), 0);
		check_family(false, sizes[i]);
		check_family(true, 256);	/* the other family is not touched */
	}
	KT_EQ(resize(true, 4096), 0);
	check_family(true, 4096);
	/* and it goes on working: a release, an acquire, a limit after the last move */
	ktrack_src_release(&st, V4, &a);
	KT_EQ(ktrack_src_acquire(&st, V4, &a, 0), 0);
	KT_EQ(ktrack_src_acquire(&st, V4, &a, 7 % 4 + 1), -EDQUOT);
	check_family(false, 2048);
	drain();
	teardown();
}

static void resize_refuses_bad_sizes(void)
{
	setup();
	fill();
	/* fewer buckets than locks, or not a power of two: refused, and it warns */
	KT_EQ(resize(false, 128), -EINVAL);
	KT_EQ(resize(true, 768), -EINVAL);
	KT_EQ(shim_warnings, warnings_before + 2);
	warnings_before = shim_warnings;
	check_family(false, 256);
	check_family(true, 256);
	drain();
	teardown();
}

static void resize_nomem_keeps_family(void)
{
	struct ktrack_srcbuckets *before;
	int step;

	setup();
	fill();
	before = st.fam[0].tbl;
	for (step = 0; step < 2; step++) {	/* the new array's header, then its buckets */
		shim_alloc_fail_after = step;
		KT_EQ(resize(false, 1024), -ENOMEM);
		shim_alloc_fail_after = -1;
		KT_CHECK(st.fam[0].tbl == before);
		check_family(false, 256);
	}
	KT_EQ(resize(false, 1024), 0);
	check_family(false, 1024);
	drain();
	teardown();
}

/*
 * The acquire that makes a family's sources pass grow_above (resize.c arms it) asks for a resize
 * once: grow set, the threshold off until it is armed again; a new count of a source already
 * counted, or a source of the other family, does not.
 */
static void acquire_past_threshold_asks_to_grow(void)
{
	union ktrack_addr a;
	unsigned int i;

	setup();
	KT_EQ(st.fam[0].grow_above, UINT_MAX);	/* off until armed */
	st.fam[0].grow_above = 10;
	for (i = 0; i < 10; i++) {
		a = src_addr(false, i);
		KT_EQ(ktrack_src_acquire(&st, V4, &a, 0), 0);
		KT_EQ(ktrack_src_acquire(&st, V4, &a, 0), 0);
		a = src_addr(true, i);
		KT_EQ(ktrack_src_acquire(&st, V6, &a, 0), 0);
	}
	KT_CHECK(!st.grow);
	a = src_addr(false, 10);
	KT_EQ(ktrack_src_acquire(&st, V4, &a, 0), 0);
	KT_CHECK(st.grow);
	KT_EQ(st.fam[0].grow_above, UINT_MAX);
	for (i = 0; i <= 10; i++) {
		a = src_addr(false, i);
		ktrack_src_release(&st, V4, &a);
		if (i < 10) {
			ktrack_src_release(&st, V4, &a);
			a = src_addr(true, i);
			ktrack_src_release(&st, V6, &a);
		}
	}
	KT_EQ(ktrack_src_total(&st), 0);
	teardown();
}

/* A walk step: takes one source, then stops the walk (as a dump message that is full). */
struct step_arg {
	bool v6, took;
	unsigned int index;
	unsigned int live;
};

static int step_fn(void *arg, u8 family, const union ktrack_addr *addr, unsigned int live)
{
	struct step_arg *sa = arg;

	if (sa->took)
		return -EMSGSIZE;
	sa->took = true;
	sa->v6 = family == V6;
	sa->index = src_index(sa->v6, addr);
	sa->live = live;
	return 0;
}

static u32 lcg(u32 *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/*
 * A walk in steps of one source, each family's buckets resized every few steps, sources released
 * and new ones counted between steps: one counted for the whole walk is met exactly once, with its
 * count; the others at most once.
 */
static void walk_exactly_once_across_resizes(void)
{
	static const unsigned int sizes[] = { 1024, 256, 4096, 512, 16384, 256 };
	static unsigned char seen[2][NSRC + 500];
	static bool changed[2][NSRC + 500];
	unsigned int i, j, steps = 0, r = 0, twice = 0, missed = 0, badlive = 0;
	u32 seed = 77;
	int v6;

	memset(seen, 0, sizeof(seen));
	memset(changed, 0, sizeof(changed));
	setup();
	fill();
	for (v6 = 0; v6 < 2; v6++) {
		struct ktrack_walk w;

		ktrack_walk_init(&w);
		for (;;) {
			struct step_arg sa = { .took = false };
			int ret = ktrack_src_walk(&st, v6, &w, step_fn, &sa);
			union ktrack_addr a;

			if (sa.took) {
				if (seen[v6][sa.index]++)
					twice++;
				if (sa.index < NSRC && !changed[v6][sa.index] && sa.live != sa.index % 4 + 1)
					badlive++;
			}
			if (!ret)
				break;
			if (++steps % 37 == 0) {
				KT_EQ(resize(false, sizes[r % ARRAY_SIZE(sizes)]), 0);
				KT_EQ(resize(true, sizes[(r + 3) % ARRAY_SIZE(sizes)]), 0);
				r++;
			}
			if (steps % 5 == 0) {
				/* a source of fill() released whole, and a new one counted */
				i = lcg(&seed) % NSRC;
				if (!changed[v6][i]) {
					a = src_addr(v6, i);
					changed[v6][i] = true;
					for (j = 0; j < i % 4 + 1; j++)
						ktrack_src_release(&st, v6 ? V6 : V4, &a);
				}
				i = NSRC + lcg(&seed) % 500;
				if (!changed[v6][i]) {
					a = src_addr(v6, i);
					changed[v6][i] = true;
					KT_EQ(ktrack_src_acquire(&st, v6 ? V6 : V4, &a, 0), 0);
				}
			}
		}
		KT_EQ(w.rev, KTRACK_WALK_END);
	}
	for (v6 = 0; v6 < 2; v6++)
		for (i = 0; i < NSRC; i++)
			if (!changed[v6][i] && seen[v6][i] != 1)
				missed++;
	KT_CHECK(r >= 10);
	KT_EQ(twice, 0);
	KT_EQ(missed, 0);
	KT_EQ(badlive, 0);
	/* what is left: the unchanged sources of fill() and the new ones */
	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < NSRC + 500; i++) {
			union ktrack_addr a = src_addr(v6, i);
			unsigned int n = i >= NSRC ? changed[v6][i] : changed[v6][i] ? 0 : i % 4 + 1;

			for (; n; n--)
				ktrack_src_release(&st, v6 ? V6 : V4, &a);
		}
	}
	KT_EQ(ktrack_src_total(&st), 0);
	teardown();
}

/*
 * Threads race 200 resizes of each family. IPv4: fill()'s sources stay counted, and readers look
 * them up locklessly: never a miss. IPv6: churners acquire (limit 2) and release sources of their
 * own range at random, nodes freed and made again all the time, and each also tries sources of
 * fill() that it pushes to their limit: an acquire at the limit never finds room (a second node
 * for a source in the other array would give it).
 */
enum { READERS = 2, CHURNERS = 2, CHURN_SRCS = 64 };

static bool race_stop;

static void *race_reader(void *arg)
{
	long bad = 0, n = 0;
	u32 seed = (long)arg * 7919 + 3;

	rcu_register_thread();
	while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE) || n < 1000) {
		unsigned int i = lcg(&seed) % NSRC;
		union ktrack_addr a = src_addr(false, i);
		struct ktrack_src *s;

		rcu_read_lock();
		s = ktrack_src_find_rcu(&st, false, ktrack_src_hash(&st, false, &a), &a);
		if (!s)
			bad++;
		rcu_read_unlock();
		n++;
	}
	rcu_unregister_thread();
	return (void *)bad;
}

static void *race_churner(void *arg)
{
	long id = (long)arg, bad = 0, n;
	int mine[CHURN_SRCS] = { 0 };
	u32 seed = id * 31 + 5;
	unsigned int i;

	rcu_register_thread();
	for (n = 0; !__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE) || n < 1000; n++) {
		unsigned int k = lcg(&seed) % CHURN_SRCS;
		union ktrack_addr a = src_addr(true, NSRC + id * CHURN_SRCS + k);
		int err;

		if (mine[k] && (lcg(&seed) & 1)) {
			ktrack_src_release(&st, V6, &a);
			mine[k]--;
		} else {
			err = ktrack_src_acquire(&st, V6, &a, 2);
			if (!err)
				mine[k]++;
			else if (err != -EDQUOT || mine[k] != 2)
				bad++;
		}
		/* a source of fill(), at its limit: never room */
		i = lcg(&seed) % NSRC;
		a = src_addr(true, i);
		if (ktrack_src_acquire(&st, V6, &a, i % 4 + 1) != -EDQUOT)
			bad++;
	}
	for (i = 0; i < CHURN_SRCS; i++) {
		union ktrack_addr a = src_addr(true, NSRC + id * CHURN_SRCS + i);

		for (; mine[i]; mine[i]--)
			ktrack_src_release(&st, V6, &a);
	}
	rcu_unregister_thread();
	return (void *)bad;
}

static void lookups_and_churn_race_resizes(void)
{
	static const unsigned int sizes[] = { 1024, 256, 8192, 512, 16384, 2048, 256 };
	pthread_t rd[READERS], ch[CHURNERS];
	unsigned int i;
	long r;

	setup();
	fill();
	race_stop = false;
	shim_preempt_odds = 4;
	for (i = 0; i < READERS; i++)
		pthread_create(&rd[i], NULL, race_reader, (void *)(long)i);
	for (i = 0; i < CHURNERS; i++)
		pthread_create(&ch[i], NULL, race_churner, (void *)(long)i);
	for (i = 0; i < 200; i++) {
		KT_EQ(resize(false, sizes[i % ARRAY_SIZE(sizes)]), 0);
		KT_EQ(resize(true, sizes[(i + 2) % ARRAY_SIZE(sizes)]), 0);
	}
	__atomic_store_n(&race_stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < READERS; i++) {
		pthread_join(rd[i], (void **)&r);
		KT_EQ(r, 0);
	}
	for (i = 0; i < CHURNERS; i++) {
		pthread_join(ch[i], (void **)&r);
		KT_EQ(r, 0);
	}
	shim_preempt_odds = 0;
	check_family(false, sizes[199 % ARRAY_SIZE(sizes)]);
	check_family(true, sizes[(199 + 2) % ARRAY_SIZE(sizes)]);
	drain();
	teardown();
}

int main(void)
{
	rcu_register_thread();
	if (ktrack_src_caches_init())
		return 1;
	KT_RUN(grow_and_shrink_keep_every_source);
	KT_RUN(resize_refuses_bad_sizes);
	KT_RUN(resize_nomem_keeps_family);
	KT_RUN(acquire_past_threshold_asks_to_grow);
	KT_RUN(walk_exactly_once_across_resizes);
	KT_RUN(lookups_and_churn_race_resizes);
	ktrack_src_caches_exit();
	rcu_unregister_thread();
	return kt_done();
}
