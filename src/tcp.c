// SPDX-License-Identifier: GPL-2.0
/*
 * tcp.c - the TCP state machine: handshake, window tracking, RST validation, resync and close.
 *
 * States are nf_conntrack's, without SYN_SENT2: a SYN from the reply side during SYN_SENT
 * (simultaneous open) is recorded with END_KNOWN on the reply side and the state stays SYN_SENT.
 *
 * Window tracking is simpler than nf_conntrack's: per direction only the highest sequence sent
 * (tcp_end) and the largest window advertised (tcp_win). A segment from @dir is in window when its
 * sequence range overlaps tcp_end[dir] +- the receiver's largest scaled window; its ack must lie
 * within the sender's window (at least KTRACK_TCP_ACK_SLACK) of the receiver's tcp_end. The checks
 * are generous on purpose: an IGNOREd packet still passes, a check only has to keep blind
 * injection from moving the state.
 *
 * RST, as RFC 5961 3.2 and nf_conntrack: ktrack runs on the endpoint, which sends every segment
 * through LOCAL_OUT and receives every one through PREROUTING, so tcp_end[d] is the receiver's
 * rcv_nxt and the RST the receiver takes carries exactly seq == tcp_end[d]. Past the handshake
 * (SYN_RECV ... LAST_ACK) that RST resets; one elsewhere in the window is a CHALLENGE (entry and
 * state unchanged, the packet passes, the endpoint answers with a challenge ACK, and a peer
 * without the connection answers that with an RST at exactly its ack); one out of the window is
 * IGNOREd. A blind attacker deletes an entry with one guess in 2^32. In SYN_SENT the answer to
 * the SYN must ack it exactly, and ORIG's own RST carries its next sequence number. In TIME_WAIT
 * and CLOSE any RST resets: the entry is closing anyway. An RST|ACK from REPLY acking exactly the
 * remembered SYN (below) resets too: the answer of a server without a listener for it.
 *
 * Resync, as nf_conntrack's last_* fields: an ORIG SYN in SYN_RECV (not the recorded one) or on a
 * connection past the handshake up to LAST_ACK (the client lost it without an RST and reuses the
 * port) is ignored, and remembered in the caller's struct ktrack_tcp_memo, the entry having no
 * room for it (no memo: no resync). When the server's SYN|ACK acks exactly that SYN (seq + 1 +
 * len, so not a Fast Open refusal), client and server are in sync and the entry is not: it
 * restarts as that handshake, in SYN_RECV (verdict RESYNC). If the server still has the old
 * connection it sends a challenge ACK instead, which the client's new socket answers with an RST
 * at exactly its ack: that deletes. Unlike nf_conntrack, which moves LAST_ACK to TIME_WAIT on any
 * ACK and so must set such a challenge ACK apart (IP_CT_EXP_CHALLENGE_ACK), ktrack marks a FIN
 * acked only by an ack covering it, from the peer: a challenge ACK completes the close only if it
 * acks the last FIN, which its sender then really has.
 *
 * Handshake: the SYN|ACK must ack the SYN exactly; SYN_RECV becomes ESTABLISHED on an ORIG ACK
 * at or past the REPLY side's tcp_end. In simultaneous open ORIG's SYN|ACK, sent after REPLY's,
 * completes the handshake; sent before it, the state stays SYN_RECV until ORIG's next ACK, as in
 * nf_conntrack. A Fast Open server that refuses the SYN's data acks only the SYN: such a flow
 * stays in SYN_SENT (its packets are IGNOREd, not dropped) until it expires.
 *
 * Loose pickup: neither SYN was seen, so both scales count as 14; the REPLY side's tcp_end holds
 * the highest ack ORIG sent until REPLY's first segment, whose sequence must lie in ORIG's window
 * around it. That estimate is also exactly the sequence number of a real RST from the unseen side
 * (a stack without the connection answers with seq = the ack it received), so the RST rule above
 * applies unchanged.
 *
 * Close: FIN_SEEN and FIN_ACKED per direction; the state after the handshake follows from them
 * (one FIN: FIN_WAIT, acked: CLOSE_WAIT; both FINs: LAST_ACK; both acked: TIME_WAIT), so a close
 * initiated by either side, or by both at once, takes the same path. In TIME_WAIT in-window
 * segments are accepted and change nothing, any RST resets, and an ORIG SYN reopens (as in CLOSE).
 */
#include "tcp.h"

/* Window assumed for a side whose window was never seen: the largest there can be. */
#define KTRACK_TCP_MAX_WIN	((u32)0xffff << KTRACK_TCP_MAX_WSCALE)
/* Least tolerance of ack checks, as nf_conntrack's MAXACKWINDOW. */
#define KTRACK_TCP_ACK_SLACK	66000U

/* Sequence number comparisons modulo 2^32. */
static inline bool ktrack_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool ktrack_seq_after(u32 a, u32 b)
{
	return (s32)(b - a) < 0;
}

/* The range [@lo, @hi] meets [@c - @w, @c + @w]; @w is below 2^30. */
static inline bool ktrack_seq_overlap(u32 lo, u32 hi, u32 c, u32 w)
{
	return !ktrack_seq_before(hi, c - w) && !ktrack_seq_after(lo, c + w);
}

static inline bool ktrack_seq_near(u32 x, u32 c, u32 w)
{
	return ktrack_seq_overlap(x, x, c, w);
}

/* The flag combinations nf_conntrack accepts (PSH, ECE and CWR do not matter). */
static bool ktrack_tcp_flags_valid(u8 flags)
{
	switch (flags & (KTRACK_TCPF_FIN | KTRACK_TCPF_SYN | KTRACK_TCPF_RST | KTRACK_TCPF_ACK |
			 KTRACK_TCPF_URG)) {
	case KTRACK_TCPF_SYN:
	case KTRACK_TCPF_SYN | KTRACK_TCPF_URG:
	case KTRACK_TCPF_SYN | KTRACK_TCPF_ACK:
	case KTRACK_TCPF_RST:
	case KTRACK_TCPF_RST | KTRACK_TCPF_ACK:
	case KTRACK_TCPF_FIN | KTRACK_TCPF_ACK:
	case KTRACK_TCPF_FIN | KTRACK_TCPF_ACK | KTRACK_TCPF_URG:
	case KTRACK_TCPF_ACK:
	case KTRACK_TCPF_ACK | KTRACK_TCPF_URG:
		return true;
	default:
		return false;
	}
}

static inline unsigned int ktrack_tcp_wscale(const struct ktrack_conn *ct, unsigned int s)
{
	return ct->tcp_wsf[s] & KTRACK_TCP_WSCALE_MASK;
}

/* Both SYNs were seen, so whether and how windows scale is decided. */
static inline bool ktrack_tcp_scale_known(const struct ktrack_conn *ct)
{
	return ktrack_tcp_wscale(ct, KTRACK_DIR_ORIG) != KTRACK_TCP_WSCALE_UNKNOWN &&
	       ktrack_tcp_wscale(ct, KTRACK_DIR_REPLY) != KTRACK_TCP_WSCALE_UNKNOWN;
}

/* Shift of side @s's windows: the largest while undecided, 0 unless both sides offered it. */
static unsigned int ktrack_tcp_shift(const struct ktrack_conn *ct, unsigned int s)
{
	if (!ktrack_tcp_scale_known(ct))
		return KTRACK_TCP_MAX_WSCALE;
	if (ct->tcp_wsf[KTRACK_DIR_ORIG] & ct->tcp_wsf[KTRACK_DIR_REPLY] & KTRACK_TCP_WSCALE_OK)
		return ktrack_tcp_wscale(ct, s);
	return 0;
}

/* How far the peer of side @s may send beyond what @s acked: @s's largest window, scaled. */
static u32 ktrack_tcp_win(const struct ktrack_conn *ct, unsigned int s)
{
	u32 win;

	if (!(ct->tcp_wsf[s] & KTRACK_TCP_END_KNOWN))
		return KTRACK_TCP_MAX_WIN;
	win = (u32)ct->tcp_win[s] << ktrack_tcp_shift(ct, s);
	return win ? win : 1;
}

/* A window in side @s's scaled units, rounded up: for SYN windows, which are never scaled. */
static u16 ktrack_tcp_unscale(const struct ktrack_conn *ct, unsigned int s, u32 win)
{
	unsigned int shift = ktrack_tcp_shift(ct, s);

	return (win + (1U << shift) - 1) >> shift;
}

/* Records the window of a segment that side @s sent. */
static void ktrack_tcp_note_win(struct ktrack_conn *ct, unsigned int s,
				const struct ktrack_tcp_seg *seg)
{
	u16 win = seg->win;

	/* Until the scale is decided only SYN windows are kept, raw; see ktrack_tcp_syn_reply(). */
	if ((seg->flags & KTRACK_TCPF_SYN) && ktrack_tcp_scale_known(ct))
		win = ktrack_tcp_unscale(ct, s, win);
	if (win > ct->tcp_win[s])
		ct->tcp_win[s] = win;
}

/* tcp_wsf bits for the side that sent SYN @seg: its scale, WSCALE_OK when it offered one. */
static u8 ktrack_tcp_syn_wsf(const struct ktrack_tcp_seg *seg)
{
	if (seg->wscale == KTRACK_TCP_NO_WSCALE)
		return KTRACK_TCP_END_KNOWN;
	if (seg->wscale > KTRACK_TCP_MAX_WSCALE)
		return KTRACK_TCP_MAX_WSCALE | KTRACK_TCP_WSCALE_OK | KTRACK_TCP_END_KNOWN;
	return seg->wscale | KTRACK_TCP_WSCALE_OK | KTRACK_TCP_END_KNOWN;
}

/* @seg, a SYN from side @s, repeats the SYN recorded for @s (same ISN, with or without data). */
static bool ktrack_tcp_same_syn(const struct ktrack_conn *ct, unsigned int s,
				const struct ktrack_tcp_seg *seg)
{
	u32 syn_end = seg->seq + 1;

	return ct->tcp_end[s] == syn_end || ct->tcp_end[s] == syn_end + seg->len;
}

/* (Re)starts the handshake from the ORIG side's SYN @seg. */
static void ktrack_tcp_syn_orig(struct ktrack_conn *ct, const struct ktrack_tcp_seg *seg)
{
	ct->tcp_end[KTRACK_DIR_ORIG] = seg->seq + 1 + seg->len;
	ct->tcp_win[KTRACK_DIR_ORIG] = seg->win;
	ct->tcp_wsf[KTRACK_DIR_ORIG] = ktrack_tcp_syn_wsf(seg);
	ct->tcp_end[KTRACK_DIR_REPLY] = 0;
	ct->tcp_win[KTRACK_DIR_REPLY] = 0;
	ct->tcp_wsf[KTRACK_DIR_REPLY] = KTRACK_TCP_WSCALE_UNKNOWN;
	ct->state = KTRACK_TCP_SYN_SENT;
}

/* Records the REPLY side's first SYN (or SYN|ACK) @seg; both SYNs are now known. */
static void ktrack_tcp_syn_reply(struct ktrack_conn *ct, const struct ktrack_tcp_seg *seg)
{
	const unsigned int o = KTRACK_DIR_ORIG, r = KTRACK_DIR_REPLY;

	ct->tcp_end[r] = seg->seq + 1 + seg->len;
	ct->tcp_win[r] = 0;
	ct->tcp_wsf[r] = ktrack_tcp_syn_wsf(seg);
	if (!(ct->tcp_wsf[o] & ct->tcp_wsf[r] & KTRACK_TCP_WSCALE_OK)) {
		ct->tcp_wsf[o] &= ~KTRACK_TCP_WSCALE_OK;
		ct->tcp_wsf[r] &= ~KTRACK_TCP_WSCALE_OK;
	}
	/* The ORIG side has only sent SYNs so far: its window is still raw. */
	ct->tcp_win[o] = ktrack_tcp_unscale(ct, o, ct->tcp_win[o]);
	ktrack_tcp_note_win(ct, r, seg);
}

/* The state after the handshake, from the FIN bits; @cur when no FIN was seen. */
static u8 ktrack_tcp_close_state(const struct ktrack_conn *ct, u8 cur)
{
	u8 both = ct->tcp_wsf[KTRACK_DIR_ORIG] & ct->tcp_wsf[KTRACK_DIR_REPLY];
	u8 any = ct->tcp_wsf[KTRACK_DIR_ORIG] | ct->tcp_wsf[KTRACK_DIR_REPLY];

	if (both & KTRACK_TCP_FIN_ACKED)
		return KTRACK_TCP_TIME_WAIT;
	if (both & KTRACK_TCP_FIN_SEEN)
		return KTRACK_TCP_LAST_ACK;
	if (any & KTRACK_TCP_FIN_ACKED)
		return KTRACK_TCP_CLOSE_WAIT;
	if (any & KTRACK_TCP_FIN_SEEN)
		return KTRACK_TCP_FIN_WAIT;
	return cur;
}

static enum ktrack_tcp_verdict ktrack_tcp_syn(struct ktrack_conn *ct, unsigned int d,
					      const struct ktrack_tcp_seg *seg)
{
	const unsigned int o = KTRACK_DIR_ORIG, r = KTRACK_DIR_REPLY;
	bool ack = seg->flags & KTRACK_TCPF_ACK;

	switch (ct->state) {
	case KTRACK_TCP_SYN_SENT:
		if (d == o && !ack) {
			/* A retransmission, or a new ISN: then the handshake starts over. */
			if (ktrack_tcp_same_syn(ct, o, seg))
				ktrack_tcp_note_win(ct, o, seg);
			else
				ktrack_tcp_syn_orig(ct, seg);
			return KTRACK_TCP_ACCEPT;
		}
		if (d == o) {
			/* SYN|ACK from ORIG: simultaneous open, answering the REPLY side's SYN. */
			if (!(ct->tcp_wsf[r] & KTRACK_TCP_END_KNOWN) ||
			    seg->ack != ct->tcp_end[r] || !ktrack_tcp_same_syn(ct, o, seg))
				return KTRACK_TCP_IGNORE;
			ktrack_tcp_note_win(ct, o, seg);
			return KTRACK_TCP_ACCEPT;
		}
		if (ack && seg->ack != ct->tcp_end[o])
			return KTRACK_TCP_IGNORE;
		if (!(ct->tcp_wsf[r] & KTRACK_TCP_END_KNOWN))
			ktrack_tcp_syn_reply(ct, seg);
		else if (ktrack_tcp_same_syn(ct, r, seg))
			ktrack_tcp_note_win(ct, r, seg);
		else
			return KTRACK_TCP_IGNORE;
		if (ack)
			ct->state = KTRACK_TCP_SYN_RECV;
		return KTRACK_TCP_ACCEPT;
	case KTRACK_TCP_SYN_RECV:
		if (!ktrack_tcp_same_syn(ct, d, seg))
			return KTRACK_TCP_IGNORE;
		if (d == o && ack) {
			/* Simultaneous open: ORIG's SYN|ACK, after REPLY's, acks REPLY's SYN. */
			if (seg->ack != ct->tcp_end[r])
				return KTRACK_TCP_IGNORE;
			ct->state = KTRACK_TCP_ESTABLISHED;
		} else if (d == r && (!ack || seg->ack != ct->tcp_end[o])) {
			return KTRACK_TCP_IGNORE;
		}
		/* Retransmitted SYN or SYN|ACK. */
		ktrack_tcp_note_win(ct, d, seg);
		return KTRACK_TCP_ACCEPT;
	case KTRACK_TCP_TIME_WAIT:
	case KTRACK_TCP_CLOSE:
		if (d == o && !ack)
			return KTRACK_TCP_REOPEN;
		return KTRACK_TCP_IGNORE;
	default:
		return KTRACK_TCP_IGNORE;
	}
}

/*
 * A SYN that ktrack_tcp_syn() ignored, with the caller's @memo: an ORIG SYN past the handshake is
 * remembered; the REPLY side's SYN|ACK acking exactly the remembered SYN restarts the entry as
 * that handshake (RESYNC). Other SYNs stay ignored.
 */
static enum ktrack_tcp_verdict ktrack_tcp_syn_ignored(struct ktrack_conn *ct, unsigned int d,
						      const struct ktrack_tcp_seg *seg,
						      struct ktrack_tcp_memo *memo)
{
	struct ktrack_tcp_seg syn = { .flags = KTRACK_TCPF_SYN };

	if (ct->state <= KTRACK_TCP_SYN_SENT)
		return KTRACK_TCP_IGNORE;
	if (d == KTRACK_DIR_ORIG) {
		if ((seg->flags & KTRACK_TCPF_ACK) || ct->state > KTRACK_TCP_LAST_ACK)
			return KTRACK_TCP_IGNORE;
		memo->end = seg->seq + 1 + seg->len;
		memo->win = seg->win;
		memo->wscale = seg->wscale;
		memo->flags = KTRACK_TCP_MEMO_SYN;
		return KTRACK_TCP_IGNORE;
	}
	if (!(seg->flags & KTRACK_TCPF_ACK) || !(memo->flags & KTRACK_TCP_MEMO_SYN) ||
	    seg->ack != memo->end)
		return KTRACK_TCP_IGNORE;
	/* The remembered SYN, as ktrack_tcp_start() would have taken it, then this SYN|ACK. */
	syn.seq = memo->end - 1;
	syn.win = memo->win;
	syn.wscale = memo->wscale;
	ktrack_tcp_syn_orig(ct, &syn);
	ktrack_tcp_syn_reply(ct, seg);
	ct->state = KTRACK_TCP_SYN_RECV;
	*memo = (struct ktrack_tcp_memo){ 0 };
	return KTRACK_TCP_RESYNC;
}

/* An RST: see the top comment. */
static enum ktrack_tcp_verdict ktrack_tcp_rst(struct ktrack_conn *ct, unsigned int d,
					      const struct ktrack_tcp_seg *seg,
					      const struct ktrack_tcp_memo *memo)
{
	const unsigned int o = KTRACK_DIR_ORIG;

	switch (ct->state) {
	case KTRACK_TCP_SYN_SENT:
		/* The answer to our SYN acks it exactly; ORIG can only use its next sequence. */
		if (d == o ? seg->seq != ct->tcp_end[o] :
		    !(seg->flags & KTRACK_TCPF_ACK) || seg->ack != ct->tcp_end[o])
			return KTRACK_TCP_IGNORE;
		break;
	case KTRACK_TCP_TIME_WAIT:
	case KTRACK_TCP_CLOSE:
		break;
	default:
		/* The receiver's rcv_nxt (after a pickup, for a side never seen, the ack estimate). */
		if (seg->seq == ct->tcp_end[d])
			break;
		/* The answer to the SYN we let through: its seq is the new connection's. */
		if (d != o && memo && (memo->flags & KTRACK_TCP_MEMO_SYN) &&
		    (seg->flags & KTRACK_TCPF_ACK) && seg->ack == memo->end)
			break;
		if (ktrack_seq_near(seg->seq, ct->tcp_end[d], ktrack_tcp_win(ct, !d)))
			return KTRACK_TCP_CHALLENGE;
		return KTRACK_TCP_IGNORE;
	}
	ct->state = KTRACK_TCP_CLOSE;
	return KTRACK_TCP_RESET;
}

/* A segment with ACK, without SYN or RST: data, pure ACK, FIN. */
static enum ktrack_tcp_verdict ktrack_tcp_ack(struct ktrack_conn *ct, unsigned int d,
					      const struct ktrack_tcp_seg *seg)
{
	unsigned int o = !d;
	bool fin = seg->flags & KTRACK_TCPF_FIN;
	u32 end = seg->seq + seg->len + fin;
	u32 ack_win;

	if (ct->state == KTRACK_TCP_SYN_SENT || ct->state == KTRACK_TCP_CLOSE)
		return KTRACK_TCP_IGNORE;
	if (!ktrack_seq_overlap(seg->seq, end, ct->tcp_end[d], ktrack_tcp_win(ct, o)))
		return KTRACK_TCP_IGNORE;
	ack_win = ktrack_tcp_win(ct, d);
	if (ack_win < KTRACK_TCP_ACK_SLACK)
		ack_win = KTRACK_TCP_ACK_SLACK;
	if (!ktrack_seq_near(seg->ack, ct->tcp_end[o], ack_win))
		return KTRACK_TCP_IGNORE;
	/* nothing acks what the receiver never sent (nf_conntrack's upper bound of the ack) */
	if ((ct->tcp_wsf[o] & KTRACK_TCP_END_KNOWN) && ktrack_seq_after(seg->ack, ct->tcp_end[o]))
		return KTRACK_TCP_IGNORE;
	if (ct->state == KTRACK_TCP_TIME_WAIT)
		return KTRACK_TCP_ACCEPT;

	/* The sender. After a loose pickup its tcp_end was an estimate, and a lower bound. */
	if (ktrack_seq_after(end, ct->tcp_end[d]))
		ct->tcp_end[d] = end;
	ct->tcp_wsf[d] |= KTRACK_TCP_END_KNOWN;
	if (fin)
		ct->tcp_wsf[d] |= KTRACK_TCP_FIN_SEEN;
	ktrack_tcp_note_win(ct, d, seg);

	/* The receiver. */
	if (!(ct->tcp_wsf[o] & KTRACK_TCP_END_KNOWN)) {
		if (ktrack_seq_after(seg->ack, ct->tcp_end[o]))
			ct->tcp_end[o] = seg->ack;
	} else if ((ct->tcp_wsf[o] & KTRACK_TCP_FIN_SEEN) &&
		   !ktrack_seq_before(seg->ack, ct->tcp_end[o])) {
		ct->tcp_wsf[o] |= KTRACK_TCP_FIN_ACKED;
	}

	/* The client's ACK of the SYN|ACK (or of what the server sent after it). */
	if (ct->state == KTRACK_TCP_SYN_RECV && d == KTRACK_DIR_ORIG &&
	    !ktrack_seq_before(seg->ack, ct->tcp_end[o]))
		ct->state = KTRACK_TCP_ESTABLISHED;
	ct->state = ktrack_tcp_close_state(ct, ct->state);
	return KTRACK_TCP_ACCEPT;
}

bool ktrack_tcp_can_start(const struct ktrack_tcp_seg *seg, bool loose)
{
	if (!ktrack_tcp_flags_valid(seg->flags))
		return false;
	if ((seg->flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK)) == KTRACK_TCPF_SYN)
		return true;
	/* nor a FIN, as nf_conntrack: it trails a connection whose entry is gone */
	return loose && !(seg->flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_RST | KTRACK_TCPF_FIN));
}

bool ktrack_tcp_start(struct ktrack_conn *ct, const struct ktrack_tcp_seg *seg, bool loose)
{
	if (!ktrack_tcp_can_start(seg, loose))
		return false;
	if (seg->flags & KTRACK_TCPF_SYN) {
		ktrack_tcp_syn_orig(ct, seg);
		return true;
	}

	/*
	 * Loose pickup of a connection already under way. The REPLY side's end is estimated by
	 * the ack until that side is seen; neither SYN was seen, so the scales are unknown.
	 */
	ct->tcp_end[KTRACK_DIR_ORIG] = seg->seq + seg->len;
	ct->tcp_win[KTRACK_DIR_ORIG] = seg->win;
	ct->tcp_wsf[KTRACK_DIR_ORIG] = KTRACK_TCP_WSCALE_UNKNOWN | KTRACK_TCP_END_KNOWN;
	ct->tcp_end[KTRACK_DIR_REPLY] = seg->ack;
	ct->tcp_win[KTRACK_DIR_REPLY] = 0;
	ct->tcp_wsf[KTRACK_DIR_REPLY] = KTRACK_TCP_WSCALE_UNKNOWN;
	ct->state = KTRACK_TCP_ESTABLISHED;
	return true;
}

enum ktrack_tcp_verdict ktrack_tcp_packet(struct ktrack_conn *ct, enum ktrack_dir dir,
					  const struct ktrack_tcp_seg *seg,
					  struct ktrack_tcp_memo *memo)
{
	unsigned int d = dir;
	enum ktrack_tcp_verdict v;

	if (!ktrack_tcp_flags_valid(seg->flags) || d > KTRACK_DIR_REPLY)
		return KTRACK_TCP_INVALID;
	if (ct->state == KTRACK_TCP_NONE || ct->state >= KTRACK_TCP_NSTATES)
		return KTRACK_TCP_IGNORE;
	if (seg->flags & KTRACK_TCPF_RST)
		return ktrack_tcp_rst(ct, d, seg, memo);
	if (seg->flags & KTRACK_TCPF_SYN) {
		v = ktrack_tcp_syn(ct, d, seg);
		if (v == KTRACK_TCP_IGNORE && memo)
			v = ktrack_tcp_syn_ignored(ct, d, seg, memo);
		return v;
	}
	return ktrack_tcp_ack(ct, d, seg);
}

static const char *const ktrack_tcp_state_names[KTRACK_TCP_NSTATES] = {
	[KTRACK_TCP_NONE]		= "NONE",
	[KTRACK_TCP_SYN_SENT]		= "SYN_SENT",
	[KTRACK_TCP_SYN_RECV]		= "SYN_RECV",
	[KTRACK_TCP_ESTABLISHED]	= "ESTABLISHED",
	[KTRACK_TCP_FIN_WAIT]		= "FIN_WAIT",
	[KTRACK_TCP_CLOSE_WAIT]		= "CLOSE_WAIT",
	[KTRACK_TCP_LAST_ACK]		= "LAST_ACK",
	[KTRACK_TCP_TIME_WAIT]		= "TIME_WAIT",
	[KTRACK_TCP_CLOSE]		= "CLOSE",
};

const char *ktrack_tcp_state_name(enum ktrack_tcp_state state)
{
	if ((unsigned int)state >= KTRACK_TCP_NSTATES)
		return "UNKNOWN";
	return ktrack_tcp_state_names[state];
}
