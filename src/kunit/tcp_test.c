// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_test.c - KUnit suite of the TCP state machine (src/tcp.c, included below), built with the
 * kernel's own flags and sanitizers: a simulated pair of endpoints drives an entry through the
 * handshake, the FIN exchanges to TIME_WAIT, RSTs exact, in and out of the window (RFC 5961), a
 * SYN reopening a TIME_WAIT entry, a SYN on a live connection remembered and the resync on its
 * SYN|ACK; then every flag combination and random segments in every state, with and without a
 * memo, checking that a refused segment changes nothing and a state never leaves its range (UBSAN
 * watches the shifts of the window arithmetic).
 */
#include "../tcp.c"

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/string.h>

#define O	KTRACK_DIR_ORIG
#define R	KTRACK_DIR_REPLY
#define FIN	KTRACK_TCPF_FIN
#define SYN	KTRACK_TCPF_SYN
#define RST	KTRACK_TCPF_RST
#define PSH	KTRACK_TCPF_PSH
#define ACK	KTRACK_TCPF_ACK
#define ECE	KTRACK_TCPF_ECE
#define CWR	KTRACK_TCPF_CWR

/* Two endpoints and the entry that tracks them. */
struct tflow {
	struct ktrack_conn ct;
	u32 nxt[2];		/* next sequence number each side sends */
	u16 win[2];
	u8 wscale[2];		/* window scale option each side puts on its SYN */
	struct ktrack_tcp_memo memo;	/* the caller's memo of an ignored SYN */
	bool use_memo;		/* pass &memo to ktrack_tcp_packet(), else NULL */
};

static void tflow_init(struct tflow *f, u32 isn_o, u32 isn_r)
{
	memset(f, 0, sizeof(*f));
	f->ct.flags = KTRACK_L4_TCP;
	f->ct.stamp = 0x5a5a5a5a;
	f->nxt[O] = isn_o;
	f->nxt[R] = isn_r;
	f->win[O] = 64240;
	f->win[R] = 65535;
	f->wscale[O] = KTRACK_TCP_NO_WSCALE;
	f->wscale[R] = KTRACK_TCP_NO_WSCALE;
}

static struct ktrack_tcp_seg tseg(u8 flags, u32 seq, u32 ack, u32 len, u16 win)
{
	struct ktrack_tcp_seg s = {
		.seq = seq, .ack = ack, .len = len, .win = win, .flags = flags,
		.wscale = KTRACK_TCP_NO_WSCALE,
	};

	return s;
}

/*
 * ktrack_tcp_packet(), checking what every verdict promises about the entry and about @memo
 * (may be NULL): it changes only when an ORIG SYN is ignored (filled) or on RESYNC (cleared).
 */
static enum ktrack_tcp_verdict tpacket_memo(struct kunit *test, struct ktrack_conn *ct,
					    enum ktrack_dir d, const struct ktrack_tcp_seg *s,
					    struct ktrack_tcp_memo *memo)
{
	struct ktrack_tcp_memo memo_before = {};
	struct ktrack_conn before = *ct;
	enum ktrack_tcp_verdict v;

	if (memo)
		memo_before = *memo;
	v = ktrack_tcp_packet(ct, d, s, memo);
	KUNIT_EXPECT_LE(test, (int)v, (int)KTRACK_TCP_RESYNC);
	KUNIT_EXPECT_LT(test, ct->state, (u8)KTRACK_TCP_NSTATES);
	KUNIT_EXPECT_EQ(test, ct->stamp, before.stamp);
	KUNIT_EXPECT_EQ(test, ct->flags, before.flags);
	if (v == KTRACK_TCP_IGNORE || v == KTRACK_TCP_INVALID || v == KTRACK_TCP_REOPEN ||
	    v == KTRACK_TCP_CHALLENGE)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&before, ct, sizeof(before)), 0,
				    "the entry changed on verdict %d (flags %#x)", v, s->flags);
	if (v == KTRACK_TCP_RESET)
		KUNIT_EXPECT_EQ(test, ct->state, (u8)KTRACK_TCP_CLOSE);
	if (v == KTRACK_TCP_RESYNC) {
		KUNIT_EXPECT_EQ(test, ct->state, (u8)KTRACK_TCP_SYN_RECV);
		KUNIT_EXPECT_EQ(test, memo->flags, 0);
	}
	if (memo && v != KTRACK_TCP_RESYNC &&
	    !(v == KTRACK_TCP_IGNORE && d == O && (s->flags & (SYN | ACK)) == SYN))
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&memo_before, memo, sizeof(*memo)), 0,
				    "the memo changed on verdict %d (flags %#x)", v, s->flags);
	return v;
}

static enum ktrack_tcp_verdict tpacket(struct kunit *test, struct ktrack_conn *ct,
				       enum ktrack_dir d, const struct ktrack_tcp_seg *s)
{
	return tpacket_memo(test, ct, d, s, NULL);
}

/* Segment @s from side @d of @f, with the flow's memo when it uses one. */
static enum ktrack_tcp_verdict tfpacket(struct kunit *test, struct tflow *f, enum ktrack_dir d,
					const struct ktrack_tcp_seg *s)
{
	return tpacket_memo(test, &f->ct, d, s, f->use_memo ? &f->memo : NULL);
}

/* Side @d sends @flags with @len bytes, acking all the peer sent. */
static enum ktrack_tcp_verdict tsend(struct kunit *test, struct tflow *f, enum ktrack_dir d,
				     u8 flags, u32 len)
{
	struct ktrack_tcp_seg s = tseg(flags, f->nxt[d], flags & ACK ? f->nxt[!d] : 0, len,
				       f->win[d]);

	if (flags & SYN)
		s.wscale = f->wscale[d];
	if (!(flags & RST))
		f->nxt[d] += len + !!(flags & SYN) + !!(flags & FIN);
	return tfpacket(test, f, d, &s);
}

#define EXPECT_SEND(test, f, d, flags, len, verdict, want) do {			\
	KUNIT_EXPECT_EQ(test, tsend(test, f, d, flags, len), verdict);		\
	KUNIT_EXPECT_STREQ(test, ktrack_tcp_state_name((f)->ct.state),		\
			   ktrack_tcp_state_name(want));			\
} while (0)

/* SYN, SYN|ACK, ACK, then a little data each way. */
static void topen(struct kunit *test, struct tflow *f)
{
	struct ktrack_tcp_seg s = tseg(SYN, f->nxt[O], 0, 0, f->win[O]);

	KUNIT_ASSERT_TRUE(test, ktrack_tcp_start(&f->ct, &s, false));
	f->nxt[O]++;
	KUNIT_ASSERT_EQ(test, f->ct.state, (u8)KTRACK_TCP_SYN_SENT);
	EXPECT_SEND(test, f, R, SYN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_SYN_RECV);
	EXPECT_SEND(test, f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, f, O, ACK | PSH, 300, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, f, R, ACK | PSH, 1400, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	KUNIT_ASSERT_EQ(test, f->ct.state, (u8)KTRACK_TCP_ESTABLISHED);
}

static void tcp_handshake(struct kunit *test)
{
	struct tflow f;

	tflow_init(&f, 1000, 0x7ffffff0);
	topen(test, &f);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_end[O], f.nxt[O]);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_end[R], f.nxt[R]);
	KUNIT_EXPECT_TRUE(test, f.ct.tcp_wsf[O] & KTRACK_TCP_END_KNOWN);
	KUNIT_EXPECT_TRUE(test, f.ct.tcp_wsf[R] & KTRACK_TCP_END_KNOWN);
}

/* The client closes first: FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT. */
static void tcp_fin_client_first(struct kunit *test)
{
	struct tflow f;

	tflow_init(&f, 0xfffffff0, 42);	/* the client's sequence numbers wrap */
	topen(test, &f);
	EXPECT_SEND(test, &f, O, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_FIN_WAIT);
	EXPECT_SEND(test, &f, R, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_CLOSE_WAIT);
	EXPECT_SEND(test, &f, R, ACK | PSH, 100, KTRACK_TCP_ACCEPT, KTRACK_TCP_CLOSE_WAIT);
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_CLOSE_WAIT);
	EXPECT_SEND(test, &f, R, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_LAST_ACK);
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_TIME_WAIT);
	KUNIT_EXPECT_TRUE(test, f.ct.tcp_wsf[O] & KTRACK_TCP_FIN_ACKED);
	KUNIT_EXPECT_TRUE(test, f.ct.tcp_wsf[R] & KTRACK_TCP_FIN_ACKED);
}

/* The server closes first; then both FINs crossing; then FIN and ACK of the peer's FIN at once. */
static void tcp_fin_other_orders(struct kunit *test)
{
	struct tflow f;

	tflow_init(&f, 5, 6);
	topen(test, &f);
	EXPECT_SEND(test, &f, R, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_FIN_WAIT);
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_CLOSE_WAIT);
	EXPECT_SEND(test, &f, O, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_LAST_ACK);
	EXPECT_SEND(test, &f, R, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_TIME_WAIT);

	tflow_init(&f, 0x10000, 0x20000);
	topen(test, &f);
	{
		u32 o = f.nxt[O], r = f.nxt[R];
		struct ktrack_tcp_seg s = tseg(FIN | ACK, o, r, 0, f.win[O]);

		KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_ACCEPT);
		s = tseg(FIN | ACK, r, o, 0, f.win[R]);	/* crosses: does not ack the FIN */
		KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, R, &s), KTRACK_TCP_ACCEPT);
		KUNIT_EXPECT_EQ(test, f.ct.state, (u8)KTRACK_TCP_LAST_ACK);
		f.nxt[O]++;
		f.nxt[R]++;
	}
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_LAST_ACK);
	EXPECT_SEND(test, &f, R, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_TIME_WAIT);

	tflow_init(&f, 77, 88);
	topen(test, &f);
	EXPECT_SEND(test, &f, O, FIN | ACK | PSH, 20, KTRACK_TCP_ACCEPT, KTRACK_TCP_FIN_WAIT);
	EXPECT_SEND(test, &f, R, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_LAST_ACK);
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_TIME_WAIT);
}

/* A new SYN from the client on TIME_WAIT (or CLOSE) reopens; from the server it does not. */
static void tcp_syn_on_time_wait(struct kunit *test)
{
	struct tflow f, tw;
	struct ktrack_tcp_seg s;

	tflow_init(&f, 500000, 600000);
	topen(test, &f);
	tsend(test, &f, R, FIN | ACK, 0);
	tsend(test, &f, O, FIN | ACK, 0);
	tsend(test, &f, R, ACK, 0);
	KUNIT_ASSERT_EQ(test, f.ct.state, (u8)KTRACK_TCP_TIME_WAIT);
	tw = f;

	s = tseg(SYN, 10, 0, 0, 29200);	/* a lower ISN: another client behind the same NAT */
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_REOPEN);
	KUNIT_EXPECT_TRUE(test, ktrack_tcp_start(&f.ct, &s, false));
	KUNIT_EXPECT_EQ(test, f.ct.state, (u8)KTRACK_TCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_end[O], 11U);

	f = tw;
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, R, &s), KTRACK_TCP_IGNORE);
	s.flags = SYN | ACK;
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_IGNORE);

	f = tw;
	s = tseg(RST, f.nxt[O], 0, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_RESET);
	s = tseg(SYN, 0xdeadbeef, 0, 0, 29200);
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_REOPEN);
}

/* An entry in each state, reached by real exchanges. */
static void tstates(struct kunit *test, struct tflow *st)
{
	struct tflow f;
	struct ktrack_tcp_seg s;
	unsigned int i;

	tflow_init(&f, 0x11111111, 0xeeeeeeee);
	s = tseg(SYN, f.nxt[O], 0, 0, f.win[O]);
	s.wscale = 2;
	KUNIT_ASSERT_TRUE(test, ktrack_tcp_start(&f.ct, &s, false));
	f.nxt[O]++;
	st[KTRACK_TCP_SYN_SENT] = f;
	tsend(test, &f, R, SYN | ACK, 0);
	st[KTRACK_TCP_SYN_RECV] = f;
	tsend(test, &f, O, ACK, 0);
	tsend(test, &f, O, ACK | PSH, 100);
	st[KTRACK_TCP_ESTABLISHED] = f;
	tsend(test, &f, O, FIN | ACK, 0);
	st[KTRACK_TCP_FIN_WAIT] = f;
	tsend(test, &f, R, ACK, 0);
	st[KTRACK_TCP_CLOSE_WAIT] = f;
	tsend(test, &f, R, FIN | ACK, 0);
	st[KTRACK_TCP_LAST_ACK] = f;
	tsend(test, &f, O, ACK, 0);
	st[KTRACK_TCP_TIME_WAIT] = f;
	tsend(test, &f, O, RST, 0);
	st[KTRACK_TCP_CLOSE] = f;
	for (i = KTRACK_TCP_SYN_SENT; i < KTRACK_TCP_NSTATES; i++)
		KUNIT_EXPECT_EQ(test, st[i].ct.state, (u8)i);
}

/*
 * An RST at exactly the sequence number the receiver expects (the sender's tcp_end, the
 * receiver's rcv_nxt) deletes the entry, from either side, in every state past the handshake.
 */
static void tcp_rst_exact_seq_deletes(struct kunit *test)
{
	unsigned int state, d, i;
	struct tflow *st, f;

	st = kunit_kcalloc(test, KTRACK_TCP_NSTATES, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	tstates(test, st);
	for (state = KTRACK_TCP_SYN_RECV; state <= KTRACK_TCP_LAST_ACK; state++) {
		for (d = O; d <= R; d++) {
			for (i = 0; i < 2; i++) {
				struct ktrack_tcp_seg s;

				f = st[state];
				s = tseg(i ? RST | ACK : RST, f.nxt[d], i ? f.nxt[!d] : 0, 0, 0);
				KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, d, &s), KTRACK_TCP_RESET);
			}
		}
	}
}

/* RFC 5961 3.2: an RST in the window but not exact changes nothing (CHALLENGE). */
static void tcp_rst_inexact_in_window_keeps_entry(struct kunit *test)
{
	static const s32 in[] = { 1, -1, 1000, -1000, 60000, -60000 };
	unsigned int state, d, i;
	struct tflow *st, f;

	st = kunit_kcalloc(test, KTRACK_TCP_NSTATES, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	tstates(test, st);
	for (state = KTRACK_TCP_SYN_RECV; state <= KTRACK_TCP_LAST_ACK; state++) {
		for (d = O; d <= R; d++) {
			for (i = 0; i < ARRAY_SIZE(in); i++) {
				struct ktrack_tcp_seg s = tseg(i & 1 ? RST | ACK : RST,
							       st[state].nxt[d] + in[i],
							       st[state].nxt[!d], 0, 0);

				f = st[state];
				KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, d, &s),
						KTRACK_TCP_CHALLENGE);
				KUNIT_EXPECT_EQ(test, memcmp(&f.ct, &st[state].ct, sizeof(f.ct)), 0);
			}
		}
	}
}

/* After an inexact RST, the endpoint's challenge ACK; the RST answering it is exact and deletes. */
static void tcp_rst_exact_after_challenge_ack_deletes(struct kunit *test)
{
	unsigned int d;

	for (d = O; d <= R; d++) {
		struct ktrack_tcp_seg s;
		struct tflow f;
		u32 challenge_ack;

		tflow_init(&f, 0x01000000, 0x80000000U);
		topen(test, &f);
		s = tseg(RST, f.nxt[d] + 5000, 0, 0, 0);
		KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, d, &s), KTRACK_TCP_CHALLENGE);
		challenge_ack = f.nxt[d];
		EXPECT_SEND(test, &f, !d, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
		s = tseg(RST, challenge_ack, 0, 0, 0);
		KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, d, &s), KTRACK_TCP_RESET);
	}
}

/* An RST outside the window changes nothing, from either side. */
static void tcp_rst_out_of_window_ignored(struct kunit *test)
{
	static const u32 out[] = { 70000, -70000U, 1U << 31, 0x7fffffff, 0x90000000U };
	unsigned int d, i;
	struct tflow f, est;

	tflow_init(&est, 0x01000000, 0x80000000U);
	topen(test, &est);
	for (d = O; d <= R; d++) {
		for (i = 0; i < ARRAY_SIZE(out); i++) {
			struct ktrack_tcp_seg s = tseg(RST | ACK, est.nxt[d] + out[i],
						       est.nxt[!d], 0, 0);

			f = est;
			KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, d, &s), KTRACK_TCP_IGNORE);
			KUNIT_EXPECT_EQ(test, f.ct.state, (u8)KTRACK_TCP_ESTABLISHED);
		}
	}
}

/* SYN_SENT: the answer to a SYN is an RST|ACK acking exactly the SYN. */
static void tcp_rst_syn_sent_acks_syn_exactly(struct kunit *test)
{
	struct ktrack_tcp_seg s = tseg(SYN, 4000, 0, 0, 1000);
	struct tflow f;

	tflow_init(&f, 4000, 0);
	KUNIT_ASSERT_TRUE(test, ktrack_tcp_start(&f.ct, &s, false));
	s = tseg(RST | ACK, 0, 4002, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, R, &s), KTRACK_TCP_IGNORE);
	s = tseg(RST | ACK, 0, 4001, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, R, &s), KTRACK_TCP_RESET);
}

/*
 * After a loose pickup, the unseen server's tcp_end is the client's highest ack: exactly the seq
 * of the server's real RST, which deletes; near it is challenged; an RST|ACK whose seq is out of
 * the window is ignored even when its ack matches.
 */
static void tcp_rst_pickup_unseen_side_exact_at_ack_estimate(struct kunit *test)
{
	struct ktrack_tcp_seg s;
	struct tflow f, g;

	tflow_init(&f, 5000, 0x33333333);
	s = tseg(ACK | PSH, f.nxt[O], f.nxt[R], 500, 200);
	KUNIT_ASSERT_TRUE(test, ktrack_tcp_start(&f.ct, &s, true));
	f.nxt[O] += 500;

	g = f;
	s = tseg(RST, f.nxt[R], 0, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, R, &s), KTRACK_TCP_RESET);
	g = f;
	s = tseg(RST | ACK, f.nxt[R] + 1, f.nxt[O], 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, R, &s), KTRACK_TCP_CHALLENGE);
	s = tseg(RST | ACK, f.nxt[R] - 1000, f.nxt[O], 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, R, &s), KTRACK_TCP_CHALLENGE);
	s = tseg(RST | ACK, f.nxt[R] + 0x80000000U, f.nxt[O], 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, R, &s), KTRACK_TCP_IGNORE);
	s = tseg(RST, f.nxt[O] + 100, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, O, &s), KTRACK_TCP_CHALLENGE);
	s = tseg(RST, f.nxt[O], 0, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, O, &s), KTRACK_TCP_RESET);

	/* The estimate follows the client's highest ack. */
	g = f;
	s = tseg(ACK, f.nxt[O], f.nxt[R] + 3000, 0, 200);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, O, &s), KTRACK_TCP_ACCEPT);
	s = tseg(RST, f.nxt[R], 0, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, R, &s), KTRACK_TCP_CHALLENGE);
	s.seq = f.nxt[R] + 3000;
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, R, &s), KTRACK_TCP_RESET);
}

/* The exact sequence number across the wrap of 2^32: challenged before it, taken at it. */
static void tcp_rst_exact_across_seq_wrap(struct kunit *test)
{
	struct ktrack_tcp_seg s;
	struct tflow f;

	tflow_init(&f, 0xffffff00U, 0x10);
	topen(test, &f);	/* the client's 300 bytes cross 0 */
	KUNIT_EXPECT_EQ(test, f.nxt[O], 0x2dU);
	s = tseg(RST, 0xffffff01U, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_CHALLENGE);
	s.seq = 0x2c;
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_CHALLENGE);
	s.seq = 0x2d;
	KUNIT_EXPECT_EQ(test, tpacket(test, &f.ct, O, &s), KTRACK_TCP_RESET);
}

/*
 * The client lost the connection of @f without an RST and reuses its port: new ISNs and scale
 * options; its new SYN is ignored (and remembered when the flow uses a memo).
 */
static void tnew_syn(struct kunit *test, struct tflow *f, u32 isn_o, u32 isn_r, u8 ws_o, u8 ws_r)
{
	struct ktrack_conn snap = f->ct;

	f->nxt[O] = isn_o;
	f->nxt[R] = isn_r;
	f->wscale[O] = ws_o;
	f->wscale[R] = ws_r;
	KUNIT_EXPECT_EQ(test, tsend(test, f, O, SYN, 0), KTRACK_TCP_IGNORE);
	KUNIT_EXPECT_EQ(test, memcmp(&snap, &f->ct, sizeof(snap)), 0);
}

/* The new connection of tnew_syn(), resynced, completes its handshake, sends data and closes. */
static void tnew_life(struct kunit *test, struct tflow *f)
{
	EXPECT_SEND(test, f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, f, O, ACK | PSH, 1000, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, f, R, ACK | PSH, 5000, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, f->ct.tcp_end[O], f->nxt[O]);
	KUNIT_EXPECT_EQ(test, f->ct.tcp_end[R], f->nxt[R]);
	EXPECT_SEND(test, f, O, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_FIN_WAIT);
	EXPECT_SEND(test, f, R, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_LAST_ACK);
	EXPECT_SEND(test, f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_TIME_WAIT);
}

/*
 * An ORIG SYN ignored in SYN_RECV ... LAST_ACK is remembered in the memo; SYNs that are taken or
 * reopen, SYNs from the server and SYN|ACKs from the client are not.
 */
static void tcp_syn_on_established_fills_memo(struct kunit *test)
{
	struct ktrack_tcp_seg s;
	unsigned int state;
	struct tflow *st, f;

	st = kunit_kcalloc(test, KTRACK_TCP_NSTATES, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	tstates(test, st);
	for (state = KTRACK_TCP_SYN_RECV; state <= KTRACK_TCP_LAST_ACK; state++) {
		f = st[state];
		f.use_memo = true;
		s = tseg(SYN, 0x42424242, 0, 0, 64240);
		s.wscale = 7;
		KUNIT_EXPECT_EQ(test, tfpacket(test, &f, O, &s), KTRACK_TCP_IGNORE);
		KUNIT_EXPECT_EQ(test, f.ct.state, (u8)state);
		KUNIT_EXPECT_EQ(test, f.memo.flags, KTRACK_TCP_MEMO_SYN);
		KUNIT_EXPECT_EQ(test, f.memo.end, 0x42424243U);
		KUNIT_EXPECT_EQ(test, f.memo.win, 64240);
		KUNIT_EXPECT_EQ(test, f.memo.wscale, 7);
		s = tseg(SYN, 0x50000000, 0, 100, 1000);	/* a later one replaces it */
		KUNIT_EXPECT_EQ(test, tfpacket(test, &f, O, &s), KTRACK_TCP_IGNORE);
		KUNIT_EXPECT_EQ(test, f.memo.end, 0x50000000U + 101);
		KUNIT_EXPECT_EQ(test, f.memo.wscale, KTRACK_TCP_NO_WSCALE);
	}
	/* SYN_RECV: the recorded SYN again is a retransmission, not remembered. */
	f = st[KTRACK_TCP_SYN_RECV];
	f.use_memo = true;
	s = tseg(SYN, f.nxt[O] - 1, 0, 0, 64240);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, O, &s), KTRACK_TCP_ACCEPT);
	KUNIT_EXPECT_EQ(test, f.memo.flags, 0);
	/* The server's SYN, the client's SYN|ACK; a SYN on TIME_WAIT reopens. */
	f = st[KTRACK_TCP_ESTABLISHED];
	f.use_memo = true;
	s = tseg(SYN, 77, 0, 0, 65535);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, R, &s), KTRACK_TCP_IGNORE);
	s = tseg(SYN | ACK, 77, f.nxt[R], 0, 65535);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, O, &s), KTRACK_TCP_IGNORE);
	KUNIT_EXPECT_EQ(test, f.memo.flags, 0);
	f = st[KTRACK_TCP_TIME_WAIT];
	f.use_memo = true;
	s = tseg(SYN, 77, 0, 0, 65535);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, O, &s), KTRACK_TCP_REOPEN);
	KUNIT_EXPECT_EQ(test, f.memo.flags, 0);
}

/*
 * The server's SYN|ACK acks the remembered SYN: the entry restarts as that handshake (RESYNC,
 * SYN_RECV, the new windows, no FIN bits), then the new connection lives and closes.
 */
static void tcp_resync_synack_answers_ignored_syn(struct kunit *test)
{
	unsigned int state;
	struct tflow *st, f;

	st = kunit_kcalloc(test, KTRACK_TCP_NSTATES, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	tstates(test, st);
	for (state = KTRACK_TCP_SYN_RECV; state <= KTRACK_TCP_LAST_ACK; state++) {
		f = st[state];
		f.use_memo = true;
		tnew_syn(test, &f, 0x0badf00d, 0x600d0000, KTRACK_TCP_NO_WSCALE,
			 KTRACK_TCP_NO_WSCALE);
		EXPECT_SEND(test, &f, R, SYN | ACK, 0, KTRACK_TCP_RESYNC, KTRACK_TCP_SYN_RECV);
		KUNIT_EXPECT_EQ(test, f.memo.flags, 0);
		KUNIT_EXPECT_EQ(test, f.ct.tcp_end[O], 0x0badf00eU);
		KUNIT_EXPECT_EQ(test, f.ct.tcp_end[R], 0x600d0001U);
		KUNIT_EXPECT_EQ(test, f.ct.tcp_win[O], 64240);
		KUNIT_EXPECT_EQ(test, f.ct.tcp_wsf[O], KTRACK_TCP_END_KNOWN);
		KUNIT_EXPECT_EQ(test, f.ct.tcp_wsf[R], KTRACK_TCP_END_KNOWN);
		tnew_life(test, &f);
	}
}

/* Only the REPLY side's SYN|ACK acking exactly the remembered SYN resyncs. */
static void tcp_resync_synack_not_matching_ignored(struct kunit *test)
{
	static const s32 off[] = { 1, -1, 100, 0x40000000 };
	struct ktrack_tcp_seg s;
	struct tflow f;
	unsigned int i;
	u32 end;

	tflow_init(&f, 0x01000000, 0x80000000U);
	topen(test, &f);
	f.use_memo = true;
	tnew_syn(test, &f, 0x0badf00d, 0x600d0000, KTRACK_TCP_NO_WSCALE, KTRACK_TCP_NO_WSCALE);
	end = f.memo.end;
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		s = tseg(SYN | ACK, 0x600d0000, end + off[i], 0, 65535);
		KUNIT_EXPECT_EQ(test, tfpacket(test, &f, R, &s), KTRACK_TCP_IGNORE);
	}
	s = tseg(SYN, 0x600d0000, 0, 0, 65535);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, R, &s), KTRACK_TCP_IGNORE);
	s = tseg(SYN | ACK, 0x600d0000, end, 0, 65535);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, O, &s), KTRACK_TCP_IGNORE);
	KUNIT_EXPECT_EQ(test, f.ct.state, (u8)KTRACK_TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, f.memo.end, end);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, R, &s), KTRACK_TCP_RESYNC);
}

/* No memo, no resync: the new connection's segments and FINs are ignored for good. */
static void tcp_no_memo_no_resync(struct kunit *test)
{
	struct tflow f;

	tflow_init(&f, 0x01000000, 0x80000000U);
	topen(test, &f);
	tnew_syn(test, &f, 0x0badf00d, 0x600d0000, KTRACK_TCP_NO_WSCALE, KTRACK_TCP_NO_WSCALE);
	EXPECT_SEND(test, &f, R, SYN | ACK, 0, KTRACK_TCP_IGNORE, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_IGNORE, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, &f, O, ACK | PSH, 1000, KTRACK_TCP_IGNORE, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, &f, O, FIN | ACK, 0, KTRACK_TCP_IGNORE, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, &f, R, FIN | ACK, 0, KTRACK_TCP_IGNORE, KTRACK_TCP_ESTABLISHED);
}

/* A server without a listener answers the ignored SYN with RST|ACK acking it: deleted. */
static void tcp_rst_answering_ignored_syn_deletes(struct kunit *test)
{
	struct ktrack_tcp_seg s;
	struct tflow f, g;
	u32 end;

	tflow_init(&f, 0x01000000, 0x80000000U);
	topen(test, &f);
	f.use_memo = true;
	tnew_syn(test, &f, 0x0badf00d, 0x600d0000, KTRACK_TCP_NO_WSCALE, KTRACK_TCP_NO_WSCALE);
	end = f.memo.end;
	g = f;
	s = tseg(RST | ACK, 0, end + 1, 0, 0);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &g, R, &s), KTRACK_TCP_IGNORE);
	s = tseg(RST | ACK, 0, end, 0, 0);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &g, O, &s), KTRACK_TCP_IGNORE);
	KUNIT_EXPECT_EQ(test, tpacket(test, &g.ct, R, &s), KTRACK_TCP_IGNORE);	/* no memo */
	KUNIT_EXPECT_EQ(test, tfpacket(test, &g, R, &s), KTRACK_TCP_RESET);
	KUNIT_EXPECT_EQ(test, g.memo.flags, KTRACK_TCP_MEMO_SYN);	/* the caller clears it */
}

/* The resynced connection negotiates its own window scaling. */
static void tcp_resync_window_scaling(struct kunit *test)
{
	struct ktrack_tcp_seg s;
	struct tflow f, g;

	tflow_init(&f, 0x01000000, 0x80000000U);
	topen(test, &f);
	f.use_memo = true;
	f.win[R] = 65160;
	tnew_syn(test, &f, 1, 2, 7, 9);
	EXPECT_SEND(test, &f, R, SYN | ACK, 0, KTRACK_TCP_RESYNC, KTRACK_TCP_SYN_RECV);
	KUNIT_EXPECT_TRUE(test, f.ct.tcp_wsf[O] & f.ct.tcp_wsf[R] & KTRACK_TCP_WSCALE_OK);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_wsf[O] & KTRACK_TCP_WSCALE_MASK, 7);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_wsf[R] & KTRACK_TCP_WSCALE_MASK, 9);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_win[O], (64240 + 127) / 128);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_win[R], (65160 + 511) / 512);
	f.win[R] = 1000;
	f.win[O] = 501;
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	EXPECT_SEND(test, &f, R, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	g = f;	/* the server's window: 1000 << 9 bytes */
	s = tseg(ACK, f.nxt[O] + 512000, f.nxt[R], 1, 501);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &g, O, &s), KTRACK_TCP_ACCEPT);
	g = f;
	s.seq++;
	KUNIT_EXPECT_EQ(test, tfpacket(test, &g, O, &s), KTRACK_TCP_IGNORE);
}

/* The remembered SYN's end wraps to 0; the new connection's data and close cross 2^32. */
static void tcp_resync_across_seq_wrap(struct kunit *test)
{
	struct tflow f;
	int i;

	tflow_init(&f, 0x01000000, 0x80000000U);
	topen(test, &f);
	f.use_memo = true;
	tnew_syn(test, &f, 0xffffffffU, 0xfffff000U, KTRACK_TCP_NO_WSCALE, KTRACK_TCP_NO_WSCALE);
	KUNIT_EXPECT_EQ(test, f.memo.end, 0U);
	EXPECT_SEND(test, &f, R, SYN | ACK, 0, KTRACK_TCP_RESYNC, KTRACK_TCP_SYN_RECV);
	KUNIT_EXPECT_EQ(test, f.ct.tcp_end[O], 0U);
	EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	for (i = 0; i < 4; i++) {
		EXPECT_SEND(test, &f, R, ACK | PSH, 1448, KTRACK_TCP_ACCEPT,
			    KTRACK_TCP_ESTABLISHED);
		EXPECT_SEND(test, &f, O, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_ESTABLISHED);
	}
	KUNIT_EXPECT_EQ(test, f.ct.tcp_end[R], 0xfffff001U + 4 * 1448);
	EXPECT_SEND(test, &f, R, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_FIN_WAIT);
	EXPECT_SEND(test, &f, O, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_LAST_ACK);
	EXPECT_SEND(test, &f, R, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_TIME_WAIT);
}

/*
 * nf_conntrack's IP_CT_EXP_CHALLENGE_ACK case: the server in LAST_ACK answers a new SYN with a
 * challenge ACK. ktrack marks a FIN acked only by an ack covering it, so that ACK does not
 * complete the close; the client's RST answering it is exact and deletes.
 */
static void tcp_challenge_ack_in_last_ack_does_not_complete_close(struct kunit *test)
{
	struct ktrack_tcp_seg s;
	struct tflow f;
	u32 old_o;

	tflow_init(&f, 1000, 2000);
	topen(test, &f);
	f.use_memo = true;
	EXPECT_SEND(test, &f, O, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_FIN_WAIT);
	EXPECT_SEND(test, &f, R, ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_CLOSE_WAIT);
	EXPECT_SEND(test, &f, R, FIN | ACK, 0, KTRACK_TCP_ACCEPT, KTRACK_TCP_LAST_ACK);
	old_o = f.nxt[O];
	tnew_syn(test, &f, 0x55550000, 0x66660000, KTRACK_TCP_NO_WSCALE, KTRACK_TCP_NO_WSCALE);
	s = tseg(ACK, f.ct.tcp_end[R], old_o, 0, 65535);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, R, &s), KTRACK_TCP_ACCEPT);
	KUNIT_EXPECT_EQ(test, f.ct.state, (u8)KTRACK_TCP_LAST_ACK);
	KUNIT_EXPECT_FALSE(test, f.ct.tcp_wsf[R] & KTRACK_TCP_FIN_ACKED);
	s = tseg(RST, old_o, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, tfpacket(test, &f, O, &s), KTRACK_TCP_RESET);
}

/* Every flag combination in every state, at the expected sequence numbers, from both sides. */
static void tcp_all_flags_all_states(struct kunit *test)
{
	unsigned int state, flags, d, accepted = 0, invalid = 0;
	struct tflow *st, f;

	st = kunit_kcalloc(test, KTRACK_TCP_NSTATES, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	tstates(test, st);
	for (state = KTRACK_TCP_SYN_SENT; state < KTRACK_TCP_NSTATES; state++) {
		for (flags = 0; flags < 256; flags++) {
			for (d = O; d <= R; d++) {
				struct ktrack_tcp_seg s;
				enum ktrack_tcp_verdict v;

				f = st[state];
				s = tseg(flags, f.nxt[d], f.nxt[!d], flags & 1 ? 0 : 10, f.win[d]);
				s.wscale = flags & 8 ? 14 : KTRACK_TCP_NO_WSCALE;
				/* half with a memo of a SYN this segment would ack */
				f.use_memo = flags & ECE;
				f.memo.end = s.ack;
				f.memo.flags = flags & CWR ? KTRACK_TCP_MEMO_SYN : 0;
				v = tfpacket(test, &f, d, &s);
				accepted += v == KTRACK_TCP_ACCEPT;
				invalid += v == KTRACK_TCP_INVALID;
				/* SYN together with FIN or RST never makes sense */
				if ((flags & SYN) && (flags & (FIN | RST)))
					KUNIT_EXPECT_EQ(test, v, KTRACK_TCP_INVALID);
			}
		}
	}
	kunit_info(test, "%u accepted, %u invalid of %u\n", accepted, invalid,
		   (KTRACK_TCP_NSTATES - 1) * 256 * 2);
	KUNIT_EXPECT_GT(test, accepted, 0U);
	KUNIT_EXPECT_GT(test, invalid, 0U);
}

/* Random segments, in sequence or not, against every state: only the promised effects. */
static void tcp_random_segments(struct kunit *test)
{
	struct rnd_state rnd;
	unsigned int i, resets = 0, resyncs = 0;
	struct tflow *st, f;

	st = kunit_kcalloc(test, KTRACK_TCP_NSTATES, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	prandom_seed_state(&rnd, 0x6b747261636bULL);
	tstates(test, st);
	for (i = 0; i < 20000; i++) {
		unsigned int state = KTRACK_TCP_SYN_SENT + i % (KTRACK_TCP_NSTATES - 1);
		u32 r = prandom_u32_state(&rnd);
		enum ktrack_dir d = r & 1;
		enum ktrack_tcp_verdict v;
		struct ktrack_tcp_seg s;

		f = st[state];
		/* half near the expected numbers, half anywhere */
		s = tseg(prandom_u32_state(&rnd) >> 24,
			 r & 2 ? prandom_u32_state(&rnd) : f.nxt[d] + (s16)(r >> 16),
			 r & 4 ? prandom_u32_state(&rnd) : f.nxt[!d] + (s8)(r >> 8),
			 prandom_u32_state(&rnd) & (r & 8 ? 0xffffffff : 0xfff),
			 prandom_u32_state(&rnd));
		s.wscale = prandom_u32_state(&rnd);
		/* a quarter with a memo of a SYN this segment acks */
		f.use_memo = r & 0x40;
		f.memo.end = s.ack;
		f.memo.flags = r & 0x80 ? KTRACK_TCP_MEMO_SYN : 0;
		v = tfpacket(test, &f, d, &s);
		resets += v == KTRACK_TCP_RESET;
		resyncs += v == KTRACK_TCP_RESYNC;
		if ((r & 0x30) == 0x30) {
			/* and a second segment on the changed entry */
			s.seq += s.len;
			s.flags ^= ACK;
			tfpacket(test, &f, !d, &s);
		}
	}
	kunit_info(test, "20000 random segments, %u resets, %u resyncs\n", resets, resyncs);
}

static struct kunit_case tcp_cases[] = {
	KUNIT_CASE(tcp_handshake),
	KUNIT_CASE(tcp_fin_client_first),
	KUNIT_CASE(tcp_fin_other_orders),
	KUNIT_CASE(tcp_rst_exact_seq_deletes),
	KUNIT_CASE(tcp_rst_inexact_in_window_keeps_entry),
	KUNIT_CASE(tcp_rst_exact_after_challenge_ack_deletes),
	KUNIT_CASE(tcp_rst_out_of_window_ignored),
	KUNIT_CASE(tcp_rst_syn_sent_acks_syn_exactly),
	KUNIT_CASE(tcp_rst_pickup_unseen_side_exact_at_ack_estimate),
	KUNIT_CASE(tcp_rst_exact_across_seq_wrap),
	KUNIT_CASE(tcp_syn_on_time_wait),
	KUNIT_CASE(tcp_syn_on_established_fills_memo),
	KUNIT_CASE(tcp_resync_synack_answers_ignored_syn),
	KUNIT_CASE(tcp_resync_synack_not_matching_ignored),
	KUNIT_CASE(tcp_no_memo_no_resync),
	KUNIT_CASE(tcp_rst_answering_ignored_syn_deletes),
	KUNIT_CASE(tcp_resync_window_scaling),
	KUNIT_CASE(tcp_resync_across_seq_wrap),
	KUNIT_CASE(tcp_challenge_ack_in_last_ack_does_not_complete_close),
	KUNIT_CASE(tcp_all_flags_all_states),
	KUNIT_CASE(tcp_random_segments),
	{}
};

static struct kunit_suite tcp_suite = {
	.name = "ktrack_tcp",
	.test_cases = tcp_cases,
};
kunit_test_suite(tcp_suite);
