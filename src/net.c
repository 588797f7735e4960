// SPDX-License-Identifier: GPL-2.0
/*
 * net.c - the life of ktrack in a network namespace: what is set up when a netns appears (or when
 * the module loads, for every netns that exists) and torn down when it goes (or at rmmod).
 *
 * Anyone may create a netns (an unprivileged user in a user namespace of its own), so what ktrack
 * allocates for one is charged to its creator's memory cgroup (__GFP_ACCOUNT, in each init
 * function called here, and by resize.c for the buckets that come later), and its table starts
 * small (KTRACK_TABLE_FLOOR buckets, unless netns_hashsize says otherwise: hashsize is only the
 * initial netns's), as do its sources (256 buckets a family), and they grow with their load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/cpumask.h>
#include <linux/log2.h>

#include "expire.h"
#include "hooks.h"
#include "limits.h"
#include "net.h"
#include "params.h"
#include "proc.h"
#include "resize.h"
#include "stats.h"
#include "sysctl.h"

unsigned int ktrack_net_id __read_mostly;

static bool ktrack_is_prefix(enum ktrack_tunable t)
{
	return t == KTRACK_PER_SRC_PREFIX4 || t == KTRACK_PER_SRC_PREFIX6;
}

/*
 * A live connection is released against the prefix it was counted with, so a prefix changes only
 * while no source is counted, and no admission may count one under the old prefix meanwhile. The
 * new prefixes are stored inside the write side of prefix_lock, then the count of sources is read;
 * an admission counts its source inside the read side, then reads the sequence again (a full
 * barrier between, pairing with the one here). Either this sees its source, and the old prefixes
 * are put back (EBUSY), or it sees the sequence move, and gives its count back and starts over
 * under the new prefix. A release reads the prefix inside the read side too, so it never sees a
 * prefix that is put back.
 */
int ktrack_net_config(struct ktrack_net *kn, const unsigned int *val, unsigned long mask)
{
	unsigned int old[KTRACK_NTUNABLES];
	const char *prefix = NULL;
	int t, err = 0;

	lockdep_assert_held(&ktrack_limits_mutex);
	for_each_set_bit(t, &mask, KTRACK_NTUNABLES) {
		err = ktrack_tunable_check(t, val[t]);
		if (err)
			return err;
	}
	for_each_set_bit(t, &mask, KTRACK_NTUNABLES)
		if (ktrack_is_prefix(t) && val[t] != kn->tun[t] && !prefix)
			prefix = t == KTRACK_PER_SRC_PREFIX4 ? "per_src_prefix4" : "per_src_prefix6";
	if (prefix) {
		write_seqlock_bh(&kn->prefix_lock);
		for_each_set_bit(t, &mask, KTRACK_NTUNABLES) {
			if (ktrack_is_prefix(t)) {
				old[t] = kn->tun[t];
				WRITE_ONCE(kn->tun[t], val[t]);
			}
		}
		/* the prefixes before the count: pairs with ktrack_src_count() */
		smp_mb();
		if (ktrack_src_total(&kn->src)) {
			for_each_set_bit(t, &mask, KTRACK_NTUNABLES)
				if (ktrack_is_prefix(t))
					WRITE_ONCE(kn->tun[t], old[t]);
			err = -EBUSY;
		}
		write_sequnlock_bh(&kn->prefix_lock);
		if (err) {
			pr_info_ratelimited("%s can change only while no source is counted\n", prefix);
			return err;
		}
	}
	for_each_set_bit(t, &mask, KTRACK_NTUNABLES) {
		if (ktrack_is_prefix(t))
			continue;
		WRITE_ONCE(kn->tun[t], val[t]);
		if (t == KTRACK_MAX_CONNS) {
			ktrack_table_set_limit(&kn->table, val[t]);
			ktrack_src_set_limit(&kn->src, val[t]);
		}
	}
	return 0;
}

int ktrack_net_tunable_set(struct ktrack_net *kn, enum ktrack_tunable t, unsigned int val)
{
	unsigned int vals[KTRACK_NTUNABLES];
	int err;

	vals[t] = val;
	mutex_lock(&ktrack_limits_mutex);
	err = ktrack_net_config(kn, vals, BIT(t));
	mutex_unlock(&ktrack_limits_mutex);
	return err;
}

/*
 * The writers' lock stripes of a netns's table, fixed for its life (resize.c changes only the
 * buckets): 16 a CPU in the initial netns, where the servers are (64 to 1024); 2 a CPU in any
 * other (8 to 256), which anyone may create and whose memory its creator pays for (a stripe is
 * 256 bytes: its expiry lists and 2 resync memos, table.h).
 */
static unsigned int ktrack_net_stripes(bool initial)
{
	unsigned int cpus = num_possible_cpus();

	if (initial)
		return clamp(roundup_pow_of_two(16 * cpus), 64UL, 1024UL);
	return clamp(roundup_pow_of_two(2 * cpus), 8UL, 256UL);
}

static int __net_init ktrack_net_init(struct net *net)
{
	struct ktrack_net *kn = ktrack_pernet(net);
	bool initial = net_eq(net, &init_net);
	unsigned int nbuckets = initial ? ktrack_hashsize : ktrack_netns_hashsize;
	int i, err;

	kn->net = net;
	for (i = 0; i < KTRACK_NTUNABLES; i++)
		kn->tun[i] = ktrack_defaults[i].val;
	seqlock_init(&kn->prefix_lock);

	err = ktrack_stats_init(net, kn);
	if (err)
		return err;
	err = ktrack_table_init(&kn->table, nbuckets ?: KTRACK_TABLE_FLOOR,
				ktrack_net_stripes(initial));
	if (err)
		goto err_stats;
	ktrack_table_set_limit(&kn->table, kn->tun[KTRACK_MAX_CONNS]);
	/*
	 * sources: their own buckets per family, which resize as the table's do; an explicit
	 * hashsize gives them a bucket per 8 (IPv4) or 32 (IPv6) of its buckets as their floor
	 */
	err = ktrack_src_init(&kn->src, nbuckets / 8, nbuckets / 32);
	if (err)
		goto err_table;
	ktrack_src_set_limit(&kn->src, kn->tun[KTRACK_MAX_CONNS]);
	ktrack_resize_init(kn);
	err = ktrack_sysctl_init(kn);
	if (err)
		goto err_src;
	err = ktrack_proc_init(kn);
	if (err)
		goto err_sysctl;
	ktrack_expire_start(kn);
	err = ktrack_hooks_register(net);
	if (err)
		goto err_expire;
	return 0;

err_expire:
	ktrack_expire_stop(kn);
	ktrack_proc_exit(kn);
err_sysctl:
	ktrack_sysctl_exit(kn);
err_src:
	ktrack_resize_stop(kn);
	ktrack_src_destroy(&kn->src);
err_table:
	ktrack_table_destroy(&kn->table);
err_stats:
	ktrack_stats_exit(net, kn);
	return err;
}

static void __net_exit ktrack_net_exit(struct net *net)
{
	struct ktrack_net *kn = ktrack_pernet(net);

	/* no packet is in ktrack after this (it waits for the hooks in flight) */
	ktrack_hooks_unregister(net);
	ktrack_proc_exit(kn);
	ktrack_sysctl_exit(kn);
	ktrack_expire_stop(kn);
	ktrack_resize_stop(kn);
	ktrack_table_destroy(&kn->table);
	ktrack_src_destroy(&kn->src);
	ktrack_limits_exit(kn);
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
