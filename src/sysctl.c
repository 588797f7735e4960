// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl.c - net.ktrack.* per network namespace: every tunable of params.h under its module
 * parameter's name, range-checked (a bad value is refused and changes nothing), and the read-only
 * net.ktrack.count (live entries) and net.ktrack.buckets. max_conns is read-only in a netns owned
 * by another user namespace than the initial one (netlink refuses it there too).
 *
 * per_src_prefix4/6 may change only while no source is counted in the netns (else EBUSY): a live
 * connection is released against the prefix it was counted with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "net.h"
#include "sysctl.h"

static const char *const ktrack_sysctl_names[KTRACK_NTUNABLES] = {
	[KTRACK_MAX_CONNS] = "max_conns",
	[KTRACK_PER_SRC_LIMIT] = "per_src_limit",
	[KTRACK_PER_SRC_PREFIX4] = "per_src_prefix4",
	[KTRACK_PER_SRC_PREFIX6] = "per_src_prefix6",
	[KTRACK_TCP_TIMEOUT_SYN_SENT] = "tcp_timeout_syn_sent",
	[KTRACK_TCP_TIMEOUT_SYN_RECV] = "tcp_timeout_syn_recv",
	[KTRACK_TCP_TIMEOUT_ESTABLISHED] = "tcp_timeout_established",
	[KTRACK_TCP_TIMEOUT_FIN_WAIT] = "tcp_timeout_fin_wait",
	[KTRACK_TCP_TIMEOUT_CLOSE_WAIT] = "tcp_timeout_close_wait",
	[KTRACK_TCP_TIMEOUT_LAST_ACK] = "tcp_timeout_last_ack",
	[KTRACK_TCP_TIMEOUT_TIME_WAIT] = "tcp_timeout_time_wait",
	[KTRACK_TCP_TIMEOUT_CLOSE] = "tcp_timeout_close",
	[KTRACK_UDP_TIMEOUT] = "udp_timeout",
	[KTRACK_UDP_TIMEOUT_STREAM] = "udp_timeout_stream",
	[KTRACK_ICMP_TIMEOUT] = "icmp_timeout",
	[KTRACK_NOTRACK] = "notrack",
	[KTRACK_LOOSE] = "loose",
	[KTRACK_TCP_TIMEOUT_UNACK] = "tcp_timeout_unacknowledged",
	[KTRACK_STATE_MARK] = "state_mark",
	[KTRACK_TW_RESCUE] = "tw_rescue",
};

enum {
	KTRACK_SYSCTL_COUNT = KTRACK_NTUNABLES,
	KTRACK_SYSCTL_BUCKETS,
	KTRACK_NSYSCTLS
};

static int ktrack_sysctl_prefix(struct ctl_table *table, int write, void *buffer, size_t *lenp,
				loff_t *ppos)
{
	unsigned int *cur = table->data, val = READ_ONCE(*cur);
	struct ktrack_net *kn = table->extra1 == &ktrack_defaults[KTRACK_PER_SRC_PREFIX4].min ?
		container_of(cur, struct ktrack_net, tun[KTRACK_PER_SRC_PREFIX4]) :
		container_of(cur, struct ktrack_net, tun[KTRACK_PER_SRC_PREFIX6]);
	struct ctl_table tmp = *table;
	int err;

	tmp.data = &val;
	err = proc_douintvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write || val == *cur)
		return err;
	return ktrack_net_tunable_set(kn, cur - kn->tun, val);
}

/* state_mark: its shape is checked by the netns (extra1) */
static int ktrack_sysctl_state_mark(struct ctl_table *table, int write, void *buffer,
				    size_t *lenp, loff_t *ppos)
{
	struct ktrack_net *kn = table->extra1;
	unsigned int val = READ_ONCE(kn->tun[KTRACK_STATE_MARK]);
	struct ctl_table tmp = *table;
	int err;

	tmp.data = &val;
	err = proc_douintvec(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	return ktrack_net_tunable_set(kn, KTRACK_STATE_MARK, val);
}

static int ktrack_sysctl_count(struct ctl_table *table, int write, void *buffer, size_t *lenp,
			       loff_t *ppos)
{
	struct ktrack_net *kn = table->data;
	unsigned int count = max_t(s64, percpu_counter_sum(&kn->table.count), 0);
	struct ctl_table tmp = *table;

	tmp.data = &count;
	return proc_douintvec(&tmp, write, buffer, lenp, ppos);
}

int ktrack_sysctl_init(struct ktrack_net *kn)
{
	struct ctl_table *table;
	int i;

	table = kcalloc(KTRACK_NSYSCTLS + 1, sizeof(*table), GFP_KERNEL_ACCOUNT);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < KTRACK_NTUNABLES; i++) {
		table[i].procname = ktrack_sysctl_names[i];
		table[i].data = &kn->tun[i];
		table[i].maxlen = sizeof(unsigned int);
		table[i].mode = 0644;
		table[i].proc_handler = proc_douintvec_minmax;
		table[i].extra1 = &ktrack_defaults[i].min;
		table[i].extra2 = &ktrack_defaults[i].max;
	}
	/* as nf_conntrack_max: a container's root may not raise what its table may take */
	if (kn->net->user_ns != &init_user_ns)
		table[KTRACK_MAX_CONNS].mode = 0444;
	table[KTRACK_PER_SRC_PREFIX4].proc_handler = ktrack_sysctl_prefix;
	table[KTRACK_PER_SRC_PREFIX6].proc_handler = ktrack_sysctl_prefix;
	table[KTRACK_STATE_MARK].proc_handler = ktrack_sysctl_state_mark;
	table[KTRACK_STATE_MARK].extra1 = kn;
	table[KTRACK_STATE_MARK].extra2 = NULL;

	table[KTRACK_SYSCTL_COUNT].procname = "count";
	table[KTRACK_SYSCTL_COUNT].data = kn;
	table[KTRACK_SYSCTL_COUNT].maxlen = sizeof(unsigned int);
	table[KTRACK_SYSCTL_COUNT].mode = 0444;
	table[KTRACK_SYSCTL_COUNT].proc_handler = ktrack_sysctl_count;

	table[KTRACK_SYSCTL_BUCKETS].procname = "buckets";
	table[KTRACK_SYSCTL_BUCKETS].data = &kn->table.nbuckets;
	table[KTRACK_SYSCTL_BUCKETS].maxlen = sizeof(unsigned int);
	table[KTRACK_SYSCTL_BUCKETS].mode = 0444;
	table[KTRACK_SYSCTL_BUCKETS].proc_handler = proc_douintvec;

	kn->sysctl = register_net_sysctl(kn->net, "net/ktrack", table);
	if (!kn->sysctl) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void ktrack_sysctl_exit(struct ktrack_net *kn)
{
	struct ctl_table *table = kn->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(kn->sysctl);
	kfree(table);
}
