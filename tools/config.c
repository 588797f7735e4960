// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - the verbs that read counters and tunables: stats [-c] [-i SECONDS [--count N]]
 * [--netns-label] (-o prometheus and the rates are printed by metrics.c), count, and
 * config [KEY[=VALUE]...] (a set is one request: the kernel applies all values or none).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "ktrackctl.h"

/* Names of KTRACK_STAT_A_*, as the columns of /proc/net/stat/ktrack. */
const char *const kc_stat_names[KTRACK_STAT_A_MAX + 1] = {
	[KTRACK_STAT_A_PACKETS] = "packets", [KTRACK_STAT_A_FOUND] = "found",
	[KTRACK_STAT_A_NEW] = "new", [KTRACK_STAT_A_INVALID] = "invalid",
	[KTRACK_STAT_A_IGNORED] = "ignored", [KTRACK_STAT_A_OTHER] = "other",
	[KTRACK_STAT_A_FRAGMENT] = "fragment", [KTRACK_STAT_A_TRUNCATED] = "truncated",
	[KTRACK_STAT_A_MALFORMED] = "malformed", [KTRACK_STAT_A_DROP_TABLE] = "drop_table",
	[KTRACK_STAT_A_DROP_SOURCE] = "drop_source",
	[KTRACK_STAT_A_DROP_INVALID] = "drop_invalid",
	[KTRACK_STAT_A_DROP_NOMEM] = "drop_nomem", [KTRACK_STAT_A_EVICTED] = "evicted",
	[KTRACK_STAT_A_DEL_RST] = "del_rst", [KTRACK_STAT_A_DEL_FIN] = "del_fin",
	[KTRACK_STAT_A_DEL_TIMEOUT] = "del_timeout", [KTRACK_STAT_A_DEL_FLUSH] = "del_flush",
	[KTRACK_STAT_A_TW_REUSE] = "tw_reuse", [KTRACK_STAT_A_NOTRACK] = "notrack",
	[KTRACK_STAT_A_LIVE_OTHER] = "live_other",
	[KTRACK_STAT_A_LIVE_SYN_SENT] = "live_syn_sent",
	[KTRACK_STAT_A_LIVE_SYN_RECV] = "live_syn_recv",
	[KTRACK_STAT_A_LIVE_ESTABLISHED] = "live_established",
	[KTRACK_STAT_A_LIVE_FIN_WAIT] = "live_fin_wait",
	[KTRACK_STAT_A_LIVE_CLOSE_WAIT] = "live_close_wait",
	[KTRACK_STAT_A_LIVE_LAST_ACK] = "live_last_ack",
	[KTRACK_STAT_A_LIVE_TIME_WAIT] = "live_time_wait",
	[KTRACK_STAT_A_LIVE_CLOSE] = "live_close",
	[KTRACK_STAT_A_COUNT] = "count", [KTRACK_STAT_A_BUCKETS] = "buckets",
	[KTRACK_STAT_A_SOURCES] = "sources", [KTRACK_STAT_A_MAX_CONNS] = "max_conns",
	[KTRACK_STAT_A_EVENTS_OVERFLOW] = "events_overflow",
	[KTRACK_STAT_A_BAD_CHECKSUM] = "bad_checksum", [KTRACK_STAT_A_RST_INEXACT] = "rst_inexact",
	[KTRACK_STAT_A_RESYNC] = "resync", [KTRACK_STAT_A_PICKUP] = "pickup",
	[KTRACK_STAT_A_RELATED] = "related", [KTRACK_STAT_A_DEL_ICMP] = "del_icmp",
	[KTRACK_STAT_A_TW_RESCUE] = "tw_rescue", [KTRACK_STAT_A_TW_RESCUE_SKIP] = "tw_rescue_skip",
	[KTRACK_STAT_A_RESIZE_GROW] = "resize_grow", [KTRACK_STAT_A_RESIZE_SHRINK] = "resize_shrink",
	[KTRACK_STAT_A_RESIZE_FAIL] = "resize_fail",
};

static const char *const kc_cfg_names[KTRACK_CFG_A_MAX + 1] = {
	[KTRACK_CFG_A_MAX_CONNS] = "max_conns",
	[KTRACK_CFG_A_PER_SRC_LIMIT] = "per_src_limit",
	[KTRACK_CFG_A_PER_SRC_PREFIX4] = "per_src_prefix4",
	[KTRACK_CFG_A_PER_SRC_PREFIX6] = "per_src_prefix6",
	[KTRACK_CFG_A_TCP_TIMEOUT_SYN_SENT] = "tcp_timeout_syn_sent",
	[KTRACK_CFG_A_TCP_TIMEOUT_SYN_RECV] = "tcp_timeout_syn_recv",
	[KTRACK_CFG_A_TCP_TIMEOUT_ESTABLISHED] = "tcp_timeout_established",
	[KTRACK_CFG_A_TCP_TIMEOUT_FIN_WAIT] = "tcp_timeout_fin_wait",
	[KTRACK_CFG_A_TCP_TIMEOUT_CLOSE_WAIT] = "tcp_timeout_close_wait",
	[KTRACK_CFG_A_TCP_TIMEOUT_LAST_ACK] = "tcp_timeout_last_ack",
	[KTRACK_CFG_A_TCP_TIMEOUT_TIME_WAIT] = "tcp_timeout_time_wait",
	[KTRACK_CFG_A_TCP_TIMEOUT_CLOSE] = "tcp_timeout_close",
	[KTRACK_CFG_A_UDP_TIMEOUT] = "udp_timeout",
	[KTRACK_CFG_A_UDP_TIMEOUT_STREAM] = "udp_timeout_stream",
	[KTRACK_CFG_A_ICMP_TIMEOUT] = "icmp_timeout",
	[KTRACK_CFG_A_NOTRACK] = "notrack",
	[KTRACK_CFG_A_LOOSE] = "loose",
	[KTRACK_CFG_A_TCP_TIMEOUT_UNACKNOWLEDGED] = "tcp_timeout_unacknowledged",
	[KTRACK_CFG_A_STATE_MARK] = "state_mark",
	[KTRACK_CFG_A_TW_RESCUE] = "tw_rescue",
};

static void kc_stats_row(const struct nlattr *nest, uint64_t *v, bool *have)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);

		if (t == KTRACK_STAT_A_CPU)
			v[t] = mnl_attr_get_u32(a);
		else if (t <= KTRACK_STAT_A_MAX && kc_stat_names[t] &&
			 mnl_attr_get_payload_len(a) == 8)
			v[t] = mnl_attr_get_u64(a);
		else
			continue;
		if (have)
			have[t] = true;
	}
}

static int kc_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kc_stats *st = data;
	const struct nlattr *a, *c;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == KTRACK_A_STATS) {
			kc_stats_row(a, st->tot, st->have);
		} else if (mnl_attr_get_type(a) == KTRACK_A_PERCPU) {
			mnl_attr_for_each_nested(c, a) {
				void *p = realloc(st->cpu, (st->ncpu + 1) * sizeof(*st->cpu));

				if (!p)
					return MNL_CB_ERROR;
				st->cpu = p;
				memset(&st->cpu[st->ncpu], 0, sizeof(*st->cpu));
				kc_stats_row(c, st->cpu[st->ncpu].v, NULL);
				st->ncpu++;
			}
		}
	}
	return MNL_CB_OK;
}

int kc_get_stats(struct kc_nl *nl, struct kc_stats *st, bool percpu)
{
	struct nlmsghdr *nlh = kc_nl_req(nl, KTRACK_CMD_GET_STATS, 0);

	memset(st, 0, sizeof(*st));
	if (percpu)
		mnl_attr_put(nlh, KTRACK_A_PERCPU, 0, NULL);
	return kc_nl_run(nl, nlh, kc_stats_cb, st);
}

/* Per-CPU rows carry the per-CPU counters, not the table-wide ones. */
static bool kc_percpu_col(unsigned int t)
{
	return (t >= KTRACK_STAT_A_PACKETS && t <= KTRACK_STAT_A_LIVE_CLOSE) ||
	       t >= KTRACK_STAT_A_BAD_CHECKSUM;
}

bool kc_stat_is_counter(unsigned int t)
{
	return kc_stat_names[t] && t != KTRACK_STAT_A_COUNT && t != KTRACK_STAT_A_BUCKETS &&
	       t != KTRACK_STAT_A_SOURCES && t != KTRACK_STAT_A_MAX_CONNS &&
	       (t < KTRACK_STAT_A_LIVE_OTHER || t > KTRACK_STAT_A_LIVE_CLOSE);
}

int kc_cmd_stats(struct kc_nl *nl, int argc, char **argv)
{
	bool percpu = false, netns_label = false;
	unsigned long count = 0;
	double interval = 0;
	struct kc_stats st;
	unsigned int t, c;
	uint32_t n;
	char *end;
	int err, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--cpu")) {
			percpu = true;
		} else if (!strcmp(argv[i], "--netns-label")) {
			netns_label = true;
		} else if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--interval")) && i + 1 < argc) {
			interval = strtod(argv[++i], &end);
			if (*end || end == argv[i] || !(interval >= 0.1 && interval <= 86400))
				return kc_usage_err("-i %s: expected seconds, 0.1..86400", argv[i]);
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			if (!kc_parse_u32(argv[++i], UINT32_MAX, &n) || !n)
				return kc_usage_err("--count %s: expected a positive number", argv[i]);
			count = n;
		} else {
			return kc_usage_err("unknown argument '%s'", argv[i]);
		}
	}
	if (count && !interval)
		return kc_usage_err("--count goes with -i SECONDS");
	if (netns_label && kc_format != KC_FMT_PROMETHEUS)
		return kc_usage_err("--netns-label goes with -o prometheus");
	if (percpu && (interval || kc_format == KC_FMT_PROMETHEUS))
		return kc_usage_err("-c goes with neither -i nor -o prometheus");
	if (interval && kc_format == KC_FMT_PROMETHEUS)
		return kc_usage_err("-i: Prometheus computes rates itself (rate())");
	if (interval)
		return kc_print_rates(nl, interval, count);
	err = kc_get_stats(nl, &st, percpu);
	if (err)
		return err;
	if (kc_format == KC_FMT_PROMETHEUS) {
		kc_print_prometheus(&st, netns_label);
	} else if (kc_json) {
		if (percpu)
			kc_j_obj(NULL);
		kc_j_obj(percpu ? "total" : NULL);
		for (t = 0; t <= KTRACK_STAT_A_MAX; t++) {
			if (!st.have[t])
				continue;
			if (t >= KTRACK_STAT_A_LIVE_OTHER && t <= KTRACK_STAT_A_LIVE_CLOSE)
				kc_j_i64(kc_stat_names[t], (int64_t)st.tot[t]);
			else
				kc_j_u64(kc_stat_names[t], st.tot[t]);
		}
		kc_j_end();
		if (percpu) {
			kc_j_arr("cpus");
			for (c = 0; c < st.ncpu; c++) {
				kc_j_obj(NULL);
				kc_j_u64("cpu", st.cpu[c].v[KTRACK_STAT_A_CPU]);
				for (t = 0; t <= KTRACK_STAT_A_MAX; t++)
					if (kc_percpu_col(t))
						kc_j_i64(kc_stat_names[t], (int64_t)st.cpu[c].v[t]);
				kc_j_end();
			}
			kc_j_end();
			kc_j_end();
		}
		putchar('\n');
	} else if (percpu) {
		printf("cpu");
		for (t = 0; t <= KTRACK_STAT_A_MAX; t++)
			if (kc_percpu_col(t))
				printf(" %s", kc_stat_names[t]);
		putchar('\n');
		for (c = 0; c < st.ncpu; c++) {
			printf("%llu", (unsigned long long)st.cpu[c].v[KTRACK_STAT_A_CPU]);
			for (t = 0; t <= KTRACK_STAT_A_MAX; t++)
				if (kc_percpu_col(t))
					printf(" %lld", (long long)st.cpu[c].v[t]);
			putchar('\n');
		}
	} else {
		for (t = 0; t <= KTRACK_STAT_A_MAX; t++)
			if (st.have[t])
				printf("%-18s %lld\n", kc_stat_names[t], (long long)st.tot[t]);
	}
	free(st.cpu);
	return KC_EXIT_OK;
}

int kc_cmd_count(struct kc_nl *nl, int argc, char **argv)
{
	struct kc_stats st;
	int err;

	if (argc)
		return kc_usage_err("unknown argument '%s'", argv[0]);
	err = kc_get_stats(nl, &st, false);
	if (err)
		return err;
	if (kc_json)
		printf("{\"count\":%llu}\n", (unsigned long long)st.tot[KTRACK_STAT_A_COUNT]);
	else
		printf("%llu\n", (unsigned long long)st.tot[KTRACK_STAT_A_COUNT]);
	return KC_EXIT_OK;
}

static int kc_cfg_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *c;
	int64_t *vals = data;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != KTRACK_A_CONFIG)
			continue;
		mnl_attr_for_each_nested(c, a) {
			if (mnl_attr_get_type(c) <= KTRACK_CFG_A_MAX)
				vals[mnl_attr_get_type(c)] = mnl_attr_get_u32(c);
		}
	}
	return MNL_CB_OK;
}

static int kc_cfg_key(const char *name, size_t len)
{
	int i;

	for (i = 1; i <= KTRACK_CFG_A_MAX; i++)
		if (strlen(kc_cfg_names[i]) == len && !strncmp(kc_cfg_names[i], name, len))
			return i;
	return -1;
}

/* "KEY=VALUE" of the config attribute at @off in the request. */
static const char *kc_cfg_describe(const struct nlmsghdr *req, uint32_t off)
{
	static char buf[128];
	const struct nlattr *a, *c;

	mnl_attr_for_each(a, req, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != KTRACK_A_CONFIG)
			continue;
		mnl_attr_for_each_nested(c, a) {
			if ((const char *)c - (const char *)req == (long)off &&
			    mnl_attr_get_type(c) <= KTRACK_CFG_A_MAX) {
				snprintf(buf, sizeof(buf), "%s=%u", kc_cfg_names[mnl_attr_get_type(c)],
					 mnl_attr_get_u32(c));
				return buf;
			}
		}
	}
	return NULL;
}

int kc_cmd_config(struct kc_nl *nl, int argc, char **argv)
{
	int64_t vals[KTRACK_CFG_A_MAX + 1];
	int i, k, nset = 0, err;
	const char *fmt;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint32_t v;

	for (i = 0; i < argc; i++)
		nset += !!strchr(argv[i], '=');
	if (nset && nset != argc)
		return kc_usage_err("either read KEYs or set KEY=VALUEs, not both");
	if (nset) {
		nlh = kc_nl_req(nl, KTRACK_CMD_SET_CONFIG, 0);
		nest = mnl_attr_nest_start(nlh, KTRACK_A_CONFIG);
		for (i = 0; i < argc; i++) {
			const char *eq = strchr(argv[i], '=');

			k = kc_cfg_key(argv[i], eq - argv[i]);
			if (k < 0)
				return kc_usage_err("unknown key '%.*s'", (int)(eq - argv[i]), argv[i]);
			if (!kc_parse_u32(eq + 1, UINT32_MAX, &v))
				return kc_usage_err("%s: '%s' is not a number", kc_cfg_names[k], eq + 1);
			mnl_attr_put_u32(nlh, k, v);
		}
		mnl_attr_nest_end(nlh, nest);
		kc_describe_attr = kc_cfg_describe;
		return kc_nl_run(nl, nlh, NULL, NULL);
	}
	for (i = 0; i < argc; i++)
		if (kc_cfg_key(argv[i], strlen(argv[i])) < 0)
			return kc_usage_err("unknown key '%s'", argv[i]);
	for (i = 0; i <= KTRACK_CFG_A_MAX; i++)
		vals[i] = -1;
	err = kc_nl_run(nl, kc_nl_req(nl, KTRACK_CMD_GET_CONFIG, 0), kc_cfg_cb, vals);
	if (err)
		return err;
	if (kc_json)
		kc_j_obj(NULL);
	for (k = 1; k <= KTRACK_CFG_A_MAX; k++) {
		bool want = !argc;

		for (i = 0; i < argc; i++)
			want |= kc_cfg_key(argv[i], strlen(argv[i])) == k;
		if (!want || vals[k] < 0)
			continue;
		/* a mask reads best in hexadecimal */
		fmt = k == KTRACK_CFG_A_STATE_MARK ? "%#llx" : "%lld";
		if (kc_json)
			kc_j_u64(kc_cfg_names[k], vals[k]);
		else if (argc != 1)
			printf("%s = ", kc_cfg_names[k]);
		if (!kc_json) {
			printf(fmt, (long long)vals[k]);
			putchar('\n');
		}
	}
	if (kc_json) {
		kc_j_end();
		putchar('\n');
	}
	return KC_EXIT_OK;
}
