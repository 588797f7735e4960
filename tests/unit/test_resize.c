// SPDX-License-Identifier: GPL-2.0
/*
 * test_resize.c - unit tests of the table's resize and of the walk that a resize does not disturb
 * (src/table.c), through shim/ with liburcu: every entry found from both directions and in its
 * bucket after growing and shrinking, the stripes' lists untouched, an allocation failure that
 * leaves the table as it was, a walk that meets each entry once while the table is resized and
 * changed between its steps, and readers and writers racing repeated resizes (a lookup of an entry
 * that is in the table all along never misses; ASan reports an array freed under a reader).
 */
#include <pthread.h>

#include <linux/bitrev.h>

#include "table_kit.h"

enum { NKEYS = 3000 };

static struct ktrack_pkt key[NKEYS];
static struct ktrack_conn *live[NKEYS];

/* Key @i: IPv4 TCP and UDP, and IPv6 TCP, from source @i (its index can be read back). */
static struct ktrack_pkt key_of(unsigned int i)
{
	struct in6_addr a = ip6("2001:db8::"), d = ip6("2001:db8:1::1");

	switch (i % 3) {
	case 0:
	case 1:
		return pkt4(i % 3 ? KTRACK_L4_UDP : KTRACK_L4_TCP, htonl(0xc6120000 + i), 1024 + i,
			    ip4("192.0.2.1"), 80);
	default:
		a.s6_addr32[3] = htonl(i);
		return pkt6(KTRACK_L4_TCP, a, 1024 + i, d, 443);
	}
}

/* The key index of @ct (key_of()'s source address). */
static unsigned int index_of(const struct ktrack_conn *ct)
{
	if (ktrack_conn_is_v6(ct))
		return ntohl(container_of(ct, struct ktrack_conn6, c)->saddr.s6_addr32[3]);
	return ntohl(container_of(ct, struct ktrack_conn4, c)->saddr) - 0xc6120000;
}

static void fill(unsigned int n)
{
	unsigned int i;

	memset(live, 0, sizeof(live));
	for (i = 0; i < n; i++) {
		key[i] = key_of(i);
		live[i] = insert(&key[i]);
	}
}

static int resize(unsigned int size)
{
	int err;

	mutex_lock(&t.resize_mutex);
	err = ktrack_table_resize(&t, size);
	mutex_unlock(&t.resize_mutex);
	return err;
}

/*
 * The table holds exactly the live entries of the first @n keys, each found from both directions,
 * each in the bucket of its hash, each on its stripe's list of its class; one array of @size.
 */
static void check_table(unsigned int n, unsigned int size)
{
	unsigned int i, b, found = 0, misplaced = 0, lost = 0, nlive = 0;
	struct ktrack_conn *ct;
	enum ktrack_dir d;

	KT_EQ(t.nbuckets, size);
	KT_EQ(t.tbl->size, size);
	KT_CHECK(t.tbl->future == NULL);
	for (b = 0; b < size; b++) {
		for (ct = t.tbl->b[b]; ct; ct = ct->next) {
			found++;
			if ((ktrack_conn_hash(&t, ct) & (size - 1)) != b)
				misplaced++;
		}
	}
	for (i = 0; i < n; i++) {
		struct ktrack_pkt r = rev(key[i]);

		if (!live[i])
			continue;
		nlive++;
		if (lookup(&key[i], &d) != live[i] || d != O || lookup(&r, &d) != live[i] ||
		    d != R || !on_class_list(live[i]))
			lost++;
	}
	KT_EQ(found, nlive);
	KT_EQ(count(), nlive);
	KT_EQ(misplaced, 0);
	KT_EQ(lost, 0);
}

static void grow_and_shrink_keep_every_entry(void)
{
	static const unsigned int sizes[] = { 256, 4096, 8192, 1024, 128, 64, 64, 2048 };
	struct ktrack_conn *ct;
	unsigned int i;

	setup(64);	/* 4 stripes: a bucket's stripe is its low 2 bits at every size */
	KT_EQ(t.nstripes, 4);
	fill(NKEYS);
	check_table(NKEYS, 64);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KT_EQ(resize(sizes[i]), 0);
		check_table(NKEYS, sizes[i]);
	}
	/* and it goes on working: an insert and a delete after the last move */
	delete(live[7]);
	live[7] = NULL;
	ct = conn(&key[8]);
	KT_CHECK(ktrack_table_insert(&t, ct) == live[8]);
	ktrack_conn_free(ct);
	check_table(NKEYS, 2048);
	teardown();
}

static void resize_refuses_bad_sizes(void)
{
	setup(64);
	fill(100);
	/* fewer buckets than stripes, or not a power of two: refused, and it warns */
	KT_EQ(resize(2), -EINVAL);
	KT_EQ(resize(96), -EINVAL);
	KT_EQ(shim_warnings, warnings_before + 2);
	warnings_before = shim_warnings;
	check_table(100, 64);
	teardown();
}

static void resize_nomem_keeps_table(void)
{
	struct ktrack_buckets *before;

	setup(64);
	fill(NKEYS);
	before = t.tbl;
	shim_alloc_fail_after = 0;	/* the new array */
	KT_EQ(resize(1024), -ENOMEM);
	shim_alloc_fail_after = -1;
	KT_CHECK(t.tbl == before);
	check_table(NKEYS, 64);
	KT_EQ(resize(1024), 0);
	check_table(NKEYS, 1024);
	teardown();
}

/*
 * A walk, with the table resized every few steps and entries deleted and added between steps:
 * the entries come in the order of (bitrev32(hash), address); one that is there for the whole walk
 * is met exactly once, a deleted or added one at most once, a dead one never.
 */
static void walk_exactly_once_across_resizes(void)
{
	static const unsigned int sizes[] = { 1024, 128, 4096, 64, 512, 16384, 256 };
	static unsigned char seen[NKEYS];
	static bool changed[NKEYS];
	unsigned int i, steps = 0, r = 0, dead = 0, twice = 0, missed = 0, unordered = 0;
	u64 last_rev = 0;
	unsigned long last_addr = 0;
	struct ktrack_walk w;
	struct ktrack_conn *ct;
	u32 seed = 99;

	memset(seen, 0, sizeof(seen));
	memset(changed, 0, sizeof(changed));
	setup(64);
	fill(NKEYS - 500);	/* the last 500 keys are added during the walk */
	ktrack_walk_init(&w);
	mutex_lock(&t.resize_mutex);
	for (;;) {
		u64 rv;

		rcu_read_lock();
		ct = ktrack_table_walk_next(&t, &w);
		if (ct) {
			i = index_of(ct);
			rv = bitrev32(ktrack_conn_hash(&t, ct));
			dead += !!(ct->flags & KTRACK_F_DEAD);
			if (rv < last_rev || (rv == last_rev && (unsigned long)ct <= last_addr))
				unordered++;
			last_rev = rv;
			last_addr = (unsigned long)ct;
			if (i < NKEYS && seen[i]++)
				twice++;
		}
		rcu_read_unlock();
		if (!ct)
			break;
		if (++steps % 97 == 0)
			KT_EQ(ktrack_table_resize(&t, sizes[r++ % ARRAY_SIZE(sizes)]), 0);
		if (steps % 5 == 0) {
			/* a delete anywhere, and one of the last 500 added */
			i = lcg(&seed) % (NKEYS - 500);
			if (live[i]) {
				delete(live[i]);
				live[i] = NULL;
				changed[i] = true;
			}
			i = NKEYS - 500 + lcg(&seed) % 500;
			if (!live[i]) {
				key[i] = key_of(i);
				live[i] = insert(&key[i]);
				changed[i] = true;
			}
		}
	}
	mutex_unlock(&t.resize_mutex);
	for (i = 0; i < NKEYS; i++)
		if (!changed[i] && i < NKEYS - 500 && seen[i] != 1)
			missed++;
	KT_CHECK(r >= 10);
	KT_EQ(dead, 0);
	KT_EQ(twice, 0);
	KT_EQ(missed, 0);
	KT_EQ(unordered, 0);
	KT_EQ(w.rev, KTRACK_WALK_END);
	teardown();
}

/*
 * Readers look up under RCU and writers insert and delete while the table is resized over and
 * over: an entry that stays in the table is found every time from both directions; an insert of a
 * tuple that is in the table is refused however the arrays stand.
 */

enum { STABLE = 1000, READERS = 3 };

static bool race_stop;
static long race_lookups[READERS];

static void *race_reader(void *arg)
{
	long id = (long)arg, bad = 0;
	u32 seed = id * 7919 + 3;

	rcu_register_thread();
	while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
		unsigned int k = lcg(&seed) % NKEYS;
		bool reply = lcg(&seed) & 1;
		struct ktrack_pkt p = reply ? rev(key[k]) : key[k];
		struct ktrack_conn *ct;
		enum ktrack_dir dir;

		rcu_read_lock();
		ct = ktrack_table_lookup(&t, &p, &dir);
		if (k < STABLE && (!ct || dir != (reply ? R : O) || index_of(ct) != k))
			bad++;	/* a stable entry missed, or something else found */
		else if (ct && index_of(ct) != k)
			bad++;
		rcu_read_unlock();
		race_lookups[id]++;
	}
	rcu_unregister_thread();
	return (void *)bad;
}

static void *race_writer(void *arg)
{
	long bad = 0, n;
	u32 seed = 4242;

	(void)arg;
	rcu_register_thread();
	for (n = 0; !__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE); n++) {
		unsigned int k = STABLE + lcg(&seed) % (NKEYS - STABLE);
		struct ktrack_conn *ct;

		if (live[k]) {
			delete(live[k]);
			live[k] = NULL;
		} else {
			live[k] = insert(&key[k]);
		}
		if (n % 16 == 0) {
			/* a duplicate of a stable entry, from its reply direction */
			k = lcg(&seed) % STABLE;
			ct = conn_rev(&key[k]);
			if (ktrack_table_insert(&t, ct) != live[k])
				bad++;
			ktrack_conn_free(ct);
		}
	}
	rcu_unregister_thread();
	return (void *)bad;
}

static void readers_and_writers_race_resizes(void)
{
	static const unsigned int sizes[] = { 256, 32, 4096, 16, 1024, 64, 16384, 128 };
	pthread_t rd[READERS], wr;
	unsigned int i;
	long r;

	memset(live, 0, sizeof(live));
	setup(16);	/* one stripe */
	for (i = 0; i < NKEYS; i++)
		key[i] = key_of(i);
	for (i = 0; i < STABLE; i++)
		live[i] = insert(&key[i]);
	race_stop = false;
	for (i = 0; i < READERS; i++) {
		race_lookups[i] = 0;
		pthread_create(&rd[i], NULL, race_reader, (void *)(long)i);
	}
	pthread_create(&wr, NULL, race_writer, NULL);
	for (i = 0; i < 200; i++)
		KT_EQ(resize(sizes[i % ARRAY_SIZE(sizes)]), 0);
	__atomic_store_n(&race_stop, true, __ATOMIC_RELEASE);
	pthread_join(wr, (void **)&r);
	KT_EQ(r, 0);
	for (i = 0; i < READERS; i++) {
		pthread_join(rd[i], (void **)&r);
		KT_EQ(r, 0);
		KT_CHECK(race_lookups[i] > 0);
	}
	check_table(NKEYS, sizes[199 % ARRAY_SIZE(sizes)]);
	teardown();
}

int main(void)
{
	rcu_register_thread();
	if (ktrack_conn_caches_init())
		return 1;
	KT_RUN(grow_and_shrink_keep_every_entry);
	KT_RUN(resize_refuses_bad_sizes);
	KT_RUN(resize_nomem_keeps_table);
	KT_RUN(walk_exactly_once_across_resizes);
	KT_RUN(readers_and_writers_race_resizes);
	rcu_barrier();
	ktrack_conn_caches_exit();
	rcu_unregister_thread();
	return kt_done();
}
