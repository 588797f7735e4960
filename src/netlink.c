// SPDX-License-Identifier: GPL-2.0
/*
 * netlink.c - the generic netlink family "ktrack": policies, permissions and the handler of each
 * command documented in include/uapi/linux/ktrack.h.
 *
 * Every operation has its own strict policy (unknown attributes, wrong types and lengths, trailing
 * data are refused by the core with an extack message); what a policy cannot say (required members
 * of a nest, an address length that depends on the family) is checked here, with an extack message
 * naming the attribute, before anything changes. Mutations and connection dumps carry
 * GENL_UNS_ADMIN_PERM; statistics and configuration reads do not. The family is netns-aware and
 * runs its operations in parallel (parallel_ops): configuration and limit changes take
 * ktrack_limits_mutex.
 *
 * Connection and source dumps walk their hash buckets under RCU and keep a cursor in the netlink
 * callback, so memory stays bounded whatever the table size: a place that a resize leaves where it
 * is (struct ktrack_walk, walkorder.h), for connections and for each family's sources (see the uapi
 * header for the consistency this gives).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/slab.h>
#include <linux/ktrack.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "events.h"
#include "lifecycle.h"
#include "limits.h"
#include "net.h"
#include "netlink.h"
#include "walk.h"

/* Ranges of the tunables, from the module parameters' (params.c), filled in at load. */
static struct netlink_range_validation ktrack_cfg_range[KTRACK_NTUNABLES] __ro_after_init;

#define KTRACK_CFG_POL(t) NLA_POLICY_FULL_RANGE(NLA_U32, &ktrack_cfg_range[t])

static const struct nla_policy ktrack_cfg_policy[KTRACK_CFG_A_MAX + 1] = {
	[KTRACK_CFG_A_MAX_CONNS] = KTRACK_CFG_POL(KTRACK_MAX_CONNS),
	[KTRACK_CFG_A_PER_SRC_LIMIT] = KTRACK_CFG_POL(KTRACK_PER_SRC_LIMIT),
	[KTRACK_CFG_A_PER_SRC_PREFIX4] = KTRACK_CFG_POL(KTRACK_PER_SRC_PREFIX4),
	[KTRACK_CFG_A_PER_SRC_PREFIX6] = KTRACK_CFG_POL(KTRACK_PER_SRC_PREFIX6),
	[KTRACK_CFG_A_TCP_TIMEOUT_SYN_SENT] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_SYN_SENT),
	[KTRACK_CFG_A_TCP_TIMEOUT_SYN_RECV] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_SYN_RECV),
	[KTRACK_CFG_A_TCP_TIMEOUT_ESTABLISHED] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_ESTABLISHED),
	[KTRACK_CFG_A_TCP_TIMEOUT_FIN_WAIT] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_FIN_WAIT),
	[KTRACK_CFG_A_TCP_TIMEOUT_CLOSE_WAIT] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_CLOSE_WAIT),
	[KTRACK_CFG_A_TCP_TIMEOUT_LAST_ACK] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_LAST_ACK),
	[KTRACK_CFG_A_TCP_TIMEOUT_TIME_WAIT] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_TIME_WAIT),
	[KTRACK_CFG_A_TCP_TIMEOUT_CLOSE] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_CLOSE),
	[KTRACK_CFG_A_UDP_TIMEOUT] = KTRACK_CFG_POL(KTRACK_UDP_TIMEOUT),
	[KTRACK_CFG_A_UDP_TIMEOUT_STREAM] = KTRACK_CFG_POL(KTRACK_UDP_TIMEOUT_STREAM),
	[KTRACK_CFG_A_ICMP_TIMEOUT] = KTRACK_CFG_POL(KTRACK_ICMP_TIMEOUT),
	[KTRACK_CFG_A_NOTRACK] = KTRACK_CFG_POL(KTRACK_NOTRACK),
	[KTRACK_CFG_A_LOOSE] = KTRACK_CFG_POL(KTRACK_LOOSE),
	[KTRACK_CFG_A_TCP_TIMEOUT_UNACKNOWLEDGED] = KTRACK_CFG_POL(KTRACK_TCP_TIMEOUT_UNACK),
	[KTRACK_CFG_A_STATE_MARK] = KTRACK_CFG_POL(KTRACK_STATE_MARK),
	[KTRACK_CFG_A_TW_RESCUE] = KTRACK_CFG_POL(KTRACK_TW_RESCUE),
};

static const struct nla_policy ktrack_conn_policy[KTRACK_CONN_A_MAX + 1] = {
	[KTRACK_CONN_A_FAMILY] = { .type = NLA_U8 },
	[KTRACK_CONN_A_PROTO] = { .type = NLA_U8 },
	[KTRACK_CONN_A_SRC] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[KTRACK_CONN_A_DST] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[KTRACK_CONN_A_SPORT] = { .type = NLA_BE16 },
	[KTRACK_CONN_A_DPORT] = { .type = NLA_BE16 },
};

static const struct nla_policy ktrack_filter_policy[KTRACK_FILTER_A_MAX + 1] = {
	[KTRACK_FILTER_A_FAMILY] = { .type = NLA_U8 },
	[KTRACK_FILTER_A_PROTO] = { .type = NLA_U8 },
	[KTRACK_FILTER_A_STATE] = NLA_POLICY_RANGE(NLA_U8, KTRACK_STATE_SYN_SENT, KTRACK_STATE_MAX),
	[KTRACK_FILTER_A_SRC] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[KTRACK_FILTER_A_SRC_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[KTRACK_FILTER_A_DST] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[KTRACK_FILTER_A_DST_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[KTRACK_FILTER_A_PORT] = { .type = NLA_BE16 },
	[KTRACK_FILTER_A_SPORT] = { .type = NLA_BE16 },
	[KTRACK_FILTER_A_DPORT] = { .type = NLA_BE16 },
};

static const struct nla_policy ktrack_stats_policy[KTRACK_A_MAX + 1] = {
	[KTRACK_A_PERCPU] = { .type = NLA_FLAG },
};

static const struct nla_policy ktrack_setcfg_policy[KTRACK_A_MAX + 1] = {
	[KTRACK_A_CONFIG] = NLA_POLICY_NESTED(ktrack_cfg_policy),
};

static const struct nla_policy ktrack_conn_op_policy[KTRACK_A_MAX + 1] = {
	[KTRACK_A_CONN] = NLA_POLICY_NESTED(ktrack_conn_policy),
	[KTRACK_A_FILTER] = NLA_POLICY_NESTED(ktrack_filter_policy),
};

static const struct nla_policy ktrack_limit_op_policy[KTRACK_A_MAX + 1] = {
	[KTRACK_A_LIMIT] = NLA_POLICY_NESTED(ktrack_limit_policy),
};

static struct ktrack_net *ktrack_info_kn(struct genl_info *info)
{
	return ktrack_pernet(genl_info_net(info));
}

static struct ktrack_net *ktrack_cb_kn(struct netlink_callback *cb)
{
	return ktrack_pernet(sock_net(cb->skb->sk));
}

/* ---- stats --------------------------------------------------------------------------------- */

/* The attribute of counter @i: the first ones in order from PACKETS, the later ones from BAD_CHECKSUM. */
static int ktrack_stat_attr(int i)
{
	if (i < KTRACK_STAT_BAD_CHECKSUM)
		return KTRACK_STAT_A_PACKETS + i;
	return KTRACK_STAT_A_BAD_CHECKSUM + i - KTRACK_STAT_BAD_CHECKSUM;
}

/* One KTRACK_A_STATS nest: a CPU's row (@cpu >= 0), or the totals with the table-wide values. */
static int ktrack_put_stats(struct sk_buff *skb, const struct ktrack_stats *st, int cpu,
			    struct ktrack_net *kn)
{
	struct nlattr *nest = nla_nest_start(skb, KTRACK_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	if (cpu >= 0 && nla_put_u32(skb, KTRACK_STAT_A_CPU, cpu))
		goto cancel;
	for (i = 0; i < KTRACK_NSTATS; i++)
		if (nla_put_u64_64bit(skb, ktrack_stat_attr(i), st->cnt[i],
				      KTRACK_STAT_A_PAD))
			goto cancel;
	for (i = 0; i < KTRACK_TCP_NSTATES; i++)
		if (nla_put_s64(skb, KTRACK_STAT_A_LIVE_OTHER + i, st->tcp_live[i],
				KTRACK_STAT_A_PAD))
			goto cancel;
	for (i = 0; kn && i < KTRACK_NTABLEVALS; i++)
		if (nla_put_u64_64bit(skb, KTRACK_STAT_A_COUNT + i, ktrack_stats_table(kn, i),
				      KTRACK_STAT_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int ktrack_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_net *kn = ktrack_info_kn(info);
	bool percpu = nla_get_flag(info->attrs[KTRACK_A_PERCPU]);
	struct ktrack_stats *sum;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int cpu, i, err = -EMSGSIZE;

	BUILD_BUG_ON(KTRACK_STAT_A_PACKETS + KTRACK_STAT_BAD_CHECKSUM != KTRACK_STAT_A_LIVE_OTHER);
	BUILD_BUG_ON(KTRACK_STAT_A_LIVE_OTHER + KTRACK_TCP_NSTATES != KTRACK_STAT_A_COUNT);
	BUILD_BUG_ON(KTRACK_STAT_A_COUNT + KTRACK_NTABLEVALS != KTRACK_STAT_A_BAD_CHECKSUM);
	BUILD_BUG_ON(KTRACK_STAT_A_BAD_CHECKSUM + KTRACK_NSTATS - KTRACK_STAT_BAD_CHECKSUM - 1 !=
		     KTRACK_STAT_A_MAX);
	sum = kzalloc(sizeof(*sum), GFP_KERNEL);
	msg = genlmsg_new(percpu ? num_possible_cpus() * 1024 + 2048 : NLMSG_GOODSIZE, GFP_KERNEL);
	if (!sum || !msg) {
		err = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, &ktrack_genl_family, 0, KTRACK_CMD_GET_STATS);
	if (!hdr)
		goto out;
	for_each_possible_cpu(cpu) {
		const struct ktrack_stats *st = per_cpu_ptr(kn->stats, cpu);

		for (i = 0; i < KTRACK_NSTATS; i++)
			sum->cnt[i] += st->cnt[i];
		for (i = 0; i < KTRACK_TCP_NSTATES; i++)
			sum->tcp_live[i] += st->tcp_live[i];
	}
	if (ktrack_put_stats(msg, sum, -1, kn))
		goto out;
	if (percpu) {
		nest = nla_nest_start(msg, KTRACK_A_PERCPU);
		if (!nest)
			goto out;
		for_each_possible_cpu(cpu)
			if (ktrack_put_stats(msg, per_cpu_ptr(kn->stats, cpu), cpu, NULL))
				goto out;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	kfree(sum);
	return genlmsg_reply(msg, info);
out:
	kfree(sum);
	nlmsg_free(msg);
	return err;
}

/* ---- config -------------------------------------------------------------------------------- */

static int ktrack_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_net *kn = ktrack_info_kn(info);
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ktrack_genl_family, 0, KTRACK_CMD_GET_CONFIG);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, KTRACK_A_CONFIG);
	if (!nest)
		goto nospace;
	for (i = 0; i < KTRACK_NTUNABLES; i++)
		if (nla_put_u32(msg, KTRACK_CFG_A_MAX_CONNS + i, READ_ONCE(kn->tun[i])))
			goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ktrack_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_net *kn = ktrack_info_kn(info);
	struct nlattr *tb[KTRACK_CFG_A_MAX + 1];
	unsigned int val[KTRACK_NTUNABLES];
	unsigned long mask = 0;
	int i, err;

	BUILD_BUG_ON(KTRACK_CFG_A_MAX_CONNS + KTRACK_NTUNABLES - 1 != KTRACK_CFG_A_MAX);
	BUILD_BUG_ON(KTRACK_NTUNABLES > BITS_PER_LONG);
	if (GENL_REQ_ATTR_CHECK(info, KTRACK_A_CONFIG)) {
		NL_SET_ERR_MSG(info->extack, "KTRACK_A_CONFIG is required");
		return -EINVAL;
	}
	/* the policy has range-checked every value already */
	err = nla_parse_nested(tb, KTRACK_CFG_A_MAX, info->attrs[KTRACK_A_CONFIG], ktrack_cfg_policy,
			       info->extack);
	if (err)
		return err;
	/* as nf_conntrack_max: the memory a table may take is the host's call, not a container's */
	if (tb[KTRACK_CFG_A_MAX_CONNS] && !netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KTRACK_CFG_A_MAX_CONNS],
				    "max_conns needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	for (i = 0; i < KTRACK_NTUNABLES; i++) {
		if (tb[KTRACK_CFG_A_MAX_CONNS + i]) {
			val[i] = nla_get_u32(tb[KTRACK_CFG_A_MAX_CONNS + i]);
			mask |= BIT(i);
		}
	}
	mutex_lock(&ktrack_limits_mutex);
	err = ktrack_net_config(kn, val, mask);
	mutex_unlock(&ktrack_limits_mutex);
	if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack,
			       "source prefix can change only while no source is counted");
	else if (err == -EINVAL)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KTRACK_CFG_A_STATE_MARK],
				    "state_mark must be 0 or a mask of 4 or 5 contiguous bits");
	return err;
}

/* ---- connections --------------------------------------------------------------------------- */

/* A tuple (KTRACK_A_CONN) as a packet in either direction, for a table lookup. */
static int ktrack_parse_tuple(struct genl_info *info, struct ktrack_pkt *pkt)
{
	struct nlattr *nest = info->attrs[KTRACK_A_CONN];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[KTRACK_CONN_A_MAX + 1];
	int err, i;
	u8 proto;
	static const int required[] = {
		KTRACK_CONN_A_FAMILY, KTRACK_CONN_A_PROTO, KTRACK_CONN_A_SRC, KTRACK_CONN_A_DST,
		KTRACK_CONN_A_SPORT, KTRACK_CONN_A_DPORT,
	};

	err = nla_parse_nested(tb, KTRACK_CONN_A_MAX, nest, ktrack_conn_policy, extack);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (NL_REQ_ATTR_CHECK(extack, nest, tb, required[i])) {
			NL_SET_ERR_MSG(extack, "a tuple needs family, proto, src, dst, sport, dport");
			return -EINVAL;
		}
	}
	memset(pkt, 0, sizeof(*pkt));
	pkt->family = ktrack_nfproto(nla_get_u8(tb[KTRACK_CONN_A_FAMILY]));
	if (!pkt->family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KTRACK_CONN_A_FAMILY], "family must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	proto = nla_get_u8(tb[KTRACK_CONN_A_PROTO]);
	if (proto == IPPROTO_TCP) {
		pkt->l4 = KTRACK_L4_TCP;
	} else if (proto == IPPROTO_UDP) {
		pkt->l4 = KTRACK_L4_UDP;
	} else if (proto == (pkt->family == NFPROTO_IPV4 ? IPPROTO_ICMP : IPPROTO_ICMPV6)) {
		pkt->l4 = KTRACK_L4_ICMP;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, tb[KTRACK_CONN_A_PROTO], "protocol not tracked");
		return -EINVAL;
	}
	pkt->proto = proto;
	err = ktrack_nl_get_addr(tb[KTRACK_CONN_A_SRC], pkt->family, &pkt->saddr, extack);
	if (!err)
		err = ktrack_nl_get_addr(tb[KTRACK_CONN_A_DST], pkt->family, &pkt->daddr, extack);
	pkt->sport = nla_get_be16(tb[KTRACK_CONN_A_SPORT]);
	pkt->dport = nla_get_be16(tb[KTRACK_CONN_A_DPORT]);
	return err;
}

/* Which struct ktrack_filter member each KTRACK_FILTER_A_* sets. */
static const u32 ktrack_filter_flags[KTRACK_FILTER_A_MAX + 1] = {
	[KTRACK_FILTER_A_FAMILY] = KTRACK_FLT_FAMILY,
	[KTRACK_FILTER_A_PROTO] = KTRACK_FLT_PROTO,
	[KTRACK_FILTER_A_STATE] = KTRACK_FLT_STATE,
	[KTRACK_FILTER_A_SRC] = KTRACK_FLT_SRC,
	[KTRACK_FILTER_A_DST] = KTRACK_FLT_DST,
	[KTRACK_FILTER_A_PORT] = KTRACK_FLT_PORT,
	[KTRACK_FILTER_A_SPORT] = KTRACK_FLT_SPORT,
	[KTRACK_FILTER_A_DPORT] = KTRACK_FLT_DPORT,
};

static u8 ktrack_nla_u8(const struct nlattr *a)
{
	return a ? nla_get_u8(a) : 0;
}

static __be16 ktrack_nla_be16(const struct nlattr *a)
{
	return a ? nla_get_be16(a) : 0;
}

/* A filter address (@addr, may be absent) with its optional prefix length (default: all of it). */
static int ktrack_parse_prefix(const struct nlattr *addr, const struct nlattr *plen, u8 family,
			       union ktrack_addr *a, u8 *len, struct netlink_ext_ack *extack)
{
	u8 max = family == NFPROTO_IPV4 ? 32 : 128;
	int err;

	if (!addr) {
		if (!plen)
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, plen, "a prefix length needs its address");
		return -EINVAL;
	}
	err = ktrack_nl_get_addr(addr, family, a, extack);
	if (err)
		return err;
	*len = plen ? nla_get_u8(plen) : max;
	if (*len > max) {
		NL_SET_ERR_MSG_ATTR(extack, plen, "IPv4 prefix length above 32");
		return -EINVAL;
	}
	return 0;
}

static int ktrack_parse_filter(const struct nlattr *nest, struct ktrack_filter *f,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KTRACK_FILTER_A_MAX + 1];
	int err, i;

	memset(f, 0, sizeof(*f));
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, KTRACK_FILTER_A_MAX, nest, ktrack_filter_policy, extack);
	if (err)
		return err;
	for (i = 0; i <= KTRACK_FILTER_A_MAX; i++)
		if (tb[i])
			f->mask |= ktrack_filter_flags[i];
	if (tb[KTRACK_FILTER_A_FAMILY]) {
		f->family = ktrack_nfproto(nla_get_u8(tb[KTRACK_FILTER_A_FAMILY]));
		if (!f->family) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KTRACK_FILTER_A_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
	}
	if ((tb[KTRACK_FILTER_A_SRC] || tb[KTRACK_FILTER_A_DST]) && !f->family) {
		NL_SET_ERR_MSG(extack, "an address filter needs KTRACK_FILTER_A_FAMILY");
		return -EINVAL;
	}
	err = ktrack_parse_prefix(tb[KTRACK_FILTER_A_SRC], tb[KTRACK_FILTER_A_SRC_PREFIXLEN],
				  f->family, &f->src, &f->src_plen, extack);
	if (!err)
		err = ktrack_parse_prefix(tb[KTRACK_FILTER_A_DST], tb[KTRACK_FILTER_A_DST_PREFIXLEN],
					  f->family, &f->dst, &f->dst_plen, extack);
	f->proto = ktrack_nla_u8(tb[KTRACK_FILTER_A_PROTO]);
	f->state = ktrack_nla_u8(tb[KTRACK_FILTER_A_STATE]);
	f->port = ktrack_nla_be16(tb[KTRACK_FILTER_A_PORT]);
	f->sport = ktrack_nla_be16(tb[KTRACK_FILTER_A_SPORT]);
	f->dport = ktrack_nla_be16(tb[KTRACK_FILTER_A_DPORT]);
	return err;
}

static int ktrack_nl_get_conn(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_net *kn = ktrack_info_kn(info);
	struct ktrack_conn *ct;
	struct ktrack_pkt pkt;
	enum ktrack_dir dir;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (info->attrs[KTRACK_A_FILTER]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KTRACK_A_FILTER],
				    "a filter applies to dumps only");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, KTRACK_A_CONN)) {
		NL_SET_ERR_MSG(info->extack, "KTRACK_A_CONN is required");
		return -EINVAL;
	}
	err = ktrack_parse_tuple(info, &pkt);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ktrack_genl_family, 0, KTRACK_CMD_GET_CONN);
	err = -EMSGSIZE;
	if (!hdr)
		goto out;
	rcu_read_lock();
	ct = ktrack_table_lookup(&kn->table, &pkt, &dir);
	if (ct)
		err = ktrack_nl_put_conn(msg, KTRACK_A_CONN, kn, ct);
	rcu_read_unlock();
	if (!ct) {
		NL_SET_ERR_MSG(info->extack, "no such connection");
		err = -ENOENT;
	}
	if (err)
		goto out;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
out:
	nlmsg_free(msg);
	return err;
}

/* Dump cursor in cb->args: [0] bucket, [1] entries of it already sent, [2] the filter. */
static int ktrack_nl_conn_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct ktrack_filter *f;
	int err;

	if (di->attrs[KTRACK_A_CONN]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, di->attrs[KTRACK_A_CONN],
				    "a dump takes KTRACK_A_FILTER, not a tuple");
		return -EINVAL;
	}
	f = kmalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	err = ktrack_parse_filter(di->attrs[KTRACK_A_FILTER], f, cb->extack);
	if (err) {
		kfree(f);
		return err;
	}
	/* the walk's place (struct ktrack_walk): rev in args[0] and args[3], address in args[1] */
	cb->args[0] = 0;
	cb->args[1] = 0;
	cb->args[2] = (long)f;
	cb->args[3] = 0;
	return 0;
}

static int ktrack_nl_conn_done(struct netlink_callback *cb)
{
	kfree((void *)cb->args[2]);
	return 0;
}

/* One message for @ct; -EMSGSIZE when it does not fit. */
static int ktrack_nl_conn_msg(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct ktrack_conn *ct)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				&ktrack_genl_family, NLM_F_MULTI, KTRACK_CMD_GET_CONN);

	if (!hdr)
		return -EMSGSIZE;
	if (ktrack_nl_put_conn(skb, KTRACK_A_CONN, ktrack_cb_kn(cb), ct)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Resumes where the last message ended, at a place that a resize between two messages leaves
 * where it is (struct ktrack_walk): an entry alive for the whole dump is sent exactly once.
 */
static int ktrack_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ktrack_net *kn = ktrack_cb_kn(cb);
	const struct ktrack_filter *f = (const void *)cb->args[2];
	struct ktrack_table *t = &kn->table;
	struct ktrack_walk w, next;
	struct ktrack_conn *ct;

	w.rev = (u64)cb->args[3] << 32 | (u32)cb->args[0];
	w.addr = cb->args[1];
	mutex_lock(&t->resize_mutex);
	rcu_read_lock();
	for (next = w; (ct = ktrack_table_walk_next(t, &next)); w = next) {
		if ((READ_ONCE(ct->flags) & KTRACK_F_DEAD) || !ktrack_filter_match(f, ct))
			continue;
		if (ktrack_nl_conn_msg(skb, cb, ct))
			break;	/* the next message starts with it */
	}
	if (!ct)
		w = next;
	rcu_read_unlock();
	mutex_unlock(&t->resize_mutex);
	cb->args[0] = (u32)w.rev;
	cb->args[3] = w.rev >> 32;
	cb->args[1] = w.addr;
	return skb->len;
}

static int ktrack_nl_reply_count(struct genl_info *info, u8 cmd, u32 n)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ktrack_genl_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, KTRACK_A_COUNT, n)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ktrack_nl_del_conn(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_net *kn = ktrack_info_kn(info);
	struct ktrack_filter f;
	struct ktrack_conn *ct;
	struct ktrack_pkt pkt;
	enum ktrack_dir dir;
	int err;

	if (info->attrs[KTRACK_A_CONN] && info->attrs[KTRACK_A_FILTER]) {
		NL_SET_ERR_MSG(info->extack, "give a tuple or a filter, not both");
		return -EINVAL;
	}
	if (!info->attrs[KTRACK_A_CONN] && !info->attrs[KTRACK_A_FILTER]) {
		NL_SET_ERR_MSG(info->extack, "KTRACK_A_CONN or KTRACK_A_FILTER is required");
		return -EINVAL;
	}
	if (info->attrs[KTRACK_A_FILTER]) {
		err = ktrack_parse_filter(info->attrs[KTRACK_A_FILTER], &f, info->extack);
		if (err)
			return err;
		return ktrack_nl_reply_count(info, KTRACK_CMD_DEL_CONN, ktrack_walk_delete(kn, &f));
	}
	err = ktrack_parse_tuple(info, &pkt);
	if (err)
		return err;
	rcu_read_lock();
	ct = ktrack_table_lookup(&kn->table, &pkt, &dir);
	if (ct)
		ktrack_conn_delete(kn, ct, KTRACK_STAT_DEL_FLUSH);
	rcu_read_unlock();
	if (!ct) {
		NL_SET_ERR_MSG(info->extack, "no such connection");
		return -ENOENT;
	}
	return ktrack_nl_reply_count(info, KTRACK_CMD_DEL_CONN, 1);
}

static int ktrack_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_filter all = { };

	return ktrack_nl_reply_count(info, KTRACK_CMD_FLUSH,
				     ktrack_walk_delete(ktrack_info_kn(info), &all));
}

/* ---- sources and limits -------------------------------------------------------------------- */

struct ktrack_nl_src_arg {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct ktrack_net *kn;
};

static int ktrack_nl_src_msg(void *arg, u8 family, const union ktrack_addr *addr,
			     unsigned int live)
{
	struct ktrack_nl_src_arg *a = arg;
	struct ktrack_net *kn = a->kn;
	unsigned int plen = READ_ONCE(kn->tun[family == NFPROTO_IPV4 ?
					      KTRACK_PER_SRC_PREFIX4 : KTRACK_PER_SRC_PREFIX6]);
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(a->skb, NETLINK_CB(a->cb->skb).portid, a->cb->nlh->nlmsg_seq,
			  &ktrack_genl_family, NLM_F_MULTI, KTRACK_CMD_GET_SOURCES);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(a->skb, KTRACK_A_SOURCE);
	if (!nest ||
	    nla_put_u8(a->skb, KTRACK_SRC_A_FAMILY, family == NFPROTO_IPV4 ? AF_INET : AF_INET6) ||
	    ktrack_nl_put_addr(a->skb, KTRACK_SRC_A_ADDR, family, addr) ||
	    nla_put_u8(a->skb, KTRACK_SRC_A_PREFIXLEN, plen) ||
	    nla_put_u32(a->skb, KTRACK_SRC_A_LIVE, live) ||
	    nla_put_u32(a->skb, KTRACK_SRC_A_LIMIT, ktrack_limit_for(kn, family, addr))) {
		genlmsg_cancel(a->skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(a->skb, nest);
	genlmsg_end(a->skb, hdr);
	return 0;
}

/*
 * Cursor: [0] the family (0 IPv4, 1 IPv6, 2 done), then its walk's place (struct ktrack_walk): rev
 * in [1] and [2], address in [3]. A resize between two messages leaves the place where it is: a
 * source alive for the whole dump is sent exactly once.
 */
static int ktrack_nl_src_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ktrack_nl_src_arg a = { .skb = skb, .cb = cb, .kn = ktrack_cb_kn(cb) };
	struct ktrack_walk w;

	w.rev = (u64)cb->args[2] << 32 | (u32)cb->args[1];
	w.addr = cb->args[3];
	for (; cb->args[0] < 2; cb->args[0]++, ktrack_walk_init(&w)) {
		if (ktrack_src_walk(&a.kn->src, cb->args[0], &w, ktrack_nl_src_msg, &a))
			break;	/* the next message starts with that source */
	}
	cb->args[1] = (u32)w.rev;
	cb->args[2] = w.rev >> 32;
	cb->args[3] = w.addr;
	return skb->len;
}

/* ---- the family ---------------------------------------------------------------------------- */

static const struct genl_ops ktrack_genl_ops[] = {
	{
		.cmd = KTRACK_CMD_GET_STATS,
		.doit = ktrack_nl_get_stats,
		.policy = ktrack_stats_policy,
		.maxattr = KTRACK_A_MAX,
	}, {
		.cmd = KTRACK_CMD_GET_CONFIG,
		.doit = ktrack_nl_get_config,
	}, {
		.cmd = KTRACK_CMD_SET_CONFIG,
		.doit = ktrack_nl_set_config,
		.policy = ktrack_setcfg_policy,
		.maxattr = KTRACK_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KTRACK_CMD_GET_CONN,
		.doit = ktrack_nl_get_conn,
		.start = ktrack_nl_conn_start,
		.dumpit = ktrack_nl_conn_dump,
		.done = ktrack_nl_conn_done,
		.policy = ktrack_conn_op_policy,
		.maxattr = KTRACK_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KTRACK_CMD_DEL_CONN,
		.doit = ktrack_nl_del_conn,
		.policy = ktrack_conn_op_policy,
		.maxattr = KTRACK_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KTRACK_CMD_FLUSH,
		.doit = ktrack_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KTRACK_CMD_GET_SOURCES,
		.dumpit = ktrack_nl_src_dump,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KTRACK_CMD_NEW_LIMIT,
		.doit = ktrack_nl_new_limit,
		.policy = ktrack_limit_op_policy,
		.maxattr = KTRACK_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KTRACK_CMD_DEL_LIMIT,
		.doit = ktrack_nl_del_limit,
		.policy = ktrack_limit_op_policy,
		.maxattr = KTRACK_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = KTRACK_CMD_GET_LIMIT,
		.dumpit = ktrack_nl_limit_dump,
	},
};

static const struct genl_multicast_group ktrack_mcgrps[] = {
	[KTRACK_MCGRP_EVENTS] = {
		.name = KTRACK_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family ktrack_genl_family __ro_after_init = {
	.name = KTRACK_GENL_NAME,
	.version = KTRACK_GENL_VERSION,
	.maxattr = KTRACK_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ktrack_genl_ops,
	.n_ops = ARRAY_SIZE(ktrack_genl_ops),
	.mcgrps = ktrack_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ktrack_mcgrps),
};

int __init ktrack_nl_init(void)
{
	int i, err;

	for (i = 0; i < KTRACK_NTUNABLES; i++) {
		ktrack_cfg_range[i].min = ktrack_defaults[i].min;
		ktrack_cfg_range[i].max = ktrack_defaults[i].max;
	}
	err = genl_register_family(&ktrack_genl_family);
	if (err)
		return err;
	WRITE_ONCE(ktrack_events_ready, true);
	return 0;
}

void ktrack_nl_exit(void)
{
	WRITE_ONCE(ktrack_events_ready, false);
	/* an event being sent has seen ready set inside an RCU read side section */
	synchronize_rcu();
	genl_unregister_family(&ktrack_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(KTRACK_GENL_NAME);
