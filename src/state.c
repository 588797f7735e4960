// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - what ktrack tells the firewall. The packet path classifies every packet it parses as
 * nf_conntrack's states (track.c) and writes the state into the netns's state_mark bits of
 * skb->mark (state.h); xt_ktrack and nft's `meta mark` read it there. This file owns what other
 * modules may ask: the mask in force in a netns.
 */
#include <linux/export.h>
#include <linux/module.h>

#include "state.h"

u32 ktrack_state_mark(const struct net *net)
{
	return READ_ONCE(ktrack_pernet(net)->tun[KTRACK_STATE_MARK]);
}
EXPORT_SYMBOL_GPL(ktrack_state_mark);
