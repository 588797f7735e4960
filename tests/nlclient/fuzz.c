// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz.c - the fuzz mode of ktrack-nltest: COUNT requests to the ktrack family, each random or
 * mutated, from a seeded generator (the same SEED gives the same requests), sent on a plain
 * NETLINK_GENERIC socket so that no library check stands between them and the kernel.
 *
 * A request is a genlmsghdr with a command (mostly ktrack's, sometimes any byte), a version and a
 * reserved field (mostly right), NLM_F_ACK and sometimes NLM_F_DUMP, then up to 4 attributes of
 * random type; nests (config, conn, filter, limit, ...) are filled with members of random type and
 * of plausible or wrong sizes and values (families, protocols, prefix lengths, ports, addresses,
 * boundary integers). A quarter are then mutated: the message or an attribute length cut or
 * stretched, bytes flipped, the header cut below the genetlink header, or fewer bytes sent than
 * the header claims (the kernel drops those silently). One dump in fifty is abandoned after its
 * first message by closing the socket, and so is a well-formed dump of the connections and one of
 * the limits every 500 requests.
 *
 * With "check", the state a request could change (the config, the limit list, the del_flush
 * counter) is read before and after every refused request of a changing command
 * (SET_CONFIG, DEL_CONN, FLUSH, NEW_LIMIT, DEL_LIMIT) and compared; an accepted one re-reads it.
 *
 * Prints: "fuzz sent N acked A refused R silent S eperm P admin_acked X changed C abandoned D",
 * where admin_acked counts accepted requests of the [admin] commands (0 for an unprivileged user).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ktrack.h>

#include "fuzz.h"

#define BUF 65536

static uint64_t rs;
static int fd = -1, fam;
static uint32_t seqno = 1;

static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static void sock_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	if (fd >= 0)
		close(fd);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netlink");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

/* ---- building */

struct msg {
	unsigned char b[4096];
	size_t len;
};

static void *put(struct msg *m, const void *p, size_t n)
{
	void *at = m->b + m->len;

	if (m->len + NLA_ALIGN(n) > sizeof(m->b) - 64)
		return NULL;
	memset(at, 0, NLA_ALIGN(n));
	if (p)
		memcpy(at, p, n);
	m->len += NLA_ALIGN(n);
	return at;
}

static const uint32_t ints[] = { 0, 1, 2, 4, 30, 32, 33, 64, 128, 129, 255, 256, 65535, 65536,
				 120, 3600, 0x7fffffff, 0x80000000, 0xffffffff, 1U << 26, 2147483 };

/* A value of @n bytes: plausible (families, protocols, ports, addresses, bounds) or random. */
static void value(unsigned char *v, size_t n)
{
	static const unsigned char small[] = { 0, 1, 2, 6, 10, 17, 58, 24, 32, 33, 64, 128, 129, 255 };
	uint32_t x;
	size_t i;

	switch (below(4)) {
	case 0:
		for (i = 0; i < n; i++)
			v[i] = rnd();
		return;
	case 1:
		memset(v, 0, n);
		if (n)
			v[0] = small[below(sizeof(small))];
		return;
	default:
		break;
	}
	memset(v, 0, n);
	if (n == 4 && below(2)) {		/* an address: 192.0.2.x, 198.18.x.x, 10/8, 0, all ones */
		static const unsigned char pre[][2] = { { 192, 0 }, { 198, 18 }, { 10, 0 }, { 0, 0 },
						 { 255, 255 } };
		int k = below(5);

		v[0] = pre[k][0];
		v[1] = pre[k][1];
		v[2] = k == 0 ? 2 : below(256);
		v[3] = below(256);
		return;
	}
	if (n == 16) {				/* 2001:db8::x */
		v[0] = 0x20;
		v[1] = 0x01;
		v[2] = 0x0d;
		v[3] = 0xb8;
		v[15] = below(4);
		return;
	}
	x = ints[below(sizeof(ints) / sizeof(ints[0]))];
	for (i = 0; i < n && i < 4; i++)
		v[i] = x >> (8 * i);
	if (n == 2 && below(2)) {		/* a port, network order */
		v[0] = 0x1f;
		v[1] = 0x90;
	}
}

static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 8, 16, 17, 20, 32 };

/* Members of a nest: up to 7 attributes of type up to @max + 2 (sometimes anything). */
static void members(struct msg *m, int max, int depth)
{
	int n = below(8), i;

	for (i = 0; i < n; i++) {
		size_t sz = sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
		struct nlattr *a;
		size_t start;

		start = m->len;
		a = put(m, NULL, NLA_HDRLEN);
		if (!a)
			return;
		a->nla_type = below(8) ? below(max + 3) : below(0x4000);
		if (depth < 2 && !below(12)) {
			a->nla_type |= NLA_F_NESTED;
			members(m, max, depth + 1);
		} else {
			unsigned char *v = put(m, NULL, sz);

			if (!v)
				return;
			value(v, sz);
		}
		a->nla_len = m->len - start;
		if (a->nla_len > NLA_HDRLEN && !(a->nla_type & NLA_F_NESTED))
			a->nla_len = NLA_HDRLEN + sz;
	}
}

/* The member range of the nest of top-level attribute @type. */
static int nest_max(int type)
{
	switch (type) {
	case KTRACK_A_STATS: return KTRACK_STAT_A_MAX;
	case KTRACK_A_CONFIG: return KTRACK_CFG_A_MAX;
	case KTRACK_A_CONN: return KTRACK_CONN_A_MAX;
	case KTRACK_A_FILTER: return KTRACK_FILTER_A_MAX;
	case KTRACK_A_SOURCE: return KTRACK_SRC_A_MAX;
	case KTRACK_A_LIMIT: return KTRACK_LIMIT_A_MAX;
	case KTRACK_A_PERCPU: return KTRACK_A_MAX;
	default: return -1;
	}
}

/* A request; returns whether the kernel will answer it (it drops a short send silently). */
static int build(struct msg *m, int *cmd, int *dump)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->b;
	struct genlmsghdr *g;
	int n, i, reply = 1;

	memset(m->b, 0, sizeof(m->b));
	m->len = NLMSG_HDRLEN;
	g = put(m, NULL, GENL_HDRLEN);
	*cmd = below(8) ? 1 + below(KTRACK_CMD_MAX) : below(256);
	*dump = !below(4);
	g->cmd = *cmd;
	g->version = below(10) ? KTRACK_GENL_VERSION : below(256);
	g->reserved = below(20) ? 0 : rnd();
	n = below(5);
	for (i = 0; i < n; i++) {
		size_t start = m->len;
		struct nlattr *a = put(m, NULL, NLA_HDRLEN);
		int type = below(8) ? below(KTRACK_A_MAX + 3) : below(0x4000);

		if (!a)
			break;
		a->nla_type = type;
		if (nest_max(type) >= 0 && below(4)) {
			if (below(4))
				a->nla_type |= NLA_F_NESTED;
			members(m, nest_max(type), 0);
		} else {
			size_t sz = sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
			unsigned char *v = put(m, NULL, sz);

			if (v)
				value(v, sz);
		}
		a->nla_len = m->len - start;
	}
	nlh->nlmsg_len = m->len;
	nlh->nlmsg_type = fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (*dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = ++seqno;

	if (!below(4)) {
		size_t at;

		switch (below(6)) {
		case 0:		/* the message cut short, the header says so */
			nlh->nlmsg_len = NLMSG_HDRLEN + below(m->len - NLMSG_HDRLEN + 1);
			m->len = nlh->nlmsg_len;
			break;
		case 1:		/* fewer bytes than the header says: dropped without an answer */
			if (m->len > NLMSG_HDRLEN + 4) {
				m->len -= 1 + below(m->len - NLMSG_HDRLEN - 1);
				reply = 0;
			}
			break;
		case 2:		/* an attribute length changed */
			if (m->len > NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN) {
				struct nlattr *a = (struct nlattr *)(m->b + NLMSG_HDRLEN + GENL_HDRLEN);

				a->nla_len = below(3) ? below(64) : rnd();
			}
			break;
		case 3:		/* bytes flipped after the genetlink header */
			for (i = below(4) + 1; i > 0 && m->len > NLMSG_HDRLEN + GENL_HDRLEN; i--) {
				at = NLMSG_HDRLEN + GENL_HDRLEN +
				     below(m->len - NLMSG_HDRLEN - GENL_HDRLEN);
				m->b[at] ^= 1 << below(8);
			}
			break;
		case 4:		/* shorter than the genetlink header */
			nlh->nlmsg_len = NLMSG_HDRLEN + below(GENL_HDRLEN);
			m->len = nlh->nlmsg_len;
			break;
		default:	/* trailing garbage inside the message */
			put(m, NULL, 1 + below(7));
			m->b[m->len - 1] = rnd();
			nlh->nlmsg_len = m->len - below(3);
			break;
		}
	}
	return reply;
}

/* ---- talking */

struct answer {
	int err;		/* 0: acked or the dump ended; -1: no answer */
	unsigned long msgs;	/* data messages */
};

/* Reads the answer to @seq; with @abandon, returns after the first data message. Appends the
 * payload of data messages (from the genetlink header on) to @keep when given.
 */
static struct answer await(uint32_t seq, int want, int abandon, struct msg *keep)
{
	static unsigned char buf[BUF];
	struct answer a = { .err = -1 };
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t len;
		int left;

		if (poll(&p, 1, want ? 5000 : 20) <= 0)
			return a;
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == ENOBUFS || errno == EINTR)
				continue;
			return a;
		}
		left = len;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				a.err = -((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
				return a;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				a.err = 0;
				return a;
			}
			a.msgs++;
			if (keep)
				put(keep, NLMSG_DATA(nlh), nlh->nlmsg_len - NLMSG_HDRLEN);
			if (abandon)
				return a;
		}
	}
}

/* A well-formed request without attributes; the answer's payload appended to @keep. */
static int ask(int cmd, int dump, struct msg *keep)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} r = { { sizeof(r), fam, NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0), ++seqno, 0 },
		{ cmd, KTRACK_GENL_VERSION, 0 } };

	if (send(fd, &r, sizeof(r), 0) < 0)
		return -1;
	return await(r.nlh.nlmsg_seq, 1, 0, keep).err;
}

/* A well-formed dump of @cmd, abandoned after its first message; returns whether it was. */
static int abandon_dump(int cmd)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} r = { { sizeof(r), fam, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, ++seqno, 0 },
		{ cmd, KTRACK_GENL_VERSION, 0 } };
	struct answer a;

	if (send(fd, &r, sizeof(r), 0) < 0)
		return 0;
	a = await(r.nlh.nlmsg_seq, 1, 1, NULL);
	sock_open();
	return a.msgs > 0;
}

/* What a request could change: the config, the limit list and the del_flush counter. */
static void fingerprint(struct msg *fp)
{
	struct msg st = { .len = 0 };
	unsigned char *p;
	size_t off;

	fp->len = 0;
	if (ask(KTRACK_CMD_GET_CONFIG, 0, fp) || ask(KTRACK_CMD_GET_LIMIT, 1, fp) ||
	    ask(KTRACK_CMD_GET_STATS, 0, &st)) {
		fprintf(stderr, "fuzz: cannot read the state\n");
		exit(2);
	}
	/* the stats nest's DEL_FLUSH member: walk the nest for it */
	for (off = GENL_HDRLEN; off + NLA_HDRLEN <= st.len;) {
		struct nlattr *a = (struct nlattr *)(st.b + off);

		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == KTRACK_A_STATS) {
			size_t in = off + NLA_HDRLEN, end = off + a->nla_len;

			while (in + NLA_HDRLEN <= end) {
				struct nlattr *s = (struct nlattr *)(st.b + in);

				if (s->nla_len < NLA_HDRLEN)
					break;
				if (s->nla_type == KTRACK_STAT_A_DEL_FLUSH) {
					p = put(fp, (unsigned char *)s + NLA_HDRLEN, 8);
					(void)p;
				}
				in += NLA_ALIGN(s->nla_len);
			}
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

static int changes_state(int cmd)
{
	return cmd == KTRACK_CMD_SET_CONFIG || cmd == KTRACK_CMD_DEL_CONN || cmd == KTRACK_CMD_FLUSH ||
	       cmd == KTRACK_CMD_NEW_LIMIT || cmd == KTRACK_CMD_DEL_LIMIT;
}

static int is_admin(int cmd)
{
	return cmd >= KTRACK_CMD_SET_CONFIG && cmd <= KTRACK_CMD_DEL_LIMIT;
}

int ktrack_fuzz(int family, unsigned long long seed, unsigned long count, int check)
{
	unsigned long i, acked = 0, refused = 0, silent = 0, eperm = 0, admin_acked = 0;
	unsigned long changed = 0, abandoned = 0;
	static struct msg m, fp, fp2;

	fam = family;
	rs = seed * 0x9e3779b97f4a7c15ULL + 1;
	sock_open();
	if (check)
		fingerprint(&fp);
	for (i = 0; i < count; i++) {
		int cmd, dump, reply, abandon;
		struct answer a;

		if (i % 500 == 0) {
			abandoned += abandon_dump(KTRACK_CMD_GET_CONN);
			abandoned += abandon_dump(KTRACK_CMD_GET_LIMIT);
		}
		reply = build(&m, &cmd, &dump);
		abandon = dump && !below(50);
		if (send(fd, m.b, m.len, 0) < 0) {
			silent++;
			continue;
		}
		a = await(((struct nlmsghdr *)m.b)->nlmsg_seq, reply, abandon, NULL);
		if (abandon && a.msgs) {
			abandoned++;
			sock_open();
		}
		if (a.err == 0) {
			acked++;
			admin_acked += is_admin(cmd) && (m.len >= NLMSG_HDRLEN + GENL_HDRLEN);
		} else if (a.err < 0 && !a.msgs) {
			silent++;
		} else {
			refused++;
			eperm += a.err == EPERM;
		}
		if (check && changes_state(cmd)) {
			fingerprint(&fp2);
			if (a.err != 0 && (fp2.len != fp.len || memcmp(fp.b, fp2.b, fp.len))) {
				changed++;
				fprintf(stderr, "fuzz: request %lu (cmd %d) was refused (%d) but the state "
					"changed\n", i, cmd, a.err);
			}
			fp = fp2;
		}
	}
	printf("fuzz sent %lu acked %lu refused %lu silent %lu eperm %lu admin_acked %lu changed %lu "
	       "abandoned %lu\n", count, acked, refused, silent, eperm, admin_acked, changed,
	       abandoned);
	close(fd);
	return 0;
}
