// SPDX-License-Identifier: GPL-2.0
/*
 * sources.c - per-source counts (sources [--top N]: the N sources with the most live connections,
 * kept in a bounded sorted array while the dump streams) and the per-prefix limit overrides
 * (limit add PREFIX LIMIT, limit del PREFIX, limit list; any abbreviation of add, del, list).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "ktrackctl.h"

struct kc_src {
	int af;
	unsigned char addr[16];
	unsigned int plen;
	uint32_t live, limit;
};

struct kc_srclist {
	struct kc_src *v;
	size_t n, cap, top;	/* top: keep at most this many (0: all) */
};

static int kc_src_cmp(const void *a, const void *b)
{
	const struct kc_src *x = a, *y = b;

	return x->live < y->live ? 1 : x->live > y->live ? -1 : 0;
}

/* Insert keeping the list sorted by live, largest first, and at most top entries. */
static int kc_src_add(struct kc_srclist *l, const struct kc_src *s)
{
	size_t i;

	if (l->top && l->n == l->top) {
		if (s->live <= l->v[l->n - 1].live)
			return 0;
		l->n--;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->v, cap * sizeof(*l->v));

		if (!p)
			return -1;
		l->v = p;
		l->cap = cap;
	}
	if (!l->top) {
		l->v[l->n++] = *s;
		return 0;
	}
	for (i = l->n; i > 0 && l->v[i - 1].live < s->live; i--)
		l->v[i] = l->v[i - 1];
	l->v[i] = *s;
	l->n++;
	return 0;
}

static int kc_src_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *tb[KTRACK_SRC_A_MAX + 1];
	struct kc_src s;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != KTRACK_A_SOURCE)
			continue;
		kc_parse_nest(a, tb, KTRACK_SRC_A_MAX);
		if (!tb[KTRACK_SRC_A_FAMILY] || !tb[KTRACK_SRC_A_ADDR] || !tb[KTRACK_SRC_A_LIVE])
			continue;
		memset(&s, 0, sizeof(s));
		s.af = mnl_attr_get_u8(tb[KTRACK_SRC_A_FAMILY]);
		memcpy(s.addr, mnl_attr_get_payload(tb[KTRACK_SRC_A_ADDR]),
		       s.af == AF_INET ? 4 : 16);
		s.plen = tb[KTRACK_SRC_A_PREFIXLEN] ? mnl_attr_get_u8(tb[KTRACK_SRC_A_PREFIXLEN]) : 0;
		s.live = mnl_attr_get_u32(tb[KTRACK_SRC_A_LIVE]);
		s.limit = tb[KTRACK_SRC_A_LIMIT] ? mnl_attr_get_u32(tb[KTRACK_SRC_A_LIMIT]) : 0;
		if (kc_src_add(data, &s))
			return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int kc_cmd_sources(struct kc_nl *nl, int argc, char **argv)
{
	struct kc_srclist l = { 0 };
	char buf[INET6_ADDRSTRLEN];
	uint32_t top = 0;
	size_t i;
	int err;

	if (argc == 2 && !strcmp(argv[0], "--top")) {
		if (!kc_parse_u32(argv[1], 1000000, &top) || !top)
			return kc_usage_err("--top %s: expected 1..1000000", argv[1]);
	} else if (argc) {
		return kc_usage_err("unknown argument '%s'", argv[0]);
	}
	l.top = top;
	err = kc_nl_run(nl, kc_nl_req(nl, KTRACK_CMD_GET_SOURCES, NLM_F_DUMP), kc_src_cb, &l);
	if (err) {
		free(l.v);
		return err;
	}
	if (!top)
		qsort(l.v, l.n, sizeof(*l.v), kc_src_cmp);
	if (kc_json)
		kc_j_arr(NULL);
	for (i = 0; i < l.n; i++) {
		const struct kc_src *s = &l.v[i];

		kc_addr_str(s->af, s->addr, buf, sizeof(buf));
		if (kc_json) {
			kc_j_obj(NULL);
			kc_j_str("family", s->af == AF_INET ? "ipv4" : "ipv6");
			kc_j_str("addr", buf);
			kc_j_u64("prefixlen", s->plen);
			kc_j_u64("live", s->live);
			kc_j_u64("limit", s->limit);
			kc_j_end();
		} else if (s->limit) {
			printf("%s/%u live %u limit %u\n", buf, s->plen, s->live, s->limit);
		} else {
			printf("%s/%u live %u limit none\n", buf, s->plen, s->live);
		}
	}
	if (kc_json)
		kc_j_end_top();
	free(l.v);
	return KC_EXIT_OK;
}

static int kc_limit_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *tb[KTRACK_LIMIT_A_MAX + 1];
	char buf[INET6_ADDRSTRLEN];
	int af;

	(void)data;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != KTRACK_A_LIMIT)
			continue;
		kc_parse_nest(a, tb, KTRACK_LIMIT_A_MAX);
		if (!tb[KTRACK_LIMIT_A_FAMILY] || !tb[KTRACK_LIMIT_A_ADDR] ||
		    !tb[KTRACK_LIMIT_A_PREFIXLEN] || !tb[KTRACK_LIMIT_A_LIMIT])
			continue;
		af = mnl_attr_get_u8(tb[KTRACK_LIMIT_A_FAMILY]);
		kc_addr_str(af, mnl_attr_get_payload(tb[KTRACK_LIMIT_A_ADDR]), buf, sizeof(buf));
		if (kc_json) {
			kc_j_obj(NULL);
			kc_j_str("family", af == AF_INET ? "ipv4" : "ipv6");
			kc_j_str("addr", buf);
			kc_j_u64("prefixlen", mnl_attr_get_u8(tb[KTRACK_LIMIT_A_PREFIXLEN]));
			kc_j_u64("limit", mnl_attr_get_u32(tb[KTRACK_LIMIT_A_LIMIT]));
			kc_j_end();
		} else if (mnl_attr_get_u32(tb[KTRACK_LIMIT_A_LIMIT])) {
			printf("%s/%u %u\n", buf, mnl_attr_get_u8(tb[KTRACK_LIMIT_A_PREFIXLEN]),
			       mnl_attr_get_u32(tb[KTRACK_LIMIT_A_LIMIT]));
		} else {
			printf("%s/%u unlimited\n", buf, mnl_attr_get_u8(tb[KTRACK_LIMIT_A_PREFIXLEN]));
		}
	}
	return MNL_CB_OK;
}

static int kc_put_prefix(struct nlmsghdr *nlh, const char *arg)
{
	unsigned char addr[16];
	int af = 0, plen;

	if (!kc_parse_prefix(arg, &af, addr, &plen))
		return kc_usage_err("%s: not an address[/prefix]", arg);
	if (plen < 0)
		plen = af == AF_INET ? 32 : 128;
	mnl_attr_put_u8(nlh, KTRACK_LIMIT_A_FAMILY, af);
	mnl_attr_put(nlh, KTRACK_LIMIT_A_ADDR, af == AF_INET ? 4 : 16, addr);
	mnl_attr_put_u8(nlh, KTRACK_LIMIT_A_PREFIXLEN, plen);
	return 0;
}

int kc_cmd_limit(struct kc_nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint32_t lim;
	int err;

	if (argc == 1 && kc_matches(argv[0], "list")) {
		err = kc_nl_connect(nl);	/* before the JSON array opens */
		if (err)
			return err;
		if (kc_json)
			kc_j_arr(NULL);
		err = kc_nl_run(nl, kc_nl_req(nl, KTRACK_CMD_GET_LIMIT, NLM_F_DUMP), kc_limit_cb,
				NULL);
		if (kc_json)
			kc_j_end_top();
		return err;
	}
	if (argc == 3 && kc_matches(argv[0], "add")) {
		if (!strcmp(argv[2], "unlimited") || !strcmp(argv[2], "none"))
			lim = 0;
		else if (!kc_parse_u32(argv[2], UINT32_MAX, &lim))
			return kc_usage_err("limit %s: expected a number or 'unlimited'", argv[2]);
		nlh = kc_nl_req(nl, KTRACK_CMD_NEW_LIMIT, 0);
		nest = mnl_attr_nest_start(nlh, KTRACK_A_LIMIT);
		err = kc_put_prefix(nlh, argv[1]);
		if (err)
			return err;
		mnl_attr_put_u32(nlh, KTRACK_LIMIT_A_LIMIT, lim);
		mnl_attr_nest_end(nlh, nest);
		return kc_nl_run(nl, nlh, NULL, NULL);
	}
	if (argc == 2 && (kc_matches(argv[0], "del") || kc_matches(argv[0], "delete"))) {
		nlh = kc_nl_req(nl, KTRACK_CMD_DEL_LIMIT, 0);
		nest = mnl_attr_nest_start(nlh, KTRACK_A_LIMIT);
		err = kc_put_prefix(nlh, argv[1]);
		if (err)
			return err;
		mnl_attr_nest_end(nlh, nest);
		return kc_nl_run(nl, nlh, NULL, NULL);
	}
	return kc_usage_err("usage: limit add PREFIX LIMIT | limit del PREFIX | limit list");
}
