// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module load and unload.
 *
 * ktrack tracks TCP, UDP and ICMP connections in place of nf_conntrack on busy servers: one entry per
 * connection in a per-netns RCU hash table, per-source connection limits, entries deleted at once on
 * RST and after a completed FIN exchange. See the other files' top comments for each part.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>

#include "net.h"
#include "netlink.h"
#include "params.h"
#include "source.h"
#include "sysfs.h"
#include "table.h"
#include "track.h"
#include "version.h"

static int __init ktrack_init(void)
{
	int err;

	err = ktrack_params_init();
	if (err)
		return err;
	err = ktrack_conn_caches_init();
	if (err)
		return err;
	err = ktrack_src_caches_init();
	if (err)
		goto err_conn;
	err = ktrack_track_init();
	if (err)
		goto err_src;
	err = ktrack_net_register();
	if (err)
		goto err_track;
	ktrack_params_start();
	err = ktrack_sysfs_init();
	if (err)
		goto err_net;
	err = ktrack_nl_init();
	if (err)
		goto err_sysfs;
	pr_info("loaded: max_conns %u, buckets %u%s\n", ktrack_defaults[KTRACK_MAX_CONNS].val,
		READ_ONCE(ktrack_pernet(&init_net)->table.nbuckets),
		ktrack_hashsize ? "" : " (automatic)");
	return 0;

err_sysfs:
	ktrack_sysfs_exit();
err_net:
	ktrack_params_stop();
	ktrack_net_unregister();
	rcu_barrier();
err_track:
	ktrack_track_exit();
err_src:
	ktrack_src_caches_exit();
err_conn:
	ktrack_conn_caches_exit();
	return err;
}

static void __exit ktrack_exit(void)
{
	ktrack_nl_exit();
	ktrack_sysfs_exit();
	ktrack_params_stop();
	ktrack_net_unregister();
	rcu_barrier();	/* entries freed after a grace period */
	ktrack_track_exit();
	ktrack_src_caches_exit();
	ktrack_conn_caches_exit();
	pr_info("unloaded\n");
}

module_init(ktrack_init);
module_exit(ktrack_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Connection tracking for busy servers: per-source limits, immediate expiry");
MODULE_AUTHOR("The ktrack developers");
MODULE_VERSION(KTRACK_VERSION);
