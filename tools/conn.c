// SPDX-License-Identifier: GPL-2.0
/*
 * conn.c - the connection verbs: list (a filtered dump), get (one tuple), delete (a tuple or a
 * filter), flush, count; how a connection prints, as a text line or a JSON object; and whether
 * an event's connection matches filter words (monitor).
 *
 * Filter words (list, delete, monitor) and tuple words (get, delete), or any abbreviation of them:
 *   family ipv4|ipv6  proto tcp|udp|icmp|icmpv6  state STATE  src ADDR[/LEN]  dst ADDR[/LEN]
 *   sport PORT  dport PORT  port PORT (either)  id ID (ICMP echo identifier)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "ktrackctl.h"

static const char *const kc_state_names[] = {
	[KTRACK_STATE_NONE] = "NONE",
	[KTRACK_STATE_SYN_SENT] = "SYN_SENT",
	[KTRACK_STATE_SYN_RECV] = "SYN_RECV",
	[KTRACK_STATE_ESTABLISHED] = "ESTABLISHED",
	[KTRACK_STATE_FIN_WAIT] = "FIN_WAIT",
	[KTRACK_STATE_CLOSE_WAIT] = "CLOSE_WAIT",
	[KTRACK_STATE_LAST_ACK] = "LAST_ACK",
	[KTRACK_STATE_TIME_WAIT] = "TIME_WAIT",
	[KTRACK_STATE_CLOSE] = "CLOSE",
};

const char *const kc_reason_names[KTRACK_REASON_MAX + 1] = {
	[KTRACK_REASON_UNSPEC] = "unknown",
	[KTRACK_REASON_RST] = "rst",
	[KTRACK_REASON_FIN] = "fin",
	[KTRACK_REASON_TIMEOUT] = "timeout",
	[KTRACK_REASON_EVICT] = "evict",
	[KTRACK_REASON_FLUSH] = "flush",
	[KTRACK_REASON_REUSE] = "reuse",
	[KTRACK_REASON_LIMIT] = "limit",
	[KTRACK_REASON_ICMP] = "icmp",
};

static const char *kc_proto_name(int p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: return "?";
	}
}

void kc_print_conn(const struct nlattr *conn, const char *event, int reason,
		   const struct timespec *ts)
{
	const struct nlattr *tb[KTRACK_CONN_A_MAX + 1];
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af, proto, state = -1;
	uint16_t sport, dport;
	uint32_t timeout, status;
	bool icmp;
	const char *rname = NULL;

	kc_parse_nest(conn, tb, KTRACK_CONN_A_MAX);
	if (!tb[KTRACK_CONN_A_FAMILY] || !tb[KTRACK_CONN_A_PROTO] || !tb[KTRACK_CONN_A_SRC] ||
	    !tb[KTRACK_CONN_A_DST] || !tb[KTRACK_CONN_A_SPORT] || !tb[KTRACK_CONN_A_DPORT])
		return;
	af = mnl_attr_get_u8(tb[KTRACK_CONN_A_FAMILY]);
	proto = mnl_attr_get_u8(tb[KTRACK_CONN_A_PROTO]);
	icmp = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
	kc_addr_str(af, mnl_attr_get_payload(tb[KTRACK_CONN_A_SRC]), src, sizeof(src));
	kc_addr_str(af, mnl_attr_get_payload(tb[KTRACK_CONN_A_DST]), dst, sizeof(dst));
	sport = ntohs(mnl_attr_get_u16(tb[KTRACK_CONN_A_SPORT]));
	dport = ntohs(mnl_attr_get_u16(tb[KTRACK_CONN_A_DPORT]));
	timeout = tb[KTRACK_CONN_A_TIMEOUT] ? mnl_attr_get_u32(tb[KTRACK_CONN_A_TIMEOUT]) : 0;
	status = tb[KTRACK_CONN_A_STATUS] ? mnl_attr_get_u32(tb[KTRACK_CONN_A_STATUS]) : 0;
	/* NONE: no state yet (a refused flow's event), printed as none */
	if (tb[KTRACK_CONN_A_STATE] && mnl_attr_get_u8(tb[KTRACK_CONN_A_STATE]) <= KTRACK_STATE_MAX &&
	    mnl_attr_get_u8(tb[KTRACK_CONN_A_STATE]) != KTRACK_STATE_NONE)
		state = mnl_attr_get_u8(tb[KTRACK_CONN_A_STATE]);
	if (event && reason >= 0)
		rname = reason <= KTRACK_REASON_MAX ? kc_reason_names[reason] : "unknown";

	if (kc_json) {
		kc_j_obj(NULL);
		if (event)
			kc_j_str("event", event);
		if (ts)
			kc_j_time("time", ts);
		if (rname)
			kc_j_str("reason", rname);
		kc_j_str("family", af == AF_INET ? "ipv4" : "ipv6");
		kc_j_str("proto", kc_proto_name(proto));
		if (state >= 0)
			kc_j_str("state", kc_state_names[state]);
		kc_j_str("src", src);
		kc_j_str("dst", dst);
		if (icmp) {
			kc_j_u64("id", sport);
		} else {
			kc_j_u64("sport", sport);
			kc_j_u64("dport", dport);
		}
		kc_j_u64("timeout", timeout);
		kc_j_bool("replied", status & KTRACK_CONN_S_REPLIED);
		kc_j_end();
		if (event)
			kc_j_newline();
		return;
	}
	if (ts)
		printf("[%lld.%06ld] ", (long long)ts->tv_sec, ts->tv_nsec / 1000);
	if (event)
		printf("[%s] ", event);
	printf("%s %s", af == AF_INET ? "ipv4" : "ipv6", kc_proto_name(proto));
	if (state >= 0)
		printf(" %s", kc_state_names[state]);
	printf(" src=%s dst=%s", src, dst);
	if (icmp)
		printf(" id=%u", sport);
	else
		printf(" sport=%u dport=%u", sport, dport);
	printf(" timeout=%u%s", timeout, status & KTRACK_CONN_S_REPLIED ? " [ASSURED]" : " [UNREPLIED]");
	if (rname)
		printf(" reason=%s", rname);
	putchar('\n');
	if (event)
		fflush(stdout);
}

/* Filter words in the order abbreviations resolve (`s` is src, `st` state, `p` proto). */
static const char *const kc_sel_words[] = {
	"src", "dst", "sport", "dport", "proto", "port", "state", "family", "id",
};

static const char *kc_sel_word(const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(kc_sel_words) / sizeof(kc_sel_words[0]); i++)
		if (kc_matches(arg, kc_sel_words[i]))
			return kc_sel_words[i];
	return NULL;
}

int kc_parse_sel(int argc, char **argv, struct kc_sel *s)
{
	uint32_t v;
	int i;

	memset(s, 0, sizeof(*s));
	s->proto = s->state = s->port = s->sport = s->dport = -1;
	s->src_len = s->dst_len = -1;
	for (i = 0; i < argc; i += 2) {
		const char *k = kc_sel_word(argv[i]), *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!k)
			return kc_usage_err("unknown word '%s'", argv[i]);
		if (!val)
			return kc_usage_err("%s needs a value", k);
		s->nwords++;
		if (!strcmp(k, "family")) {
			int af = !strcmp(val, "ipv4") || !strcmp(val, "inet") ? AF_INET :
				 !strcmp(val, "ipv6") || !strcmp(val, "inet6") ? AF_INET6 : 0;

			if (!af || (s->af && s->af != af))
				return kc_usage_err("family %s: expected ipv4 or ipv6", val);
			s->af = af;
		} else if (!strcmp(k, "proto")) {
			s->proto = !strcmp(val, "tcp") ? IPPROTO_TCP : !strcmp(val, "udp") ? IPPROTO_UDP :
				   !strcmp(val, "icmp") ? IPPROTO_ICMP :
				   !strcmp(val, "icmpv6") ? IPPROTO_ICMPV6 : -1;
			if (s->proto < 0)
				return kc_usage_err("proto %s: expected tcp, udp, icmp or icmpv6", val);
		} else if (!strcmp(k, "state")) {
			unsigned int j;

			for (j = KTRACK_STATE_SYN_SENT; j <= KTRACK_STATE_MAX; j++)
				if (!strcasecmp(val, kc_state_names[j]))
					s->state = j;
			if (s->state < 0)
				return kc_usage_err("state %s: not a TCP state (e.g. ESTABLISHED)", val);
		} else if (!strcmp(k, "src") || !strcmp(k, "dst")) {
			bool src = k[0] == 's';

			if (!kc_parse_prefix(val, &s->af, src ? s->src : s->dst,
					     src ? &s->src_len : &s->dst_len))
				return kc_usage_err("%s %s: not an address[/prefix] of the family", k, val);
			*(src ? &s->has_src : &s->has_dst) = true;
		} else if (!strcmp(k, "port") || !strcmp(k, "sport") || !strcmp(k, "dport") ||
			   !strcmp(k, "id")) {
			if (!kc_parse_u32(val, 65535, &v))
				return kc_usage_err("%s %s: expected 0..65535", k, val);
			if (!strcmp(k, "port"))
				s->port = v;
			else if (k[0] == 'd')
				s->dport = v;
			else
				s->sport = v;
			if (!strcmp(k, "id"))
				s->dport = 0;
		}
	}
	if (s->proto == IPPROTO_ICMP && s->af == AF_INET6)
		s->proto = IPPROTO_ICMPV6;
	if (s->proto == IPPROTO_ICMPV6 && s->af == AF_INET)
		return kc_usage_err("icmpv6 with an IPv4 address");
	return 0;
}

static bool kc_addr_in(int af, const unsigned char *a, const unsigned char *prefix, int plen)
{
	int bytes, bits, alen = af == AF_INET ? 4 : 16;

	if (plen < 0)
		plen = alen * 8;
	bytes = plen / 8;
	bits = plen % 8;
	if (memcmp(a, prefix, bytes))
		return false;
	return !bits || !((a[bytes] ^ prefix[bytes]) & (0xff00 >> bits));
}

bool kc_sel_match(const struct kc_sel *s, const struct nlattr *conn)
{
	const struct nlattr *tb[KTRACK_CONN_A_MAX + 1];
	int af, proto, sport, dport;

	kc_parse_nest(conn, tb, KTRACK_CONN_A_MAX);
	if (!tb[KTRACK_CONN_A_FAMILY] || !tb[KTRACK_CONN_A_PROTO] || !tb[KTRACK_CONN_A_SRC] ||
	    !tb[KTRACK_CONN_A_DST] || !tb[KTRACK_CONN_A_SPORT] || !tb[KTRACK_CONN_A_DPORT])
		return false;
	af = mnl_attr_get_u8(tb[KTRACK_CONN_A_FAMILY]);
	proto = mnl_attr_get_u8(tb[KTRACK_CONN_A_PROTO]);
	sport = ntohs(mnl_attr_get_u16(tb[KTRACK_CONN_A_SPORT]));
	dport = ntohs(mnl_attr_get_u16(tb[KTRACK_CONN_A_DPORT]));
	if ((s->af && s->af != af) || (s->proto >= 0 && s->proto != proto))
		return false;
	if (s->state >= 0 && (!tb[KTRACK_CONN_A_STATE] ||
			      mnl_attr_get_u8(tb[KTRACK_CONN_A_STATE]) != s->state))
		return false;
	if (s->port >= 0 && s->port != sport && s->port != dport)
		return false;
	if ((s->sport >= 0 && s->sport != sport) || (s->dport >= 0 && s->dport != dport))
		return false;
	if (s->has_src && !kc_addr_in(af, mnl_attr_get_payload(tb[KTRACK_CONN_A_SRC]), s->src,
				      s->src_len))
		return false;
	if (s->has_dst && !kc_addr_in(af, mnl_attr_get_payload(tb[KTRACK_CONN_A_DST]), s->dst,
				      s->dst_len))
		return false;
	return true;
}

static bool kc_sel_is_tuple(const struct kc_sel *s)
{
	return s->proto >= 0 && s->has_src && s->has_dst && s->src_len < 0 && s->dst_len < 0 &&
	       s->sport >= 0 && s->dport >= 0 && s->port < 0 && s->state < 0;
}

static void kc_put_tuple(struct nlmsghdr *nlh, const struct kc_sel *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, KTRACK_A_CONN);
	size_t alen = s->af == AF_INET ? 4 : 16;

	mnl_attr_put_u8(nlh, KTRACK_CONN_A_FAMILY, s->af);
	mnl_attr_put_u8(nlh, KTRACK_CONN_A_PROTO, s->proto);
	mnl_attr_put(nlh, KTRACK_CONN_A_SRC, alen, s->src);
	mnl_attr_put(nlh, KTRACK_CONN_A_DST, alen, s->dst);
	mnl_attr_put_u16(nlh, KTRACK_CONN_A_SPORT, htons(s->sport));
	mnl_attr_put_u16(nlh, KTRACK_CONN_A_DPORT, htons(s->dport));
	mnl_attr_nest_end(nlh, nest);
}

static void kc_put_filter(struct nlmsghdr *nlh, const struct kc_sel *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, KTRACK_A_FILTER);
	size_t alen = s->af == AF_INET ? 4 : 16;

	if (s->af)
		mnl_attr_put_u8(nlh, KTRACK_FILTER_A_FAMILY, s->af);
	if (s->proto >= 0)
		mnl_attr_put_u8(nlh, KTRACK_FILTER_A_PROTO, s->proto);
	if (s->state >= 0)
		mnl_attr_put_u8(nlh, KTRACK_FILTER_A_STATE, s->state);
	if (s->has_src) {
		mnl_attr_put(nlh, KTRACK_FILTER_A_SRC, alen, s->src);
		if (s->src_len >= 0)
			mnl_attr_put_u8(nlh, KTRACK_FILTER_A_SRC_PREFIXLEN, s->src_len);
	}
	if (s->has_dst) {
		mnl_attr_put(nlh, KTRACK_FILTER_A_DST, alen, s->dst);
		if (s->dst_len >= 0)
			mnl_attr_put_u8(nlh, KTRACK_FILTER_A_DST_PREFIXLEN, s->dst_len);
	}
	if (s->port >= 0)
		mnl_attr_put_u16(nlh, KTRACK_FILTER_A_PORT, htons(s->port));
	if (s->sport >= 0)
		mnl_attr_put_u16(nlh, KTRACK_FILTER_A_SPORT, htons(s->sport));
	if (s->dport >= 0)
		mnl_attr_put_u16(nlh, KTRACK_FILTER_A_DPORT, htons(s->dport));
	mnl_attr_nest_end(nlh, nest);
}

static int kc_conn_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == KTRACK_A_CONN) {
			kc_print_conn(a, NULL, -1, NULL);
			if (data)
				++*(unsigned long *)data;
		}
	}
	return MNL_CB_OK;
}

int kc_cmd_list(struct kc_nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct kc_sel s;
	int err = kc_parse_sel(argc, argv, &s);

	if (err)
		return err;
	err = kc_nl_connect(nl);	/* before the JSON array opens */
	if (err)
		return err;
	nlh = kc_nl_req(nl, KTRACK_CMD_GET_CONN, NLM_F_DUMP);
	if (s.nwords)
		kc_put_filter(nlh, &s);
	if (kc_json)
		kc_j_arr(NULL);
	err = kc_nl_run(nl, nlh, kc_conn_cb, NULL);
	if (kc_json)
		kc_j_end_top();
	return err;
}

int kc_cmd_get(struct kc_nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct kc_sel s;
	int err = kc_parse_sel(argc, argv, &s);

	if (err)
		return err;
	if (!kc_sel_is_tuple(&s))
		return kc_usage_err("needs proto, src, dst, sport and dport (ICMP: id), no prefixes");
	nlh = kc_nl_req(nl, KTRACK_CMD_GET_CONN, 0);
	kc_put_tuple(nlh, &s);
	err = kc_nl_run(nl, nlh, kc_conn_cb, NULL);
	if (kc_json && !err)
		putchar('\n');
	return err;
}

static int kc_count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == KTRACK_A_COUNT)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	}
	return MNL_CB_OK;
}

static int kc_print_deleted(int err, uint32_t n)
{
	if (err)
		return err;
	if (kc_json)
		printf("{\"deleted\":%u}\n", n);
	else
		printf("%u connection%s deleted\n", n, n == 1 ? "" : "s");
	return KC_EXIT_OK;
}

int kc_cmd_delete(struct kc_nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct kc_sel s;
	uint32_t n = 0;
	int err = kc_parse_sel(argc, argv, &s);

	if (err)
		return err;
	if (!s.nwords)
		return kc_usage_err("needs a tuple or a filter (to delete all: ktrackctl flush)");
	nlh = kc_nl_req(nl, KTRACK_CMD_DEL_CONN, 0);
	if (kc_sel_is_tuple(&s))
		kc_put_tuple(nlh, &s);
	else
		kc_put_filter(nlh, &s);
	err = kc_nl_run(nl, nlh, kc_count_cb, &n);
	return kc_print_deleted(err, n);
}

int kc_cmd_flush(struct kc_nl *nl, int argc, char **argv)
{
	uint32_t n = 0;
	int err;

	(void)argv;
	if (argc)
		return kc_usage_err("takes no arguments");
	err = kc_nl_run(nl, kc_nl_req(nl, KTRACK_CMD_FLUSH, 0), kc_count_cb, &n);
	return kc_print_deleted(err, n);
}
