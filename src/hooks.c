// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - where packets enter ktrack. Per netns, for IPv4 and IPv6:
 *  - PREROUTING, before nf_conntrack and the raw table: every inbound packet is parsed and counted;
 *    a packet of a known flow advances it (track.c).
 *  - LOCAL_OUT, at the same priority: what the host itself sends (the server's SYN-ACK, FIN, RST).
 *  - LOCAL_IN, last before conntrack confirms: a packet that starts a flow is admitted here, after
 *    the filter table, so packets a firewall drops never create entries.
 * With state_mark set, PREROUTING and LOCAL_OUT write each packet's state into skb->mark for the
 * firewall (state.h); it is taken out again at LOCAL_IN (above), first thing in FORWARD (ktrack
 * does not classify forwarded traffic: untracked) and last thing in POSTROUTING.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>

#include "hooks.h"
#include "net.h"
#include "state.h"
#include "track.h"

/* Before the raw table (-300) and nf_conntrack (-200), after defragmentation (-400). */
#define KTRACK_PRI_TRACK	(NF_IP_PRI_RAW - 10)
/* After filter, security and NAT; before nf_conntrack confirms (INT_MAX). */
#define KTRACK_PRI_ADMIT	(NF_IP_PRI_LAST - 1)

static unsigned int ktrack_hook_track(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	return ktrack_track(ktrack_pernet(state->net), skb, state);
}

static unsigned int ktrack_hook_leave(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	ktrack_state_clear(ktrack_pernet(state->net), skb);
	return NF_ACCEPT;
}

static unsigned int ktrack_hook_admit(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	return ktrack_admit(ktrack_pernet(state->net), skb, state);
}

static const struct nf_hook_ops ktrack_hook_ops[] = {
	{
		.hook = ktrack_hook_track,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = KTRACK_PRI_TRACK,
	},
	{
		.hook = ktrack_hook_track,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = KTRACK_PRI_TRACK,
	},
	{
		.hook = ktrack_hook_admit,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = KTRACK_PRI_ADMIT,
	},
	{
		.hook = ktrack_hook_leave,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FIRST,
	},
	{
		.hook = ktrack_hook_leave,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_LAST,
	},
	{
		.hook = ktrack_hook_track,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = KTRACK_PRI_TRACK,
	},
	{
		.hook = ktrack_hook_track,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = KTRACK_PRI_TRACK,
	},
	{
		.hook = ktrack_hook_admit,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = KTRACK_PRI_ADMIT,
	},
	{
		.hook = ktrack_hook_leave,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FIRST,
	},
	{
		.hook = ktrack_hook_leave,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_LAST,
	},
};

int ktrack_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, ktrack_hook_ops, ARRAY_SIZE(ktrack_hook_ops));
}

void ktrack_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, ktrack_hook_ops, ARRAY_SIZE(ktrack_hook_ops));
}
