/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcp.h - the TCP state machine: states, window tracking and verdicts for one connection entry.
 *
 * Pure logic on a struct ktrack_conn: no skb, no locks, no allocation, no netfilter. The caller
 * parses the TCP header into a struct ktrack_tcp_seg, holds the entry's writer lock, keeps the
 * memo of an ignored SYN (struct ktrack_tcp_memo) outside the entry, and acts on the verdict
 * (deadline refresh, deletion, counters). It builds unchanged in userspace for the unit tests and
 * the fuzzer (tests/unit).
 *
 * What the entry's TCP fields hold (see conn.h):
 * - tcp_end[dir]: highest seq + len (+1 for SYN and FIN) that side sent. While END_KNOWN is clear
 *   after a loose pickup it holds an estimate instead: the highest ack the other side sent.
 * - tcp_win[dir]: the largest window that side advertised, in the units of its window scale
 *   (windows carried by SYNs, which are never scaled, are divided by the scale, rounding up).
 * - tcp_wsf[dir]: the scale that side announced in the low nibble, KTRACK_TCP_WSCALE_UNKNOWN when
 *   its SYN was not seen; WSCALE_OK on one side only, during the handshake, means that side offered
 *   the option; scaling applies when both sides have it.
 */
#ifndef _KTRACK_TCP_H
#define _KTRACK_TCP_H

#include <linux/types.h>
#include "conn.h"

/* TCP flag bits, as in byte 13 of the TCP header. */
#define KTRACK_TCPF_FIN		0x01
#define KTRACK_TCPF_SYN		0x02
#define KTRACK_TCPF_RST		0x04
#define KTRACK_TCPF_PSH		0x08
#define KTRACK_TCPF_ACK		0x10
#define KTRACK_TCPF_URG		0x20
#define KTRACK_TCPF_ECE		0x40
#define KTRACK_TCPF_CWR		0x80

/* ktrack_tcp_seg.wscale when the segment carries no window scale option. */
#define KTRACK_TCP_NO_WSCALE	0xff
/* Largest window scale (RFC 7323); larger announced values are taken as this. */
#define KTRACK_TCP_MAX_WSCALE	14
/* Value of the KTRACK_TCP_WSCALE_MASK nibble when that side's SYN was not seen (loose pickup). */
#define KTRACK_TCP_WSCALE_UNKNOWN	0x0f

/* A parsed TCP segment, host byte order. */
struct ktrack_tcp_seg {
	u32 seq;	/* sequence number */
	u32 ack;	/* acknowledgment number; meaningful only with KTRACK_TCPF_ACK */
	u32 len;	/* payload bytes (not counting SYN or FIN) */
	u16 win;	/* raw window field, unscaled */
	u8 flags;	/* KTRACK_TCPF_* bits */
	u8 wscale;	/* window scale option of a SYN, or KTRACK_TCP_NO_WSCALE; else unused */
};

enum ktrack_tcp_verdict {
	/* valid; state may have changed; caller refreshes the deadline */
	KTRACK_TCP_ACCEPT,
	/* not acceptable (out of window, RSTs too; wrong ack; unexpected SYN): pass the packet,
	 * entry unchanged, caller counts "ignored"
	 */
	KTRACK_TCP_IGNORE,
	/* impossible flag combination (SYN+FIN, SYN+RST, no flags, FIN/PSH/URG without ACK, ...):
	 * entry unchanged, caller counts "invalid"
	 */
	KTRACK_TCP_INVALID,
	/* RST at exactly the sequence number the receiver expects (past the handshake: the
	 * sender's tcp_end, RFC 5961 3.2), or in SYN_SENT the answer to the SYN or ORIG's RST at its
	 * next sequence number, or any RST in TIME_WAIT or CLOSE: state is now CLOSE; caller
	 * deletes the entry at once
	 */
	KTRACK_TCP_RESET,
	/* SYN (no ACK) from the ORIG side on a TIME_WAIT or CLOSE entry: entry unchanged; caller
	 * replaces it by a new one (ktrack_tcp_start()), whatever the TCP timestamps (NAT case)
	 */
	KTRACK_TCP_REOPEN,
	/* RST in window, not exact (SYN_RECV ... LAST_ACK): entry and state unchanged, packet
	 * passes so that the endpoint answers with a challenge ACK; the caller counts rst_inexact
	 */
	KTRACK_TCP_CHALLENGE,
	/* the SYN|ACK answered the remembered SYN: the entry now tracks the new connection, state
	 * SYN_RECV; caller counts resync and requeues
	 */
	KTRACK_TCP_RESYNC,
};

/* What tcp.c remembers of an ignored SYN, kept by the caller outside the entry (nf_conntrack's
 * last_* fields). Zeroed = nothing remembered.
 */
struct ktrack_tcp_memo {
	u32 end;	/* seq + 1 + len of the ignored SYN */
	u16 win;	/* its raw window */
	u8 wscale;	/* its window scale option, or KTRACK_TCP_NO_WSCALE */
	u8 flags;	/* KTRACK_TCP_MEMO_* */
};

#define KTRACK_TCP_MEMO_SYN	0x01	/* a SYN from the ORIG side was ignored; the fields hold it */

/*
 * True when @seg may start a flow: a SYN without ACK; with @loose, also a segment with ACK and
 * without SYN, RST or FIN (pickup of an existing connection; a FIN trails one whose entry is gone). Lets LOCAL_IN decide before it allocates.
 */
bool ktrack_tcp_can_start(const struct ktrack_tcp_seg *seg, bool loose);

/*
 * First packet of a flow (ORIG direction). Initialises the TCP fields and ct->state (SYN_SENT, or
 * ESTABLISHED on a loose pickup) and touches nothing else; returns false, entry
 * untouched, when the packet cannot start a flow.
 */
bool ktrack_tcp_start(struct ktrack_conn *ct, const struct ktrack_tcp_seg *seg, bool loose);

/*
 * Any later packet of the flow, from direction @dir. Called with the entry's writer lock held
 * (callers serialise). Updates ct->state and the tcp_* fields only on ACCEPT, RESET and RESYNC.
 *
 * @memo is the caller's memory of an ignored SYN for this entry (NULL: none, and no resync). An
 * ORIG SYN (no ACK) ignored in SYN_RECV ... LAST_ACK fills it (a later one replaces it); a REPLY
 * SYN|ACK acking exactly its end, in any state past SYN_SENT, restarts the entry as that
 * handshake (RESYNC) and clears it; a REPLY RST|ACK acking exactly its end resets. Every other
 * packet leaves it as it is; the caller zeroes it when the entry goes.
 */
enum ktrack_tcp_verdict ktrack_tcp_packet(struct ktrack_conn *ct, enum ktrack_dir dir,
					  const struct ktrack_tcp_seg *seg,
					  struct ktrack_tcp_memo *memo);	/* may be NULL */

/* "SYN_SENT", "ESTABLISHED", ... as nf_conntrack prints them; "UNKNOWN" when out of range. */
const char *ktrack_tcp_state_name(enum ktrack_tcp_state state);

#endif /* _KTRACK_TCP_H */
