// SPDX-License-Identifier: GPL-2.0
/*
 * monitor.c - monitor [-t] [-e EVENTS] [-b BYTES] [--count N] [FILTER...]: joins the "events"
 * multicast group and prints each event as it comes (one line, or one JSON object per line).
 *
 * Events are new, destroy (of an entry, with its reason) and refused (a new flow a limit turned
 * away: the kernel tells it as the destroy, reason limit, of the entry it would have had). -e
 * takes kinds and reasons, in any case: new, destroy, refused (or limit), all, destroy:REASON or
 * the bare REASON.
 * Filter words are list's and match the event's connection. When the socket overflows (the
 * kernel dropped events for this listener), the number lost (the growth of the namespace's
 * events_overflow) is told on stderr and, in JSON, as an event "lost"; monitoring goes on.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ktrackctl.h"

/* One bit per destroy reason (bit r), new and refused above them. */
#define KC_EV_DESTROY_ALL	((1u << (KTRACK_REASON_MAX + 1)) - 1)
#define KC_EV_NEW		(1u << (KTRACK_REASON_MAX + 1))
#define KC_EV_REFUSED		(1u << KTRACK_REASON_LIMIT)

struct kc_mon {
	unsigned int mask;
	bool stamp;		/* -t */
	unsigned long left;	/* events still to print; 0: no limit */
	bool counted;
	struct kc_sel sel;
};

static volatile sig_atomic_t kc_stop;

static void kc_on_signal(int sig)
{
	(void)sig;
	kc_stop = 1;
}

static int kc_reason_bit(const char *name)
{
	unsigned int r;

	for (r = 0; r <= KTRACK_REASON_MAX; r++)
		if (kc_reason_names[r] && !strcasecmp(name, kc_reason_names[r]))
			return 1 << r;
	return 0;
}

/* -e LIST: a comma-separated list of kinds and reasons. */
static int kc_parse_events(char *list, unsigned int *mask)
{
	char *tok, *save = NULL;
	int bit;

	*mask = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcasecmp(tok, "new"))
			*mask |= KC_EV_NEW;
		else if (!strcasecmp(tok, "destroy"))
			*mask |= KC_EV_DESTROY_ALL & ~KC_EV_REFUSED;
		else if (!strcasecmp(tok, "refused"))
			*mask |= KC_EV_REFUSED;
		else if (!strcasecmp(tok, "all"))
			*mask |= KC_EV_NEW | KC_EV_DESTROY_ALL;
		else if (!strncasecmp(tok, "destroy:", 8) && (bit = kc_reason_bit(tok + 8)))
			*mask |= bit;
		else if ((bit = kc_reason_bit(tok)))
			*mask |= bit;
		else
			return kc_usage_err("-e %s: events are new, destroy, refused, all, "
					    "destroy:REASON (rst fin timeout evict flush reuse icmp)",
					    tok);
	}
	return 0;
}

static int kc_event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *conn = NULL;
	struct kc_mon *m = data;
	const char *kind;
	struct timespec ts;
	unsigned int bit;
	int reason = KTRACK_REASON_UNSPEC;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == KTRACK_A_CONN)
			conn = a;
		else if (mnl_attr_get_type(a) == KTRACK_A_REASON)
			reason = mnl_attr_get_u8(a);
	}
	if (!conn)
		return MNL_CB_OK;
	if (reason > KTRACK_REASON_MAX)
		reason = KTRACK_REASON_UNSPEC;
	if (g->cmd == KTRACK_CMD_EVENT_NEW) {
		bit = KC_EV_NEW;
		kind = kc_json ? "new" : "NEW";
		reason = -1;
	} else if (g->cmd == KTRACK_CMD_EVENT_DESTROY && reason == KTRACK_REASON_LIMIT) {
		bit = KC_EV_REFUSED;
		kind = kc_json ? "refused" : "REFUSED";
	} else if (g->cmd == KTRACK_CMD_EVENT_DESTROY) {
		bit = 1u << reason;
		kind = kc_json ? "destroy" : "DESTROY";
	} else {
		return MNL_CB_OK;
	}
	if (!(m->mask & bit) || (m->sel.nwords && !kc_sel_match(&m->sel, conn)))
		return MNL_CB_OK;
	clock_gettime(CLOCK_REALTIME, &ts);
	kc_print_conn(conn, kind, reason, kc_json || m->stamp ? &ts : NULL);
	if (m->counted && !--m->left)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

/* The namespace's events_overflow, read on a session of its own; 0 when it cannot be read. */
static uint64_t kc_overflow(void)
{
	struct kc_stats st;
	struct kc_nl nl;
	uint64_t v = 0;

	kc_nl_init(&nl);
	if (!kc_get_stats(&nl, &st, false) && st.have[KTRACK_STAT_A_EVENTS_OVERFLOW])
		v = st.tot[KTRACK_STAT_A_EVENTS_OVERFLOW];
	kc_nl_close(&nl);
	return v;
}

static void kc_report_lost(uint64_t *seen)
{
	uint64_t now = kc_overflow(), lost = now > *seen ? now - *seen : 0;
	struct timespec ts;

	*seen = now;
	fprintf(stderr, "ktrackctl: monitor: %llu events lost (listener too slow)\n",
		(unsigned long long)lost);
	if (!kc_json)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	kc_j_obj(NULL);
	kc_j_str("event", "lost");
	kc_j_time("time", &ts);
	kc_j_u64("lost", lost);
	kc_j_end();
	kc_j_newline();
}

int kc_cmd_monitor(struct kc_nl *nl, int argc, char **argv)
{
	struct kc_mon m = { .mask = KC_EV_NEW | KC_EV_DESTROY_ALL };
	static char buf[1 << 16];
	struct sigaction sa;
	int i, ret, nw = 0, rcvbuf = 4 << 20, one = 1;
	uint64_t overflow;
	uint32_t n;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;

		if (!strcmp(a, "-t") || !strcmp(a, "--timestamp")) {
			m.stamp = true;
		} else if (!strcmp(a, "-e") || !strcmp(a, "--event")) {
			if (!has)
				return kc_usage_err("%s needs a list of events", a);
			ret = kc_parse_events(argv[++i], &m.mask);
			if (ret)
				return ret;
		} else if (!strcmp(a, "-b") || !strcmp(a, "--buffer-size")) {
			if (!has)
				return kc_usage_err("%s needs a size in bytes", a);
			if (!kc_parse_u32(argv[++i], INT32_MAX, &n) || n < 4096)
				return kc_usage_err("%s %s: expected a size in bytes, at least 4096", a,
						    argv[i]);
			rcvbuf = n;
		} else if (!strcmp(a, "--count")) {
			if (!has)
				return kc_usage_err("--count needs a number");
			if (!kc_parse_u32(argv[++i], UINT32_MAX, &n) || !n)
				return kc_usage_err("--count %s: expected a positive number", argv[i]);
			m.left = n;
			m.counted = true;
		} else if (a[0] == '-') {
			return kc_usage_err("unknown argument '%s'", a);
		} else {
			/* filter words, gathered to the front for the filter's parser */
			argv[nw++] = argv[i];
			if (has)
				argv[nw++] = argv[++i];
		}
	}
	if (!m.mask)
		return kc_usage_err("-e: no events chosen");
	ret = kc_parse_sel(nw, argv, &m.sel);
	if (ret)
		return ret;
	ret = kc_nl_connect(nl);
	if (ret)
		return ret;
	if (!nl->events_grp) {
		fprintf(stderr, "ktrackctl: monitor: the kernel offers no events group\n");
		return KC_EXIT_FAIL;
	}
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	/* so that an event this socket misses counts in the kernel's events_overflow */
	mnl_socket_setsockopt(nl->sock, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &nl->events_grp,
				  sizeof(nl->events_grp)) < 0) {
		if (errno == EPERM) {
			fprintf(stderr, "ktrackctl: monitor: permission denied (needs CAP_NET_ADMIN)\n");
			return KC_EXIT_PERM;
		}
		fprintf(stderr, "ktrackctl: monitor: %s\n", strerror(errno));
		return KC_EXIT_FAIL;
	}
	overflow = kc_overflow();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kc_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* tell a script that the group is joined: events from now on are seen */
	if (getenv("KTRACKCTL_READY_FD")) {
		int fd = atoi(getenv("KTRACKCTL_READY_FD"));

		if (write(fd, "ready\n", 6) < 0)
			fprintf(stderr, "ktrackctl: monitor: ready fd: %s\n", strerror(errno));
	}
	while (!kc_stop) {
		ret = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				kc_report_lost(&overflow);
				continue;
			}
			fprintf(stderr, "ktrackctl: monitor: %s\n", strerror(errno));
			return KC_EXIT_FAIL;
		}
		ret = mnl_cb_run(buf, ret, 0, 0, kc_event_cb, &m);
		if (ret == MNL_CB_STOP)
			break;
		if (ret < 0) {
			fprintf(stderr, "ktrackctl: monitor: %s\n", strerror(errno));
			return KC_EXIT_FAIL;
		}
	}
	return KC_EXIT_OK;
}
