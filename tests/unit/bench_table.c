// SPDX-License-Identifier: GPL-2.0
/*
 * bench_table.c - instructions per table operation, counted by callgrind (run-bench.sh), for the
 * kernel's table.c, source.c and tcp.c built -O2 against the shim.
 *
 *   bench_table ENTRIES    fill a table with ENTRIES IPv4 TCP flows from ENTRIES/10 sources,
 *                          sized as the module sizes it (hashsize = max_conns / 2, rounded up to
 *                          a power of two; the source table a quarter of that), then run each
 *                          measured phase
 *   bench_table --memory   print the entry sizes and the bytes per connection all-in
 *
 * Each measured operation is a noinline op_*() function: run-bench.sh has callgrind collect only
 * inside them (--toggle-collect=op_*), and each phase ends with CALLGRIND_DUMP_STATS_AT(phase),
 * so a dump's total divided by the phase's operations (printed on stdout) is the cost of one.
 * The operations follow lifecycle.c: insert is ktrack_conn_create() (limit check, mask, source
 * acquire, alloc, fill, ktrack_tcp_start(), insert), delete is ktrack_conn_delete() (stripe
 * lock, unlink, source release, call_rcu). Lookups run inside one rcu_read_lock(), as the
 * netfilter hooks do. The hash keys are fixed, so the counts repeat exactly from run to run.
 * Outside valgrind the client requests do nothing and the program just runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <valgrind/callgrind.h>

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/netfilter.h>
#include <linux/slab.h>

#include "parse.h"
#include "source.h"
#include "table.h"

#define SRC_LIMIT	1000		/* checked, never reached */
#define SRC_PREFIX4	32

static struct ktrack_table t;
static struct ktrack_srctable st;
static unsigned int max_conns;

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Flow @i: client 10.0.0.0/8 + i % nsrc, port 1024 + i / nsrc, to 192.0.2.1:443; a SYN. */
static void flow_pkt(struct ktrack_pkt *p, unsigned int i, unsigned int nsrc)
{
	memset(p, 0, sizeof(*p));
	p->family = NFPROTO_IPV4;
	p->proto = IPPROTO_TCP;
	p->l4 = KTRACK_L4_TCP;
	p->saddr.ip = htonl(0x0a000000 + i % nsrc);
	p->daddr.ip = htonl(0xc0000201);
	p->sport = htons(1024 + i / nsrc);
	p->dport = htons(443);
	p->tcp.seq = i * 2654435761u;
	p->tcp.win = 64240;
	p->tcp.flags = KTRACK_TCPF_SYN;
	p->tcp.wscale = 7;
}

static void reverse(struct ktrack_pkt *p)
{
	swap(p->saddr, p->daddr);
	swap(p->sport, p->dport);
}

/* The operations */

static noinline struct ktrack_conn *op_lookup_hit(const struct ktrack_pkt *p)
{
	enum ktrack_dir dir;

	return ktrack_table_lookup(&t, p, &dir);
}

static noinline struct ktrack_conn *op_lookup_miss(const struct ktrack_pkt *p)
{
	enum ktrack_dir dir;
	struct ktrack_conn *ct = ktrack_table_lookup(&t, p, &dir);

	barrier();
	return ct;
}

/* ktrack_conn_create() without the statistics and the eviction. */
static noinline struct ktrack_conn *op_insert(struct ktrack_pkt *pkt)
{
	union ktrack_addr masked;
	struct ktrack_conn4 *c4;
	struct ktrack_conn *ct;

	if (percpu_counter_compare(&t.count, max_conns) >= 0)
		return NULL;
	ktrack_src_mask(pkt->family, &pkt->saddr, SRC_PREFIX4, &masked);
	if (ktrack_src_acquire(&st, pkt->family, &masked, SRC_LIMIT))
		return NULL;
	ct = ktrack_conn_alloc(false, GFP_ATOMIC | __GFP_NOWARN);
	if (!ct)
		goto release;
	c4 = container_of(ct, struct ktrack_conn4, c);
	ct->flags |= pkt->l4 | KTRACK_F_SRC_COUNTED;
	ct->sport = pkt->sport;
	ct->dport = pkt->dport;
	c4->saddr = pkt->saddr.ip;
	c4->daddr = pkt->daddr.ip;
	ktrack_tcp_start(ct, &pkt->tcp, false);
	ct->stamp = ktrack_now();
	if (ktrack_table_insert(&t, ct)) {
		ktrack_conn_free(ct);
		goto release;
	}
	return ct;
release:
	ktrack_src_release(&st, pkt->family, &masked);
	return NULL;
}

/* ktrack_conn_delete() and ktrack_conn_destroy() without the statistics. */
static noinline void op_delete(struct ktrack_conn *ct)
{
	struct ktrack_stripe *s = ktrack_stripe_of(&t, ktrack_conn_hash(&t, ct));
	union ktrack_addr a, masked;

	spin_lock_bh(&s->lock);
	if (ct->flags & KTRACK_F_DEAD) {
		spin_unlock_bh(&s->lock);
		return;
	}
	ktrack_table_unlink(&t, ct);
	spin_unlock_bh(&s->lock);
	ct->flags &= ~KTRACK_F_SRC_COUNTED;
	a.ip = container_of(ct, struct ktrack_conn4, c)->saddr;
	ktrack_src_mask(NFPROTO_IPV4, &a, SRC_PREFIX4, &masked);
	ktrack_src_release(&st, NFPROTO_IPV4, &masked);
	ktrack_conn_free_rcu(ct);
}

/* What the RCU callback of a deleted entry runs, later. */
static noinline void op_free(struct ktrack_conn *ct)
{
	ktrack_conn_free(ct);
}

static void phase_done(const char *name, unsigned int ops, unsigned int entries)
{
	CALLGRIND_DUMP_STATS_AT(name);
	printf("phase %s %u %u\n", name, ops, entries);
	fflush(stdout);
}

static int run(unsigned int n)
{
	unsigned int nsrc = max(n / 10, 1U), m = max(n / 10, 100U), i, total = n + m;
	struct ktrack_conn **ct = calloc(total, sizeof(*ct));
	struct ktrack_pkt *flows = calloc(total, sizeof(*flows)), p;
	unsigned int *order = calloc(total, sizeof(*order));
	static const hsiphash_key_t key = { { 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL } };

	if (!ct || !flows || !order || ktrack_conn_caches_init() || ktrack_src_caches_init())
		return 1;
	max_conns = 2 * total;
	if (ktrack_table_init(&t, n / 2, 0) || ktrack_src_init(&st, t.nbuckets / 8, t.nbuckets / 32))
		return 1;
	t.key = key;
	st.key = key;
	for (i = 0; i < total; i++) {
		flow_pkt(&flows[i], i, nsrc);
		order[i] = i;
	}
	for (i = total - 1; i > 0; i--) {
		unsigned int j = rnd() % (i + 1);

		swap(order[i], order[j]);
	}
	for (i = 0; i < n; i++) {
		ct[i] = op_insert(&flows[i]);
		if (!ct[i])
			return 1;
	}
	fprintf(stderr, "# %u entries, %u buckets, %u stripes, %u sources in %u + %u buckets\n",
		n, t.nbuckets, t.nstripes, ktrack_src_total(&st), st.fam[0].nbuckets,
		st.fam[1].nbuckets);

	CALLGRIND_START_INSTRUMENTATION;
	CALLGRIND_ZERO_STATS;

	/* hits: random entries, half of the packets in the reply direction */
	rcu_read_lock();
	for (i = 0; i < m; i++) {
		p = flows[order[i] % n];
		if (i & 1)
			reverse(&p);
		if (!op_lookup_hit(&p))
			return 1;
	}
	rcu_read_unlock();
	phase_done("lookup_hit", m, n);

	/* misses: the flows not inserted yet */
	rcu_read_lock();
	for (i = 0; i < m; i++) {
		p = flows[n + i];
		if (i & 1)
			reverse(&p);
		if (op_lookup_miss(&p))
			return 1;
	}
	rcu_read_unlock();
	phase_done("lookup_miss", m, n);

	/* inserts: n -> n + m entries, sources mostly known (10 flows each) */
	for (i = n; i < total; i++) {
		ct[i] = op_insert(&flows[i]);
		if (!ct[i])
			return 1;
	}
	phase_done("insert", m, n);

	/* deletes: m random entries, n + m -> n */
	for (i = 0; i < m; i++) {
		op_delete(ct[order[i]]);
		ct[order[i]] = NULL;
	}
	phase_done("delete", m, n);

	/* the deferred frees, measured apart (liburcu's thread runs them in the real deletes) */
	for (i = 0; i < m; i++)
		ct[order[i]] = ktrack_conn_alloc(false, GFP_ATOMIC);
	for (i = 0; i < m; i++) {
		op_free(ct[order[i]]);
		ct[order[i]] = NULL;
	}
	phase_done("free", m, n);
	CALLGRIND_STOP_INSTRUMENTATION;

	rcu_barrier();
	ktrack_table_destroy(&t);
	/* the table does not own the sources: drop what the remaining entries held */
	ktrack_src_destroy(&st);
	ktrack_src_caches_exit();
	ktrack_conn_caches_exit();
	free(ct);
	free(flows);
	free(order);
	return 0;
}

/* A slab object of @size bytes (SLUB: rounded up to the word size). */
static size_t slab_size(size_t size)
{
	return (size + 7) & ~(size_t)7;
}

/* The same in a SLAB_TYPESAFE_BY_RCU cache: SLUB keeps the free pointer after the object. */
static size_t slab_size_typesafe(size_t size)
{
	return slab_size(size) + sizeof(void *);
}

/* All-in bytes per connection at @conns connections from @srcs sources, sized as net.c does. */
/*
 * The size resize.c reaches for @n entries from its floor: doubled while there are more than 2 a
 * bucket (a count just past a doubling has just over 1 a bucket: 8 bytes of bucket each).
 */
static unsigned long auto_size(unsigned long n)
{
	unsigned long size = KTRACK_TABLE_FLOOR;

	while (n > 2 * size)
		size *= 2;
	return size;
}

/*
 * All-in bytes per connection of the initial netns with automatic sizes, @conns connections from
 * @srcs sources of one family, on @ncpus CPUs (its stripes, net.c: 16 a CPU, 64 to 1024).
 */
static void memory_row(const char *what, size_t entry, size_t src_node, unsigned long conns,
		       unsigned long srcs, unsigned long ncpus)
{
	unsigned long nbuckets = auto_size(conns);
	unsigned long nstripes = clamp(roundup_pow_of_two(16 * ncpus), 64UL, 1024UL);
	/* the sources' family at its size, the other at the floor */
	unsigned long src_buckets = auto_size(srcs) + KTRACK_SRC_LOCKS;
	double e = slab_size(entry);
	double b = (double)nbuckets * sizeof(struct ktrack_conn *) / conns;
	double s = (double)nstripes * sizeof(struct ktrack_stripe) / conns;
	double sb = ((double)src_buckets * sizeof(struct ktrack_src *) +
		     sizeof(struct ktrack_srctable)) / conns;
	double sn = (double)srcs * slab_size_typesafe(src_node) / conns;

	printf("%-4s %8lu conns %7lu srcs %2lu CPUs: entry %.1f + buckets %.2f (%lu) + stripes %.2f + "
	       "src buckets %.2f + src nodes %.2f = %.1f bytes/conn\n",
	       what, conns, srcs, ncpus, e, b, nbuckets, s, sb, sn, e + b + s + sb + sn);
}

static void memory(void)
{
	static const unsigned long conns[] = { 10000, 100000, 1000000, 10000000 };
	unsigned int i;

	printf("sizeof(struct ktrack_conn4)  %zu\n", sizeof(struct ktrack_conn4));
	printf("sizeof(struct ktrack_conn6)  %zu\n", sizeof(struct ktrack_conn6));
	printf("source node, IPv4            %zu (slab object %zu)\n", KTRACK_SRC_SIZE(false),
	       slab_size_typesafe(KTRACK_SRC_SIZE(false)));
	printf("source node, IPv6            %zu (slab object %zu)\n", KTRACK_SRC_SIZE(true),
	       slab_size_typesafe(KTRACK_SRC_SIZE(true)));
	printf("sizeof(struct ktrack_stripe) %zu\n", sizeof(struct ktrack_stripe));
	printf("automatic sizes (hashsize=0), 10 connections a source:\n");
	for (i = 0; i < ARRAY_SIZE(conns); i++) {
		memory_row("IPv4", sizeof(struct ktrack_conn4), KTRACK_SRC_SIZE(false), conns[i],
			   conns[i] / 10, 2);
		memory_row("IPv6", sizeof(struct ktrack_conn6), KTRACK_SRC_SIZE(true), conns[i],
			   conns[i] / 10, 2);
	}
	printf("one source a connection, and 64 CPUs:\n");
	memory_row("IPv4", sizeof(struct ktrack_conn4), KTRACK_SRC_SIZE(false), 1000000, 1000000, 2);
	memory_row("IPv4", sizeof(struct ktrack_conn4), KTRACK_SRC_SIZE(false), 10000, 1000, 64);
	memory_row("IPv4", sizeof(struct ktrack_conn4), KTRACK_SRC_SIZE(false), 1000000, 100000, 64);
}

int main(int argc, char **argv)
{
	int err;

	if (argc == 2 && !strcmp(argv[1], "--memory")) {
		memory();
		return 0;
	}
	if (argc != 2 || atoi(argv[1]) < 2) {
		fprintf(stderr, "usage: %s ENTRIES | --memory\n", argv[0]);
		return 2;
	}
	rcu_register_thread();
	/*
	 * Callbacks to a polling call_rcu thread: call_rcu() never makes a futex call to wake it,
	 * so the deletes cost the same instructions in every run.
	 */
	set_thread_call_rcu_data(create_call_rcu_data(URCU_CALL_RCU_RT, -1));
	err = run(atoi(argv[1]));
	rcu_unregister_thread();
	if (err)
		fprintf(stderr, "bench_table: a phase failed\n");
	return err;
}
