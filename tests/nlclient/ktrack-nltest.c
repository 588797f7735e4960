// SPDX-License-Identifier: GPL-2.0
/*
 * ktrack-nltest.c - an independent client of the ktrack generic netlink family, on libnl-3
 * (libnl-genl-3), written from include/uapi/linux/ktrack.h alone. tests/vm/91-nlconform.bats drives
 * it: each CASE sends one request, well-formed or deliberately broken, and prints one line:
 *   ok [N]                  the kernel acked (N: messages of a dump, or the count it returned)
 *   error NAME: MESSAGE     the kernel's errno (ENAME) and its extack message ("-" if none)
 * Exit status 0 when a line was printed, 2 on a local failure.
 *
 * "fuzz SEED COUNT [check]" (fuzz.c, tests/vm/95-nlabuse.bats) sends COUNT random and mutated
 * requests instead and prints one summary line; see fuzz.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/netlink.h>
#include <linux/ktrack.h>

#include "fuzz.h"

static struct nl_sock *sk;
static int family;

struct result {
	int err;		/* positive errno, 0 for ack */
	char msg[256];
	int done;
	unsigned long nmsgs;
	long count;
	int interrupted;
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct result *r = arg;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int off = sizeof(*e);

	(void)nla;
	r->err = -e->error;
	r->done = 1;
	strcpy(r->msg, "-");
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + NLMSG_ALIGN(off)),
			      nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off), NULL) == 0 &&
		    tb[NLMSGERR_ATTR_MSG])
			snprintf(r->msg, sizeof(r->msg), "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	}
	return NL_STOP;
}

/* The ack of a request, or NLMSG_DONE of a dump: the answer is complete. */
static int on_done(struct nl_msg *msg, void *arg)
{
	struct result *r = arg;

	(void)msg;
	r->done = 1;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct result *r = arg;
	struct nlattr *a;
	int rem;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->interrupted = 1;
	r->nmsgs++;
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) == KTRACK_A_COUNT && nla_len(a) == 4)
			r->count = nla_get_u32(a);
	}
	return NL_OK;
}

static struct nl_msg *req(int cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags | NLM_F_ACK, cmd,
			       KTRACK_GENL_VERSION))
		exit(2);
	return m;
}

static void report(const struct result *r)
{
	if (r->err)
		printf("error %s: %s\n", r->err == EINVAL ? "EINVAL" : r->err == EPERM ? "EPERM" :
		       r->err == ENOENT ? "ENOENT" : r->err == EBUSY ? "EBUSY" :
		       r->err == EOPNOTSUPP ? "EOPNOTSUPP" : r->err == ERANGE ? "ERANGE" :
		       strerror(r->err), r->msg);
	else if (r->count >= 0)
		printf("ok %ld\n", r->count);
	else
		printf("ok %lu%s\n", r->nmsgs, r->interrupted ? " interrupted" : "");
}

/* Send a built message (or raw bytes) and read until the ack, error or end of dump. */
static struct result run(struct nl_msg *m, const void *raw, size_t rawlen, long stop_after)
{
	struct result r = { .count = -1 };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	nl_socket_disable_seq_check(sk);	/* raw requests carry their own sequence numbers */
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &r);
	if (!m) {
		/* raw bytes: plain send and recv, so that libnl's own checks stay out of the way */
		static char buf[8192];
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		ssize_t len;

		if (send(nl_socket_get_fd(sk), raw, rawlen, 0) < 0)
			exit(2);
		len = recv(nl_socket_get_fd(sk), buf, sizeof(buf), 0);
		if (len < (ssize_t)NLMSG_HDRLEN || nlh->nlmsg_type != NLMSG_ERROR)
			exit(2);
		on_error(NULL, NLMSG_DATA(nlh), &r);
		nl_cb_put(cb);
		return r;
	}
	err = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (err < 0) {
		fprintf(stderr, "send: %s\n", nl_geterror(err));
		exit(2);
	}
	while (!r.done) {
		err = nl_recvmsgs(sk, cb);
		if (err < 0 && !r.done) {
			fprintf(stderr, "recv: %s\n", nl_geterror(err));
			r.err = -err == NLE_DUMP_INTR ? 0 : EPROTO;
			if (-err == NLE_DUMP_INTR)
				r.interrupted = 1;
			break;
		}
		if (stop_after && (long)r.nmsgs >= stop_after)
			break;
	}
	nl_cb_put(cb);
	return r;
}

static void put_tuple(struct nl_msg *m, int af, int proto, const char *s, const char *d,
		      int sport, int dport)
{
	struct nlattr *n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_CONN);
	unsigned char a[16];
	int len = af == AF_INET ? 4 : 16;

	nla_put_u8(m, KTRACK_CONN_A_FAMILY, af);
	nla_put_u8(m, KTRACK_CONN_A_PROTO, proto);
	inet_pton(af, s, a);
	nla_put(m, KTRACK_CONN_A_SRC, len, a);
	inet_pton(af, d, a);
	nla_put(m, KTRACK_CONN_A_DST, len, a);
	nla_put_u16(m, KTRACK_CONN_A_SPORT, htons(sport));
	nla_put_u16(m, KTRACK_CONN_A_DPORT, htons(dport));
	nla_nest_end(m, n);
}

/* @cmd with a nest @nest that holds only @attr = AF_INET: a request missing required members. */
static struct result run_family_only(int cmd, int nest, int attr)
{
	struct nl_msg *m = req(cmd, 0);
	struct nlattr *n = nla_nest_start(m, NLA_F_NESTED | nest);

	nla_put_u8(m, attr, AF_INET);
	nla_nest_end(m, n);
	return run(m, NULL, 0, 0);
}

static int usage(void)
{
	fprintf(stderr, "usage: ktrack-nltest CASE [ARGS]   (cases: see tests/vm/91-nlconform.bats)\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	struct nlattr *n;
	struct nl_msg *m;
	struct result r;
	int one = 1;

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk))
		return 2;
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	family = genl_ctrl_resolve(sk, KTRACK_GENL_NAME);
	if (family < 0) {
		printf("error ENOENT: family not found\n");
		return 0;
	}
	if (!strcmp(c, "fuzz") && (argc == 4 || argc == 5)) {
		nl_socket_free(sk);
		return ktrack_fuzz(family, strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
				   argc == 5 && !strcmp(argv[4], "check"));
	}
	if (!strcmp(c, "stats")) {
		r = run(req(KTRACK_CMD_GET_STATS, 0), NULL, 0, 0);
	} else if (!strcmp(c, "stats-percpu")) {
		m = req(KTRACK_CMD_GET_STATS, 0);
		nla_put_flag(m, KTRACK_A_PERCPU);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "config-get")) {
		r = run(req(KTRACK_CMD_GET_CONFIG, 0), NULL, 0, 0);
	} else if (!strcmp(c, "config-set") && argc == 4) {
		/* config-set ATTR VALUE: one KTRACK_CFG_A_* as u32 */
		m = req(KTRACK_CMD_SET_CONFIG, 0);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_CONFIG);
		nla_put_u32(m, atoi(argv[2]), strtoul(argv[3], NULL, 0));
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "config-set-two") && argc == 6) {
		m = req(KTRACK_CMD_SET_CONFIG, 0);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_CONFIG);
		nla_put_u32(m, atoi(argv[2]), strtoul(argv[3], NULL, 0));
		nla_put_u32(m, atoi(argv[4]), strtoul(argv[5], NULL, 0));
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "config-missing")) {
		r = run(req(KTRACK_CMD_SET_CONFIG, 0), NULL, 0, 0);
	} else if (!strcmp(c, "config-wrong-type")) {
		m = req(KTRACK_CMD_SET_CONFIG, 0);
		nla_put_u32(m, KTRACK_A_CONFIG, 5);	/* a u32 where a nest belongs */
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "config-u8")) {
		m = req(KTRACK_CMD_SET_CONFIG, 0);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_CONFIG);
		nla_put_u8(m, KTRACK_CFG_A_UDP_TIMEOUT, 5);	/* a u8 where a u32 belongs */
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "unknown-attr")) {
		m = req(KTRACK_CMD_GET_STATS, 0);
		nla_put_u32(m, KTRACK_A_MAX + 5, 1);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "unused-attr")) {
		m = req(KTRACK_CMD_GET_STATS, 0);
		nla_put_u32(m, KTRACK_A_COUNT, 1);	/* known, but not taken by GET_STATS */
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "bad-cmd")) {
		r = run(req(KTRACK_CMD_MAX + 1, 0), NULL, 0, 0);
	} else if (!strcmp(c, "get") && argc == 6) {
		/* get SRC DST SPORT DPORT (TCP, IPv4) */
		m = req(KTRACK_CMD_GET_CONN, 0);
		put_tuple(m, AF_INET, IPPROTO_TCP, argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "get-missing")) {
		r = run_family_only(KTRACK_CMD_GET_CONN, KTRACK_A_CONN, KTRACK_CONN_A_FAMILY);
	} else if (!strcmp(c, "get-oversize")) {
		unsigned char big[32] = { 0 };

		m = req(KTRACK_CMD_GET_CONN, 0);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_CONN);
		nla_put_u8(m, KTRACK_CONN_A_FAMILY, AF_INET);
		nla_put(m, KTRACK_CONN_A_SRC, sizeof(big), big);
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "get-addrlen")) {
		/* a 4-byte address in an AF_INET6 tuple */
		m = req(KTRACK_CMD_GET_CONN, 0);
		put_tuple(m, AF_INET, IPPROTO_TCP, "192.0.2.2", "192.0.2.1", 1, 2);
		nlmsg_free(m);
		m = req(KTRACK_CMD_GET_CONN, 0);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_CONN);
		nla_put_u8(m, KTRACK_CONN_A_FAMILY, AF_INET6);
		nla_put_u8(m, KTRACK_CONN_A_PROTO, IPPROTO_TCP);
		nla_put(m, KTRACK_CONN_A_SRC, 4, "\xc0\x00\x02\x02");
		nla_put(m, KTRACK_CONN_A_DST, 4, "\xc0\x00\x02\x01");
		nla_put_u16(m, KTRACK_CONN_A_SPORT, htons(1));
		nla_put_u16(m, KTRACK_CONN_A_DPORT, htons(2));
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "dump")) {
		r = run(req(KTRACK_CMD_GET_CONN, NLM_F_DUMP), NULL, 0, 0);
	} else if (!strcmp(c, "dump-filter-bad")) {
		m = req(KTRACK_CMD_GET_CONN, NLM_F_DUMP);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_FILTER);
		nla_put(m, KTRACK_FILTER_A_SRC, 4, "\xc0\x00\x02\x02");	/* no family */
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "dump-partial") && argc == 3) {
		/* read N messages of a dump, then close the socket mid-dump */
		r = run(req(KTRACK_CMD_GET_CONN, NLM_F_DUMP), NULL, 0, atol(argv[2]));
		nl_socket_free(sk);
		printf("ok %lu partial\n", r.nmsgs);
		return 0;
	} else if (!strcmp(c, "del-both")) {
		m = req(KTRACK_CMD_DEL_CONN, 0);
		put_tuple(m, AF_INET, IPPROTO_TCP, "192.0.2.2", "192.0.2.1", 1, 2);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_FILTER);
		nla_put_u8(m, KTRACK_FILTER_A_FAMILY, AF_INET);	/* libnl drops empty nests */
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "del-none")) {
		r = run(req(KTRACK_CMD_DEL_CONN, 0), NULL, 0, 0);
	} else if (!strcmp(c, "flush")) {
		r = run(req(KTRACK_CMD_FLUSH, 0), NULL, 0, 0);
	} else if (!strcmp(c, "sources")) {
		r = run(req(KTRACK_CMD_GET_SOURCES, NLM_F_DUMP), NULL, 0, 0);
	} else if (!strcmp(c, "limit-add") && argc == 5) {
		unsigned char a[4];

		m = req(KTRACK_CMD_NEW_LIMIT, 0);
		n = nla_nest_start(m, NLA_F_NESTED | KTRACK_A_LIMIT);
		nla_put_u8(m, KTRACK_LIMIT_A_FAMILY, AF_INET);
		inet_pton(AF_INET, argv[2], a);
		nla_put(m, KTRACK_LIMIT_A_ADDR, 4, a);
		nla_put_u8(m, KTRACK_LIMIT_A_PREFIXLEN, atoi(argv[3]));
		nla_put_u32(m, KTRACK_LIMIT_A_LIMIT, atoi(argv[4]));
		nla_nest_end(m, n);
		r = run(m, NULL, 0, 0);
	} else if (!strcmp(c, "limit-missing")) {
		r = run_family_only(KTRACK_CMD_NEW_LIMIT, KTRACK_A_LIMIT, KTRACK_LIMIT_A_FAMILY);
	} else if (!strcmp(c, "limits")) {
		r = run(req(KTRACK_CMD_GET_LIMIT, NLM_F_DUMP), NULL, 0, 0);
	} else if (!strcmp(c, "truncated-attr")) {
		/* an attribute whose length runs past the end of the message */
		struct {
			struct nlmsghdr nlh;
			struct genlmsghdr g;
			struct nlattr a;
			unsigned char pad[4];
		} raw = { { sizeof(raw), family, NLM_F_REQUEST | NLM_F_ACK, 1, 0 },
			  { KTRACK_CMD_SET_CONFIG, KTRACK_GENL_VERSION, 0 },
			  { 64, NLA_F_NESTED | KTRACK_A_CONFIG }, { 0 } };

		r = run(NULL, &raw, sizeof(raw), 0);
	} else if (!strcmp(c, "truncated-hdr")) {
		/* a message too short for its generic netlink header */
		struct {
			struct nlmsghdr nlh;
			unsigned char g[2];
		} raw = { { sizeof(raw), family, NLM_F_REQUEST | NLM_F_ACK, 1, 0 }, { 1, 1 } };

		r = run(NULL, &raw, sizeof(raw), 0);
	} else if (!strcmp(c, "reserved")) {
		struct {
			struct nlmsghdr nlh;
			struct genlmsghdr g;
		} raw = { { sizeof(raw), family, NLM_F_REQUEST | NLM_F_ACK, 1, 0 },
			  { KTRACK_CMD_GET_STATS, KTRACK_GENL_VERSION, 7 } };

		r = run(NULL, &raw, sizeof(raw), 0);
	} else {
		return usage();
	}
	report(&r);
	nl_socket_free(sk);
	return 0;
}
