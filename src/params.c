// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - module parameters. Each is range-checked when set, so insmod refuses a bad value with a
 * message naming the parameter and its range. They are the defaults a network namespace starts with;
 * each netns then has its own copy under sysctl net.ktrack.*.
 *
 * Every tunable is also writable at run time (mode 0644 under /sys/module/ktrack/parameters/). A
 * write there is range-checked like the sysctl (the same bounds) and, when accepted, does two
 * things: it becomes the default of namespaces created from then on, and it is written to the
 * initial namespace's net.ktrack.<name> (so on a host without containers the parameter and the
 * sysctl stay one setting). Other existing namespaces keep their values. A write the initial
 * namespace refuses (per_src_prefix4/6 while sources are counted: EBUSY) changes nothing.
 * hashsize and netns_hashsize are read-only (0444): the initial size of the initial namespace's
 * table, and of every other's, when that is created; 0 (the default): automatic, a small table
 * that follows the load (net.c, resize.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/net_namespace.h>
#include <linux/mm.h>
#include <linux/log2.h>

#include "net.h"
#include "params.h"
#include "state.h"

/* Largest table the module accepts; above it the bucket array alone is 512 MiB. */
#define KTRACK_MAX_CONNS_CAP	(1U << 26)
#define KTRACK_HASHSIZE_MIN	256U
#define KTRACK_HASHSIZE_MAX	(1U << 26)

static int ktrack_uint_set(const char *val, const struct kernel_param *kp)
{
	struct ktrack_uint_param *p = kp->arg;
	unsigned int v;
	int err;

	err = kstrtouint(val, 0, &v);
	if (err) {
		pr_err("%s=%s is not a number\n", kp->name, val);
		return err;
	}
	if (v < p->min || v > p->max) {
		pr_err("%s=%u is out of range %u..%u\n", kp->name, v, p->min, p->max);
		return -ERANGE;
	}
	err = ktrack_tunable_check(p - ktrack_defaults, v);
	if (err)
		return err;
	/* at run time (the module's parameter lock is held): the initial netns first */
	if (ktrack_params_live) {
		err = ktrack_net_tunable_set(ktrack_pernet(&init_net), p - ktrack_defaults, v);
		if (err)
			return err;
	}
	p->val = v;
	return 0;
}

static int ktrack_uint_get(char *buffer, const struct kernel_param *kp)
{
	const struct ktrack_uint_param *p = kp->arg;

	return sysfs_emit(buffer, "%u\n", p->val);
}

static const struct kernel_param_ops ktrack_uint_ops = {
	.set = ktrack_uint_set,
	.get = ktrack_uint_get,
};

#define KTRACK_DEF(v, lo, hi) { .val = (v), .min = (lo), .max = (hi) }

struct ktrack_uint_param ktrack_defaults[KTRACK_NTUNABLES] = {
	[KTRACK_MAX_CONNS] = KTRACK_DEF(0, 0, KTRACK_MAX_CONNS_CAP),
	[KTRACK_PER_SRC_LIMIT] = KTRACK_DEF(0, 0, KTRACK_MAX_CONNS_CAP),
	[KTRACK_PER_SRC_PREFIX4] = KTRACK_DEF(32, 1, 32),
	[KTRACK_PER_SRC_PREFIX6] = KTRACK_DEF(64, 1, 128),
	[KTRACK_TCP_TIMEOUT_SYN_SENT] = KTRACK_DEF(120, 1, INT_MAX / HZ),
	[KTRACK_TCP_TIMEOUT_SYN_RECV] = KTRACK_DEF(60, 1, INT_MAX / HZ),
	[KTRACK_TCP_TIMEOUT_ESTABLISHED] = KTRACK_DEF(432000, 1, INT_MAX / HZ),
	[KTRACK_TCP_TIMEOUT_FIN_WAIT] = KTRACK_DEF(120, 1, INT_MAX / HZ),
	[KTRACK_TCP_TIMEOUT_CLOSE_WAIT] = KTRACK_DEF(60, 1, INT_MAX / HZ),
	[KTRACK_TCP_TIMEOUT_LAST_ACK] = KTRACK_DEF(30, 1, INT_MAX / HZ),
	[KTRACK_TCP_TIMEOUT_TIME_WAIT] = KTRACK_DEF(0, 0, INT_MAX / HZ),
	[KTRACK_TCP_TIMEOUT_CLOSE] = KTRACK_DEF(10, 0, INT_MAX / HZ),
	[KTRACK_UDP_TIMEOUT] = KTRACK_DEF(30, 1, INT_MAX / HZ),
	[KTRACK_UDP_TIMEOUT_STREAM] = KTRACK_DEF(120, 1, INT_MAX / HZ),
	[KTRACK_ICMP_TIMEOUT] = KTRACK_DEF(30, 1, INT_MAX / HZ),
	[KTRACK_NOTRACK] = KTRACK_DEF(0, 0, 1),
	[KTRACK_LOOSE] = KTRACK_DEF(1, 0, 1),
	[KTRACK_TCP_TIMEOUT_UNACK] = KTRACK_DEF(300, 1, INT_MAX / HZ),
	[KTRACK_STATE_MARK] = KTRACK_DEF(0, 0, UINT_MAX),
	[KTRACK_TW_RESCUE] = KTRACK_DEF(0, 0, 1),
};

#define KTRACK_PARAM(name, idx, desc)						\
	module_param_cb(name, &ktrack_uint_ops, &ktrack_defaults[idx], 0644);	\
	MODULE_PARM_DESC(name, desc)

KTRACK_PARAM(max_conns, KTRACK_MAX_CONNS,
	     "Connections a netns may track (0: 1 per KiB of RAM, at least 65536)");
KTRACK_PARAM(per_src_limit, KTRACK_PER_SRC_LIMIT,
	     "Live connections per masked source address (0: unlimited)");
KTRACK_PARAM(per_src_prefix4, KTRACK_PER_SRC_PREFIX4, "IPv4 source prefix length for limits");
KTRACK_PARAM(per_src_prefix6, KTRACK_PER_SRC_PREFIX6, "IPv6 source prefix length for limits");
KTRACK_PARAM(tcp_timeout_syn_sent, KTRACK_TCP_TIMEOUT_SYN_SENT, "Seconds");
KTRACK_PARAM(tcp_timeout_syn_recv, KTRACK_TCP_TIMEOUT_SYN_RECV, "Seconds");
KTRACK_PARAM(tcp_timeout_established, KTRACK_TCP_TIMEOUT_ESTABLISHED, "Seconds");
KTRACK_PARAM(tcp_timeout_fin_wait, KTRACK_TCP_TIMEOUT_FIN_WAIT, "Seconds");
KTRACK_PARAM(tcp_timeout_close_wait, KTRACK_TCP_TIMEOUT_CLOSE_WAIT, "Seconds");
KTRACK_PARAM(tcp_timeout_last_ack, KTRACK_TCP_TIMEOUT_LAST_ACK, "Seconds");
KTRACK_PARAM(tcp_timeout_time_wait, KTRACK_TCP_TIMEOUT_TIME_WAIT,
	     "Seconds a closed connection holds its tuple (0: deleted on the last ACK)");
KTRACK_PARAM(tcp_timeout_close, KTRACK_TCP_TIMEOUT_CLOSE, "Seconds");
KTRACK_PARAM(udp_timeout, KTRACK_UDP_TIMEOUT, "Seconds, UDP flow not yet answered");
KTRACK_PARAM(udp_timeout_stream, KTRACK_UDP_TIMEOUT_STREAM, "Seconds, answered UDP flow");
KTRACK_PARAM(icmp_timeout, KTRACK_ICMP_TIMEOUT, "Seconds, ICMP echo");
KTRACK_PARAM(notrack, KTRACK_NOTRACK, "Mark tracked packets untracked for nf_conntrack (0/1)");
KTRACK_PARAM(loose, KTRACK_LOOSE,
	     "Pick up connections opened before load (1) or drop their packets (0)");
KTRACK_PARAM(tcp_timeout_unacknowledged, KTRACK_TCP_TIMEOUT_UNACK,
	     "Seconds, a picked-up connection not yet answered (at most tcp_timeout_established)");

KTRACK_PARAM(state_mark, KTRACK_STATE_MARK,
	     "skb->mark bits that carry the state to the firewall: 4 or 5 contiguous bits (0: off)");
KTRACK_PARAM(tw_rescue, KTRACK_TW_RESCUE,
	     "Remove the TIME_WAIT socket that would refuse a new SYN from a reused port (0/1)");

int ktrack_tunable_check(enum ktrack_tunable t, unsigned int v)
{
	unsigned int n = hweight32(v);

	if (t != KTRACK_STATE_MARK || !v)
		return 0;
	if ((n == KTRACK_STATE_BITS || n == KTRACK_STATE_BITS + 1) && (v >> __ffs(v)) == (1U << n) - 1)
		return 0;
	pr_info_ratelimited("state_mark=%#x is not 0 or a mask of %u or %u contiguous bits\n", v,
			    KTRACK_STATE_BITS, KTRACK_STATE_BITS + 1);
	return -EINVAL;
}

unsigned int ktrack_hashsize;
unsigned int ktrack_netns_hashsize;
bool ktrack_params_live;

/* hashsize and netns_hashsize: a bucket count, rounded up, or 0: automatic. */
static int ktrack_hashsize_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err;

	err = kstrtouint(val, 0, &v);
	if (err) {
		pr_err("%s=%s is not a number\n", kp->name, val);
		return err;
	}
	if (v && (v < KTRACK_HASHSIZE_MIN || v > KTRACK_HASHSIZE_MAX)) {
		pr_err("%s=%u is out of range %u..%u (0: automatic)\n", kp->name, v,
		       KTRACK_HASHSIZE_MIN, KTRACK_HASHSIZE_MAX);
		return -ERANGE;
	}
	*(unsigned int *)kp->arg = v ? roundup_pow_of_two(v) : 0;
	return 0;
}

static const struct kernel_param_ops ktrack_hashsize_ops = {
	.set = ktrack_hashsize_set,
	.get = param_get_uint,
};

module_param_cb(hashsize, &ktrack_hashsize_ops, &ktrack_hashsize, 0444);
MODULE_PARM_DESC(hashsize,
		 "Initial buckets of the initial netns, and its floor (a power of two; 0: automatic)");
module_param_cb(netns_hashsize, &ktrack_hashsize_ops, &ktrack_netns_hashsize, 0444);
MODULE_PARM_DESC(netns_hashsize,
		 "Initial buckets of every other netns, and its floor (a power of two; 0: automatic)");

/* Fill in the defaults that depend on the machine. */
int ktrack_params_init(void)
{
	struct ktrack_uint_param *max = &ktrack_defaults[KTRACK_MAX_CONNS];

	if (!max->val) {
		u64 kib = (u64)totalram_pages() << (PAGE_SHIFT - 10);

		max->val = clamp_t(u64, kib, 65536, KTRACK_MAX_CONNS_CAP);
	}
	return 0;
}

/* From now on (until ktrack_params_stop) a parameter write reaches the initial netns too. */
void ktrack_params_start(void)
{
	kernel_param_lock(THIS_MODULE);
	ktrack_params_live = true;
	kernel_param_unlock(THIS_MODULE);
}

void ktrack_params_stop(void)
{
	kernel_param_lock(THIS_MODULE);
	ktrack_params_live = false;
	kernel_param_unlock(THIS_MODULE);
}
