// SPDX-License-Identifier: GPL-2.0
/*
 * ktrackctl.c - the command-line tool for ktrack: global options (-n NETNS, -o json, --version,
 * -h), the verb table with each verb's usage, and the exit codes. The verbs live in conn.c,
 * config.c, sources.c and monitor.c; the netlink plumbing in nl.c; output helpers in out.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktrackctl.h"
#include "version.h"

const char *kc_verb = "ktrackctl";
bool kc_json;

struct kc_verb {
	const char *name;
	int (*run)(struct kc_nl *nl, int argc, char **argv);
	const char *usage;
};

#define KC_FILTER_HELP \
	"  filter words: family ipv4|ipv6  proto tcp|udp|icmp|icmpv6  state STATE\n" \
	"                src ADDR[/LEN]  dst ADDR[/LEN]  port P  sport P  dport P  id ID\n"

static const struct kc_verb kc_verbs[] = {
	{ "stats", kc_cmd_stats, "stats [-c]\n"
	  "  counters of the namespace; -c: one row per CPU\n" },
	{ "count", kc_cmd_count, "count\n  live connections\n" },
	{ "list", kc_cmd_list, "list [FILTER...]\n"
	  "  connections matching every filter word (needs CAP_NET_ADMIN)\n" KC_FILTER_HELP },
	{ "get", kc_cmd_get, "get proto P src A dst B sport P dport Q   (ICMP: id N)\n"
	  "  one connection, by its tuple in either direction (needs CAP_NET_ADMIN)\n" },
	{ "delete", kc_cmd_delete, "delete TUPLE | delete FILTER...\n"
	  "  delete one connection by tuple, or every connection a filter matches\n"
	  KC_FILTER_HELP },
	{ "flush", kc_cmd_flush, "flush\n  delete every connection of the namespace\n" },
	{ "sources", kc_cmd_sources, "sources [--top N]\n"
	  "  live connections per source (masked to per_src_prefix4/6), most first\n" },
	{ "config", kc_cmd_config, "config [KEY...] | config KEY=VALUE...\n"
	  "  read tunables, or set several at once (all or none)\n" },
	{ "limit", kc_cmd_limit, "limit add PREFIX LIMIT|unlimited | limit del PREFIX | limit list\n"
	  "  per-prefix overrides of per_src_limit; the longest matching prefix wins\n" },
	{ "monitor", kc_cmd_monitor, "monitor [-e new,destroy] [--count N]\n"
	  "  print connection events as they happen (needs CAP_NET_ADMIN)\n" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: ktrackctl [-n NETNS] [-o json|text] VERB [ARGS]\n"
		"       ktrackctl --version\n"
		"       ktrackctl VERB -h\n"
		"verbs:");
	for (i = 0; i < sizeof(kc_verbs) / sizeof(kc_verbs[0]); i++)
		fprintf(f, " %s", kc_verbs[i].name);
	fprintf(f, "\nexit status: 0 ok, 1 kernel refused, 2 usage, 3 not loaded, 4 permission denied\n");
}

static int enter_netns(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ktrackctl: netns %s: %s\n", name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "ktrackctl: netns %s: %s\n", name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const struct kc_verb *v = NULL;
	const char *netns = NULL;
	struct kc_nl nl;
	int i = 1, ret;
	size_t k;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("ktrackctl %s (genl family %s version %d)\n", KTRACK_VERSION,
			       KTRACK_GENL_NAME, KTRACK_GENL_VERSION);
			return KC_EXIT_OK;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return KC_EXIT_OK;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			netns = argv[++i];
		} else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "json")) {
				kc_json = true;
			} else if (strcmp(argv[i], "text")) {
				fprintf(stderr, "ktrackctl: -o %s: expected json or text\n", argv[i]);
				return KC_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			kc_json = true;
		} else {
			fprintf(stderr, "ktrackctl: unknown option %s\n", argv[i]);
			usage(stderr);
			return KC_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return KC_EXIT_USAGE;
	}
	for (k = 0; k < sizeof(kc_verbs) / sizeof(kc_verbs[0]); k++)
		if (!strcmp(argv[i], kc_verbs[k].name))
			v = &kc_verbs[k];
	if (!v) {
		fprintf(stderr, "ktrackctl: %s: unknown verb\n", argv[i]);
		usage(stderr);
		return KC_EXIT_USAGE;
	}
	kc_verb = v->name;
	/* -o/-j may also follow the verb: take them out of its arguments */
	for (k = i + 1; k < (size_t)argc; k++) {
		int drop = 0;

		if ((!strcmp(argv[k], "-o") || !strcmp(argv[k], "--output")) && k + 1 < (size_t)argc &&
		    (!strcmp(argv[k + 1], "json") || !strcmp(argv[k + 1], "text"))) {
			kc_json = !strcmp(argv[k + 1], "json");
			drop = 2;
		} else if (!strcmp(argv[k], "-j") || !strcmp(argv[k], "--json")) {
			kc_json = true;
			drop = 1;
		}
		if (drop) {
			memmove(&argv[k], &argv[k + drop], (argc - k - drop + 1) * sizeof(*argv));
			argc -= drop;
			k--;
		}
	}
	if (i + 1 < argc && (!strcmp(argv[i + 1], "-h") || !strcmp(argv[i + 1], "--help"))) {
		printf("usage: ktrackctl [-n NETNS] [-o json] %s", v->usage);
		return KC_EXIT_OK;
	}
	if (netns && enter_netns(netns) < 0)
		return KC_EXIT_USAGE;
	ret = kc_nl_open(&nl);
	if (ret)
		return ret;
	ret = v->run(&nl, argc - i - 1, argv + i + 1);
	kc_nl_close(&nl);
	return ret;
}
