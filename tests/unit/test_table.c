// SPDX-License-Identifier: GPL-2.0
/*
 * test_table.c - unit tests of the connection table (src/table.c), built in userspace through
 * shim/ with liburcu: lookups from both directions, duplicates, unlinking, long chains, the
 * per-class FIFO lists, the count, the symmetric hash, and readers racing a writer under RCU
 * (ASan turns a premature free into a use-after-free report).
 */
#include <pthread.h>

#include "table_kit.h"

/* Tests */

static void entry_layout(void)
{
	/* conn.h's size budget */
	KT_EQ(sizeof(struct ktrack_conn), 48);
	KT_EQ(sizeof(struct ktrack_conn4), 56);
	KT_EQ(sizeof(struct ktrack_conn6), 80);
}

static void init_sizes(void)
{
	setup(1000);
	KT_EQ(t.nbuckets, 1024);
	KT_EQ(t.nstripes, 64);
	teardown();
	setup(1);
	KT_EQ(t.nbuckets, 1);
	KT_EQ(t.nstripes, 1);
	teardown();
	setup(1 << 20);
	KT_EQ(t.nstripes, 1024);
	KT_EQ(count(), 0);
	teardown();
}

static void init_nomem(void)
{
	long before = shim_live_allocs;
	struct ktrack_table t2;

	shim_alloc_fail_after = 0;	/* buckets */
	KT_EQ(ktrack_table_init(&t2, 64, 0), -ENOMEM);
	shim_alloc_fail_after = 1;	/* stripes */
	KT_EQ(ktrack_table_init(&t2, 64, 0), -ENOMEM);
	shim_alloc_fail_after = -1;
	KT_EQ(shim_live_allocs, before);
}

static void lookup_ipv4_both_directions(void)
{
	__be32 a = ip4("10.0.0.1"), b = ip4("192.0.2.80");
	struct ktrack_pkt p = pkt4(KTRACK_L4_TCP, a, 40000, b, 80);
	struct ktrack_conn *ct;

	setup(64);
	ct = insert(&p);
	EXPECT_FOUND(p, ct, O);
	EXPECT_FOUND(rev(p), ct, R);
	/* any one field different: another flow */
	EXPECT_MISSING(pkt4(KTRACK_L4_TCP, a, 40001, b, 80));
	EXPECT_MISSING(pkt4(KTRACK_L4_TCP, a, 40000, b, 81));
	EXPECT_MISSING(pkt4(KTRACK_L4_TCP, ip4("10.0.0.2"), 40000, b, 80));
	EXPECT_MISSING(pkt4(KTRACK_L4_TCP, a, 40000, ip4("192.0.2.81"), 80));
	/* addresses swapped but not the ports, and the other way round */
	EXPECT_MISSING(pkt4(KTRACK_L4_TCP, b, 40000, a, 80));
	EXPECT_MISSING(pkt4(KTRACK_L4_TCP, a, 80, b, 40000));
	teardown();
}

static void lookup_ipv6_both_directions(void)
{
	struct in6_addr a = ip6("2001:db8::1"), b = ip6("2001:db8:ffff::80");
	struct ktrack_pkt p = pkt6(KTRACK_L4_TCP, a, 40000, b, 443);
	struct ktrack_conn *ct;

	setup(64);
	ct = insert(&p);
	KT_CHECK(ktrack_conn_is_v6(ct));
	EXPECT_FOUND(p, ct, O);
	EXPECT_FOUND(rev(p), ct, R);
	EXPECT_MISSING(pkt6(KTRACK_L4_TCP, a, 40000, b, 444));
	EXPECT_MISSING(pkt6(KTRACK_L4_TCP, ip6("2001:db8::2"), 40000, b, 443));
	EXPECT_MISSING(pkt6(KTRACK_L4_TCP, a, 40000, ip6("2001:db8:ffff::81"), 443));
	EXPECT_MISSING(pkt6(KTRACK_L4_TCP, b, 40000, a, 443));
	/* the low 32 bits of the addresses as IPv4: another family */
	EXPECT_MISSING(pkt4(KTRACK_L4_TCP, a.s6_addr32[3], 40000, b.s6_addr32[3], 443));
	teardown();
}

static void l4_distinguished(void)
{
	__be32 a = ip4("10.0.0.1"), b = ip4("10.0.0.2");
	struct in6_addr a6 = ip6("fd00::1"), b6 = ip6("fd00::2");
	struct ktrack_pkt p[6] = {
		pkt4(KTRACK_L4_TCP, a, 7, b, 0), pkt4(KTRACK_L4_UDP, a, 7, b, 0),
		pkt4(KTRACK_L4_ICMP, a, 7, b, 0), pkt6(KTRACK_L4_TCP, a6, 7, b6, 0),
		pkt6(KTRACK_L4_UDP, a6, 7, b6, 0), pkt6(KTRACK_L4_ICMP, a6, 7, b6, 0),
	};
	struct ktrack_conn *ct[6];
	unsigned int i;

	setup(1);	/* all in one chain: only the match tells them apart */
	for (i = 0; i < 6; i++)
		ct[i] = insert(&p[i]);
	KT_EQ(count(), 6);
	for (i = 0; i < 6; i++) {
		KT_EQ(ktrack_conn_l4(ct[i]), p[i].l4);
		EXPECT_FOUND(p[i], ct[i], O);
		EXPECT_FOUND(rev(p[i]), ct[i], R);
	}
	for (i = 0; i < 6; i++) {
		delete(ct[i]);
		EXPECT_MISSING(p[i]);
		if (i < 5)
			EXPECT_FOUND(p[i + 1], ct[i + 1], O);
	}
	teardown();
}

static void icmp_echo_directions(void)
{
	__be32 a = ip4("10.0.0.1"), b = ip4("10.0.0.2");
	/* echo request a -> b, id 0x1234: sport id, dport 0; the reply b -> a: sport 0, dport id */
	struct ktrack_pkt req = pkt4(KTRACK_L4_ICMP, a, 0x1234, b, 0);
	struct ktrack_pkt reply = pkt4(KTRACK_L4_ICMP, b, 0, a, 0x1234);
	struct ktrack_conn *ct;

	setup(16);
	ct = insert(&req);
	EXPECT_FOUND(req, ct, O);
	EXPECT_FOUND(reply, ct, R);
	EXPECT_MISSING(pkt4(KTRACK_L4_ICMP, b, 0, a, 0x1235));		/* another id */
	EXPECT_MISSING(pkt4(KTRACK_L4_ICMP, b, 0x1234, a, 0));	/* b's own request */
	teardown();
}

static void duplicate_insert_returns_existing(void)
{
	struct ktrack_pkt p = pkt4(KTRACK_L4_UDP, ip4("10.1.1.1"), 5353, ip4("10.2.2.2"), 53);
	struct ktrack_pkt q = pkt6(KTRACK_L4_TCP, ip6("fd00::1"), 1, ip6("fd00::2"), 2);
	struct ktrack_conn *ct, *dup, *dup_rev, *ct6, *dup6;

	setup(64);
	ct = insert(&p);
	ct6 = insert(&q);
	dup = conn(&p);
	KT_CHECK(ktrack_table_insert(&t, dup) == ct);
	/* the same flow from the other side is the same connection */
	dup_rev = conn_rev(&p);
	KT_CHECK(ktrack_table_insert(&t, dup_rev) == ct);
	dup6 = conn_rev(&q);
	KT_CHECK(ktrack_table_insert(&t, dup6) == ct6);
	KT_EQ(count(), 2);
	/* not linked anywhere */
	KT_CHECK(!on_class_list(dup) && !on_class_list(dup_rev) && !on_class_list(dup6));
	EXPECT_FOUND(p, ct, O);
	ktrack_conn_free(dup);
	ktrack_conn_free(dup_rev);
	ktrack_conn_free(dup6);
	teardown();
}

static void unlink_removes_and_marks_dead(void)
{
	struct ktrack_pkt p[3];
	struct ktrack_conn *ct[3], *next;
	unsigned int i;

	setup(1);
	for (i = 0; i < 3; i++) {
		p[i] = pkt4(KTRACK_L4_TCP, ip4("10.0.0.1"), 1000 + i, ip4("10.0.0.2"), 80);
		ct[i] = insert(&p[i]);
	}
	/* chain: ct2 ct1 ct0 (new entries go first) */
	KT_CHECK(t.tbl->b[0] == ct[2]);
	KT_EQ(chain_len(0), 3);

	next = ct[1]->next;
	unlink_ct(ct[1]);		/* the middle */
	KT_CHECK(ct[1]->flags & KTRACK_F_DEAD);
	KT_CHECK(ct[1]->next == next);	/* a reader standing on it still gets along */
	KT_CHECK(!on_class_list(ct[1]));
	KT_EQ(chain_len(0), 2);
	KT_EQ(count(), 2);
	EXPECT_MISSING(p[1]);
	EXPECT_MISSING(rev(p[1]));
	EXPECT_FOUND(p[0], ct[0], O);
	EXPECT_FOUND(rev(p[2]), ct[2], R);
	KT_CHECK(!(ct[0]->flags & KTRACK_F_DEAD) && !(ct[2]->flags & KTRACK_F_DEAD));
	ktrack_conn_free_rcu(ct[1]);

	unlink_ct(ct[2]);		/* the head */
	KT_CHECK(t.tbl->b[0] == ct[0]);
	EXPECT_MISSING(p[2]);
	EXPECT_FOUND(p[0], ct[0], O);
	ktrack_conn_free_rcu(ct[2]);

	unlink_ct(ct[0]);		/* the last */
	KT_CHECK(t.tbl->b[0] == NULL);
	KT_EQ(count(), 0);
	KT_CHECK(list_empty(&t.stripes[0].expiry[KTRACK_CLASS_SYN_SENT]));
	ktrack_conn_free_rcu(ct[0]);
	teardown();
}

static void unlink_without_lock_warns(void)
{
	struct ktrack_pkt p = pkt4(KTRACK_L4_UDP, ip4("10.0.0.1"), 1, ip4("10.0.0.2"), 2);
	struct ktrack_conn *ct;

	setup(4);
	ct = insert(&p);
	shim_warn_quiet = true;
	ktrack_table_unlink(&t, ct);	/* lockdep_assert_held() */
	shim_warn_quiet = false;
	KT_EQ(shim_warnings, warnings_before + 1);
	warnings_before = shim_warnings;
	ktrack_conn_free_rcu(ct);
	teardown();
}

/* Many entries in few buckets, mixed families and protocols; every other one removed. */
static void long_chains(void)
{
	static const unsigned int sizes[] = { 1, 4 };
	enum { N = 1200 };
	static struct ktrack_pkt p[N];
	static struct ktrack_conn *ct[N];
	unsigned int s, i, b, total;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		setup(sizes[s]);
		for (i = 0; i < N; i++) {
			u8 l4 = i % 3;

			if (i & 1)
				p[i] = pkt6(l4, ip6("2001:db8::1"), 1024 + i, ip6("2001:db8::2"), 80);
			else
				p[i] = pkt4(l4, htonl(0x0a000000 + i), 1024 + i % 7,
					    ip4("192.0.2.1"), 443);
			ct[i] = insert(&p[i]);
		}
		KT_EQ(count(), N);
		for (total = 0, b = 0; b < t.nbuckets; b++)
			total += chain_len(b);
		KT_EQ(total, N);
		for (i = 0; i < N; i++) {
			EXPECT_FOUND(p[i], ct[i], O);
			EXPECT_FOUND(rev(p[i]), ct[i], R);
		}
		for (i = 0; i < N; i += 2)
			delete(ct[i]);
		KT_EQ(count(), N / 2);
		for (i = 0; i < N; i++) {
			if (i & 1)
				EXPECT_FOUND(rev(p[i]), ct[i], R);
			else
				EXPECT_MISSING(p[i]);
		}
		teardown();
	}
}

/*
 * The control of tests/vm/98-security.bats: the flows tests/tools/hashcollide aims at bucket 0
 * under an all-zero key do all land in one chain of this table under that key (so the tool
 * computes the table's hash), and spread under a random key (ktrack_table_chains() measures it).
 */
static void hashcollide_control(void)
{
	enum { N = 200 };
	static struct ktrack_pkt p[N];
	char line[128], a[64];
	unsigned int i = 0, used, longest, port;
	unsigned long entries;
	FILE *f;
	int k;

	f = popen("../tools/hashcollide -b 1024 -n 200 -s 198.18.0.1 -d 192.0.2.1 -p 9999", "r");
	if (!KT_CHECK(f != NULL))
		return;
	while (i < N && fgets(line, sizeof(line), f) && sscanf(line, "%63s %u", a, &port) == 2)
		p[i++] = pkt4(KTRACK_L4_UDP, ip4(a), port, ip4("192.0.2.1"), 9999);
	KT_EQ(pclose(f), 0);
	KT_EQ(i, N);
	for (k = 0; k < 2; k++) {
		setup(1024);
		if (k == 0)
			memset(&t.key, 0, sizeof(t.key));
		for (i = 0; i < N; i++)
			insert(&p[i]);
		ktrack_table_chains(&t, &used, &entries, &longest);
		KT_EQ(entries, N);
		if (k == 0) {
			KT_EQ(used, 1);
			KT_EQ(longest, N);
		} else {
			KT_CHECK(used > N / 2);
			KT_CHECK(longest <= 8);
		}
		teardown();
	}
}

/* A class list is in insertion order; unlinking keeps the order of the rest. */
static void class_lists_fifo(void)
{
	enum { N = 40 };
	struct ktrack_conn *ct[N], *pos;
	struct ktrack_pkt p;
	unsigned int i, n, s;
	int last;

	setup(16);	/* one stripe */
	KT_EQ(t.nstripes, 1);
	for (i = 0; i < N; i++) {
		p = pkt4(i % 2 ? KTRACK_L4_UDP : KTRACK_L4_TCP, htonl(0x0a000001 + i), 1,
			 ip4("10.9.9.9"), 2);
		ct[i] = conn(&p);
		if (i % 4 == 2) {
			ct[i]->state = KTRACK_TCP_ESTABLISHED;
			ct[i]->flags |= KTRACK_F_REPLIED;	/* else UNACK, a pickup */
		}
		if (i % 4 == 3)
			ct[i]->flags |= KTRACK_F_REPLIED | KTRACK_F_STREAM;	/* UDP_STREAM */
		KT_CHECK(ktrack_table_insert(&t, ct[i]) == NULL);
	}
	delete(ct[8]);
	delete(ct[9]);
	/* each class list holds exactly its entries, in insertion order */
	for (i = 0, n = 0; i < KTRACK_NCLASSES; i++) {
		last = -1;
		list_for_each_entry(pos, &t.stripes[0].expiry[i], expiry) {
			unsigned int k;

			for (k = 0; k < N && ct[k] != pos; k++)
				;
			if (!KT_CHECK(k < N))
				break;
			KT_EQ(ktrack_conn_class(pos), i);
			KT_CHECK((int)k > last);
			last = k;
			n++;
		}
	}
	KT_EQ(n, N - 2);
	KT_EQ(list_first_entry(&t.stripes[0].expiry[KTRACK_CLASS_SYN_SENT], struct ktrack_conn,
			       expiry), ct[0]);
	KT_EQ(list_first_entry(&t.stripes[0].expiry[KTRACK_CLASS_UDP_STREAM], struct ktrack_conn,
			       expiry), ct[3]);
	KT_EQ(list_first_entry(&t.stripes[0].expiry[KTRACK_CLASS_ESTABLISHED], struct ktrack_conn,
			       expiry), ct[2]);
	teardown();

	/* many stripes: each stripe's lists are in insertion order too */
	setup(4096);
	KT_CHECK(t.nstripes > 1);
	{
		enum { M = 3000 };
		static struct ktrack_conn *c[M];

		for (i = 0; i < M; i++) {
			p = pkt4(KTRACK_L4_UDP, htonl(0x0a000001 + i), 1, ip4("10.9.9.9"), 2);
			c[i] = conn(&p);
			c[i]->stamp = i;	/* insertion order */
			KT_CHECK(ktrack_table_insert(&t, c[i]) == NULL);
		}
		for (n = 0, s = 0; s < t.nstripes; s++) {
			last = -1;
			list_for_each_entry(pos, &t.stripes[s].expiry[KTRACK_CLASS_UDP], expiry) {
				KT_CHECK((int)pos->stamp > last);
				KT_CHECK(stripe(pos) == &t.stripes[s]);
				last = pos->stamp;
				n++;
			}
		}
		KT_EQ(n, M);
	}
	teardown();
}

static void count_tracks_inserts_and_unlinks(void)
{
	struct ktrack_conn *ct[100], *dup;
	struct ktrack_pkt p;
	unsigned int i;

	setup(32);
	for (i = 0; i < 100; i++) {
		p = pkt4(KTRACK_L4_TCP, htonl(0x0a000001 + i), 2000, ip4("10.9.9.9"), 22);
		ct[i] = insert(&p);
		KT_EQ(count(), i + 1);
		dup = conn(&p);
		KT_CHECK(ktrack_table_insert(&t, dup) == ct[i]);	/* not counted */
		ktrack_conn_free(dup);
		KT_EQ(count(), i + 1);
	}
	for (i = 0; i < 100; i++) {
		delete(ct[i]);
		KT_EQ(count(), 99 - i);
	}
	teardown();
}

static void hash_symmetric(void)
{
	struct ktrack_table t2;
	unsigned int i, same_key_diff = 0, b, max = 0;
	u32 seed = 1;
	static unsigned int chain[256];

	setup(256);
	KT_EQ(ktrack_table_init(&t2, 256, 0), 0);
	for (i = 0; i < 20000; i++) {
		struct ktrack_pkt p;
		struct ktrack_conn *a, *r;

		if (i & 1) {
			struct in6_addr s6, d6;

			s6 = ip6("2001:db8::");
			d6 = ip6("2001:db8::");
			s6.s6_addr32[3] = lcg(&seed);
			d6.s6_addr32[2] = lcg(&seed);
			p = pkt6(i % 3, s6, lcg(&seed), d6, lcg(&seed));
		} else {
			p = pkt4(i % 3, lcg(&seed), lcg(&seed), lcg(&seed), lcg(&seed));
		}
		if (i % 100 == 0)
			p.dport = p.sport;	/* equal ports: ordered by address alone */
		if (i % 100 == 50)
			p.daddr = p.saddr;	/* equal addresses: ordered by port alone */
		a = conn(&p);
		r = conn_rev(&p);
		KT_EQ(ktrack_conn_hash(&t, a), ktrack_conn_hash(&t, r));
		if (ktrack_conn_hash(&t, a) != ktrack_conn_hash(&t2, a))
			same_key_diff++;
		chain[ktrack_conn_hash(&t, a) & 255]++;
		ktrack_conn_free(a);
		ktrack_conn_free(r);
	}
	/* keyed: another table's key hashes differently */
	KT_CHECK(same_key_diff > 19900);
	/* and evenly: 20000 into 256 buckets is 78 a bucket */
	for (b = 0; b < 256; b++)
		max = max(max, chain[b]);
	KT_CHECK(max < 2 * 20000 / 256);
	ktrack_table_destroy(&t2);
	teardown();
}

/* Readers look up under RCU while a writer inserts and deletes. */

enum { CONC_KEYS = 512, CONC_READERS = 3 };

static struct ktrack_pkt conc_key[CONC_KEYS];
static bool conc_stop;
static long conc_hits[CONC_READERS], conc_misses[CONC_READERS];

static void *reader(void *arg)
{
	long id = (long)arg, bad = 0;
	u32 seed = id * 7919 + 1;

	rcu_register_thread();
	while (!__atomic_load_n(&conc_stop, __ATOMIC_ACQUIRE)) {
		unsigned int k = lcg(&seed) % CONC_KEYS;
		bool reply = lcg(&seed) & 1;
		struct ktrack_pkt p = reply ? rev(conc_key[k]) : conc_key[k];
		struct ktrack_conn *ct;
		enum ktrack_dir dir;

		rcu_read_lock();
		ct = ktrack_table_lookup(&t, &p, &dir);
		if (ct) {
			const struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

			conc_hits[id]++;
			if ((lcg(&seed) & 63) == 0)
				sched_yield();	/* hold on to it while the writer runs */
			/* still readable (ASan) and still the same flow */
			if (dir != (reply ? R : O) || ct->sport != conc_key[k].sport ||
			    READ_ONCE(c4->saddr) != conc_key[k].saddr.ip ||
			    ktrack_conn_l4(ct) != conc_key[k].l4)
				bad++;
		} else {
			conc_misses[id]++;
		}
		rcu_read_unlock();
	}
	rcu_unregister_thread();
	return (void *)bad;
}

static void concurrent_readers_and_writer(void)
{
	static struct ktrack_conn *live[CONC_KEYS];
	pthread_t th[CONC_READERS];
	unsigned int i, nlive = 0, mismatches = 0;
	u32 seed = 12345;
	long r;

	memset(live, 0, sizeof(live));
	setup(64);	/* chains of about 4 when half the keys are in */
	for (i = 0; i < CONC_KEYS; i++)
		conc_key[i] = pkt4(i % 3, htonl(0x0a000000 + i / 4), 1024 + i, ip4("192.0.2.1"),
				   i % 3 == KTRACK_L4_ICMP ? 0 : 80);
	conc_stop = false;
	for (i = 0; i < CONC_READERS; i++) {
		conc_hits[i] = conc_misses[i] = 0;
		pthread_create(&th[i], NULL, reader, (void *)(long)i);
	}
	for (i = 0; i < 200000; i++) {
		unsigned int k = lcg(&seed) % CONC_KEYS;

		if (live[k]) {
			delete(live[k]);	/* freed after the readers' grace period */
			live[k] = NULL;
			nlive--;
		} else {
			live[k] = insert(&conc_key[k]);
			nlive++;
		}
		if (count() != nlive)
			mismatches++;
	}
	__atomic_store_n(&conc_stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < CONC_READERS; i++) {
		pthread_join(th[i], (void **)&r);
		KT_EQ(r, 0);
		KT_CHECK(conc_hits[i] > 0 && conc_misses[i] > 0);
	}
	KT_EQ(mismatches, 0);
	for (i = 0; i < CONC_KEYS; i++) {
		enum ktrack_dir d;

		KT_CHECK(lookup(&conc_key[i], &d) == live[i]);
	}
	teardown();	/* destroy frees the live ones */
}

/* Two writers race to insert, then to delete, the same flows: exactly one wins each. */

enum { RACE_KEYS = 2000 };
static struct ktrack_pkt race_key[RACE_KEYS];

static void *racer(void *arg)
{
	long wins = 0, i, pass = (long)arg;

	rcu_register_thread();
	for (i = 0; i < RACE_KEYS; i++) {
		struct ktrack_pkt p = (pass & 1) ? rev(race_key[i]) : race_key[i];
		struct ktrack_conn *ct, *old;

		if (pass < 2) {
			/* as ktrack_conn_create(): an entry for the ORIG direction */
			ct = conn(&race_key[i]);
			old = ktrack_table_insert(&t, ct);
			if (old)
				ktrack_conn_free(ct);	/* never visible */
			else
				wins++;
		} else {
			/* as ktrack_conn_delete(): whoever gets the lock first unlinks it */
			enum ktrack_dir dir;
			struct ktrack_stripe *s;

			rcu_read_lock();
			ct = ktrack_table_lookup(&t, &p, &dir);
			if (ct) {
				s = stripe(ct);
				spin_lock_bh(&s->lock);
				if (!(ct->flags & KTRACK_F_DEAD)) {
					ktrack_table_unlink(&t, ct);
					wins++;
				} else {
					ct = NULL;
				}
				spin_unlock_bh(&s->lock);
				if (ct)
					ktrack_conn_free_rcu(ct);
			}
			rcu_read_unlock();
		}
	}
	rcu_unregister_thread();
	return (void *)wins;
}

static void concurrent_writers(void)
{
	pthread_t a, b;
	long wa, wb;
	unsigned int i, found = 0;

	setup(256);
	for (i = 0; i < RACE_KEYS; i++)
		race_key[i] = pkt4(KTRACK_L4_TCP, htonl(0x0a000000 + i), 1000 + i % 50,
				   ip4("192.0.2.1"), 443);
	pthread_create(&a, NULL, racer, (void *)0L);
	pthread_create(&b, NULL, racer, (void *)1L);
	pthread_join(a, (void **)&wa);
	pthread_join(b, (void **)&wb);
	KT_EQ(wa + wb, RACE_KEYS);
	KT_EQ(count(), RACE_KEYS);
	for (i = 0; i < t.nbuckets; i++)
		found += chain_len(i);
	KT_EQ(found, RACE_KEYS);	/* no duplicates */

	pthread_create(&a, NULL, racer, (void *)2L);
	pthread_create(&b, NULL, racer, (void *)3L);
	pthread_join(a, (void **)&wa);
	pthread_join(b, (void **)&wb);
	KT_EQ(wa + wb, RACE_KEYS);
	KT_EQ(count(), 0);
	teardown();
}

int main(void)
{
	rcu_register_thread();
	if (ktrack_conn_caches_init())
		return 1;
	KT_RUN(entry_layout);
	KT_RUN(init_sizes);
	KT_RUN(init_nomem);
	KT_RUN(lookup_ipv4_both_directions);
	KT_RUN(lookup_ipv6_both_directions);
	KT_RUN(l4_distinguished);
	KT_RUN(icmp_echo_directions);
	KT_RUN(duplicate_insert_returns_existing);
	KT_RUN(unlink_removes_and_marks_dead);
	KT_RUN(unlink_without_lock_warns);
	KT_RUN(long_chains);
	KT_RUN(hashcollide_control);
	KT_RUN(class_lists_fifo);
	KT_RUN(count_tracks_inserts_and_unlinks);
	KT_RUN(hash_symmetric);
	KT_RUN(concurrent_readers_and_writer);
	KT_RUN(concurrent_writers);
	rcu_barrier();
	ktrack_conn_caches_exit();
	rcu_unregister_thread();
	return kt_done();
}
