// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - the per-CPU counters of a netns and /proc/net/stat/ktrack, in the layout lnstat reads
 * (that of nf_conntrack's file): a header row naming the columns, then one row per possible CPU,
 * values in hexadecimal; the first column, entries, is the table's count, the same in every row (lnstat
 * shows the first column as a value and sums the others). Also /proc/net/ktrack_chains, one line on
 * the shape of the connection table's chains ("buckets B used U entries E longest L"), then one for
 * each family's sources ("sources ipv4 buckets B ..."), computed by a walk when read; root only (0400), as chain lengths would tell an attacker which of its flows
 * collide, and outside /proc/net/stat, where lnstat opens every file and stops at one it cannot read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "conn.h"
#include "net.h"
#include "stats.h"

const char *const ktrack_stat_names[KTRACK_NSTATS] = {
	[KTRACK_STAT_PACKETS] = "packets",
	[KTRACK_STAT_FOUND] = "found",
	[KTRACK_STAT_NEW] = "new",
	[KTRACK_STAT_INVALID] = "invalid",
	[KTRACK_STAT_IGNORED] = "ignored",
	[KTRACK_STAT_OTHER] = "other",
	[KTRACK_STAT_FRAGMENT] = "fragment",
	[KTRACK_STAT_TRUNCATED] = "truncated",
	[KTRACK_STAT_MALFORMED] = "malformed",
	[KTRACK_STAT_DROP_TABLE] = "drop_table",
	[KTRACK_STAT_DROP_SOURCE] = "drop_source",
	[KTRACK_STAT_DROP_INVALID] = "drop_invalid",
	[KTRACK_STAT_DROP_NOMEM] = "drop_nomem",
	[KTRACK_STAT_EVICTED] = "evicted",
	[KTRACK_STAT_DEL_RST] = "del_rst",
	[KTRACK_STAT_DEL_FIN] = "del_fin",
	[KTRACK_STAT_DEL_TIMEOUT] = "del_timeout",
	[KTRACK_STAT_DEL_FLUSH] = "del_flush",
	[KTRACK_STAT_TW_REUSE] = "tw_reuse",
	[KTRACK_STAT_NOTRACK] = "notrack",
	[KTRACK_STAT_BAD_CHECKSUM] = "bad_checksum",
	[KTRACK_STAT_RST_INEXACT] = "rst_inexact",
	[KTRACK_STAT_RESYNC] = "resync",
	[KTRACK_STAT_PICKUP] = "pickup",
	[KTRACK_STAT_RELATED] = "related",
	[KTRACK_STAT_DEL_ICMP] = "del_icmp",
	[KTRACK_STAT_TW_RESCUE] = "tw_rescue",
	[KTRACK_STAT_TW_RESCUE_SKIP] = "tw_rescue_skip",
	[KTRACK_STAT_RESIZE_GROW] = "resize_grow",
	[KTRACK_STAT_RESIZE_SHRINK] = "resize_shrink",
	[KTRACK_STAT_RESIZE_FAIL] = "resize_fail",
};

const char *const ktrack_live_names[KTRACK_TCP_NSTATES] = {
	[KTRACK_TCP_NONE] = "live_other",
	[KTRACK_TCP_SYN_SENT] = "live_syn_sent",
	[KTRACK_TCP_SYN_RECV] = "live_syn_recv",
	[KTRACK_TCP_ESTABLISHED] = "live_established",
	[KTRACK_TCP_FIN_WAIT] = "live_fin_wait",
	[KTRACK_TCP_CLOSE_WAIT] = "live_close_wait",
	[KTRACK_TCP_LAST_ACK] = "live_last_ack",
	[KTRACK_TCP_TIME_WAIT] = "live_time_wait",
	[KTRACK_TCP_CLOSE] = "live_close",
};

const char *const ktrack_table_names[KTRACK_NTABLEVALS] = {
	[KTRACK_TV_COUNT] = "count",
	[KTRACK_TV_BUCKETS] = "buckets",
	[KTRACK_TV_SOURCES] = "sources",
	[KTRACK_TV_MAX_CONNS] = "max_conns",
	[KTRACK_TV_EVENTS_OVERFLOW] = "events_overflow",
};

u64 ktrack_stats_sum(const struct ktrack_net *kn, enum ktrack_stat stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(kn->stats, cpu)->cnt[stat];
	return sum;
}

s64 ktrack_stats_live_sum(const struct ktrack_net *kn, unsigned int state)
{
	s64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(kn->stats, cpu)->tcp_live[state];
	return sum;
}

u64 ktrack_stats_table(struct ktrack_net *kn, enum ktrack_tableval v)
{
	switch (v) {
	case KTRACK_TV_COUNT:
		return max_t(s64, percpu_counter_sum(&kn->table.count), 0);
	case KTRACK_TV_BUCKETS:
		return kn->table.nbuckets;
	case KTRACK_TV_SOURCES:
		return ktrack_src_total(&kn->src);
	case KTRACK_TV_MAX_CONNS:
		return READ_ONCE(kn->tun[KTRACK_MAX_CONNS]);
	default:
		return atomic_long_read(&kn->events_overflow);
	}
}

/* Rows: the header (SEQ_START_TOKEN), then each possible CPU; *pos is that CPU + 1. */
static void *ktrack_stat_seq_cpu(struct seq_file *seq, loff_t *pos, int cpu)
{
	struct ktrack_net *kn = ktrack_pernet(seq_file_net(seq));

	for (; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		*pos = cpu + 1;
		return per_cpu_ptr(kn->stats, cpu);
	}
	*pos = nr_cpu_ids + 1;
	return NULL;
}

static void *ktrack_stat_seq_start(struct seq_file *seq, loff_t *pos)
{
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return ktrack_stat_seq_cpu(seq, pos, *pos - 1);
}

static void *ktrack_stat_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	return ktrack_stat_seq_cpu(seq, pos, *pos);
}

static void ktrack_stat_seq_stop(struct seq_file *seq, void *v)
{
}

static int ktrack_stat_seq_show(struct seq_file *seq, void *v)
{
	struct ktrack_net *kn = ktrack_pernet(seq_file_net(seq));
	const struct ktrack_stats *st = v;
	int i;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "entries");
		for (i = 0; i < KTRACK_NSTATS; i++)
			seq_printf(seq, " %s", ktrack_stat_names[i]);
		seq_putc(seq, '\n');
		return 0;
	}

	seq_printf(seq, "%08llx", ktrack_stats_table(kn, KTRACK_TV_COUNT));
	for (i = 0; i < KTRACK_NSTATS; i++)
		seq_printf(seq, " %08llx", st->cnt[i]);
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations ktrack_stat_seq_ops = {
	.start = ktrack_stat_seq_start,
	.next = ktrack_stat_seq_next,
	.stop = ktrack_stat_seq_stop,
	.show = ktrack_stat_seq_show,
};

static int ktrack_chains_show(struct seq_file *seq, void *v)
{
	struct ktrack_net *kn = ktrack_pernet(seq_file_single_net(seq));
	unsigned int used, longest;
	unsigned long entries;

	int v6;

	ktrack_table_chains(&kn->table, &used, &entries, &longest);
	seq_printf(seq, "buckets %u used %u entries %lu longest %u\n", kn->table.nbuckets, used,
		   entries, longest);
	for (v6 = 0; v6 < 2; v6++) {
		ktrack_src_chains(&kn->src, v6, &used, &entries, &longest);
		seq_printf(seq, "sources %s buckets %u used %u entries %lu longest %u\n",
			   v6 ? "ipv6" : "ipv4", READ_ONCE(kn->src.fam[v6].nbuckets), used,
			   entries, longest);
	}
	return 0;
}

int ktrack_stats_init(struct net *net, struct ktrack_net *kn)
{
	BUILD_BUG_ON(ARRAY_SIZE(((struct ktrack_stats *)0)->tcp_live) < KTRACK_TCP_NSTATES);
	/* lnstat reads at most 32 columns of a file: entries and the counters */
	BUILD_BUG_ON(1 + KTRACK_NSTATS > 32);

	kn->stats = alloc_percpu_gfp(struct ktrack_stats, GFP_KERNEL_ACCOUNT);
	if (!kn->stats)
		return -ENOMEM;
	if (!proc_create_net("ktrack", 0444, net->proc_net_stat, &ktrack_stat_seq_ops,
			     sizeof(struct seq_net_private)))
		goto err_stats;
	if (!proc_create_net_single("ktrack_chains", 0400, net->proc_net, ktrack_chains_show, NULL))
		goto err_proc;
	return 0;

err_proc:
	remove_proc_entry("ktrack", net->proc_net_stat);
err_stats:
	free_percpu(kn->stats);
	return -ENOMEM;
}

void ktrack_stats_exit(struct net *net, struct ktrack_net *kn)
{
	remove_proc_entry("ktrack_chains", net->proc_net);
	remove_proc_entry("ktrack", net->proc_net_stat);
	free_percpu(kn->stats);
}
