/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktrackctl.h - what the parts of ktrackctl share: exit codes, the output format, the netlink
 * session (nl.c), JSON and text output (out.c), the counters (config.c) and their Prometheus
 * exposition and rates (metrics.c), and the verbs (conn.c, config.c, sources.c, monitor.c).
 */
#ifndef KTRACKCTL_H
#define KTRACKCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/ktrack.h>

/* Exit codes, documented in ktrackctl(8). */
enum {
	KC_EXIT_OK = 0,
	KC_EXIT_FAIL = 1,	/* the kernel refused the request (its extack message is printed) */
	KC_EXIT_USAGE = 2,	/* bad argument */
	KC_EXIT_NOT_LOADED = 3,	/* the ktrack module is not loaded */
	KC_EXIT_PERM = 4,	/* permission denied: CAP_NET_ADMIN needed */
	KC_EXIT_NOT_INSTALLED = 5, /* not loaded, and no module for the running kernel to load */
	KC_EXIT_NOENT = 6,	/* no such connection (get, delete TUPLE) or limit override */
};

/* -o: text, json (-j), ndjson (a list one object per line, no brackets), prometheus (stats) */
enum kc_format { KC_FMT_TEXT, KC_FMT_JSON, KC_FMT_NDJSON, KC_FMT_PROMETHEUS };

/* The netlink session: the socket is opened and the family resolved on the first request sent. */
struct kc_nl {
	struct mnl_socket *sock;
	unsigned int portid, seq;
	uint16_t family;		/* genl family id */
	uint32_t events_grp;		/* multicast group id of "events" */
	char req[8192];			/* the request being built */
};

/* The verb running, for messages; the output format (kc_json: JSON or NDJSON); -p; -n's argument. */
extern const char *kc_verb;
extern enum kc_format kc_format;
extern bool kc_json, kc_pretty;
extern const char *kc_netns;

/* nl.c */
void kc_nl_init(struct kc_nl *nl);
/* Opens the socket and resolves the family (once); an exit code, with its message printed. */
int kc_nl_connect(struct kc_nl *nl);
void kc_nl_close(struct kc_nl *nl);
struct nlmsghdr *kc_nl_req(struct kc_nl *nl, uint8_t cmd, uint16_t flags);
/* Sends @req and runs @cb on every reply until the ack or the end of the dump; an exit code. */
int kc_nl_run(struct kc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
/* Names the request attribute at an extack offset (set by a verb that can), for messages. */
extern const char *(*kc_describe_attr)(const struct nlmsghdr *req, uint32_t off);
/* Parses a nest into tb[0..max] (attributes above max are ignored). */
void kc_parse_nest(const struct nlattr *nest, const struct nlattr **tb, unsigned int max);
int kc_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* out.c: JSON (one writer, values placed by the nesting) and small formatting helpers */
void kc_j_obj(const char *key);
void kc_j_arr(const char *key);
void kc_j_end(void);
void kc_j_end_top(void);
void kc_j_str(const char *key, const char *v);
void kc_j_u64(const char *key, uint64_t v);
void kc_j_i64(const char *key, int64_t v);
void kc_j_double(const char *key, double v);
void kc_j_bool(const char *key, bool v);
/* seconds since the epoch with microseconds, as a JSON number */
void kc_j_time(const char *key, const struct timespec *ts);
void kc_j_newline(void);
const char *kc_addr_str(int af, const void *addr, char *buf, size_t len);
bool kc_parse_u32(const char *s, uint32_t max, uint32_t *out);
/* @arg is a non-empty prefix of @word: an abbreviation, as ip(8) takes them */
bool kc_matches(const char *arg, const char *word);
/*
 * ADDR[/LEN] into @addr (4 or 16 bytes) and *@af (which, when not 0 on entry, it must match);
 * *@plen is LEN, or -1 when none is given.
 */
bool kc_parse_prefix(const char *arg, int *af, unsigned char *addr, int *plen);

/* config.c: the counters of KTRACK_CMD_GET_STATS */
struct kc_stats {
	uint64_t tot[KTRACK_STAT_A_MAX + 1];
	bool have[KTRACK_STAT_A_MAX + 1];
	unsigned int ncpu;
	struct {
		uint64_t v[KTRACK_STAT_A_MAX + 1];
	} *cpu;
};
extern const char *const kc_stat_names[KTRACK_STAT_A_MAX + 1];
int kc_get_stats(struct kc_nl *nl, struct kc_stats *st, bool percpu);
/* A counter (not a gauge: live_*, count, buckets, sources, max_conns). */
bool kc_stat_is_counter(unsigned int t);

/* metrics.c: stats -o prometheus [--netns-label], stats -i SECONDS [--count N] */
void kc_print_prometheus(const struct kc_stats *st, bool netns_label);
int kc_print_rates(struct kc_nl *nl, double interval, unsigned long count);

/* verbs */
int kc_cmd_stats(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_count(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_config(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_list(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_get(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_delete(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_flush(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_sources(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_limit(struct kc_nl *nl, int argc, char **argv);
int kc_cmd_monitor(struct kc_nl *nl, int argc, char **argv);

/* conn.c: filter or tuple words, as parsed */
struct kc_sel {
	int af;				/* 0, AF_INET, AF_INET6 */
	int proto;			/* -1: any */
	int state;			/* -1: any */
	bool has_src, has_dst;
	int src_len, dst_len;		/* -1: whole address */
	unsigned char src[16], dst[16];
	int port, sport, dport;		/* -1: any */
	int nwords;
};

/* A destroy reason's name (rst, fin, ...), as monitor prints it and -e takes it */
extern const char *const kc_reason_names[KTRACK_REASON_MAX + 1];
/* The filter words of list, delete and monitor (an exit code, with its message printed). */
int kc_parse_sel(int argc, char **argv, struct kc_sel *s);
/* A connection nest matches every word of @s, as the kernel's filter of a dump matches. */
bool kc_sel_match(const struct kc_sel *s, const struct nlattr *conn);
/*
 * A connection nest, printed as text or JSON. monitor passes the @event's name, the destroy
 * @reason (-1: none) and the time it was received (@ts, NULL: none).
 */
void kc_print_conn(const struct nlattr *conn, const char *event, int reason,
		   const struct timespec *ts);

#endif
