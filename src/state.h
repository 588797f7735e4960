/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state.h - the state a firewall sees: ktrack's classification of a packet, written into the
 * state_mark bits of skb->mark (the encoding is KTRACK_MARK_* of the uapi header) and taken out
 * again before the packet leaves netfilter.
 */
#ifndef _KTRACK_STATE_H
#define _KTRACK_STATE_H

#include <linux/bitops.h>
#include <linux/skbuff.h>
#include <linux/ktrack.h>

#include "net.h"

/* A state_mark is 0 or this many contiguous bits, or one more for the direction. */
#define KTRACK_STATE_BITS	4

/* The netns's state_mark (0: off), for xt_ktrack. */
u32 ktrack_state_mark(const struct net *net);

/* Writes @st (KTRACK_MARK_*, 0: untracked) into @skb's state bits, when state_mark is set. */
static inline void ktrack_state_set(struct ktrack_net *kn, struct sk_buff *skb, unsigned int st)
{
	u32 mask = READ_ONCE(kn->tun[KTRACK_STATE_MARK]);

	if (mask)
		skb->mark = (skb->mark & ~mask) | ((st << __ffs(mask)) & mask);
}

/* Takes ktrack's bits out of @skb's mark as it leaves netfilter. */
static inline void ktrack_state_clear(struct ktrack_net *kn, struct sk_buff *skb)
{
	skb->mark &= ~READ_ONCE(kn->tun[KTRACK_STATE_MARK]);
}

#endif /* _KTRACK_STATE_H */
