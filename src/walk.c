// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c - the control plane's view of the connection table: matching an entry against a filter
 * (family, protocol, TCP state, source/destination prefix, ports; all on the original direction)
 * and deleting every entry a filter matches.
 *
 * A delete walks the buckets in order, with no resize meanwhile (it holds the table's resize
 * mutex). Bucket b is guarded by stripe b & (nstripes - 1) (the stripe and the bucket are both low
 * bits of the same hash), so each non-empty bucket is emptied of its matches under its stripe lock,
 * and the entries are destroyed (source released, counters, event, freed after a grace period) once
 * the lock is dropped, as the expiry work does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/inetdevice.h>
#include <linux/netfilter.h>
#include <linux/sched.h>
#include <net/ipv6.h>

#include "lifecycle.h"
#include "walk.h"

u8 ktrack_conn_proto(const struct ktrack_conn *ct)
{
	switch (ktrack_conn_l4(ct)) {
	case KTRACK_L4_TCP:
		return IPPROTO_TCP;
	case KTRACK_L4_UDP:
		return IPPROTO_UDP;
	default:
		return ktrack_conn_is_v6(ct) ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	}
}

static bool ktrack_prefix_match(u8 family, const union ktrack_addr *a,
				const union ktrack_addr *prefix, u8 plen)
{
	if (family == NFPROTO_IPV4)
		return !((a->ip ^ prefix->ip) & inet_make_mask(plen));
	return ipv6_prefix_equal(&a->in6, &prefix->in6, plen);
}

bool ktrack_filter_match(const struct ktrack_filter *f, const struct ktrack_conn *ct)
{
	u8 family = ktrack_conn_is_v6(ct) ? NFPROTO_IPV6 : NFPROTO_IPV4;
	union ktrack_addr s, d;

	if (!f->mask)
		return true;
	if ((f->mask & KTRACK_FLT_FAMILY) && f->family != family)
		return false;
	if ((f->mask & KTRACK_FLT_PROTO) && f->proto != ktrack_conn_proto(ct))
		return false;
	if ((f->mask & KTRACK_FLT_STATE) &&
	    (ktrack_conn_l4(ct) != KTRACK_L4_TCP || f->state != READ_ONCE(ct->state)))
		return false;
	if ((f->mask & KTRACK_FLT_PORT) && f->port != ct->sport && f->port != ct->dport)
		return false;
	if ((f->mask & KTRACK_FLT_SPORT) && f->sport != ct->sport)
		return false;
	if ((f->mask & KTRACK_FLT_DPORT) && f->dport != ct->dport)
		return false;
	if (!(f->mask & (KTRACK_FLT_SRC | KTRACK_FLT_DST)))
		return true;
	/* an address filter carries its family (checked above through KTRACK_FLT_FAMILY) */
	if (family == NFPROTO_IPV4) {
		const struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

		s.ip = c4->saddr;
		d.ip = c4->daddr;
	} else {
		const struct ktrack_conn6 *c6 = container_of(ct, struct ktrack_conn6, c);

		s.in6 = c6->saddr;
		d.in6 = c6->daddr;
	}
	if ((f->mask & KTRACK_FLT_SRC) && !ktrack_prefix_match(family, &s, &f->src, f->src_plen))
		return false;
	if ((f->mask & KTRACK_FLT_DST) && !ktrack_prefix_match(family, &d, &f->dst, f->dst_plen))
		return false;
	return true;
}

unsigned int ktrack_walk_delete(struct ktrack_net *kn, const struct ktrack_filter *f)
{
	struct ktrack_table *t = &kn->table;
	struct ktrack_buckets *tbl;
	unsigned int b, n = 0;

	/* no resize meanwhile: the buckets are one array, walked in order */
	mutex_lock(&t->resize_mutex);
	tbl = ktrack_table_buckets(t);
	for (b = 0; b < tbl->size; b++) {
		struct ktrack_stripe *s = &t->stripes[b & (t->nstripes - 1)];
		struct ktrack_conn *ct, *next, *dead = NULL;

		if (!(b & 1023))
			cond_resched();
		if (!rcu_access_pointer(tbl->b[b]))
			continue;
		spin_lock_bh(&s->lock);
		for (ct = rcu_dereference_protected(tbl->b[b], lockdep_is_held(&s->lock)); ct;
		     ct = next) {
			next = rcu_dereference_protected(ct->next, lockdep_is_held(&s->lock));
			if (!ktrack_filter_match(f, ct))
				continue;
			ktrack_table_unlink(t, ct);
			/* readers may still follow ct->next: chain through the (dead) expiry link */
			ct->expiry.next = (struct list_head *)dead;
			dead = ct;
		}
		spin_unlock_bh(&s->lock);
		while ((ct = dead)) {
			dead = (struct ktrack_conn *)ct->expiry.next;
			ktrack_conn_destroy(kn, ct, KTRACK_STAT_DEL_FLUSH);
			n++;
		}
	}
	mutex_unlock(&t->resize_mutex);
	return n;
}
