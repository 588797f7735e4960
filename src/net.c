// SPDX-License-Identifier: GPL-2.0
/*
 * net.c - the life of ktrack in a network namespace: what is set up when a netns appears (or when
 * the module loads, for every netns that exists) and torn down when it goes (or at rmmod).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>

#include "hooks.h"
#include "net.h"
#include "params.h"
#include "stats.h"

unsigned int ktrack_net_id __read_mostly;

static int __net_init ktrack_net_init(struct net *net)
{
	struct ktrack_net *kn = ktrack_pernet(net);
	int i, err;

	kn->net = net;
	for (i = 0; i < KTRACK_NTUNABLES; i++)
		kn->tun[i] = ktrack_defaults[i].val;

	err = ktrack_stats_init(net, kn);
	if (err)
		return err;
	err = ktrack_hooks_register(net);
	if (err)
		goto err_stats;
	return 0;

err_stats:
	ktrack_stats_exit(net, kn);
	return err;
}

static void __net_exit ktrack_net_exit(struct net *net)
{
	struct ktrack_net *kn = ktrack_pernet(net);

	ktrack_hooks_unregister(net);
	ktrack_stats_exit(net, kn);
}

static struct pernet_operations ktrack_net_ops = {
	.init = ktrack_net_init,
	.exit = ktrack_net_exit,
	.id = &ktrack_net_id,
	.size = sizeof(struct ktrack_net),
};

int ktrack_net_register(void)
{
	return register_pernet_subsys(&ktrack_net_ops);
}

void ktrack_net_unregister(void)
{
	unregister_pernet_subsys(&ktrack_net_ops);
}
