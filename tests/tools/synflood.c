// SPDX-License-Identifier: GPL-2.0
/*
 * synflood.c - a fast generator of new flows for the load and fault suites (tests/vm/9x): TCP SYNs
 * or UDP datagrams written as Ethernet frames onto an interface with AF_PACKET and sendmmsg(), each
 * from its own (source address, source port), so every packet is a new flow for the receiver.
 *
 *   synflood -i IFACE -m DSTMAC -s SRC -n NSRC -d DST -p DPORT [-u|-a] [-c COUNT] [-t SECONDS]
 *            [-r PPS] [-S SPORT0] [-F FILE]
 *
 * -u sends UDP datagrams, -a TCP ACKs (segments of connections the receiver never saw open).
 * Sources cycle through NSRC consecutive IPv4 addresses from SRC; after each round the source port
 * goes up by one (from SPORT0, default 1024). -F reads "SRC SPORT" lines instead (flows chosen by
 * tests/tools/hashcollide) and sends each once. Stops after COUNT packets or SECONDS (whichever
 * comes first; neither: until killed), at most PPS packets per second (0: as fast as it can).
 * Prints "sent N packets in S s: R pps" on exit (also on SIGINT/SIGTERM).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pkt.h"

#define BATCH 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: synflood -i IFACE -m DSTMAC -s SRC -n NSRC -d DST -p DPORT [-u] "
		"[-a] [-c COUNT] [-t SECONDS] [-r PPS] [-S SPORT0] [-F FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *dmac = NULL, *file = NULL;
	uint32_t src = 0, dst = 0, nsrc = 1, sport0 = 1024;
	unsigned long long count = 0, sent = 0, i = 0;
	double secs = 0, pps = 0, t0, t;
	uint16_t dport = 0;
	enum pkt_kind kind = PKT_SYN;
	int opt, fd;
	uint32_t *fsrc = NULL;
	uint16_t *fport = NULL;
	size_t nflows = 0;
	struct pkt_eth eth;
	struct sockaddr_ll sll = { 0 };
	static unsigned char frames[BATCH][PKT_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];

	while ((opt = getopt(argc, argv, "i:m:s:n:d:p:uac:t:r:S:F:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'm': dmac = optarg; break;
		case 's': if (inet_pton(AF_INET, optarg, &src) != 1) return usage(); break;
		case 'n': nsrc = strtoul(optarg, NULL, 0); break;
		case 'd': if (inet_pton(AF_INET, optarg, &dst) != 1) return usage(); break;
		case 'p': dport = strtoul(optarg, NULL, 0); break;
		case 'u': kind = PKT_UDP; break;
		case 'a': kind = PKT_ACK; break;
		case 'c': count = strtoull(optarg, NULL, 0); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'r': pps = strtod(optarg, NULL); break;
		case 'S': sport0 = strtoul(optarg, NULL, 0); break;
		case 'F': file = optarg; break;
		default: return usage();
		}
	}
	if (!ifname || !dmac || !dst || !dport || (!src && !file) || !nsrc)
		return usage();
	if (file) {
		FILE *f = fopen(file, "r");
		char a[64];
		unsigned int p;

		if (!f) {
			perror(file);
			return 2;
		}
		while (fscanf(f, "%63s %u", a, &p) == 2) {
			fsrc = realloc(fsrc, (nflows + 1) * sizeof(*fsrc));
			fport = realloc(fport, (nflows + 1) * sizeof(*fport));
			if (!fsrc || !fport || inet_pton(AF_INET, a, &fsrc[nflows]) != 1)
				return 2;
			fport[nflows++] = p;
		}
		fclose(f);
		count = nflows;
	}

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror(ifname);
		return 2;
	}
	if (pkt_eth_init(&eth, ifname, dmac))
		return 2;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now();
	while (!stop && (!count || sent < count)) {
		unsigned int n = 0, k;
		int r;

		for (; n < BATCH && (!count || sent + n < count); n++, i++) {
			uint32_t s;
			uint16_t sp;

			if (file) {
				s = fsrc[i];
				sp = fport[i];
			} else {
				s = htonl(ntohl(src) + i % nsrc);
				sp = sport0 + (i / nsrc) % (65536 - sport0);
			}
			iov[n].iov_base = frames[n];
			iov[n].iov_len = pkt_build4(frames[n], &eth, s, dst, sp, dport, kind,
						    (uint32_t)(i * 2654435761u));
			memset(&msgs[n], 0, sizeof(msgs[n]));
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
		}
		for (k = 0; k < n; k += r) {
			r = sendmmsg(fd, msgs + k, n - k, 0);
			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
					r = 0;
					usleep(100);
					if (stop)
						break;
					continue;
				}
				perror("sendmmsg");
				return 1;
			}
			sent += r;
		}
		t = now() - t0;
		if (secs && t >= secs)
			break;
		if (pps && sent / pps > t)
			usleep((unsigned int)((sent / pps - t) * 1e6));
	}
	t = now() - t0;
	printf("sent %llu packets in %.2f s: %.0f pps\n", sent, t, t > 0 ? sent / t : 0.0);
	return 0;
}
