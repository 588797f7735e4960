// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - the counters of `stats` for monitoring: the Prometheus text exposition of
 * `stats -o prometheus` (node_exporter's textfile collector: tools/ktrack-textfile) and the
 * per-second rates of `stats -i SECONDS` (nstat and lnstat's habit).
 *
 * Metric names are under ktrack_, counters end in _total; deletions by reason, refused flows by
 * reason and live entries by state are one family each with a label, as monitor names them:
 *   ktrack_entries{state="established"}  live_*          ktrack_entries_limit       max_conns
 *   ktrack_entries_deleted_total{reason} del_*, evicted, tw_reuse (reasons as monitor's)
 *   ktrack_flows_dropped_total{reason}   drop_*         ktrack_build_info{version} 1
 * and every other column X of /proc/net/stat/ktrack is ktrack_..._total (the table below).
 * With --netns-label each sample carries netns="NETNS", the argument of -n.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ktrackctl.h"
#include "version.h"

struct kc_prom_family {
	const char *name, *type, *help;
	const char *label;		/* the label telling members apart, or NULL (one member) */
	struct {
		unsigned int attr;
		const char *value;
	} m[10];
};

static const struct kc_prom_family kc_prom[] = {
	{ "ktrack_entries", "gauge", "Live entries by TCP state (other: UDP and ICMP).", "state", {
		{ KTRACK_STAT_A_LIVE_SYN_SENT, "syn_sent" }, { KTRACK_STAT_A_LIVE_SYN_RECV, "syn_recv" },
		{ KTRACK_STAT_A_LIVE_ESTABLISHED, "established" },
		{ KTRACK_STAT_A_LIVE_FIN_WAIT, "fin_wait" },
		{ KTRACK_STAT_A_LIVE_CLOSE_WAIT, "close_wait" },
		{ KTRACK_STAT_A_LIVE_LAST_ACK, "last_ack" },
		{ KTRACK_STAT_A_LIVE_TIME_WAIT, "time_wait" }, { KTRACK_STAT_A_LIVE_CLOSE, "close" },
		{ KTRACK_STAT_A_LIVE_OTHER, "other" } } },
	{ "ktrack_entries_limit", "gauge", "Entries the table may hold (max_conns).", NULL,
	  { { KTRACK_STAT_A_MAX_CONNS, NULL } } },
	{ "ktrack_buckets", "gauge", "Hash buckets of the table.", NULL, { { KTRACK_STAT_A_BUCKETS, NULL } } },
	{ "ktrack_sources", "gauge", "Sources with live connections (per_src_prefix4/6).", NULL,
	  { { KTRACK_STAT_A_SOURCES, NULL } } },
	{ "ktrack_entries_created_total", "counter", "Entries created.", NULL,
	  { { KTRACK_STAT_A_NEW, NULL } } },
	{ "ktrack_entries_picked_up_total", "counter",
	  "Entries created by a loose pickup (also in created).", NULL, { { KTRACK_STAT_A_PICKUP, NULL } } },
	{ "ktrack_entries_resynced_total", "counter",
	  "Entries resynchronised on the SYN|ACK answering a SYN they had ignored.", NULL,
	  { { KTRACK_STAT_A_RESYNC, NULL } } },
	{ "ktrack_entries_deleted_total", "counter", "Entries deleted, by reason.", "reason", {
		{ KTRACK_STAT_A_DEL_RST, "rst" }, { KTRACK_STAT_A_DEL_FIN, "fin" },
		{ KTRACK_STAT_A_DEL_TIMEOUT, "timeout" }, { KTRACK_STAT_A_DEL_FLUSH, "flush" },
		{ KTRACK_STAT_A_EVICTED, "evict" }, { KTRACK_STAT_A_TW_REUSE, "reuse" },
		{ KTRACK_STAT_A_DEL_ICMP, "icmp" } } },
	{ "ktrack_flows_dropped_total", "counter",
	  "New flows dropped: table full, per-source limit, loose=0, no memory.", "reason", {
		{ KTRACK_STAT_A_DROP_TABLE, "table" }, { KTRACK_STAT_A_DROP_SOURCE, "source" },
		{ KTRACK_STAT_A_DROP_INVALID, "invalid" }, { KTRACK_STAT_A_DROP_NOMEM, "nomem" } } },
	{ "ktrack_packets_total", "counter", "Packets parsed (PREROUTING and LOCAL_OUT).", NULL,
	  { { KTRACK_STAT_A_PACKETS, NULL } } },
	{ "ktrack_packets_found_total", "counter", "Packets of a tracked connection.", NULL,
	  { { KTRACK_STAT_A_FOUND, NULL } } },
	{ "ktrack_packets_other_total", "counter", "Packets of protocols not tracked (passed).", NULL,
	  { { KTRACK_STAT_A_OTHER, NULL } } },
	{ "ktrack_packets_fragment_total", "counter", "Non-first fragments (passed untracked).", NULL,
	  { { KTRACK_STAT_A_FRAGMENT, NULL } } },
	{ "ktrack_packets_truncated_total", "counter", "Packets whose header ends beyond them.", NULL,
	  { { KTRACK_STAT_A_TRUNCATED, NULL } } },
	{ "ktrack_packets_malformed_total", "counter", "Packets whose header contradicts itself.",
	  NULL, { { KTRACK_STAT_A_MALFORMED, NULL } } },
	{ "ktrack_packets_invalid_total", "counter",
	  "Impossible TCP flags, or unknown TCP that cannot be picked up.", NULL,
	  { { KTRACK_STAT_A_INVALID, NULL } } },
	{ "ktrack_packets_ignored_total", "counter", "TCP out of window or unexpected (passed).", NULL,
	  { { KTRACK_STAT_A_IGNORED, NULL } } },
	{ "ktrack_packets_bad_checksum_total", "counter",
	  "Packets that would have created an entry, refused for a bad checksum.", NULL,
	  { { KTRACK_STAT_A_BAD_CHECKSUM, NULL } } },
	{ "ktrack_packets_rst_inexact_total", "counter",
	  "RSTs in the window but off the exact sequence (entry kept).", NULL,
	  { { KTRACK_STAT_A_RST_INEXACT, NULL } } },
	{ "ktrack_packets_related_total", "counter",
	  "ICMP errors quoting a tracked flow, sent to its end (RELATED).", NULL,
	  { { KTRACK_STAT_A_RELATED, NULL } } },
	{ "ktrack_packets_notrack_total", "counter", "Packets marked untracked for nf_conntrack.",
	  NULL, { { KTRACK_STAT_A_NOTRACK, NULL } } },
	{ "ktrack_tw_rescued_total", "counter",
	  "TIME_WAIT sockets removed for a new SYN they would have refused (tw_rescue).", NULL,
	  { { KTRACK_STAT_A_TW_RESCUE, NULL } } },
	{ "ktrack_tw_rescue_skipped_total", "counter",
	  "TIME_WAIT sockets a new SYN met and left: they accept it, no listener, or too young.",
	  NULL, { { KTRACK_STAT_A_TW_RESCUE_SKIP, NULL } } },
	{ "ktrack_table_resizes_total", "counter",
	  "Times the connection table's buckets grew or shrank with its load.", "direction",
	  { { KTRACK_STAT_A_RESIZE_GROW, "grow" }, { KTRACK_STAT_A_RESIZE_SHRINK, "shrink" } } },
	{ "ktrack_table_resize_failures_total", "counter",
	  "Resizes that could not allocate the new buckets (the table stayed as it was).", NULL,
	  { { KTRACK_STAT_A_RESIZE_FAIL, NULL } } },
	{ "ktrack_events_overflow_total", "counter", "Events a listener's full buffer could not take.",
	  NULL, { { KTRACK_STAT_A_EVENTS_OVERFLOW, NULL } } },
};

/* A label value, escaped as the exposition format wants (backslash, quote, newline). */
static void kc_prom_value(const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			printf("\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", stdout);
		else
			putchar(*v);
	}
}

/* The loaded module's version, from /sys/module/ktrack/version ("" when unreadable). */
static void kc_module_version(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/ktrack/version", "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static void kc_prom_labels(bool netns_label, const char *key, const char *value)
{
	bool any = false;

	if (!(netns_label && kc_netns) && !key)
		return;
	putchar('{');
	if (netns_label && kc_netns) {
		fputs("netns=\"", stdout);
		kc_prom_value(kc_netns);
		putchar('"');
		any = true;
	}
	if (key) {
		printf("%s%s=\"", any ? "," : "", key);
		kc_prom_value(value);
		putchar('"');
	}
	putchar('}');
}

void kc_print_prometheus(const struct kc_stats *st, bool netns_label)
{
	char modver[64];
	size_t f, k;

	kc_module_version(modver, sizeof(modver));
	printf("# HELP ktrack_build_info The loaded module's version and ktrackctl's; always 1.\n"
	       "# TYPE ktrack_build_info gauge\nktrack_build_info{");
	if (netns_label && kc_netns) {
		fputs("netns=\"", stdout);
		kc_prom_value(kc_netns);
		fputs("\",", stdout);
	}
	printf("version=\"");
	kc_prom_value(modver);
	printf("\",ktrackctl=\"%s\"} 1\n", KTRACK_VERSION);
	for (f = 0; f < sizeof(kc_prom) / sizeof(kc_prom[0]); f++) {
		const struct kc_prom_family *fam = &kc_prom[f];
		bool header = false;

		for (k = 0; k < sizeof(fam->m) / sizeof(fam->m[0]) && fam->m[k].attr; k++) {
			unsigned int t = fam->m[k].attr;

			if (!st->have[t])
				continue;
			if (!header) {
				printf("# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name,
				       fam->type);
				header = true;
			}
			fputs(fam->name, stdout);
			kc_prom_labels(netns_label, fam->label, fam->m[k].value);
			if (t >= KTRACK_STAT_A_LIVE_OTHER && t <= KTRACK_STAT_A_LIVE_CLOSE)
				printf(" %lld\n", (long long)(int64_t)st->tot[t]);
			else
				printf(" %llu\n", (unsigned long long)st->tot[t]);
		}
	}
}

static double kc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps until @when on CLOCK_MONOTONIC (whatever signals interrupt). */
static void kc_sleep_until(double when)
{
	struct timespec ts = { .tv_sec = (time_t)when };

	ts.tv_nsec = (long)((when - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* One interval: each counter's rate (per second), then the gauges' values. */
static void kc_print_rate_block(const struct kc_stats *prev, const struct kc_stats *cur, double dt)
{
	unsigned int t;

	if (kc_json) {
		kc_j_obj(NULL);
		kc_j_u64("interval_ms", (uint64_t)(dt * 1000 + 0.5));
		kc_j_obj("rates");
	} else {
		printf("interval %.3f s\n", dt);
	}
	for (t = 0; t <= KTRACK_STAT_A_MAX; t++) {
		double rate = (double)(cur->tot[t] - prev->tot[t]) / dt;

		if (!cur->have[t] || !kc_stat_is_counter(t))
			continue;
		if (kc_json)
			kc_j_double(kc_stat_names[t], rate);
		else
			printf("%-18s %.1f/s\n", kc_stat_names[t], rate);
	}
	if (kc_json)
		kc_j_end();
	for (t = 0; t <= KTRACK_STAT_A_MAX; t++) {
		if (!cur->have[t] || kc_stat_is_counter(t))
			continue;
		if (kc_json)
			kc_j_i64(kc_stat_names[t], (int64_t)cur->tot[t]);
		else
			printf("%-18s %lld\n", kc_stat_names[t], (long long)cur->tot[t]);
	}
	if (kc_json) {
		kc_j_end();
		kc_j_newline();
	} else {
		putchar('\n');
		fflush(stdout);
	}
}

int kc_print_rates(struct kc_nl *nl, double interval, unsigned long count)
{
	struct kc_stats a, b, *prev = &a, *cur = &b, *tmp;
	double start, t0, t1;
	unsigned long k;
	int err;

	err = kc_get_stats(nl, prev, false);
	if (err)
		return err;
	start = t0 = kc_now();
	for (k = 1; !count || k <= count; k++) {
		kc_sleep_until(start + k * interval);
		err = kc_get_stats(nl, cur, false);
		if (err)
			return err;
		t1 = kc_now();
		kc_print_rate_block(prev, cur, t1 - t0);
		tmp = prev;
		prev = cur;
		cur = tmp;
		t0 = t1;
	}
	return KC_EXIT_OK;
}
