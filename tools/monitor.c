// SPDX-License-Identifier: GPL-2.0
/*
 * monitor.c - monitor [-e new,destroy] [--count N]: joins the "events" multicast group and prints
 * each event as it comes (one line, or one JSON object per line). When the socket overflows (the
 * kernel dropped events for this listener) a line says so on stderr and monitoring goes on.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ktrackctl.h"

#define KC_EV_NEW	0x1
#define KC_EV_DESTROY	0x2

struct kc_mon {
	unsigned int mask;
	unsigned long left;	/* events still to print; 0: no limit */
	bool counted;
};

static volatile sig_atomic_t kc_stop;

static void kc_on_signal(int sig)
{
	(void)sig;
	kc_stop = 1;
}

static int kc_event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *conn = NULL;
	struct kc_mon *m = data;
	int reason = -1;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == KTRACK_A_CONN)
			conn = a;
		else if (mnl_attr_get_type(a) == KTRACK_A_REASON)
			reason = mnl_attr_get_u8(a);
	}
	if (!conn)
		return MNL_CB_OK;
	if (g->cmd == KTRACK_CMD_EVENT_NEW && (m->mask & KC_EV_NEW))
		kc_print_conn(conn, kc_json ? "new" : "NEW", -1);
	else if (g->cmd == KTRACK_CMD_EVENT_DESTROY && (m->mask & KC_EV_DESTROY))
		kc_print_conn(conn, kc_json ? "destroy" : "DESTROY", reason < 0 ? 0 : reason);
	else
		return MNL_CB_OK;
	if (m->counted && !--m->left)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int kc_cmd_monitor(struct kc_nl *nl, int argc, char **argv)
{
	struct kc_mon m = { .mask = KC_EV_NEW | KC_EV_DESTROY };
	static char buf[1 << 16];
	struct sigaction sa;
	int i, ret, rcvbuf = 4 << 20, one = 1;
	uint32_t n;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-e") && i + 1 < argc) {
			char *list = argv[++i], *tok, *save = NULL;

			m.mask = 0;
			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "new"))
					m.mask |= KC_EV_NEW;
				else if (!strcmp(tok, "destroy"))
					m.mask |= KC_EV_DESTROY;
				else
					return kc_usage_err("-e %s: events are new, destroy", tok);
			}
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			if (!kc_parse_u32(argv[++i], UINT32_MAX, &n) || !n)
				return kc_usage_err("--count %s: expected a positive number", argv[i]);
			m.left = n;
			m.counted = true;
		} else {
			return kc_usage_err("unknown argument '%s'", argv[i]);
		}
	}
	if (!m.mask)
		return kc_usage_err("-e: no events chosen");
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
				fprintf(stderr, "ktrackctl: monitor: events lost (listener too slow)\n");
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
