// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_tcp.c - libFuzzer target for the TCP state machine (src/tcp.c).
 *
 * The input is a flow: one byte of options (bit 0: loose, bit 1: keep a memo of ignored SYNs as
 * the caller does), then records of REC_SIZE bytes, each a segment in either direction. Sequence
 * and ack numbers are either taken as they are or, so that the fuzzer reaches the states behind
 * the window checks quickly, a small signed offset from the entry's own tcp_end values or the
 * memo's end. The harness acts as the caller would: start() until a flow starts, delete (and
 * forget the memo) on RESET, start anew on REOPEN. After every call it checks the invariants
 * below (among them RFC 5961's: past the handshake only an RST at exactly tcp_end, or one
 * answering the remembered SYN, resets; one elsewhere is at most challenged), that the memo
 * changes only as promised, and that with a memo every verdict is the one without it except
 * RESYNC and the RST answering the remembered SYN; ASan/UBSan check the rest.
 *
 *   make -C tests/unit fuzz FUZZ_SECONDS=60
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

#define REC_SIZE	17

/* Record byte 0. */
#define REC_REPLY	0x01	/* direction REPLY, else ORIG */
#define REC_SEQ_REL	0x02	/* seq = tcp_end[dir] + (s16)seq */
#define REC_ACK_REL	0x04	/* ack = tcp_end[!dir] + (s16)ack */
#define REC_LEN_BIG	0x08	/* len is all 32 bits, else its low 16 */
#define REC_ACK_MEMO	0x10	/* ack = memo.end + (s16)ack (overrides REC_ACK_REL) */

/* Option byte. */
#define OPT_LOOSE	0x01
#define OPT_MEMO	0x02

#define CHECK(cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);\
		abort();							\
	}									\
} while (0)

static struct ktrack_conn sentinel_next;

static void fresh(struct ktrack_conn *ct)
{
	memset(ct, 0, sizeof(*ct));
	ct->next = &sentinel_next;
	ct->stamp = 0xa5a5a5a5U;
	ct->sport = 0x1234;
	ct->dport = 0x5678;
	ct->flags = KTRACK_L4_TCP | KTRACK_F_REPLIED;
}

static u32 get32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

/* What must hold of a live entry after any call. */
static void check_entry(const struct ktrack_conn *ct)
{
	unsigned int d;

	CHECK(ct->state > KTRACK_TCP_NONE && ct->state < KTRACK_TCP_NSTATES);
	CHECK(ct->next == &sentinel_next && ct->stamp == 0xa5a5a5a5U);
	CHECK(ct->sport == 0x1234 && ct->dport == 0x5678);
	CHECK(ct->flags == (KTRACK_L4_TCP | KTRACK_F_REPLIED));
	CHECK(ktrack_tcp_state_name(ct->state));
	for (d = KTRACK_DIR_ORIG; d <= KTRACK_DIR_REPLY; d++) {
		u8 wsf = ct->tcp_wsf[d];

		CHECK((wsf & KTRACK_TCP_WSCALE_MASK) <= KTRACK_TCP_MAX_WSCALE ||
		      (wsf & KTRACK_TCP_WSCALE_MASK) == KTRACK_TCP_WSCALE_UNKNOWN);
		CHECK(!(wsf & KTRACK_TCP_FIN_ACKED) || (wsf & KTRACK_TCP_FIN_SEEN));
		CHECK(!(wsf & KTRACK_TCP_FIN_SEEN) || (wsf & KTRACK_TCP_END_KNOWN));
	}
	CHECK(ct->tcp_wsf[KTRACK_DIR_ORIG] & KTRACK_TCP_END_KNOWN);
	/* Scaling is decided for both sides at once, when both SYNs are known. */
	if ((ct->tcp_wsf[0] & KTRACK_TCP_WSCALE_MASK) != KTRACK_TCP_WSCALE_UNKNOWN &&
	    (ct->tcp_wsf[1] & KTRACK_TCP_WSCALE_MASK) != KTRACK_TCP_WSCALE_UNKNOWN)
		CHECK(!((ct->tcp_wsf[0] ^ ct->tcp_wsf[1]) & KTRACK_TCP_WSCALE_OK));
	if ((ct->tcp_wsf[1] & KTRACK_TCP_WSCALE_MASK) == KTRACK_TCP_WSCALE_UNKNOWN)
		CHECK(!(ct->tcp_wsf[1] & KTRACK_TCP_WSCALE_OK));
	if (ct->state > KTRACK_TCP_SYN_SENT && ct->state < KTRACK_TCP_CLOSE &&
	    (ct->tcp_wsf[0] & KTRACK_TCP_WSCALE_MASK) != KTRACK_TCP_WSCALE_UNKNOWN)
		CHECK(ct->tcp_wsf[1] & KTRACK_TCP_END_KNOWN);
	if (ct->state == KTRACK_TCP_SYN_RECV)
		CHECK(ct->tcp_wsf[KTRACK_DIR_REPLY] & KTRACK_TCP_END_KNOWN);
	if (ct->state == KTRACK_TCP_TIME_WAIT)
		CHECK(ct->tcp_wsf[0] & ct->tcp_wsf[1] & KTRACK_TCP_FIN_ACKED);
	if (ct->state == KTRACK_TCP_LAST_ACK)
		CHECK(ct->tcp_wsf[0] & ct->tcp_wsf[1] & KTRACK_TCP_FIN_SEEN);
	if (ct->state == KTRACK_TCP_FIN_WAIT || ct->state == KTRACK_TCP_CLOSE_WAIT)
		CHECK((ct->tcp_wsf[0] | ct->tcp_wsf[1]) & KTRACK_TCP_FIN_SEEN);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct ktrack_tcp_memo memo = {}, memo_before;
	struct ktrack_conn ct, before, nomemo;
	bool live = false, loose, use_memo;

	if (size < 1)
		return 0;
	loose = data[0] & OPT_LOOSE;
	use_memo = data[0] & OPT_MEMO;
	data++;
	size--;
	fresh(&ct);

	for (; size >= REC_SIZE; data += REC_SIZE, size -= REC_SIZE) {
		enum ktrack_dir dir = data[0] & REC_REPLY ? KTRACK_DIR_REPLY : KTRACK_DIR_ORIG;
		struct ktrack_tcp_seg seg = {
			.seq = get32(data + 3),
			.ack = get32(data + 7),
			.len = get32(data + 11),
			.win = data[15] | data[16] << 8,
			.flags = data[1],
			.wscale = data[2],
		};
		enum ktrack_tcp_verdict v, vn;

		if (!(data[0] & REC_LEN_BIG))
			seg.len &= 0xffff;
		if (data[0] & REC_SEQ_REL)
			seg.seq = ct.tcp_end[dir] + (s16)seg.seq;
		if (data[0] & REC_ACK_MEMO)
			seg.ack = memo.end + (s16)seg.ack;
		else if (data[0] & REC_ACK_REL)
			seg.ack = ct.tcp_end[!dir] + (s16)seg.ack;

		if (!live) {
			bool can = ktrack_tcp_can_start(&seg, loose);

			before = ct;
			live = ktrack_tcp_start(&ct, &seg, loose);
			CHECK(live == can);
			if (live)
				check_entry(&ct);
			else
				CHECK(!memcmp(&before, &ct, sizeof(ct)));
			continue;
		}

		before = ct;
		memo_before = memo;
		nomemo = ct;
		vn = ktrack_tcp_packet(&nomemo, dir, &seg, NULL);
		v = ktrack_tcp_packet(&ct, dir, &seg, use_memo ? &memo : NULL);
		CHECK(vn != KTRACK_TCP_RESYNC);
		if (v == KTRACK_TCP_RESYNC) {
			CHECK(use_memo && vn == KTRACK_TCP_IGNORE);
			CHECK(dir == KTRACK_DIR_REPLY);
			CHECK((seg.flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK)) ==
			      (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK));
			CHECK((memo_before.flags & KTRACK_TCP_MEMO_SYN) && seg.ack == memo_before.end);
			CHECK(before.state > KTRACK_TCP_SYN_SENT);
			CHECK(ct.state == KTRACK_TCP_SYN_RECV);
			CHECK(ct.tcp_end[KTRACK_DIR_ORIG] == memo_before.end);
			CHECK(ct.tcp_end[KTRACK_DIR_REPLY] == seg.seq + 1 + seg.len);
			CHECK(!((ct.tcp_wsf[0] | ct.tcp_wsf[1]) &
				(KTRACK_TCP_FIN_SEEN | KTRACK_TCP_FIN_ACKED)));
			CHECK(!memo.end && !memo.win && !memo.wscale && !memo.flags);
		} else if (v == KTRACK_TCP_RESET && vn != KTRACK_TCP_RESET) {
			/* The RST|ACK answering the remembered SYN. */
			CHECK(use_memo && dir == KTRACK_DIR_REPLY);
			CHECK(vn == KTRACK_TCP_IGNORE || vn == KTRACK_TCP_CHALLENGE);
			CHECK((seg.flags & KTRACK_TCPF_ACK) && seg.ack == memo_before.end);
			CHECK(memo_before.flags & KTRACK_TCP_MEMO_SYN);
		} else {
			/* Otherwise the memo changes nothing but itself. */
			CHECK(v == vn);
			CHECK(!memcmp(&ct, &nomemo, sizeof(ct)));
		}
		if (memcmp(&memo, &memo_before, sizeof(memo)) && v != KTRACK_TCP_RESYNC) {
			/* Only an ORIG SYN ignored past the handshake is remembered. */
			CHECK(v == KTRACK_TCP_IGNORE && dir == KTRACK_DIR_ORIG);
			CHECK((seg.flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK)) == KTRACK_TCPF_SYN);
			CHECK(before.state >= KTRACK_TCP_SYN_RECV &&
			      before.state <= KTRACK_TCP_LAST_ACK);
			CHECK(memo.flags == KTRACK_TCP_MEMO_SYN && memo.end == seg.seq + 1 + seg.len);
			CHECK(memo.win == seg.win && memo.wscale == seg.wscale);
		}
		switch (v) {
		case KTRACK_TCP_ACCEPT:
			break;
		case KTRACK_TCP_IGNORE:
		case KTRACK_TCP_INVALID:
			CHECK(!memcmp(&before, &ct, sizeof(ct)));
			break;
		case KTRACK_TCP_RESET:
			CHECK(ct.state == KTRACK_TCP_CLOSE);
			CHECK(seg.flags & KTRACK_TCPF_RST);
			/* RFC 5961: past the handshake only the exact sequence number resets. */
			if (before.state >= KTRACK_TCP_SYN_RECV && before.state <= KTRACK_TCP_LAST_ACK)
				CHECK(seg.seq == before.tcp_end[dir] || vn != KTRACK_TCP_RESET);
			break;
		case KTRACK_TCP_CHALLENGE:
			CHECK(!memcmp(&before, &ct, sizeof(ct)));
			CHECK(seg.flags & KTRACK_TCPF_RST);
			CHECK(seg.seq != before.tcp_end[dir]);
			CHECK(before.state >= KTRACK_TCP_SYN_RECV && before.state <= KTRACK_TCP_LAST_ACK);
			break;
		case KTRACK_TCP_RESYNC:
			break;	/* checked above */
		case KTRACK_TCP_REOPEN:
			CHECK(!memcmp(&before, &ct, sizeof(ct)));
			CHECK(before.state == KTRACK_TCP_TIME_WAIT ||
			      before.state == KTRACK_TCP_CLOSE);
			CHECK(dir == KTRACK_DIR_ORIG);
			CHECK((seg.flags & (KTRACK_TCPF_SYN | KTRACK_TCPF_ACK)) == KTRACK_TCPF_SYN);
			break;
		default:
			CHECK(!"verdict out of range");
		}
		/* Only an RST closes. */
		if (ct.state == KTRACK_TCP_CLOSE && before.state != KTRACK_TCP_CLOSE)
			CHECK(v == KTRACK_TCP_RESET);
		check_entry(&ct);

		if (v == KTRACK_TCP_RESET) {
			/* The caller deletes the entry and forgets its memo; a later packet may
			 * start a new one.
			 */
			live = false;
			fresh(&ct);
			memo = (struct ktrack_tcp_memo){ 0 };
		} else if (v == KTRACK_TCP_REOPEN) {
			/* The caller replaces the entry by a new one from this SYN. */
			fresh(&ct);
			memo = (struct ktrack_tcp_memo){ 0 };
			CHECK(ktrack_tcp_start(&ct, &seg, loose));
			CHECK(ct.state == KTRACK_TCP_SYN_SENT);
			check_entry(&ct);
		}
	}
	return 0;
}
