// SPDX-License-Identifier: GPL-2.0
/*
 * track.c - the packet path.
 *
 * PREROUTING (and LOCAL_OUT) looks a packet up under RCU. A known flow advances: TCP through the
 * state machine (tcp.c) under its stripe lock; an exact RST deletes it at once, the last ACK of a
 * FIN exchange deletes it (or starts its TIME_WAIT), a SYN on a TIME_WAIT/CLOSE entry replaces it;
 * UDP and ICMP note the first answer, and UDP becomes a stream when it is still active 2 s after
 * it. The entry is moved to the tail of its class list (restamped) only when its stamp is
 * KTRACK_REFRESH_SLACK old, so a busy flow takes its stripe lock a few times a second, not on every
 * packet. An expired entry met here is deleted.
 *
 * A packet of an unknown flow is admitted at LOCAL_IN, after the filter table, so packets a
 * firewall drops never create entries (lifecycle.c); its L4 checksum is verified first, as TCP
 * would drop a bad one without an answer. PREROUTING tells LOCAL_IN which packets it found, in a
 * small per-CPU map from skb address to a fingerprint of the packet (ktrack_seen): a whole batch of
 * packets goes through PREROUTING before the first reaches LOCAL_IN (ip_list_rcv), so LOCAL_IN
 * looks a packet up again unless the map says PREROUTING found that very packet. A slot holds an
 * skb only from its last PREROUTING that found an entry, and every other PREROUTING of that skb
 * clears it; a slot left by a packet that never reached LOCAL_IN (dropped, forwarded, queued to
 * userspace and reinjected on another CPU) names a freed skb, and a new packet at that address
 * must match its fingerprint too (ports, length, sequence numbers) to be taken for it. A slot that
 * another packet of the batch took only costs a second lookup. The host's own flows are admitted
 * at LOCAL_OUT and not counted against a source.
 *
 * A SYN admitted at LOCAL_IN whose 4-tuple the server still holds in TIME_WAIT may have that
 * socket removed first, with tw_rescue set (twrescue.c).
 *
 * notrack=1 marks the packets of tracked flows untracked for nf_conntrack: a known flow's at
 * PREROUTING and LOCAL_OUT (before nf_conntrack sees them), a host's new flow at LOCAL_OUT. An
 * inbound flow's first packet is admitted at LOCAL_IN, after nf_conntrack made its (unconfirmed)
 * entry: that entry is dropped before nf_conntrack confirms it, unless it carries NAT, which only
 * nf_conntrack can undo; then nf_conntrack keeps the flow (KTRACK_F_NFCT) and its packets are left
 * alone. Packets ktrack does not track (forwarded ones among them) are never marked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/hash.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "lifecycle.h"
#include "net.h"
#include "parse.h"
#include "state.h"
#include "tcp.h"
#include "track.h"
#include "twrescue.h"

#define KTRACK_REFRESH_SLACK	(HZ / 8)
/* A UDP flow still active this long after its first answer is a stream (nf_conntrack's). */
#define KTRACK_UDP_STREAM_AFTER	(2 * HZ)

#define KTRACK_SEEN_BITS	8

/* Packets that PREROUTING found an entry for, by address (see the top of the file). */
struct ktrack_seen_slot {
	const struct sk_buff *skb;
	u32 print;
};

struct ktrack_seen {
	struct ktrack_seen_slot slot[1 << KTRACK_SEEN_BITS];
};

/*
 * Allocated at load, not a static per-CPU variable: a module's static per-CPU data comes from a
 * reserve of 8 KiB that every module of the system shares, and 4 KiB of it failed to load ktrack
 * once other netfilter modules had taken their part.
 */
static struct ktrack_seen __percpu *ktrack_seen;

static struct ktrack_seen_slot *ktrack_seen_slot(const struct sk_buff *skb)
{
	return &this_cpu_ptr(ktrack_seen)->slot[hash_ptr(skb, KTRACK_SEEN_BITS)];
}

int ktrack_track_init(void)
{
	ktrack_seen = alloc_percpu(struct ktrack_seen);
	return ktrack_seen ? 0 : -ENOMEM;
}

void ktrack_track_exit(void)
{
	free_percpu(ktrack_seen);
}

/* What tells two packets at one skb address apart, without a hash. */
static u32 ktrack_seen_print(const struct sk_buff *skb, const struct ktrack_pkt *pkt)
{
	u32 p = ((u32)(__force u16)pkt->sport << 16 | (__force u16)pkt->dport) ^ skb->len;

	if (pkt->l4 == KTRACK_L4_TCP)
		p ^= pkt->tcp.seq ^ pkt->tcp.ack ^ pkt->tcp.flags;
	return p;
}

/* PREROUTING: @skb (@pkt, or NULL when it did not parse) was found, or not. */
static void ktrack_seen_set(const struct sk_buff *skb, const struct ktrack_pkt *pkt, bool found)
{
	struct ktrack_seen_slot *slot = ktrack_seen_slot(skb);

	if (found) {
		slot->skb = skb;
		slot->print = ktrack_seen_print(skb, pkt);
	} else if (slot->skb == skb) {
		slot->skb = NULL;
	}
}

/* LOCAL_IN: was @skb (@pkt) found at PREROUTING? */
static bool ktrack_seen_take(const struct sk_buff *skb, const struct ktrack_pkt *pkt)
{
	struct ktrack_seen_slot *slot = ktrack_seen_slot(skb);

	if (slot->skb != skb)
		return false;
	slot->skb = NULL;
	return slot->print == ktrack_seen_print(skb, pkt);
}

static const enum ktrack_stat ktrack_parse_stat[] = {
	[KTRACK_PARSE_OTHER] = KTRACK_STAT_OTHER,
	[KTRACK_PARSE_FRAGMENT] = KTRACK_STAT_FRAGMENT,
	[KTRACK_PARSE_TRUNCATED] = KTRACK_STAT_TRUNCATED,
	[KTRACK_PARSE_MALFORMED] = KTRACK_STAT_MALFORMED,
};

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

/*
 * notrack=1 at LOCAL_IN, for a flow just admitted: the flags its entry starts with, after taking
 * the packet from nf_conntrack when nf_conntrack may let it go (see the top of the file).
 */
static u8 ktrack_notrack_admit(struct ktrack_net *kn, struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	if (!READ_ONCE(kn->tun[KTRACK_NOTRACK]))
		return 0;
	ct = nf_ct_get(skb, &ctinfo);
	if (ct && (nf_ct_is_confirmed(ct) || (ct->status & IPS_NAT_MASK)))
		return KTRACK_F_NFCT;
	if (ct)
		nf_reset_ct(skb);
	ktrack_notrack(kn, skb);
#endif
	return 0;
}

/* The L4 checksum of @pkt is right, or there is none to verify: free when the device checked it. */
static bool ktrack_csum_valid(struct sk_buff *skb, const struct nf_hook_state *state,
			      const struct ktrack_pkt *pkt)
{
	return pkt->nocsum || !nf_checksum(skb, state->hook, pkt->l4off, pkt->proto, state->pf);
}

/* The same for a packet that would create or move an entry: a bad one is counted. */
static bool ktrack_csum_ok(struct ktrack_net *kn, struct sk_buff *skb,
			   const struct nf_hook_state *state, const struct ktrack_pkt *pkt)
{
	if (ktrack_csum_valid(skb, state, pkt))
		return true;
	ktrack_stat_inc(kn, KTRACK_STAT_BAD_CHECKSUM);
	return false;
}

/*
 * The state of a packet of a known TCP flow, from the verdict on it and what the entry was before
 * (nf_conntrack's: a packet the tracker ignores passes for what it is, one it finds invalid or out
 * of window is INVALID). As nf_conntrack, a SYN from the client or a SYN|ACK from the server past
 * the handshake is ignored (port reuse: the entry may be out of date), and so is the server's ACK
 * of a SYN it never answered (a challenge ACK); every other ignored segment is out of window.
 */
static unsigned int ktrack_tcp_state(enum ktrack_tcp_verdict v, const struct ktrack_tcp_seg *seg,
				     enum ktrack_dir dir, u8 old, bool replied)
{
	u8 f = seg->flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK);

	switch (v) {
	case KTRACK_TCP_INVALID:
		return KTRACK_MARK_INVALID;
	case KTRACK_TCP_REOPEN:
		return KTRACK_MARK_NEW;
	case KTRACK_TCP_IGNORE:
		if (seg->flags & KTRACK_TCPF_RST)
			return KTRACK_MARK_INVALID;
		if (old != KTRACK_TCP_SYN_SENT &&
		    (dir == KTRACK_DIR_ORIG ? f == KTRACK_TCPF_SYN :
		     f == (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK)))
			break;
		if (old == KTRACK_TCP_SYN_SENT && dir == KTRACK_DIR_REPLY && f == KTRACK_TCPF_ACK)
			break;
		return KTRACK_MARK_INVALID;
	default:
		break;
	}
	if (dir == KTRACK_DIR_REPLY)
		return KTRACK_MARK_ESTABLISHED | KTRACK_MARK_REPLY;
	return replied ? KTRACK_MARK_ESTABLISHED : KTRACK_MARK_NEW;
}

/* UDP and ICMP echo: answered or not. */
static unsigned int ktrack_other_state(const struct ktrack_conn *ct, enum ktrack_dir dir)
{
	if (dir == KTRACK_DIR_REPLY)
		return KTRACK_MARK_ESTABLISHED | KTRACK_MARK_REPLY;
	return READ_ONCE(ct->flags) & KTRACK_F_REPLIED ? KTRACK_MARK_ESTABLISHED : KTRACK_MARK_NEW;
}

/* A stamp refresh that moves the entry in its list only when it is worth a lock. */
static void ktrack_refresh(struct ktrack_net *kn, struct ktrack_conn *ct, u32 now)
{
	struct ktrack_stripe *s;

	if (ktrack_conn_idle(ct, now) < KTRACK_REFRESH_SLACK)
		return;
	s = ktrack_stripe_of(&kn->table, ktrack_conn_hash(&kn->table, ct));
	spin_lock_bh(&s->lock);
	if (!(ct->flags & KTRACK_F_DEAD))
		ktrack_conn_requeue(kn, s, ct, now);
	spin_unlock_bh(&s->lock);
}

/* Sets @flag on @ct and requeues it (its class may change with the flag). */
static void ktrack_set_flag(struct ktrack_net *kn, struct ktrack_conn *ct, u8 flag, u32 now)
{
	struct ktrack_stripe *s = ktrack_stripe_of(&kn->table, ktrack_conn_hash(&kn->table, ct));

	spin_lock_bh(&s->lock);
	if (!(ct->flags & (KTRACK_F_DEAD | flag))) {
		ct->flags |= flag;
		ktrack_conn_requeue(kn, s, ct, now);
	}
	spin_unlock_bh(&s->lock);
}

/*
 * UDP and ICMP echo: the first answer marks the entry replied. UDP answered once keeps udp_timeout
 * (a DNS query and its answer are over), counted from the answer; a packet 2 s or more after the
 * answer makes it a stream (udp_timeout_stream, no longer evictable). Until then it is not
 * restamped, so that the answer's time stays known.
 */
static void ktrack_other_packet(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_dir dir,
				u32 now)
{
	u8 flags = READ_ONCE(ct->flags);

	if (!(flags & KTRACK_F_REPLIED)) {
		if (dir == KTRACK_DIR_ORIG)
			ktrack_refresh(kn, ct, now);
		else
			ktrack_set_flag(kn, ct, KTRACK_F_REPLIED, now);
		return;
	}
	if (ktrack_conn_l4(ct) != KTRACK_L4_UDP || (flags & KTRACK_F_STREAM)) {
		ktrack_refresh(kn, ct, now);
		return;
	}
	if (ktrack_conn_idle(ct, now) >= KTRACK_UDP_STREAM_AFTER)
		ktrack_set_flag(kn, ct, KTRACK_F_STREAM, now);
}

/*
 * The memo the stripe keeps for @ct's ignored SYN, into @m (zeroed when none); after the state
 * machine ran, ktrack_memo_put() stores what it left there.
 */
static struct ktrack_stripe_memo *ktrack_memo_get(struct ktrack_stripe *s,
						  const struct ktrack_conn *ct,
						  struct ktrack_tcp_memo *m)
{
	struct ktrack_stripe_memo *sm = ktrack_stripe_memo_of(s, ct);

	if (sm)
		*m = sm->m;
	else
		memset(m, 0, sizeof(*m));
	return sm;
}

static void ktrack_memo_put(struct ktrack_stripe *s, struct ktrack_stripe_memo *sm,
			    const struct ktrack_conn *ct, const struct ktrack_tcp_memo *m)
{
	if (!(m->flags & KTRACK_TCP_MEMO_SYN)) {
		if (sm)
			sm->ct = NULL;
		return;
	}
	if (!sm)
		sm = ktrack_stripe_memo_of(s, NULL);
	if (!sm) {
		/* all taken: the oldest one goes (a resync it would allow will not happen) */
		memmove(&s->memo[0], &s->memo[1], sizeof(s->memo) - sizeof(s->memo[0]));
		sm = &s->memo[KTRACK_STRIPE_MEMOS - 1];
	}
	sm->ct = ct;
	sm->m = *m;
}

/*
 * TCP: the state machine under the stripe lock, @st the packet's state (state.h). Returns false
 * when the entry is gone and the packet should be treated as one of an unknown flow (a SYN that
 * replaced a TIME_WAIT entry).
 */
static bool ktrack_tcp_track(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_dir dir,
			     const struct ktrack_pkt *pkt, u32 now, unsigned int *st)
{
	u32 hash = ktrack_conn_hash(&kn->table, ct);
	struct ktrack_stripe *s = ktrack_stripe_of(&kn->table, hash);
	enum ktrack_stat reason = KTRACK_NSTATS;
	struct ktrack_stripe_memo *sm;
	struct ktrack_tcp_memo memo;
	enum ktrack_tcp_verdict v;
	enum ktrack_class class;
	u8 old;

	spin_lock_bh(&s->lock);
	if (ct->flags & KTRACK_F_DEAD) {
		spin_unlock_bh(&s->lock);
		return false;
	}
	old = ct->state;
	class = ktrack_conn_class(ct);
	sm = ktrack_memo_get(s, ct, &memo);
	v = ktrack_tcp_packet(ct, dir, &pkt->tcp, &memo);
	ktrack_memo_put(s, sm, ct, &memo);
	*st = ktrack_tcp_state(v, &pkt->tcp, dir, old, ct->flags & KTRACK_F_REPLIED);
	if (ct->state != old) {
		ktrack_stat_add_live(kn, old, -1);
		ktrack_stat_add_live(kn, ct->state, 1);
	}
	switch (v) {
	case KTRACK_TCP_RESYNC:
		ktrack_stat_inc(kn, KTRACK_STAT_RESYNC);
		fallthrough;
	case KTRACK_TCP_ACCEPT:
		if (dir == KTRACK_DIR_REPLY)
			ct->flags |= KTRACK_F_REPLIED;
		if (ct->state == KTRACK_TCP_TIME_WAIT) {
			if (old == KTRACK_TCP_TIME_WAIT)
				break;	/* a retransmission does not extend TIME_WAIT */
			ktrack_conn_unsource(kn, ct);
			if (!ktrack_time_wait_secs(kn)) {
				reason = KTRACK_STAT_DEL_FIN;
				break;
			}
			ktrack_conn_requeue(kn, s, ct, now);
		} else if ((old == KTRACK_TCP_SYN_SENT || old == KTRACK_TCP_SYN_RECV) &&
			   ct->state == old && (pkt->tcp.flags & KTRACK_TCPF_SYN)) {
			/*
			 * a retransmitted SYN or SYN|ACK does not extend the handshake (port reuse
			 * would keep it alive for ever), as nf_conntrack
			 */
			break;
		} else if (ct->state != old || ktrack_conn_class(ct) != class ||
			   ktrack_conn_idle(ct, now) >= KTRACK_REFRESH_SLACK) {
			ktrack_conn_requeue(kn, s, ct, now);
		}
		break;
	case KTRACK_TCP_RESET:
		reason = KTRACK_STAT_DEL_RST;
		break;
	case KTRACK_TCP_REOPEN:
		reason = KTRACK_STAT_TW_REUSE;
		break;
	case KTRACK_TCP_CHALLENGE:
		ktrack_stat_inc(kn, KTRACK_STAT_RST_INEXACT);
		break;
	case KTRACK_TCP_IGNORE:
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

/*
 * Returns the live entry @pkt belonged to (and was handled by), or NULL; @st is then the packet's
 * state. A segment that would delete or restart the entry (SYN, FIN, RST) from outside has its
 * checksum verified first: TCP drops a bad one, so it must not move the entry either (the stack's
 * own segments at LOCAL_OUT are checksummed later, by the stack or the NIC).
 */
static struct ktrack_conn *ktrack_known(struct ktrack_net *kn, struct sk_buff *skb,
					const struct nf_hook_state *state, struct ktrack_pkt *pkt,
					unsigned int *st)
{
	struct ktrack_conn *ct;
	enum ktrack_dir dir;
	u32 now = ktrack_now();

	ct = ktrack_table_lookup(&kn->table, pkt, &dir);
	if (!ct)
		return NULL;
	if (pkt->l4 == KTRACK_L4_TCP && state->hook == NF_INET_PRE_ROUTING &&
	    (pkt->tcp.flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_FIN | KTRACK_TCPF_RST)) &&
	    !ktrack_csum_ok(kn, skb, state, pkt)) {
		*st = KTRACK_MARK_INVALID;
		return ct;	/* known, and left as it was */
	}
	if (ktrack_conn_expired(kn, ct, now)) {
		ktrack_conn_delete(kn, ct, ktrack_expire_reason(ct));
		return NULL;
	}
	ktrack_stat_inc(kn, KTRACK_STAT_FOUND);
	if (ktrack_conn_l4(ct) == KTRACK_L4_TCP)
		return ktrack_tcp_track(kn, ct, dir, pkt, now, st) ? ct : NULL;
	*st = ktrack_other_state(ct, dir);
	ktrack_other_packet(kn, ct, dir, now);
	return ct;
}

/*
 * The state of an unknown flow's packet: NEW when it may start one, INVALID otherwise, as
 * nf_conntrack's (which verifies checksums at PREROUTING; ktrack does so only when a firewall
 * reads the state, and still counts a bad one where it refuses to create the entry).
 */
static unsigned int ktrack_unknown_state(struct ktrack_net *kn, struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 const struct ktrack_pkt *pkt)
{
	bool starts = pkt->starts;

	if (pkt->l4 == KTRACK_L4_TCP)
		starts = ktrack_tcp_can_start(&pkt->tcp, READ_ONCE(kn->tun[KTRACK_LOOSE]));
	if (!starts)
		return KTRACK_MARK_INVALID;
	if (state->hook == NF_INET_PRE_ROUTING && !ktrack_csum_valid(skb, state, pkt))
		return KTRACK_MARK_INVALID;
	return KTRACK_MARK_NEW;
}

/*
 * An ICMP error: RELATED when it quotes a tracked flow and goes to the quoted packet's source, as
 * nf_conntrack's rule; INVALID otherwise (and with a bad checksum). With state_mark set, the
 * host's own port unreachable for a UDP flow never answered ends that entry: nobody listens (left
 * as nf_conntrack has it otherwise: the entry lives udp_timeout).
 */
static unsigned int ktrack_icmp_error(struct ktrack_net *kn, struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct ktrack_pkt *pkt)
{
	struct ktrack_conn *ct;
	enum ktrack_dir dir;

	if (pkt->icmperr & (KTRACK_ICMPERR_BAD | KTRACK_ICMPERR_FOREIGN))
		goto invalid;
	if (state->hook == NF_INET_PRE_ROUTING && !ktrack_csum_ok(kn, skb, state, pkt))
		return KTRACK_MARK_INVALID;
	ct = ktrack_table_lookup(&kn->table, pkt, &dir);
	if (!ct || ktrack_conn_expired(kn, ct, ktrack_now()))
		goto invalid;
	ktrack_stat_inc(kn, KTRACK_STAT_RELATED);
	if (state->hook == NF_INET_LOCAL_OUT && (pkt->icmperr & KTRACK_ICMPERR_PORT) &&
	    READ_ONCE(kn->tun[KTRACK_STATE_MARK]) &&
	    ktrack_conn_l4(ct) == KTRACK_L4_UDP && dir == KTRACK_DIR_ORIG &&
	    !(READ_ONCE(ct->flags) & KTRACK_F_REPLIED))
		ktrack_conn_delete(kn, ct, KTRACK_STAT_DEL_ICMP);
	/* the error travels against the packet it quotes */
	return KTRACK_MARK_RELATED | (dir == KTRACK_DIR_ORIG ? KTRACK_MARK_REPLY : 0);
invalid:
	ktrack_stat_inc(kn, KTRACK_STAT_INVALID);
	return KTRACK_MARK_INVALID;
}

/* A packet that did not parse as a trackable one: @res says why; its state. */
static unsigned int ktrack_untrackable(struct ktrack_net *kn, struct sk_buff *skb,
				       const struct nf_hook_state *state,
				       const struct ktrack_pkt *pkt, enum ktrack_parse_result res)
{
	if (res == KTRACK_PARSE_ICMPERR)
		return ktrack_icmp_error(kn, skb, state, pkt);
	ktrack_stat_inc(kn, ktrack_parse_stat[res]);
	/* other protocols and ICMP types, later fragments: untracked; broken headers: INVALID */
	if (res == KTRACK_PARSE_OTHER || res == KTRACK_PARSE_FRAGMENT)
		return 0;
	return KTRACK_MARK_INVALID;
}

/* An unknown flow's packet at LOCAL_IN or LOCAL_OUT: create, pick up, pass or drop. */
static unsigned int ktrack_unknown(struct ktrack_net *kn, struct sk_buff *skb,
				   const struct nf_hook_state *state, struct ktrack_pkt *pkt)
{
	bool loose = READ_ONCE(kn->tun[KTRACK_LOOSE]);	/* read once: create relies on it */
	bool local = state->hook == NF_INET_LOCAL_OUT;
	unsigned int verdict;
	u8 flags = 0;

	if (pkt->l4 == KTRACK_L4_TCP) {
		if (!ktrack_tcp_can_start(&pkt->tcp, loose)) {
			/* A RST is never dropped for being unknown: it answers a stray packet. */
			if (!loose && !(pkt->tcp.flags & KTRACK_TCPF_RST)) {
				ktrack_stat_inc(kn, KTRACK_STAT_DROP_INVALID);
				return NF_DROP;
			}
			ktrack_stat_inc(kn, KTRACK_STAT_INVALID);
			return NF_ACCEPT;
		}
	} else if (!pkt->starts) {	/* an echo reply nobody asked for */
		return NF_ACCEPT;
	}
	if (!local) {
		/* TCP drops a bad segment silently: it must not hold an entry (or a source count) */
		if (!ktrack_csum_ok(kn, skb, state, pkt))
			return NF_ACCEPT;
		flags = ktrack_notrack_admit(kn, skb);
	}
	verdict = ktrack_conn_create(kn, pkt, local, loose, flags);
	if (verdict != NF_ACCEPT)
		return verdict;
	if (local)
		ktrack_notrack(kn, skb);
	else if (pkt->l4 == KTRACK_L4_TCP &&
		 (pkt->tcp.flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK | KTRACK_TCPF_RST |
				    KTRACK_TCPF_FIN)) == KTRACK_TCPF_SYN)
		ktrack_tw_rescue(kn, skb, state, pkt);
	return verdict;
}

unsigned int ktrack_track(struct ktrack_net *kn, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	bool pre = state->hook == NF_INET_PRE_ROUTING;
	enum ktrack_parse_result res;
	struct ktrack_conn *ct;
	struct ktrack_pkt pkt;
	unsigned int st;

	ktrack_stat_inc(kn, KTRACK_STAT_PACKETS);
	res = ktrack_parse(skb, state->pf, &pkt);
	if (res != KTRACK_PARSE_OK) {
		if (pre)
			ktrack_seen_set(skb, NULL, false);
		ktrack_state_set(kn, skb, ktrack_untrackable(kn, skb, state, &pkt, res));
		return NF_ACCEPT;
	}
	ct = ktrack_known(kn, skb, state, &pkt, &st);
	if (pre)
		ktrack_seen_set(skb, &pkt, ct);
	if (ct) {
		if (!(READ_ONCE(ct->flags) & KTRACK_F_NFCT))
			ktrack_notrack(kn, skb);
		ktrack_state_set(kn, skb, st);
		return NF_ACCEPT;
	}
	if (READ_ONCE(kn->tun[KTRACK_STATE_MARK]))
		ktrack_state_set(kn, skb, ktrack_unknown_state(kn, skb, state, &pkt));
	if (!pre)
		return ktrack_unknown(kn, skb, state, &pkt);
	return NF_ACCEPT;
}

unsigned int ktrack_admit(struct ktrack_net *kn, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct ktrack_pkt pkt;
	enum ktrack_dir dir;

	/* the filter table has seen the state: the socket does not */
	ktrack_state_clear(kn, skb);
	if (ktrack_parse(skb, state->pf, &pkt) != KTRACK_PARSE_OK)
		return NF_ACCEPT;
	if (ktrack_seen_take(skb, &pkt))
		return NF_ACCEPT;	/* PREROUTING found its entry */
	if (pkt.l4 != KTRACK_L4_TCP && !pkt.starts)
		return NF_ACCEPT;
	if (ktrack_table_lookup(&kn->table, &pkt, &dir))
		return NF_ACCEPT;
	return ktrack_unknown(kn, skb, state, &pkt);
}
