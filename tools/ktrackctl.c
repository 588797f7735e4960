// SPDX-License-Identifier: GPL-2.0
/*
 * ktrackctl.c - the command-line tool for ktrack: finds the "ktrack" generic netlink family and runs
 * one verb. This release knows the family and the version; the verbs come with the control plane.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ktrack.h>

#include "version.h"

/* Exit codes, documented in ktrackctl(8). */
enum {
	KC_EXIT_OK = 0,
	KC_EXIT_FAIL = 1,	/* the kernel refused the request */
	KC_EXIT_USAGE = 2,	/* bad argument */
	KC_EXIT_NOT_LOADED = 3,	/* the ktrack module is not loaded */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ktrackctl [-n NETNS] [-o json] VERB [ARGS]\n"
		"       ktrackctl --version\n");
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	*(int *)data = 1;
	return MNL_CB_OK;
}

/* 1 when the ktrack family is registered in this netns, 0 when not, -1 on error. */
static int family_present(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	unsigned int seq = time(NULL), portid;
	int found = 0, ret;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KTRACK_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		mnl_socket_close(nl);
		return -1;
	}
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, family_cb, &found);
		if (ret <= 0)
			break;
	}
	mnl_socket_close(nl);
	if (ret < 0 && errno != ENOENT)
		return -1;
	return found;
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
	int i = 1;

	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("ktrackctl %s (genl family %s version %d)\n", KTRACK_VERSION,
		       KTRACK_GENL_NAME, KTRACK_GENL_VERSION);
		return KC_EXIT_OK;
	}
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return KC_EXIT_OK;
	}
	if (i + 1 < argc && !strcmp(argv[i], "-n")) {
		if (enter_netns(argv[i + 1]) < 0)
			return KC_EXIT_USAGE;
		i += 2;
	}
	if (i >= argc) {
		usage(stderr);
		return KC_EXIT_USAGE;
	}
	switch (family_present()) {
	case 0:
		fprintf(stderr, "ktrack is not loaded: modprobe ktrack\n");
		return KC_EXIT_NOT_LOADED;
	case -1:
		fprintf(stderr, "ktrackctl: generic netlink: %s\n", strerror(errno));
		return KC_EXIT_FAIL;
	}
	fprintf(stderr, "ktrackctl: %s: unknown verb\n", argv[i]);
	return KC_EXIT_USAGE;
}
