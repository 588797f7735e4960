// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - /sys/kernel/ktrack/: the counters of the initial network namespace, one read-only
 * value per file, for tools that read files rather than speak netlink (node_exporter's textfile
 * collectors, collectd, a shell loop):
 *
 *   version                      the module's release (KTRACK_VERSION)
 *   count buckets sources max_conns events_overflow
 *                                the table-wide values of KTRACK_CMD_GET_STATS
 *   packets found new ... notrack
 *                                each column of /proc/net/stat/ktrack, summed over CPUs
 *   live_other live_syn_sent ... live_close
 *                                live entries by TCP state (live_other: UDP and ICMP)
 *
 * Other namespaces are read through /proc/net/stat/ktrack or ktrackctl in that namespace: sysfs is
 * not per netns. Each read sums the per-CPU counters afresh; nothing is cached.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <net/net_namespace.h>

#include "net.h"
#include "stats.h"
#include "sysfs.h"
#include "version.h"

/* Files, in this order: the counters, the live counts, the table values, version. */
#define KTRACK_SYSFS_LIVE	KTRACK_NSTATS
#define KTRACK_SYSFS_TABLE	(KTRACK_SYSFS_LIVE + KTRACK_TCP_NSTATES)
#define KTRACK_SYSFS_VERSION	(KTRACK_SYSFS_TABLE + KTRACK_NTABLEVALS)
#define KTRACK_SYSFS_NFILES	(KTRACK_SYSFS_VERSION + 1)

static struct kobject *ktrack_kobj;
static struct kobj_attribute *ktrack_sysfs_attrs;
static struct attribute **ktrack_sysfs_list;

static ssize_t ktrack_sysfs_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct ktrack_net *kn = ktrack_pernet(&init_net);
	unsigned int i = attr - ktrack_sysfs_attrs;

	if (i < KTRACK_SYSFS_LIVE)
		return sysfs_emit(buf, "%llu\n", ktrack_stats_sum(kn, i));
	if (i < KTRACK_SYSFS_TABLE)
		return sysfs_emit(buf, "%lld\n", ktrack_stats_live_sum(kn, i - KTRACK_SYSFS_LIVE));
	if (i < KTRACK_SYSFS_VERSION)
		return sysfs_emit(buf, "%llu\n", ktrack_stats_table(kn, i - KTRACK_SYSFS_TABLE));
	return sysfs_emit(buf, "%s\n", KTRACK_VERSION);
}

static const char *ktrack_sysfs_name(unsigned int i)
{
	if (i < KTRACK_SYSFS_LIVE)
		return ktrack_stat_names[i];
	if (i < KTRACK_SYSFS_TABLE)
		return ktrack_live_names[i - KTRACK_SYSFS_LIVE];
	if (i < KTRACK_SYSFS_VERSION)
		return ktrack_table_names[i - KTRACK_SYSFS_TABLE];
	return "version";
}

int ktrack_sysfs_init(void)
{
	struct attribute_group group = { };
	unsigned int i;
	int err = -ENOMEM;

	ktrack_sysfs_attrs = kcalloc(KTRACK_SYSFS_NFILES, sizeof(*ktrack_sysfs_attrs), GFP_KERNEL);
	ktrack_sysfs_list = kcalloc(KTRACK_SYSFS_NFILES + 1, sizeof(*ktrack_sysfs_list),
				    GFP_KERNEL);
	if (!ktrack_sysfs_attrs || !ktrack_sysfs_list)
		goto err_free;
	for (i = 0; i < KTRACK_SYSFS_NFILES; i++) {
		struct kobj_attribute *a = &ktrack_sysfs_attrs[i];

		sysfs_attr_init(&a->attr);
		a->attr.name = ktrack_sysfs_name(i);
		a->attr.mode = 0444;
		a->show = ktrack_sysfs_show;
		ktrack_sysfs_list[i] = &a->attr;
	}
	group.attrs = ktrack_sysfs_list;
	ktrack_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!ktrack_kobj)
		goto err_free;
	err = sysfs_create_group(ktrack_kobj, &group);
	if (err)
		goto err_put;
	return 0;

err_put:
	kobject_put(ktrack_kobj);
err_free:
	kfree(ktrack_sysfs_list);
	kfree(ktrack_sysfs_attrs);
	return err;
}

void ktrack_sysfs_exit(void)
{
	/* removes the files and waits for readers still in ktrack_sysfs_show() */
	kobject_put(ktrack_kobj);
	kfree(ktrack_sysfs_list);
	kfree(ktrack_sysfs_attrs);
}
