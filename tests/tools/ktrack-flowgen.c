// SPDX-License-Identifier: GPL-2.0
/*
 * ktrack-flowgen.c - writes COUNT UDP datagrams, each a new flow, as Ethernet frames straight onto
 * an interface (AF_PACKET, sendmmsg in batches), so that the namespace at the other end of a veth
 * receives them as if from many clients. Used to fill ktrack's table fast (a million entries under
 * qemu TCG, where a Python loop is an order of magnitude slower).
 *
 *   ktrack-flowgen IFACE DMAC SRC NSRC DST DPORT COUNT [SPORT0]
 *
 * Flow k comes from source address SRC + (k % NSRC), source port SPORT0 (default 1024) +
 * k / NSRC, wrapping to 1024 after 65535 (so COUNT may reach NSRC * 64512 distinct flows). Prints
 * the number of frames sent; exit status 2 on a usage or socket error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 512
#define PAYLOAD 2

struct frame {
	struct ether_header eth;
	struct iphdr ip;
	struct udphdr udp;
	char data[PAYLOAD];
} __attribute__((packed));

static uint16_t csum(const void *p, size_t len)
{
	const uint16_t *w = p;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static int own_mac(const char *iface, uint8_t *mac)
{
	char path[128], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", iface);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fgets(buf, sizeof(buf), f) && !parse_mac(buf, mac);
	fclose(f);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct frame frames[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t dmac[6], smac[6];
	struct in_addr src, dst;
	unsigned long nsrc, count, sent = 0, k = 0, sport0 = 1024;
	unsigned int dport, i;
	int fd, one = 1;

	if (argc < 8 || parse_mac(argv[2], dmac) || !inet_aton(argv[3], &src) ||
	    !inet_aton(argv[5], &dst) || own_mac(argv[1], smac)) {
		fprintf(stderr, "usage: ktrack-flowgen IFACE DMAC SRC NSRC DST DPORT COUNT [SPORT0]\n");
		return 2;
	}
	nsrc = strtoul(argv[4], NULL, 0);
	dport = strtoul(argv[6], NULL, 0);
	count = strtoul(argv[7], NULL, 0);
	if (argc > 8)
		sport0 = strtoul(argv[8], NULL, 0);
	if (!nsrc || sport0 < 1024 || sport0 > 65535) {
		fprintf(stderr, "ktrack-flowgen: NSRC must be positive, SPORT0 in 1024..65535\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("ktrack-flowgen: socket");
		return 2;
	}
	/* straight to the driver: no qdisc to overflow */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	sll.sll_ifindex = if_nametoindex(argv[1]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("ktrack-flowgen: bind");
		return 2;
	}
	for (i = 0; i < BATCH; i++) {
		struct frame *f = &frames[i];

		memcpy(f->eth.ether_dhost, dmac, 6);
		memcpy(f->eth.ether_shost, smac, 6);
		f->eth.ether_type = htons(ETHERTYPE_IP);
		f->ip.version = 4;
		f->ip.ihl = 5;
		f->ip.ttl = 64;
		f->ip.protocol = IPPROTO_UDP;
		f->ip.tot_len = htons(sizeof(*f) - sizeof(f->eth));
		f->ip.daddr = dst.s_addr;
		f->udp.dest = htons(dport);
		f->udp.len = htons(sizeof(f->udp) + PAYLOAD);
		memcpy(f->data, "kt", PAYLOAD);
		iov[i].iov_base = f;
		iov[i].iov_len = sizeof(*f);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < count) {
		unsigned int n = count - sent < BATCH ? count - sent : BATCH;
		int r;

		for (i = 0; i < n; i++, k++) {
			struct frame *f = &frames[i];
			unsigned long port = sport0 - 1024 + k / nsrc;

			f->ip.saddr = htonl(ntohl(src.s_addr) + k % nsrc);
			f->ip.check = 0;
			f->ip.check = csum(&f->ip, sizeof(f->ip));
			f->udp.source = htons(1024 + port % 64512);
		}
		for (i = 0; i < n; ) {
			r = sendmmsg(fd, msgs + i, n - i, 0);
			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
					continue;
				perror("ktrack-flowgen: sendmmsg");
				printf("%lu\n", sent + i);
				return 2;
			}
			i += r;
		}
		sent += n;
	}
	printf("%lu\n", sent);
	close(fd);
	return 0;
}
