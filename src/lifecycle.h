/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lifecycle.h - creating an entry from a packet and destroying it, with the accounting both need.
 */
#ifndef _KTRACK_LIFECYCLE_H
#define _KTRACK_LIFECYCLE_H

#include "net.h"
#include "parse.h"

/*
 * Admit a new flow from @pkt: per-source limit unless @local (a loose pickup is counted but never
 * refused), table limit (evicting when full), allocation, insertion; the entry starts with
 * @flags (KTRACK_F_NFCT). Returns the verdict for the packet.
 */
unsigned int ktrack_conn_create(struct ktrack_net *kn, struct ktrack_pkt *pkt, bool local,
				bool loose, u8 flags);

/* After ktrack_table_unlink(): release its source, count the reason, free after a grace period. */
void ktrack_conn_destroy(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_stat reason);

/* Unlink and destroy @ct unless someone else did; takes the stripe lock. */
void ktrack_conn_delete(struct ktrack_net *kn, struct ktrack_conn *ct, enum ktrack_stat reason);

/* Put @ct at the tail of its class list on @s, stamped @now; @s->lock held. */
void ktrack_conn_requeue(struct ktrack_net *kn, struct ktrack_stripe *s, struct ktrack_conn *ct,
			 u32 now);

/* Stop counting @ct against its source (it entered TIME_WAIT); stripe lock held. */
void ktrack_conn_unsource(struct ktrack_net *kn, struct ktrack_conn *ct);

/* Why an entry idle past its timeout goes: the end of TIME_WAIT completes its FIN exchange. */
static inline enum ktrack_stat ktrack_expire_reason(const struct ktrack_conn *ct)
{
	return ktrack_conn_l4(ct) == KTRACK_L4_TCP && ct->state == KTRACK_TCP_TIME_WAIT ?
		KTRACK_STAT_DEL_FIN : KTRACK_STAT_DEL_TIMEOUT;
}

/* The live-count index of @ct in struct ktrack_stats.tcp_live. */
static inline unsigned int ktrack_conn_live_idx(const struct ktrack_conn *ct)
{
	return ktrack_conn_l4(ct) == KTRACK_L4_TCP ? ct->state : 0;
}

#endif /* _KTRACK_LIFECYCLE_H */
