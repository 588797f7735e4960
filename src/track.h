/* SPDX-License-Identifier: GPL-2.0 */
/*
 * track.h - the packet path: what each hook does with a packet.
 */
#ifndef _KTRACK_TRACK_H
#define _KTRACK_TRACK_H

#include <linux/netfilter.h>

struct ktrack_net;

/* PREROUTING and LOCAL_OUT: advance a known flow; LOCAL_OUT also admits the host's own flows. */
unsigned int ktrack_track(struct ktrack_net *kn, struct sk_buff *skb,
			  const struct nf_hook_state *state);
/* LOCAL_IN: admit a packet that starts a flow (or, with loose, picks one up). */
unsigned int ktrack_admit(struct ktrack_net *kn, struct sk_buff *skb,
			  const struct nf_hook_state *state);

/* The per-CPU map from PREROUTING to LOCAL_IN: allocated before the first hook, freed after. */
int ktrack_track_init(void);
void ktrack_track_exit(void);

#endif /* _KTRACK_TRACK_H */
