// SPDX-License-Identifier: GPL-2.0
/*
 * xt_ktrack.c - the xtables match "ktrack" (module xt_ktrack.ko): iptables and ip6tables rules on
 * the firewall state that ktrack wrote into the state_mark bits of skb->mark
 * (`-m ktrack [!] --state LIST [--dir ORIGINAL|REPLY]`, <linux/netfilter/xt_ktrack.h>).
 *
 * It only reads the mark: the mask is the netns's state_mark in force when the packet is matched
 * (ktrack_state_mark(), so a rule follows a mask changed after it was loaded), and nothing is
 * looked up. iptables-nft reaches it through nft_compat, iptables-legacy through x_tables; both
 * autoload it by the aliases ipt_ktrack and ip6t_ktrack.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_ktrack.h>

#include "state.h"
#include "version.h"

/* The state bits of a packet under @mask (XT_KTRACK_STATE_*); *@reply: the direction bit. */
static unsigned int ktrack_mt_decode(u32 mark, u32 mask, bool *reply)
{
	unsigned int field;

	*reply = false;
	if (!mask)
		return XT_KTRACK_STATE_UNTRACKED;
	field = (mark & mask) >> __ffs(mask);
	*reply = field & KTRACK_MARK_REPLY;
	field &= KTRACK_MARK_NEW | KTRACK_MARK_ESTABLISHED | KTRACK_MARK_RELATED |
		 KTRACK_MARK_INVALID;
	return field ? field : XT_KTRACK_STATE_UNTRACKED;
}

static bool ktrack_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
	const struct xt_ktrack_mtinfo *info = par->matchinfo;
	u32 mask = ktrack_state_mark(xt_net(par));
	unsigned int state;
	bool reply;

	state = ktrack_mt_decode(skb->mark, mask, &reply);
	if (info->dir != XT_KTRACK_DIR_ANY) {
		if (hweight32(mask) <= KTRACK_STATE_BITS)
			return false;
		if (reply != (info->dir == XT_KTRACK_DIR_REPLY))
			return false;
	}
	return !!(state & info->state) ^ !!(info->flags & XT_KTRACK_INVERT);
}

static int ktrack_mt_check(const struct xt_mtchk_param *par)
{
	const struct xt_ktrack_mtinfo *info = par->matchinfo;
	u32 mask = ktrack_state_mark(par->net);

	if (par->family != NFPROTO_IPV4 && par->family != NFPROTO_IPV6) {
		pr_info_ratelimited("only for iptables and ip6tables (family %u)\n", par->family);
		return -EINVAL;
	}
	if (!info->state || info->state & ~XT_KTRACK_STATE_ALL ||
	    info->flags & ~XT_KTRACK_FLAGS_ALL || info->dir > XT_KTRACK_DIR_REPLY) {
		pr_info_ratelimited("unknown state, flags or direction (state %#x, flags %#x, dir %u)\n",
				    info->state, info->flags, info->dir);
		return -EINVAL;
	}
	if (!mask) {
		pr_info_ratelimited("state_mark is 0 in this netns: set net.ktrack.state_mark (or ktrackctl config state_mark=0xf000) first\n");
		return -EINVAL;
	}
	if (info->dir != XT_KTRACK_DIR_ANY && hweight32(mask) <= KTRACK_STATE_BITS) {
		pr_info_ratelimited("--dir needs a state_mark of %u bits (this netns's is %#x)\n",
				    KTRACK_STATE_BITS + 1, mask);
		return -EINVAL;
	}
	return 0;
}

static struct xt_match ktrack_mt_reg __read_mostly = {
	.name		= "ktrack",
	.family		= NFPROTO_UNSPEC,	/* for iptables and ip6tables (ktrack_mt_check) */
	.checkentry	= ktrack_mt_check,
	.match		= ktrack_mt,
	.matchsize	= sizeof(struct xt_ktrack_mtinfo),
	.me		= THIS_MODULE,
};

static int __init ktrack_mt_init(void)
{
	return xt_register_match(&ktrack_mt_reg);
}

static void __exit ktrack_mt_exit(void)
{
	xt_unregister_match(&ktrack_mt_reg);
}

module_init(ktrack_mt_init);
module_exit(ktrack_mt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Xtables: the firewall state ktrack wrote into skb->mark");
MODULE_VERSION(KTRACK_VERSION);
MODULE_ALIAS("ipt_ktrack");
MODULE_ALIAS("ip6t_ktrack");
