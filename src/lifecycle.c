// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle.c - an entry's birth and death: admission of a new flow against the per-source limit,
 * then the table limit (evicting the oldest entry that was never answered or is closing, when
 * full), and destruction with its accounting (source count, live counts, deletion reason).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/seqlock.h>
#include <net/net_namespace.h>

#include "events.h"
#include "lifecycle.h"
#include "limits.h"
#include "resize.h"
#include "tcp.h"

/* How many stripes one admission looks at for an entry to evict. */
#define KTRACK_EVICT_SCAN	64

static DEFINE_PER_CPU(unsigned int, ktrack_evict_cursor);

/* The source @ct is counted under: its address masked to the prefix in force (see net.c). */
static void ktrack_conn_src(struct ktrack_net *kn, const struct ktrack_conn *ct, u8 *family,
			    union ktrack_addr *masked)
{
	union ktrack_addr a;
	unsigned int seq;

	memset(&a, 0, sizeof(a));
	if (ktrack_conn_is_v6(ct)) {
		*family = NFPROTO_IPV6;
		a.in6 = container_of(ct, struct ktrack_conn6, c)->saddr;
	} else {
		*family = NFPROTO_IPV4;
		a.ip = container_of(ct, struct ktrack_conn4, c)->saddr;
	}
	do {
		seq = read_seqbegin(&kn->prefix_lock);
		ktrack_src_mask(*family, &a, ktrack_src_prefix(kn, *family), masked);
	} while (read_seqretry(&kn->prefix_lock, seq));
}

void ktrack_conn_unsource(struct ktrack_net *kn, struct ktrack_conn *ct)
{
	union ktrack_addr masked;
	u8 family;

	if (!(ct->flags & KTRACK_F_SRC_COUNTED))
		return;
	ct->flags &= ~KTRACK_F_SRC_COUNTED;
	ktrack_conn_src(kn, ct, &family, &masked);
	ktrack_src_release(&kn->src, family, &masked);
}

/*
 * Count a new flow from @pkt against its source (masked to the prefix in force) with @limit;
 * *@masked is what to release it with. Retries when a prefix change overlapped (net.c).
 */
static int ktrack_src_count(struct ktrack_net *kn, const struct ktrack_pkt *pkt,
			    unsigned int limit, union ktrack_addr *masked)
{
	unsigned int seq;
	int err;

	for (;;) {
		seq = read_seqbegin(&kn->prefix_lock);
		ktrack_src_mask(pkt->family, &pkt->saddr, ktrack_src_prefix(kn, pkt->family),
				masked);
		err = ktrack_src_acquire(&kn->src, pkt->family, masked, limit);
		/* our source count before the sequence: pairs with ktrack_net_config() */
		smp_mb();
		if (!read_seqretry(&kn->prefix_lock, seq))
			return err;
		if (!err)
			ktrack_src_release(&kn->src, pkt->family, masked);
	}
}

void ktrack_conn_destroy(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_stat reason)
{
	ktrack_conn_unsource(kn, ct);
	ktrack_stat_add_live(kn, ktrack_conn_live_idx(ct), -1);
	ktrack_stat_inc(kn, reason);
	ktrack_event_destroy(kn, ct, reason);
	ktrack_conn_free_rcu(ct);
}

void ktrack_conn_delete(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_stat reason)
{
	u32 hash = ktrack_conn_hash(&kn->table, ct);
	struct ktrack_stripe *s = ktrack_stripe_of(&kn->table, hash);

	spin_lock_bh(&s->lock);
	if (ct->flags & KTRACK_F_DEAD) {
		spin_unlock_bh(&s->lock);
		return;
	}
	__ktrack_table_unlink(&kn->table, ct, hash);
	spin_unlock_bh(&s->lock);
	ktrack_conn_destroy(kn, ct, reason);
}

void ktrack_conn_requeue(struct ktrack_net *kn, struct ktrack_stripe *s, struct ktrack_conn *ct,
			 u32 now)
{
	WRITE_ONCE(ct->stamp, now);
	list_move_tail(&ct->expiry, &s->expiry[ktrack_conn_class(ct)]);
}

/*
 * What may be evicted, as nf_conntrack's early drop takes what is not assured and TCP in its
 * closing states (tcp_can_early_drop): a TCP handshake that never completed (SYN_SENT, or
 * SYN_RECV: a server answers every SYN of a flood with a SYN|ACK, cookies or not, so a flood's
 * entries are SYN_RECV and must be evictable too), a pickup never answered, a connection that is
 * closing, UDP that is not a stream (answered once, or not at all), ICMP echo. What is left is an
 * established TCP connection seen both ways and a UDP stream.
 */
static const enum ktrack_class ktrack_evict_classes[] = {
	KTRACK_CLASS_SYN_SENT, KTRACK_CLASS_SYN_RECV, KTRACK_CLASS_UNACK, KTRACK_CLASS_UDP,
	KTRACK_CLASS_ICMP, KTRACK_CLASS_FIN_WAIT, KTRACK_CLASS_CLOSE_WAIT, KTRACK_CLASS_LAST_ACK,
	KTRACK_CLASS_TIME_WAIT, KTRACK_CLASS_CLOSE,
};

/* The oldest evictable entry at the head of @s's lists, and when it was queued. */
static struct ktrack_conn *ktrack_evict_candidate(struct ktrack_stripe *s, u32 *queued)
{
	struct ktrack_conn *best = NULL;
	int i;

	for (i = 0; i < ARRAY_SIZE(ktrack_evict_classes); i++) {
		enum ktrack_class c = ktrack_evict_classes[i];
		struct list_head *first = READ_ONCE(s->expiry[c].next);
		struct ktrack_conn *ct;
		u32 q;

		if (first == &s->expiry[c])
			continue;
		ct = list_entry(first, struct ktrack_conn, expiry);
		if (READ_ONCE(ct->flags) & KTRACK_F_DEAD)
			continue;
		/* entries of different classes compare by when they were queued */
		q = READ_ONCE(ct->stamp);
		if (!best || (s32)(q - *queued) < 0) {
			best = ct;
			*queued = q;
		}
	}
	return best;
}

/* The stripe with the oldest eligible head among @n stripes from @start, or NULL. */
static struct ktrack_stripe *ktrack_evict_pick(struct ktrack_net *kn, unsigned int start,
					       unsigned int n)
{
	struct ktrack_table *t = &kn->table;
	struct ktrack_stripe *best = NULL;
	u32 oldest = 0;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < n; i++) {
		struct ktrack_stripe *s = &t->stripes[(start + i) & (t->nstripes - 1)];
		u32 q = oldest;

		if (ktrack_evict_candidate(s, &q) && (!best || (s32)(q - oldest) < 0)) {
			best = s;
			oldest = q;
		}
	}
	rcu_read_unlock();
	return best;
}

/* How many times an eviction picks again when another CPU took its victim first. */
#define KTRACK_EVICT_TRIES	4

/*
 * Make room for one entry: evict the oldest evictable entry among the list heads of up to
 * KTRACK_EVICT_SCAN stripes (all of them in a small table; a rotating sample in a large one, whose
 * stripes each hold the oldest of thousands). When the sample has none, every stripe is looked at
 * before the new flow is refused; a full scan that finds nothing is not repeated for HZ/10. The
 * heads are peeked at under RCU (entries are freed after a grace period), then the chosen stripe is
 * locked and its head taken if it is still eligible. Under a flood every CPU evicts at once, so the
 * head may be gone by then (taken by another CPU, or expired) with no eligible one behind it: the
 * pick is made again, a few times, rather than refuse a flow while evictable entries remain.
 */
static bool ktrack_evict(struct ktrack_net *kn)
{
	struct ktrack_table *t = &kn->table;
	unsigned int n = min_t(unsigned int, t->nstripes, KTRACK_EVICT_SCAN);
	struct ktrack_conn *victim = NULL;
	int tries;

	for (tries = 0; tries < KTRACK_EVICT_TRIES && !victim; tries++) {
		unsigned int start = this_cpu_inc_return(ktrack_evict_cursor) * n;
		struct ktrack_stripe *best;
		u32 queued;

		best = ktrack_evict_pick(kn, start, n);
		if (!best && n < t->nstripes &&
		    time_after_eq(jiffies, READ_ONCE(t->evict_idle_until))) {
			best = ktrack_evict_pick(kn, start + n, t->nstripes - n);
			if (!best)
				WRITE_ONCE(t->evict_idle_until, jiffies + HZ / 10);
		}
		if (!best)
			return false;

		spin_lock_bh(&best->lock);
		victim = ktrack_evict_candidate(best, &queued);
		if (victim)
			ktrack_table_unlink(t, victim);
		spin_unlock_bh(&best->lock);
	}
	if (!victim)
		return false;
	ktrack_conn_destroy(kn, victim, KTRACK_STAT_EVICTED);
	return true;
}

static void ktrack_conn_fill(struct ktrack_conn *ct, const struct ktrack_pkt *pkt)
{
	ct->flags |= pkt->l4;
	ct->sport = pkt->sport;
	ct->dport = pkt->dport;
	if (pkt->family == NFPROTO_IPV6) {
		struct ktrack_conn6 *c6 = container_of(ct, struct ktrack_conn6, c);

		c6->saddr = pkt->saddr.in6;
		c6->daddr = pkt->daddr.in6;
	} else {
		struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

		c4->saddr = pkt->saddr.ip;
		c4->daddr = pkt->daddr.ip;
	}
}

static void ktrack_log_drop(struct ktrack_net *kn, const struct ktrack_pkt *pkt, const char *what,
			    unsigned int limit)
{
	if (pkt->family == NFPROTO_IPV4)
		net_info_ratelimited("%s %u reached: new flow from %pI4 dropped\n",
				     what, limit, &pkt->saddr.ip);
	else
		net_info_ratelimited("%s %u reached: new flow from %pI6c dropped\n",
				     what, limit, &pkt->saddr.in6);
}

/*
 * A new flow refused by a limit (@why: its drop counter): counted, logged, and told to event
 * listeners as the destroy (reason limit) of the entry it would have had.
 */
static void ktrack_refuse(struct ktrack_net *kn, const struct ktrack_pkt *pkt,
			  enum ktrack_stat why, const char *what, unsigned int limit)
{
	ktrack_stat_inc(kn, why);
	ktrack_log_drop(kn, pkt, what, limit);
	if (unlikely(ktrack_events_wanted(kn))) {
		struct ktrack_conn6 tmp = { };	/* room for either family */

		if (pkt->family == NFPROTO_IPV6)
			tmp.c.flags = KTRACK_F_IPV6;
		ktrack_conn_fill(&tmp.c, pkt);
		/* due now: its timeout shows 0 (TCP: ktrack_conn_left() knows a stand-in) */
		tmp.c.stamp = ktrack_now();
		if (pkt->l4 != KTRACK_L4_TCP)
			tmp.c.stamp -= ktrack_timeout(kn, ktrack_conn_class(&tmp.c));
		ktrack_event_send(kn, &tmp.c, KTRACK_CMD_EVENT_DESTROY, why);
	}
}

/*
 * Room for one more entry under @max. The shared count is read without a lock; it is off by less
 * than the table's count slack (table.c keeps that within max / 64). Below the band where it could
 * be wrong there is room; in it, an eviction makes room whether or not the table is quite full
 * (an eviction and an insertion leave the count as it was), so a table at its limit costs the same
 * with 2 CPUs or 256, and no entry is evicted before the table is 97% full. Only when nothing can
 * be evicted is the count summed exactly, at most once per HZ/100 while it says full. A table
 * smaller than 64 entries a CPU cannot have that slack: its count is summed in the band, and only
 * a full one evicts.
 */
static bool ktrack_table_room(struct ktrack_net *kn, unsigned int max)
{
	struct ktrack_table *t = &kn->table;
	s64 slack = ktrack_table_count_slack(t);

	if (percpu_counter_read(&t->count) + slack < max)
		return true;
	if (slack * 64 > max && percpu_counter_sum(&t->count) < max)
		return true;
	if (ktrack_evict(kn))
		return true;
	if (time_before(jiffies, READ_ONCE(t->full_until)))
		return false;
	if (percpu_counter_sum(&t->count) < max)
		return true;
	WRITE_ONCE(t->full_until, jiffies + HZ / 100);
	return false;
}

unsigned int ktrack_conn_create(struct ktrack_net *kn, struct ktrack_pkt *pkt, bool local,
				bool loose, u8 flags)
{
	unsigned int max = READ_ONCE(kn->tun[KTRACK_MAX_CONNS]);
	bool pickup = pkt->l4 == KTRACK_L4_TCP && !(pkt->tcp.flags & KTRACK_TCPF_SYN);
	union ktrack_addr masked;
	unsigned int limit = 0;
	struct ktrack_conn *ct;
	bool counted = false;
	unsigned int live;
	int err;

	/*
	 * The source first: a flow its source may not open must not evict anyone. A pickup is a
	 * connection that exists already (its entry expired, was flushed, or predates the module):
	 * it is counted, so that the count stays the source's live connections, but never refused.
	 */
	if (!local) {
		if (!pickup)
			limit = ktrack_limit_for(kn, pkt->family, &pkt->saddr);
		err = ktrack_src_count(kn, pkt, limit, &masked);
		if (err == -EDQUOT) {
			ktrack_refuse(kn, pkt, KTRACK_STAT_DROP_SOURCE, "per_src_limit", limit);
			return NF_DROP;
		}
		if (err)
			goto nomem;
		counted = true;
	}
	if (!ktrack_table_room(kn, max)) {
		if (counted)
			ktrack_src_release(&kn->src, pkt->family, &masked);
		if (pickup) {
			/* an existing connection's packet: it passes, untracked */
			ktrack_stat_inc(kn, KTRACK_STAT_INVALID);
			return NF_ACCEPT;
		}
		ktrack_refuse(kn, pkt, KTRACK_STAT_DROP_TABLE, "max_conns", max);
		return NF_DROP;
	}

	ct = ktrack_conn_alloc(pkt->family == NFPROTO_IPV6, GFP_ATOMIC | __GFP_NOWARN);
	if (!ct)
		goto nomem_src;
	ktrack_conn_fill(ct, pkt);
	ct->flags |= flags;
	if (counted)
		ct->flags |= KTRACK_F_SRC_COUNTED;
	if (pkt->l4 == KTRACK_L4_TCP && !ktrack_tcp_start(ct, &pkt->tcp, loose)) {
		/* the caller checked ktrack_tcp_can_start() with the same @loose */
		WARN_ON_ONCE(1);
		ktrack_conn_free(ct);
		goto nomem_src;
	}
	ct->stamp = ktrack_now();
	/* once linked, another CPU may move its state (and the live counts) at once */
	live = ktrack_conn_live_idx(ct);

	if (ktrack_table_insert(&kn->table, ct)) {
		/* another CPU created it first: this packet belongs to that entry */
		if (counted)
			ktrack_src_release(&kn->src, pkt->family, &masked);
		ktrack_conn_free(ct);
		return NF_ACCEPT;
	}
	ktrack_resize_check(kn);
	ktrack_stat_inc(kn, KTRACK_STAT_NEW);
	if (pickup)
		ktrack_stat_inc(kn, KTRACK_STAT_PICKUP);
	ktrack_stat_add_live(kn, live, 1);
	ktrack_event_new(kn, ct);
	return NF_ACCEPT;

nomem_src:
	if (counted)
		ktrack_src_release(&kn->src, pkt->family, &masked);
nomem:
	ktrack_stat_inc(kn, KTRACK_STAT_DROP_NOMEM);
	return NF_DROP;
}
