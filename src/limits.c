// SPDX-License-Identifier: GPL-2.0
/*
 * limits.c - per-prefix overrides of per_src_limit (KTRACK_CMD_NEW_LIMIT/DEL_LIMIT/GET_LIMIT).
 *
 * The overrides of a netns are one immutable array sorted longest prefix first, published with RCU
 * and replaced as a whole on every change (changes are rare; reads are on the admission path). A
 * lookup returns the limit of the first, hence longest, prefix that contains the address. A netns
 * without overrides has no array, and admission then costs one pointer test more than before.
 * The array holds at most KTRACK_LIMITS_MAX entries, so a lookup is bounded. The netlink commands
 * that add, delete and list overrides are here too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/inetdevice.h>
#include <linux/netfilter.h>
#include <linux/slab.h>
#include <linux/ktrack.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "events.h"
#include "limits.h"

DEFINE_MUTEX(ktrack_limits_mutex);

const struct nla_policy ktrack_limit_policy[KTRACK_LIMIT_A_MAX + 1] = {
	[KTRACK_LIMIT_A_FAMILY] = { .type = NLA_U8 },
	[KTRACK_LIMIT_A_ADDR] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[KTRACK_LIMIT_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[KTRACK_LIMIT_A_LIMIT] = { .type = NLA_U32 },
};


static bool ktrack_limit_contains(const struct ktrack_limit *e, u8 family,
				  const union ktrack_addr *addr)
{
	if (e->family != family)
		return false;
	if (family == NFPROTO_IPV4)
		return !((addr->ip ^ e->addr.ip) & inet_make_mask(e->plen));
	return ipv6_prefix_equal(&addr->in6, &e->addr.in6, e->plen);
}

unsigned int ktrack_limit_lookup(const struct ktrack_limits *l, u8 family,
				 const union ktrack_addr *addr, unsigned int dflt)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (ktrack_limit_contains(&l->e[i], family, addr))
			return l->e[i].limit;
	return dflt;
}

static bool ktrack_limit_same(const struct ktrack_limit *a, const struct ktrack_limit *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static struct ktrack_limits *ktrack_limits_alloc(unsigned int n)
{
	struct ktrack_limits *l = kzalloc(struct_size(l, e, n), GFP_KERNEL);

	if (l)
		l->n = n;
	return l;
}

static void ktrack_limits_publish(struct ktrack_net *kn, struct ktrack_limits *l)
{
	struct ktrack_limits *old = rcu_replace_pointer(kn->limits, l,
							lockdep_is_held(&ktrack_limits_mutex));

	if (old)
		kfree_rcu(old, rcu);
}

int ktrack_limit_add(struct ktrack_net *kn, const struct ktrack_limit *lim)
{
	const struct ktrack_limits *cur = rcu_dereference_protected(kn->limits,
								    lockdep_is_held(&ktrack_limits_mutex));
	unsigned int i, j, n = cur ? cur->n : 0;
	struct ktrack_limits *l;

	for (i = 0; i < n; i++) {
		if (ktrack_limit_same(&cur->e[i], lim)) {
			/* replace the limit of an existing prefix */
			l = ktrack_limits_alloc(n);
			if (!l)
				return -ENOMEM;
			memcpy(l->e, cur->e, n * sizeof(*l->e));
			l->e[i].limit = lim->limit;
			ktrack_limits_publish(kn, l);
			return 0;
		}
	}
	if (n >= KTRACK_LIMITS_MAX)
		return -ENOSPC;
	l = ktrack_limits_alloc(n + 1);
	if (!l)
		return -ENOMEM;
	/* keep longest prefix first; among equal lengths, IPv6 (longer addresses) does not matter */
	for (i = 0, j = 0; i < n && cur->e[i].plen >= lim->plen; i++)
		l->e[j++] = cur->e[i];
	l->e[j++] = *lim;
	for (; i < n; i++)
		l->e[j++] = cur->e[i];
	ktrack_limits_publish(kn, l);
	return 0;
}

int ktrack_limit_del(struct ktrack_net *kn, const struct ktrack_limit *lim)
{
	const struct ktrack_limits *cur = rcu_dereference_protected(kn->limits,
								    lockdep_is_held(&ktrack_limits_mutex));
	unsigned int i, j, n = cur ? cur->n : 0;
	struct ktrack_limits *l = NULL;

	for (i = 0; i < n; i++)
		if (ktrack_limit_same(&cur->e[i], lim))
			break;
	if (i == n)
		return -ENOENT;
	if (n > 1) {
		l = ktrack_limits_alloc(n - 1);
		if (!l)
			return -ENOMEM;
		for (i = 0, j = 0; i < n; i++)
			if (!ktrack_limit_same(&cur->e[i], lim))
				l->e[j++] = cur->e[i];
	}
	ktrack_limits_publish(kn, l);
	return 0;
}

void ktrack_limits_exit(struct ktrack_net *kn)
{
	kfree(rcu_dereference_protected(kn->limits, true));
	RCU_INIT_POINTER(kn->limits, NULL);
}

/* ---- netlink ------------------------------------------------------------------------------ */

static int ktrack_parse_limit(struct genl_info *info, struct ktrack_limit *lim, bool need_limit)
{
	struct nlattr *nest = info->attrs[KTRACK_A_LIMIT];
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[KTRACK_LIMIT_A_MAX + 1];
	union ktrack_addr a;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KTRACK_A_LIMIT)) {
		NL_SET_ERR_MSG(extack, "KTRACK_A_LIMIT is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, KTRACK_LIMIT_A_MAX, nest, ktrack_limit_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, KTRACK_LIMIT_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, KTRACK_LIMIT_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, KTRACK_LIMIT_A_PREFIXLEN) ||
	    (need_limit && NL_REQ_ATTR_CHECK(extack, nest, tb, KTRACK_LIMIT_A_LIMIT))) {
		NL_SET_ERR_MSG(extack, "a limit needs family, addr, prefixlen (and limit to add)");
		return -EINVAL;
	}
	if (!need_limit && tb[KTRACK_LIMIT_A_LIMIT]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KTRACK_LIMIT_A_LIMIT], "delete takes no limit");
		return -EINVAL;
	}
	memset(lim, 0, sizeof(*lim));
	lim->family = ktrack_nfproto(nla_get_u8(tb[KTRACK_LIMIT_A_FAMILY]));
	if (!lim->family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KTRACK_LIMIT_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	lim->plen = nla_get_u8(tb[KTRACK_LIMIT_A_PREFIXLEN]);
	if (lim->family == NFPROTO_IPV4 && lim->plen > 32) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KTRACK_LIMIT_A_PREFIXLEN],
				    "IPv4 prefix length above 32");
		return -EINVAL;
	}
	err = ktrack_nl_get_addr(tb[KTRACK_LIMIT_A_ADDR], lim->family, &a, extack);
	if (err)
		return err;
	ktrack_src_mask(lim->family, &a, lim->plen, &lim->addr);
	if (tb[KTRACK_LIMIT_A_LIMIT])
		lim->limit = nla_get_u32(tb[KTRACK_LIMIT_A_LIMIT]);
	return 0;
}

int ktrack_nl_new_limit(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_limit lim;
	int err = ktrack_parse_limit(info, &lim, true);

	if (err)
		return err;
	mutex_lock(&ktrack_limits_mutex);
	err = ktrack_limit_add(ktrack_pernet(genl_info_net(info)), &lim);
	mutex_unlock(&ktrack_limits_mutex);
	if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "too many limit overrides");
	return err;
}

int ktrack_nl_del_limit(struct sk_buff *skb, struct genl_info *info)
{
	struct ktrack_limit lim;
	int err = ktrack_parse_limit(info, &lim, false);

	if (err)
		return err;
	mutex_lock(&ktrack_limits_mutex);
	err = ktrack_limit_del(ktrack_pernet(genl_info_net(info)), &lim);
	mutex_unlock(&ktrack_limits_mutex);
	if (err == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such limit override");
	return err;
}

/* Cursor: [0] index in the array. */
int ktrack_nl_limit_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ktrack_net *kn = ktrack_pernet(sock_net(cb->skb->sk));
	const struct ktrack_limits *l;
	unsigned long i = cb->args[0];

	rcu_read_lock();
	l = rcu_dereference(kn->limits);
	for (; l && i < l->n; i++) {
		const struct ktrack_limit *e = &l->e[i];
		struct nlattr *nest;
		void *hdr;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &ktrack_genl_family, NLM_F_MULTI, KTRACK_CMD_GET_LIMIT);
		if (!hdr)
			break;
		nest = nla_nest_start(skb, KTRACK_A_LIMIT);
		if (!nest ||
		    nla_put_u8(skb, KTRACK_LIMIT_A_FAMILY,
			       e->family == NFPROTO_IPV4 ? AF_INET : AF_INET6) ||
		    ktrack_nl_put_addr(skb, KTRACK_LIMIT_A_ADDR, e->family, &e->addr) ||
		    nla_put_u8(skb, KTRACK_LIMIT_A_PREFIXLEN, e->plen) ||
		    nla_put_u32(skb, KTRACK_LIMIT_A_LIMIT, e->limit)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}
