// SPDX-License-Identifier: GPL-2.0
/*
 * gen.c - the benchmark's packet generator. Sends distinct TCP flows over AF_PACKET (sendmmsg, qdisc
 * bypassed) on a veth and times each batch until the receiving namespace's IP stack has taken in
 * every packet of it.
 *
 * Flow i comes from 198.18.0.0 + (i mod S), source port 1024 + (i div S) mod 64000, and goes to
 * 192.0.2.1, port P + i div (S * 64000): so S sets the connections per source, and flows stay
 * distinct past 64000 per source. Mode syn sends each flow's SYN; mode ack sends an ACK on the same
 * tuple (the flow already tracked: a lookup hit).
 *
 * Run it in the receiving namespace (`ip netns exec srv gen -N gen ...`): it opens that namespace's
 * /proc/net/snmp first, then enters the sending namespace (-N) for its packet socket. A batch is done
 * when the receiver's Ip InReceives (counted as ip_rcv starts on a packet, so when it reaches the
 * target the last packet is in the stack) has grown by the batch size. With -T 2 two threads, pinned
 * to the CPUs of -C, send one half of each batch each.
 *
 * Output, one line per batch: "batch K first N elapsed_ns ns_per_pkt lost".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN	54	/* Ethernet 14 + IPv4 20 + TCP 20 */
#define FRAME_STRIDE	64
#define MAX_THREADS	8
#define SEND_VLEN	512
#define PORTS_PER_SRC	64000U
#define MAX_SOURCES	131072U	/* 198.18.0.0/15 */

struct opts {
	const char *ifname, *netns, *cpus;
	uint64_t count, first, batch;
	uint32_t sources;
	uint16_t dport;
	bool ack;
	int threads;
	uint8_t dmac[6], smac[6];
	double stall_s;
};

struct worker {
	pthread_t tid;
	int fd, cpu;
	uint8_t *frames;	/* this worker's part of the batch */
	size_t n;		/* frames to send this batch */
	pthread_barrier_t *start, *done;
	volatile bool *stop;
	uint64_t sent_err;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The SYN's sequence number of flow i: any value, but the same for its ACK. */
static uint32_t flow_isn(uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(x >> 32);
}

static void build_frame(const struct opts *o, uint64_t i, uint8_t *f)
{
	uint32_t saddr = 0xc6120000U + (uint32_t)(i % o->sources);	/* 198.18.0.0 + i mod S */
	uint32_t daddr = 0xc0000201U;					/* 192.0.2.1 */
	uint64_t per = i / o->sources;
	uint16_t sport = (uint16_t)(1024 + per % PORTS_PER_SRC);
	uint16_t dport = (uint16_t)(o->dport + per / PORTS_PER_SRC);
	uint8_t *ip = f + 14, *tcp = f + 34;
	uint32_t sum;

	memset(f, 0, FRAME_LEN);
	memcpy(f, o->dmac, 6);
	memcpy(f + 6, o->smac, 6);
	put16(f + 12, ETHERTYPE_IP);

	ip[0] = 0x45;
	put16(ip + 2, 40);
	put16(ip + 4, (uint16_t)i);
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = 6;			/* TCP */
	put32(ip + 12, saddr);
	put32(ip + 16, daddr);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	put16(tcp, sport);
	put16(tcp + 2, dport);
	if (o->ack) {
		put32(tcp + 4, flow_isn(i) + 1);
		put32(tcp + 8, 1);
		tcp[13] = 0x10;		/* ACK */
	} else {
		put32(tcp + 4, flow_isn(i));
		tcp[13] = 0x02;		/* SYN */
	}
	tcp[12] = 5 << 4;
	put16(tcp + 14, 65535);
	/* pseudo header: addresses, protocol, TCP length */
	sum = csum_add(0, ip + 12, 8) + 6 + 20;
	put16(tcp + 16, csum_fold(csum_add(sum, tcp, 20)));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct mmsghdr *msgs = calloc(SEND_VLEN, sizeof(*msgs));
	struct iovec *iov = calloc(SEND_VLEN, sizeof(*iov));
	cpu_set_t set;

	if (!msgs || !iov)
		die("calloc");
	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			fprintf(stderr, "gen: cannot pin to CPU %d\n", w->cpu);
	}
	for (;;) {
		pthread_barrier_wait(w->start);
		if (*w->stop)
			break;
		for (size_t done = 0; done < w->n;) {
			size_t k = w->n - done < SEND_VLEN ? w->n - done : SEND_VLEN;
			int r;

			for (size_t j = 0; j < k; j++) {
				iov[j].iov_base = w->frames + (done + j) * FRAME_STRIDE;
				iov[j].iov_len = FRAME_LEN;
				msgs[j].msg_hdr = (struct msghdr){ .msg_iov = &iov[j], .msg_iovlen = 1 };
			}
			r = sendmmsg(w->fd, msgs, (unsigned int)k, 0);
			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
					w->sent_err++;
					sched_yield();
					continue;
				}
				die("sendmmsg");
			}
			done += (size_t)r;
		}
		pthread_barrier_wait(w->done);
	}
	free(msgs);
	free(iov);
	return NULL;
}

static int packet_socket(const char *ifname)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: send only, receive nothing */
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int one = 1, sndbuf = 4 << 20;

	if (fd < 0)
		die("socket(AF_PACKET)");
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		perror("PACKET_QDISC_BYPASS");
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return fd;
}

/* The receiver's Ip InReceives, from its /proc/net/snmp opened before leaving its namespace. */
static uint64_t in_receives(int fd)
{
	static char buf[8192];
	char *hdr, *val, *hs, *vs, *h, *v;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		die("read snmp");
	buf[n] = 0;
	hdr = strstr(buf, "Ip: ");
	val = hdr ? strstr(hdr + 4, "Ip: ") : NULL;
	if (!val)
		return 0;
	h = strtok_r(hdr, " \n", &hs);
	v = strtok_r(val, " \n", &vs);
	while (h && v) {
		if (!strcmp(h, "InReceives"))
			return strtoull(v, NULL, 10);
		h = strtok_r(NULL, " \n", &hs);
		v = strtok_r(NULL, " \n", &vs);
	}
	return 0;
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) {
		fprintf(stderr, "gen: bad MAC %s\n", s);
		exit(2);
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen -i IFACE -N NETNS -d DSTMAC -s SRCMAC [-n FLOWS] [-f FIRST] [-b BATCH]\n"
		"           [-S SOURCES] [-p DPORT] [-a] [-T THREADS] [-C CPU,CPU...] [-w STALL_S]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){ .count = 100000, .batch = 100000, .sources = 100000, .dport = 5000,
			    .threads = 1, .cpus = "0", .stall_s = 10 };
	parse_mac("02:00:00:00:00:02", o->dmac);
	parse_mac("02:00:00:00:00:01", o->smac);
	while ((c = getopt(argc, argv, "i:N:d:s:n:f:b:S:p:aT:C:w:")) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'N': o->netns = optarg; break;
		case 'd': parse_mac(optarg, o->dmac); break;
		case 's': parse_mac(optarg, o->smac); break;
		case 'n': o->count = strtoull(optarg, NULL, 0); break;
		case 'f': o->first = strtoull(optarg, NULL, 0); break;
		case 'b': o->batch = strtoull(optarg, NULL, 0); break;
		case 'S': o->sources = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': o->dport = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'a': o->ack = true; break;
		case 'T': o->threads = atoi(optarg); break;
		case 'C': o->cpus = optarg; break;
		case 'w': o->stall_s = atof(optarg); break;
		default: usage();
		}
	}
	if (!o->ifname || !o->netns || !o->batch || !o->sources || o->sources > MAX_SOURCES ||
	    o->threads < 1 || o->threads > MAX_THREADS)
		usage();
}

static void enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (setns(fd, CLONE_NEWNET))
		die("setns");
	close(fd);
}

/* Waits until InReceives reaches target; gives up after stall_s without progress. */
static uint64_t wait_received(int snmp, uint64_t target, double stall_s)
{
	uint64_t last = in_receives(snmp), last_change = now_ns();
	struct timespec nap = { 0, 20000 };

	while (last < target) {
		uint64_t cur;

		nanosleep(&nap, NULL);
		cur = in_receives(snmp);
		if (cur != last) {
			last = cur;
			last_change = now_ns();
		} else if (now_ns() - last_change > (uint64_t)(stall_s * 1e9)) {
			break;
		}
	}
	return last < target ? target - last : 0;
}

int main(int argc, char **argv)
{
	struct worker w[MAX_THREADS];
	pthread_barrier_t start, done;
	volatile bool stop = false;
	struct opts o;
	uint8_t *frames;
	int snmp, t;
	char *cpus, *save = NULL, *tok;

	parse_opts(argc, argv, &o);
	snmp = open("/proc/net/snmp", O_RDONLY | O_CLOEXEC);
	if (snmp < 0)
		die("/proc/net/snmp");
	enter_netns(o.netns);

	frames = aligned_alloc(64, o.batch * FRAME_STRIDE);
	if (!frames)
		die("aligned_alloc");
	pthread_barrier_init(&start, NULL, (unsigned int)o.threads + 1);
	pthread_barrier_init(&done, NULL, (unsigned int)o.threads + 1);
	cpus = strdup(o.cpus);
	tok = strtok_r(cpus, ",", &save);
	for (t = 0; t < o.threads; t++) {
		w[t] = (struct worker){ .fd = packet_socket(o.ifname), .cpu = tok ? atoi(tok) : -1,
					.start = &start, .done = &done, .stop = &stop };
		if (pthread_create(&w[t].tid, NULL, worker_main, &w[t]))
			die("pthread_create");
		tok = tok ? strtok_r(NULL, ",", &save) : NULL;
	}

	for (uint64_t k = 0, first = o.first; first < o.first + o.count; k++) {
		uint64_t n = o.first + o.count - first < o.batch ? o.first + o.count - first : o.batch;
		uint64_t base, lost, t0, t1;
		size_t per = (size_t)((n + (uint64_t)o.threads - 1) / (uint64_t)o.threads), off = 0;

		for (uint64_t j = 0; j < n; j++)
			build_frame(&o, first + j, frames + j * FRAME_STRIDE);
		for (t = 0; t < o.threads; t++) {
			w[t].frames = frames + off * FRAME_STRIDE;
			w[t].n = off + per <= n ? per : (size_t)n - off;
			off += w[t].n;
		}
		base = in_receives(snmp);
		t0 = now_ns();
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
		lost = wait_received(snmp, base + n, o.stall_s);
		t1 = now_ns();
		printf("batch %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.1f %" PRIu64 "\n",
		       k, first, n, t1 - t0, (double)(t1 - t0) / (double)n, lost);
		fflush(stdout);
		first += n;
	}
	stop = true;
	pthread_barrier_wait(&start);
	for (t = 0; t < o.threads; t++)
		pthread_join(w[t].tid, NULL);
	free(cpus);
	free(frames);
	return 0;
}
