// SPDX-License-Identifier: GPL-2.0
/*
 * ktrackctl.c - the command-line tool for ktrack: global options (-n NETNS, -o FORMAT, -j, -p,
 * -V/--version, -h), the verb table with each verb's usage, verb abbreviations as ip(8) takes them
 * (`st` is stats, `li` list: the first verb in the table that the word begins), conntrack(8)'s
 * spellings (-L -G -D -F -C -S -E, and -p -s -d --sport --dport --state -f turned into filter
 * words), and the exit codes. Every argument is checked before the module is contacted (the
 * netlink socket opens on a verb's first request), so a bad one exits 2 whether or not ktrack is
 * loaded. The verbs live in conn.c, config.c, sources.c and monitor.c; the netlink plumbing in
 * nl.c; output helpers in out.c; Prometheus and rates in metrics.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ktrackctl.h"
#include "version.h"

const char *kc_verb = "ktrackctl";
enum kc_format kc_format = KC_FMT_TEXT;
bool kc_json, kc_pretty;
const char *kc_netns;

struct kc_verb {
	const char *name;
	int (*run)(struct kc_nl *nl, int argc, char **argv);
	const char *usage;
};

#define KC_FILTER_HELP \
	"  filter words: family ipv4|ipv6  proto tcp|udp|icmp|icmpv6  state STATE\n" \
	"                src ADDR[/LEN]  dst ADDR[/LEN]  port P  sport P  dport P  id ID\n" \
	"  (conntrack's -f -p -s -d --sport --dport --state say the same)\n"

/* In the order abbreviations are resolved: the first verb a word begins wins. */
static const struct kc_verb kc_verbs[] = {
	{ "stats", kc_cmd_stats, "stats [-c] [-i SECONDS [--count N]] [--netns-label]\n"
	  "  counters of the namespace; -c: one row per CPU; -i: per-second rates every SECONDS;\n"
	  "  -o prometheus: the Prometheus text format (--netns-label: netns=\"NETNS\" of -n)\n" },
	{ "list", kc_cmd_list, "list [FILTER...]\n"
	  "  connections matching every filter word (needs CAP_NET_ADMIN)\n" KC_FILTER_HELP },
	{ "get", kc_cmd_get, "get proto P src A dst B sport P dport Q   (ICMP: id N)\n"
	  "  one connection, by its tuple in either direction (needs CAP_NET_ADMIN)\n" },
	{ "delete", kc_cmd_delete, "delete TUPLE | delete FILTER...\n"
	  "  delete one connection by tuple, or every connection a filter matches\n"
	  KC_FILTER_HELP },
	{ "flush", kc_cmd_flush, "flush\n  delete every connection of the namespace\n" },
	{ "count", kc_cmd_count, "count\n  live connections\n" },
	{ "config", kc_cmd_config, "config [KEY...] | config KEY=VALUE...\n"
	  "  read tunables, or set several at once (all or none)\n" },
	{ "sources", kc_cmd_sources, "sources [--top N]\n"
	  "  live connections per source (masked to per_src_prefix4/6), most first\n" },
	{ "limit", kc_cmd_limit, "limit add PREFIX LIMIT|unlimited | limit del PREFIX | limit list\n"
	  "  per-prefix overrides of per_src_limit; the longest matching prefix wins\n" },
	{ "monitor", kc_cmd_monitor,
	  "monitor [-t] [-e EVENT,...] [-b BYTES] [--count N] [FILTER...]\n"
	  "  print connection events as they happen (needs CAP_NET_ADMIN)\n"
	  "  -t: each line with its time; -b: the socket's receive buffer (default 4 MiB)\n"
	  "  events: new destroy refused all, destroy:REASON or REASON (rst fin timeout evict\n"
	  "          flush reuse icmp; limit is refused)\n" KC_FILTER_HELP },
};

#define KC_NVERBS (sizeof(kc_verbs) / sizeof(kc_verbs[0]))

/* conntrack(8)'s commands, as verbs (before a verb only: --count is also an option of verbs) */
static const struct { const char *s, *l, *verb; } kc_ct_cmds[] = {
	{ "-L", "--dump", "list" }, { "-G", "--get", "get" }, { "-D", "--delete", "delete" },
	{ "-F", "--flush", "flush" }, { "-C", "--count", "count" }, { "-S", "--stats", "stats" },
	{ "-E", "--event", "monitor" },
};

/* conntrack(8)'s filters, as filter words (anywhere) */
static const struct { const char *s, *l, *word; } kc_ct_filters[] = {
	{ "-p", "--proto", "proto" }, { "-s", "--src", "src" }, { NULL, "--orig-src", "src" },
	{ "-d", "--dst", "dst" }, { NULL, "--orig-dst", "dst" }, { NULL, "--sport", "sport" },
	{ NULL, "--orig-port-src", "sport" }, { NULL, "--dport", "dport" },
	{ NULL, "--orig-port-dst", "dport" }, { NULL, "--state", "state" },
	{ "-f", "--family", "family" },
};

static void usage(void)
{
	size_t i;

	printf("usage: ktrackctl [-n NETNS] [-o text|json|ndjson|prometheus] [-j] [-p] VERB [ARGS]\n"
	       "       ktrackctl -V | --version\n"
	       "       ktrackctl VERB -h\n"
	       "verbs:");
	for (i = 0; i < KC_NVERBS; i++)
		printf(" %s", kc_verbs[i].name);
	printf("\n  (or any abbreviation, as ip(8) takes them: st is stats, li list)\n"
	       "conntrack spellings: -L -G -D -F -C -S -E; -p PROTO -s ADDR -d ADDR --sport P "
	       "--dport P --state S -f FAMILY\n"
	       "exit status: 0 ok, 1 kernel refused, 2 bad argument, 3 not loaded, "
	       "4 permission denied, 5 not installed, 6 no such connection\n");
}

static int kc_err_usage(const char *fmt, const char *arg)
{
	fputs("ktrackctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return KC_EXIT_USAGE;
}

static const struct kc_verb *kc_find_verb(const char *word)
{
	size_t k;

	for (k = 0; k < KC_NVERBS; k++)
		if (kc_matches(word, kc_verbs[k].name))
			return &kc_verbs[k];
	return NULL;
}

/* A protocol as -p gives it (conntrack takes names and numbers): the filter's name, or NULL. */
static const char *kc_proto_word(const char *arg)
{
	static const char *const names[][2] = {
		{ "tcp", "6" }, { "udp", "17" }, { "icmp", "1" }, { "icmpv6", "58" },
	};
	size_t i;

	if (!arg)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(arg, names[i][0]) || !strcmp(arg, names[i][1]))
			return names[i][0];
	return NULL;
}

static int kc_set_format(const char *arg)
{
	if (!strcmp(arg, "text"))
		kc_format = KC_FMT_TEXT;
	else if (!strcmp(arg, "json"))
		kc_format = KC_FMT_JSON;
	else if (!strcmp(arg, "ndjson"))
		kc_format = KC_FMT_NDJSON;
	else if (!strcmp(arg, "prometheus"))
		kc_format = KC_FMT_PROMETHEUS;
	else
		return kc_err_usage("-o %s: expected text, json, ndjson or prometheus", arg);
	return 0;
}

static int enter_netns(const char *name)
{
	char path[4096];
	int fd, err;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT)
			fprintf(stderr, "ktrackctl: netns %s: no such network namespace (%s)\n", name,
				path);
		else
			fprintf(stderr, "ktrackctl: netns %s: %s\n", name, strerror(err));
		return err == EACCES ? KC_EXIT_PERM : KC_EXIT_USAGE;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = errno;
		close(fd);
		if (err == EINVAL) {
			fprintf(stderr, "ktrackctl: netns %s: %s is not a network namespace\n", name,
				path);
			return KC_EXIT_USAGE;
		}
		fprintf(stderr, "ktrackctl: netns %s: %s\n", name,
			err == EPERM ? "permission denied (needs CAP_SYS_ADMIN)" : strerror(err));
		return err == EPERM ? KC_EXIT_PERM : KC_EXIT_FAIL;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const struct kc_verb *v = NULL;
	char **words = calloc(argc + 1, sizeof(*words));
	int i, k, nw = 0, ret;
	struct kc_nl nl;
	bool found;

	if (!words)
		return KC_EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--")) {
			while (++i < argc)
				words[nw++] = argv[i];
			break;
		}
		/* output options, before or after the verb; the last one wins */
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!next)
				return kc_err_usage("%s needs a format", a);
			ret = kc_set_format(next);
			if (ret)
				return ret;
			i++;
			continue;
		}
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			kc_format = KC_FMT_JSON;
			continue;
		}
		if (!strcmp(a, "--pretty") || (!strcmp(a, "-p") && !kc_proto_word(next))) {
			kc_pretty = true;
			continue;
		}
		if (!v) {
			if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
				printf("ktrackctl %s (genl family %s version %d)\n", KTRACK_VERSION,
				       KTRACK_GENL_NAME, KTRACK_GENL_VERSION);
				return KC_EXIT_OK;
			}
			if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				usage();
				return KC_EXIT_OK;
			}
			if (!strcmp(a, "-n") || !strcmp(a, "--netns")) {
				if (!next)
					return kc_err_usage("%s needs a network namespace", a);
				kc_netns = argv[++i];
				continue;
			}
			found = false;
			for (k = 0; k < (int)(sizeof(kc_ct_cmds) / sizeof(kc_ct_cmds[0])); k++)
				if (!strcmp(a, kc_ct_cmds[k].s) || !strcmp(a, kc_ct_cmds[k].l)) {
					v = kc_find_verb(kc_ct_cmds[k].verb);
					found = true;
				}
			if (found)
				continue;
			if (a[0] != '-') {
				v = kc_find_verb(a);
				if (!v)
					return kc_err_usage("%s: unknown verb (ktrackctl -h lists them)", a);
				continue;
			}
		}
		found = false;
		for (k = 0; k < (int)(sizeof(kc_ct_filters) / sizeof(kc_ct_filters[0])); k++) {
			if ((!kc_ct_filters[k].s || strcmp(a, kc_ct_filters[k].s)) &&
			    strcmp(a, kc_ct_filters[k].l))
				continue;
			if (!next)
				return kc_err_usage("%s needs a value", a);
			words[nw++] = (char *)kc_ct_filters[k].word;
			words[nw++] = !strcmp(kc_ct_filters[k].word, "proto") && kc_proto_word(next) ?
				      (char *)kc_proto_word(next) : argv[i + 1];
			i++;
			found = true;
			break;
		}
		if (found)
			continue;
		if (!v)
			return kc_err_usage("unknown option %s (ktrackctl -h)", a);
		words[nw++] = argv[i];
	}
	if (!v) {
		fprintf(stderr, "ktrackctl: no verb given (ktrackctl -h lists them)\n");
		return KC_EXIT_USAGE;
	}
	kc_verb = v->name;
	if (nw && (!strcmp(words[0], "-h") || !strcmp(words[0], "--help"))) {
		printf("usage: ktrackctl [-n NETNS] [-o FORMAT] %s", v->usage);
		return KC_EXIT_OK;
	}
	if (kc_format == KC_FMT_PROMETHEUS && v->run != kc_cmd_stats)
		return kc_usage_err("-o prometheus is for stats only");
	kc_json = kc_format == KC_FMT_JSON || kc_format == KC_FMT_NDJSON;
	if (kc_netns) {
		ret = enter_netns(kc_netns);
		if (ret)
			return ret;
	}
	kc_nl_init(&nl);
	ret = v->run(&nl, nw, words);
	kc_nl_close(&nl);
	free(words);
	return ret;
}
