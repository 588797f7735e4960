// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c - ktrackctl's generic netlink plumbing on libmnl: the socket (extended acks on), resolving
 * the "ktrack" family and its "events" group, building a request, and running a request or a dump
 * to its end, turning a kernel error (errno and extack message) into one line and an exit code.
 * The socket is opened on the first request sent, after the verb has checked its arguments, so a
 * bad argument is told as such whether or not ktrack is there. A missing family is told as "not
 * loaded" (a module for the running kernel is installed: asking for the family would have
 * autoloaded it, unless modprobe.d forbids it) or "not installed" (none is).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ktrackctl.h"

const char *(*kc_describe_attr)(const struct nlmsghdr *req, uint32_t off);

static char kc_buf[1 << 16];

int kc_usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ktrackctl: %s: ", kc_verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return KC_EXIT_USAGE;
}

void kc_parse_nest(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	const struct nlattr *a;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) <= max)
			tb[mnl_attr_get_type(a)] = a;
	}
}

static int kc_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kc_nl *nl = data;
	const struct nlattr *a, *g, *ga;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			nl->family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a) {
				const char *name = NULL;
				uint32_t id = 0;

				mnl_attr_for_each_nested(ga, g) {
					if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME)
						name = mnl_attr_get_str(ga);
					else if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_ID)
						id = mnl_attr_get_u32(ga);
				}
				if (name && !strcmp(name, KTRACK_GENL_MCGRP_EVENTS))
					nl->events_grp = id;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

/* The kernel's answer to a request: 0 (ack), or its errno and extack. */
static struct {
	int err;
	char msg[256];
	int64_t off;
	uint64_t min, max;
	bool range;
	int miss;
} kc_err;

static int kc_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *p;
	unsigned int off = sizeof(*e);

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	kc_err.err = -e->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_for_each(a, nlh, off) {
			switch (mnl_attr_get_type(a)) {
			case NLMSGERR_ATTR_MSG:
				snprintf(kc_err.msg, sizeof(kc_err.msg), "%s", mnl_attr_get_str(a));
				break;
			case NLMSGERR_ATTR_OFFS:
				kc_err.off = mnl_attr_get_u32(a);
				break;
			case NLMSGERR_ATTR_MISS_TYPE:
				kc_err.miss = mnl_attr_get_u32(a);
				break;
			case NLMSGERR_ATTR_POLICY:
				mnl_attr_for_each_nested(p, a) {
					if (mnl_attr_get_type(p) == NL_POLICY_TYPE_ATTR_MIN_VALUE_U) {
						kc_err.min = mnl_attr_get_u64(p);
						kc_err.range = true;
					} else if (mnl_attr_get_type(p) ==
						   NL_POLICY_TYPE_ATTR_MAX_VALUE_U) {
						kc_err.max = mnl_attr_get_u64(p);
					}
				}
				break;
			}
		}
	}
	errno = kc_err.err;
	return MNL_CB_ERROR;
}

static int kc_noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int kc_done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

static mnl_cb_t kc_ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = kc_noop_cb,
	[NLMSG_ERROR] = kc_error_cb,
	[NLMSG_DONE] = kc_done_cb,
	[NLMSG_OVERRUN] = kc_noop_cb,
};

static int kc_talk(struct kc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	int ret;

	memset(&kc_err, 0, sizeof(kc_err));
	kc_err.off = -1;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -1;
	while ((ret = mnl_socket_recvfrom(nl->sock, kc_buf, sizeof(kc_buf))) > 0) {
		ret = mnl_cb_run2(kc_buf, ret, req->nlmsg_seq, nl->portid, cb, data, kc_ctl_cb,
				  NLMSG_MIN_TYPE);
		if (ret <= 0)
			break;
	}
	return ret;
}

void kc_nl_init(struct kc_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->seq = time(NULL);
}

/* Whether modules.dep of the running kernel lists a ktrack.ko (any compression). */
static bool kc_module_installed(const char *release)
{
	char path[512], line[4096];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", release);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		found = !strncmp(base, "ktrack.ko", 9);
	}
	fclose(f);
	return found;
}

static int kc_family_missing(void)
{
	struct utsname u;

	if (access("/sys/module/ktrack", F_OK) == 0) {
		fprintf(stderr, "ktrackctl: ktrack is loaded but offers no netlink family \"%s\" "
			"(a module of another version?)\n", KTRACK_GENL_NAME);
		return KC_EXIT_NOT_LOADED;
	}
	uname(&u);
	if (kc_module_installed(u.release)) {
		fprintf(stderr, "ktrackctl: ktrack is not loaded (modprobe ktrack)\n");
		return KC_EXIT_NOT_LOADED;
	}
	fprintf(stderr, "ktrackctl: ktrack is not installed for kernel %s "
		"(install ktrack-dkms or run make install; or insmod ktrack.ko)\n", u.release);
	return KC_EXIT_NOT_INSTALLED;
}

int kc_nl_connect(struct kc_nl *nl)
{
	static char req[256];
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int one = 1;

	if (nl->sock)
		return KC_EXIT_OK;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "ktrackctl: generic netlink: %s\n", strerror(errno));
		return KC_EXIT_FAIL;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KTRACK_GENL_NAME);
	if (kc_talk(nl, nlh, kc_family_cb, nl) < 0 || !nl->family) {
		if (errno == ENOENT || !nl->family)
			return kc_family_missing();
		fprintf(stderr, "ktrackctl: generic netlink: %s\n", strerror(errno));
		return KC_EXIT_FAIL;
	}
	return KC_EXIT_OK;
}

void kc_nl_close(struct kc_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *kc_nl_req(struct kc_nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;	/* set again when sent: the family is resolved then */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KTRACK_GENL_VERSION;
	return nlh;
}

int kc_nl_run(struct kc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	const char *what = NULL;
	int ret = kc_nl_connect(nl);

	if (ret)
		return ret;
	req->nlmsg_type = nl->family;
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		req->nlmsg_flags |= NLM_F_ACK;
	if (kc_talk(nl, req, cb, data) >= 0)
		return KC_EXIT_OK;
	if (!kc_err.err) {
		if (errno == EINTR) {
			fprintf(stderr, "ktrackctl: %s: dump interrupted: the table changed, run it again\n",
				kc_verb);
			return KC_EXIT_FAIL;
		}
		fprintf(stderr, "ktrackctl: %s: netlink: %s\n", kc_verb, strerror(errno));
		return KC_EXIT_FAIL;
	}
	if (kc_err.err == EPERM) {
		fprintf(stderr, "ktrackctl: %s: permission denied (needs CAP_NET_ADMIN)\n", kc_verb);
		return KC_EXIT_PERM;
	}
	if (kc_err.err == ENOENT) {
		fprintf(stderr, "ktrackctl: %s: %s\n", kc_verb,
			kc_err.msg[0] ? kc_err.msg : "no such connection");
		return KC_EXIT_NOENT;
	}
	if (kc_err.off >= 0 && kc_describe_attr)
		what = kc_describe_attr(req, kc_err.off);
	fprintf(stderr, "ktrackctl: %s: ", kc_verb);
	if (what)
		fprintf(stderr, "%s: ", what);
	fprintf(stderr, "%s", kc_err.msg[0] ? kc_err.msg : strerror(kc_err.err));
	if (kc_err.range)
		fprintf(stderr, " (%llu..%llu)", (unsigned long long)kc_err.min,
			(unsigned long long)kc_err.max);
	if (kc_err.msg[0] && kc_err.err != EINVAL)
		fprintf(stderr, " (%s)", strerror(kc_err.err));
	fputc('\n', stderr);
	return KC_EXIT_FAIL;
}
