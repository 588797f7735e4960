// SPDX-License-Identifier: GPL-2.0
/*
 * track.c - the packet path.
 *
 * PREROUTING (and LOCAL_OUT) looks a packet up under RCU. A known flow advances: TCP through the
 * state machine (tcp.c) under its stripe lock; an in-window RST deletes it at once, the last ACK
 * of a FIN exchange deletes it (or starts its TIME_WAIT), a SYN on a TIME_WAIT/CLOSE entry replaces
 * it; UDP and ICMP note the first answer. The deadline is refreshed, but the entry is moved to the
 * tail of its class list only when the deadline moved by KTRACK_REFRESH_SLACK, so a busy flow takes
 * its stripe lock a few times a second, not on every packet. An expired entry met here is deleted.
 *
 * A packet of an unknown flow is admitted at LOCAL_IN, after the filter table, so packets a firewall
 * drops never create entries (lifecycle.c). A TCP non-SYN miss is remembered per CPU between the two
 * hooks (ktrack_pending) for the loose pickup; packets that can start a flow are simply looked up
 * again there. The host's own flows are admitted at LOCAL_OUT and not counted against a source.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "lifecycle.h"
#include "net.h"
#include "parse.h"
#include "tcp.h"
#include "track.h"

#define KTRACK_REFRESH_SLACK	(HZ / 8)

/* The last TCP non-SYN packet that missed at PREROUTING on this CPU. */
static DEFINE_PER_CPU(const struct sk_buff *, ktrack_pending);

static const enum ktrack_stat ktrack_parse_stat[] = {
	[KTRACK_PARSE_OTHER] = KTRACK_STAT_OTHER,
	[KTRACK_PARSE_FRAGMENT] = KTRACK_STAT_FRAGMENT,
	[KTRACK_PARSE_TRUNCATED] = KTRACK_STAT_TRUNCATED,
	[KTRACK_PARSE_MALFORMED] = KTRACK_STAT_MALFORMED,
};

static bool ktrack_parse_count(struct ktrack_net *kn, struct sk_buff *skb, u8 pf,
			       struct ktrack_pkt *pkt)
{
	enum ktrack_parse_result res = ktrack_parse(skb, pf, pkt);

	if (res == KTRACK_PARSE_OK)
		return true;
	ktrack_stat_inc(kn, ktrack_parse_stat[res]);
	return false;
}

/* notrack=1: nf_conntrack leaves this packet alone, as after a raw-table NOTRACK rule. */
static void ktrack_notrack(struct ktrack_net *kn, struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	if (READ_ONCE(kn->tun[KTRACK_NOTRACK]) && !skb->_nfct) {
		skb->_nfct = IP_CT_UNTRACKED;
		ktrack_stat_inc(kn, KTRACK_STAT_NOTRACK);
	}
#endif
}

/* A deadline refresh that moves the entry in its list only when it is worth a lock. */
static void ktrack_refresh(struct ktrack_net *kn, struct ktrack_conn *ct, u32 now)
{
	u32 deadline = now + ktrack_timeout(kn, ktrack_conn_class(ct));
	struct ktrack_stripe *s;

	if ((s32)(deadline - READ_ONCE(ct->deadline)) < KTRACK_REFRESH_SLACK)
		return;
	s = ktrack_stripe_of(&kn->table, ktrack_conn_hash(&kn->table, ct));
	spin_lock_bh(&s->lock);
	if (!(ct->flags & KTRACK_F_DEAD))
		ktrack_conn_requeue(kn, s, ct, now);
	spin_unlock_bh(&s->lock);
}

/* UDP and ICMP echo: the first answer changes the class (UDP) and makes the entry "assured". */
static void ktrack_other_packet(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_dir dir,
				u32 now)
{
	struct ktrack_stripe *s;

	if (dir == KTRACK_DIR_ORIG || (READ_ONCE(ct->flags) & KTRACK_F_REPLIED)) {
		ktrack_refresh(kn, ct, now);
		return;
	}
	s = ktrack_stripe_of(&kn->table, ktrack_conn_hash(&kn->table, ct));
	spin_lock_bh(&s->lock);
	if (!(ct->flags & KTRACK_F_DEAD)) {
		ct->flags |= KTRACK_F_REPLIED;
		ktrack_conn_requeue(kn, s, ct, now);
	}
	spin_unlock_bh(&s->lock);
}

/*
 * TCP: the state machine under the stripe lock. Returns false when the entry is gone and the packet
 * should be treated as one of an unknown flow (a SYN that replaced a TIME_WAIT entry).
 */
static bool ktrack_tcp_track(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_dir dir,
			     const struct ktrack_pkt *pkt, u32 now)
{
	u32 hash = ktrack_conn_hash(&kn->table, ct);
	struct ktrack_stripe *s = ktrack_stripe_of(&kn->table, hash);
	enum ktrack_stat reason = KTRACK_NSTATS;
	enum ktrack_tcp_verdict v;
	u8 old;

	spin_lock_bh(&s->lock);
	if (ct->flags & KTRACK_F_DEAD) {
		spin_unlock_bh(&s->lock);
		return false;
	}
	old = ct->state;
	v = ktrack_tcp_packet(ct, dir, &pkt->tcp, NULL);
	if (ct->state != old) {
		ktrack_stat_add_live(kn, old, -1);
		ktrack_stat_add_live(kn, ct->state, 1);
	}
	switch (v) {
	case KTRACK_TCP_ACCEPT:
		if (dir == KTRACK_DIR_REPLY)
			ct->flags |= KTRACK_F_REPLIED;
		if (ct->state == KTRACK_TCP_TIME_WAIT) {
			if (old == KTRACK_TCP_TIME_WAIT)
				break;	/* a retransmission does not extend TIME_WAIT */
			ktrack_conn_unsource(kn, ct);
			if (!READ_ONCE(kn->tun[KTRACK_TCP_TIMEOUT_TIME_WAIT])) {
				reason = KTRACK_STAT_DEL_FIN;
				break;
			}
			ktrack_conn_requeue(kn, s, ct, now);
		} else if (ct->state != old ||
			   (s32)(now + ktrack_timeout(kn, ktrack_conn_class(ct)) - ct->deadline) >=
			   KTRACK_REFRESH_SLACK) {
			ktrack_conn_requeue(kn, s, ct, now);
		}
		break;
	case KTRACK_TCP_RESET:
		reason = KTRACK_STAT_DEL_RST;
		break;
	case KTRACK_TCP_REOPEN:
		reason = KTRACK_STAT_TW_REUSE;
		break;
	case KTRACK_TCP_IGNORE:
	case KTRACK_TCP_CHALLENGE:
	case KTRACK_TCP_RESYNC:
		ktrack_stat_inc(kn, KTRACK_STAT_IGNORED);
		break;
	case KTRACK_TCP_INVALID:
		ktrack_stat_inc(kn, KTRACK_STAT_INVALID);
		break;
	}
	if (reason != KTRACK_NSTATS)
		__ktrack_table_unlink(&kn->table, ct, hash);
	spin_unlock_bh(&s->lock);

	if (reason != KTRACK_NSTATS)
		ktrack_conn_destroy(kn, ct, reason);
	return v != KTRACK_TCP_REOPEN;
}

/* Returns true when @pkt belonged to a live entry (and was handled). */
static bool ktrack_known(struct ktrack_net *kn, struct ktrack_pkt *pkt)
{
	struct ktrack_conn *ct;
	enum ktrack_dir dir;
	u32 now = ktrack_now();

	ct = ktrack_table_lookup(&kn->table, pkt, &dir);
	if (!ct)
		return false;
	if (ktrack_conn_expired(ct, now)) {
		ktrack_conn_delete(kn, ct, ktrack_expire_reason(ct));
		return false;
	}
	ktrack_stat_inc(kn, KTRACK_STAT_FOUND);
	if (ktrack_conn_l4(ct) == KTRACK_L4_TCP)
		return ktrack_tcp_track(kn, ct, dir, pkt, now);
	ktrack_other_packet(kn, ct, dir, now);
	return true;
}

/* An unknown flow's packet at LOCAL_IN or LOCAL_OUT: create, pick up, pass or drop. */
static unsigned int ktrack_unknown(struct ktrack_net *kn, struct ktrack_pkt *pkt, bool local)
{
	bool loose = READ_ONCE(kn->tun[KTRACK_LOOSE]);	/* read once: create relies on it */

	if (pkt->l4 == KTRACK_L4_TCP) {
		if (ktrack_tcp_can_start(&pkt->tcp, loose))
			return ktrack_conn_create(kn, pkt, local, loose);
		/* A RST is never dropped for being unknown: it answers a stray packet. */
		if (!loose && !(pkt->tcp.flags & KTRACK_TCPF_RST)) {
			ktrack_stat_inc(kn, KTRACK_STAT_DROP_INVALID);
			return NF_DROP;
		}
		ktrack_stat_inc(kn, KTRACK_STAT_INVALID);
		return NF_ACCEPT;
	}
	if (!pkt->starts)	/* an echo reply nobody asked for */
		return NF_ACCEPT;
	return ktrack_conn_create(kn, pkt, local, loose);
}

unsigned int ktrack_track(struct ktrack_net *kn, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct ktrack_pkt pkt;

	ktrack_stat_inc(kn, KTRACK_STAT_PACKETS);
	if (!ktrack_parse_count(kn, skb, state->pf, &pkt))
		return NF_ACCEPT;
	ktrack_notrack(kn, skb);
	if (ktrack_known(kn, &pkt))
		return NF_ACCEPT;
	if (state->hook == NF_INET_LOCAL_OUT)
		return ktrack_unknown(kn, &pkt, true);
	if (pkt.l4 == KTRACK_L4_TCP && !(pkt.tcp.flags & KTRACK_TCPF_SYN))
		this_cpu_write(ktrack_pending, skb);
	return NF_ACCEPT;
}

unsigned int ktrack_admit(struct ktrack_net *kn, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct ktrack_pkt pkt;
	enum ktrack_dir dir;
	bool pending;

	pending = this_cpu_read(ktrack_pending) == skb;
	if (pending)
		this_cpu_write(ktrack_pending, NULL);
	if (ktrack_parse(skb, state->pf, &pkt) != KTRACK_PARSE_OK)
		return NF_ACCEPT;
	if (pkt.l4 == KTRACK_L4_TCP) {
		/* only a SYN, or a segment that missed at PREROUTING, may need an entry */
		if (!pending && !(pkt.tcp.flags & KTRACK_TCPF_SYN))
			return NF_ACCEPT;
	} else if (!pkt.starts) {
		return NF_ACCEPT;
	}
	if (ktrack_table_lookup(&kn->table, &pkt, &dir))
		return NF_ACCEPT;
	return ktrack_unknown(kn, &pkt, false);
}
