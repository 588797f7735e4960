// SPDX-License-Identifier: GPL-2.0
/*
 * proc.c - /proc/net/ktrack: one line per connection of the netns, in the format of
 * /proc/net/nf_conntrack (family, protocol, seconds left, TCP state, the original tuple, [UNREPLIED]
 * while no answer was seen, the reply tuple, [ASSURED] once answered (UDP: once a stream, as
 * nf_conntrack's).
 *
 * The walk goes bucket by bucket under RCU and remembers where it stopped (a place that a resize
 * between two reads leaves where it is: struct ktrack_walk), so reading a table of millions of
 * entries costs one pass (nf_conntrack's file restarts from the first bucket on every read). An
 * entry that lives through the whole read is shown once; one that comes or goes meanwhile may be
 * missed or shown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/in.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/net_namespace.h>

#include "net.h"
#include "proc.h"
#include "tcp.h"

struct ktrack_proc_iter {
	struct seq_net_private p;
	struct ktrack_walk before;	/* the place before the entry shown last (or to show) */
	struct ktrack_walk at;		/* that entry's place */
	loff_t pos;			/* its position */
};

static void *ktrack_proc_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct ktrack_proc_iter *it = seq->private;
	struct ktrack_table *t = &ktrack_pernet(seq_file_net(seq))->table;
	struct ktrack_conn *ct;

	/* no resize during one read; one between reads leaves the place where it is */
	mutex_lock(&t->resize_mutex);
	rcu_read_lock();
	if (*pos == 0 || *pos != it->pos) {
		/* a fresh read, or a seek: start over and walk to *pos */
		loff_t n;

		ktrack_walk_init(&it->before);
		for (n = 0; n < *pos; n++)
			if (!ktrack_table_walk_next(t, &it->before))
				return NULL;
		it->pos = *pos;
	}
	/* the entry after the place: the one that did not fit last time, or what came after it */
	it->at = it->before;
	ct = ktrack_table_walk_next(t, &it->at);
	return ct;
}

static void *ktrack_proc_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct ktrack_proc_iter *it = seq->private;
	struct ktrack_table *t = &ktrack_pernet(seq_file_net(seq))->table;

	it->before = it->at;
	it->pos = ++*pos;
	return ktrack_table_walk_next(t, &it->at);
}

static void ktrack_proc_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	struct ktrack_table *t = &ktrack_pernet(seq_file_net(seq))->table;

	rcu_read_unlock();
	mutex_unlock(&t->resize_mutex);
}

static void ktrack_proc_tuple(struct seq_file *seq, const struct ktrack_conn *ct, bool reply)
{
	bool icmp = ktrack_conn_l4(ct) == KTRACK_L4_ICMP;
	__be16 sport = reply ? ct->dport : ct->sport;
	__be16 dport = reply ? ct->sport : ct->dport;

	if (ktrack_conn_is_v6(ct)) {
		const struct ktrack_conn6 *c6 = container_of(ct, struct ktrack_conn6, c);

		seq_printf(seq, " src=%pI6c dst=%pI6c", reply ? &c6->daddr : &c6->saddr,
			   reply ? &c6->saddr : &c6->daddr);
		if (icmp)
			seq_printf(seq, " type=%u code=0 id=%u",
				   reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST,
				   ntohs(ct->sport));
	} else {
		const struct ktrack_conn4 *c4 = container_of(ct, struct ktrack_conn4, c);

		seq_printf(seq, " src=%pI4 dst=%pI4", reply ? &c4->daddr : &c4->saddr,
			   reply ? &c4->saddr : &c4->daddr);
		if (icmp)
			seq_printf(seq, " type=%u code=0 id=%u", reply ? ICMP_ECHOREPLY : ICMP_ECHO,
				   ntohs(ct->sport));
	}
	if (!icmp)
		seq_printf(seq, " sport=%u dport=%u", ntohs(sport), ntohs(dport));
}

static int ktrack_proc_show(struct seq_file *seq, void *v)
{
	const struct ktrack_conn *ct = v;
	bool v6 = ktrack_conn_is_v6(ct), replied = ct->flags & KTRACK_F_REPLIED;
	u32 left = ktrack_conn_left(ktrack_pernet(seq_file_net(seq)), ct);
	const char *pname;
	unsigned int pnum;

	switch (ktrack_conn_l4(ct)) {
	case KTRACK_L4_TCP:
		pname = "tcp";
		pnum = IPPROTO_TCP;
		break;
	case KTRACK_L4_UDP:
		pname = "udp";
		pnum = IPPROTO_UDP;
		break;
	default:
		pname = v6 ? "icmpv6" : "icmp";
		pnum = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		break;
	}
	seq_printf(seq, "%-8s %u %-8s %u %u", v6 ? "ipv6" : "ipv4", v6 ? 10 : 2, pname, pnum, left);
	if (ktrack_conn_l4(ct) == KTRACK_L4_TCP)
		seq_printf(seq, " %s", ktrack_tcp_state_name(ct->state));
	ktrack_proc_tuple(seq, ct, false);
	if (!replied)
		seq_puts(seq, " [UNREPLIED]");
	ktrack_proc_tuple(seq, ct, true);
	if (ktrack_conn_l4(ct) == KTRACK_L4_UDP ? ct->flags & KTRACK_F_STREAM : replied)
		seq_puts(seq, " [ASSURED]");
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations ktrack_proc_ops = {
	.start = ktrack_proc_start,
	.next = ktrack_proc_next,
	.stop = ktrack_proc_stop,
	.show = ktrack_proc_show,
};

int ktrack_proc_init(struct ktrack_net *kn)
{
	if (!proc_create_net("ktrack", 0440, kn->net->proc_net, &ktrack_proc_ops,
			     sizeof(struct ktrack_proc_iter)))
		return -ENOMEM;
	return 0;
}

void ktrack_proc_exit(struct ktrack_net *kn)
{
	remove_proc_entry("ktrack", kn->net->proc_net);
}
