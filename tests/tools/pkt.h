/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pkt.h - Ethernet/IPv4/TCP-SYN or UDP frames for the test generators in tests/tools, with correct
 * IP and L4 checksums (the receiver's TCP and UDP stacks see well-formed packets).
 */
#ifndef KTRACK_TESTS_PKT_H
#define KTRACK_TESTS_PKT_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#define PKT_MAX 128

struct pkt_eth {
	unsigned char hdr[14];	/* dst, src, type IPv4 */
};

static inline int pkt_eth_init(struct pkt_eth *e, const char *ifname, const char *dmac)
{
	unsigned int m[6];
	struct ifreq ifr;
	int fd, i;

	if (sscanf(dmac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
		fprintf(stderr, "bad MAC %s\n", dmac);
		return -1;
	}
	for (i = 0; i < 6; i++)
		e->hdr[i] = m[i];
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror(ifname);
		return -1;
	}
	close(fd);
	memcpy(e->hdr + 6, ifr.ifr_hwaddr.sa_data, 6);
	e->hdr[12] = 0x08;
	e->hdr[13] = 0x00;
	return 0;
}

static inline uint32_t pkt_sum(const void *p, size_t len, uint32_t s)
{
	const unsigned char *b = p;

	for (; len > 1; len -= 2, b += 2)
		s += (uint32_t)b[0] << 8 | b[1];
	if (len)
		s += (uint32_t)b[0] << 8;
	return s;
}

static inline uint16_t pkt_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons(~s & 0xffff);
}

enum pkt_kind {
	PKT_SYN,	/* a TCP SYN */
	PKT_UDP,	/* an 8-byte UDP datagram */
	PKT_ACK,	/* a TCP ACK, as in the middle of a connection */
};

/* One frame into @f: IPv4 from @src:@sport to @dst:@dport (network order addresses, host order
 * ports), a TCP segment with sequence @seq or a UDP datagram, as @kind says. Returns its length.
 */
static inline size_t pkt_build4(unsigned char *f, const struct pkt_eth *e, uint32_t src, uint32_t dst,
				uint16_t sport, uint16_t dport, enum pkt_kind kind, uint32_t seq)
{
	int udp = kind == PKT_UDP;
	unsigned char *ip = f + 14, *l4 = ip + 20;
	size_t l4len = udp ? 16 : 24;
	uint32_t ph;

	memcpy(f, e->hdr, 14);
	memset(ip, 0, 20 + l4len);
	ip[0] = 0x45;
	ip[2] = (20 + l4len) >> 8;
	ip[3] = (20 + l4len) & 0xff;
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = udp ? IPPROTO_UDP : IPPROTO_TCP;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	*(uint16_t *)(ip + 10) = pkt_fold(pkt_sum(ip, 20, 0));

	l4[0] = sport >> 8;
	l4[1] = sport & 0xff;
	l4[2] = dport >> 8;
	l4[3] = dport & 0xff;
	if (udp) {
		l4[4] = l4len >> 8;
		l4[5] = l4len & 0xff;
		memcpy(l4 + 8, "ktrack!\n", 8);
	} else {
		l4[4] = seq >> 24;
		l4[5] = seq >> 16;
		l4[6] = seq >> 8;
		l4[7] = seq;
		l4[12] = 6 << 4;	/* data offset: 24 bytes, with an MSS option (or NOPs) */
		l4[13] = kind == PKT_ACK ? 0x10 : 0x02;
		if (kind == PKT_ACK) {
			l4[8] = ~seq >> 24;	/* some ack, far from seq */
			l4[9] = ~seq >> 16;
			l4[10] = ~seq >> 8;
			l4[11] = ~seq;
		}
		l4[14] = 0xff;
		l4[15] = 0xff;
		if (kind == PKT_ACK) {
			memset(l4 + 20, 1, 4);
		} else {
			l4[20] = 2;
			l4[21] = 4;
			l4[22] = 1460 >> 8;
			l4[23] = 1460 & 0xff;
		}
	}
	ph = pkt_sum(ip + 12, 8, ip[9] + (uint32_t)l4len);
	*(uint16_t *)(l4 + (udp ? 6 : 16)) = pkt_fold(pkt_sum(l4, l4len, ph));
	return 14 + 20 + l4len;
}

#endif /* KTRACK_TESTS_PKT_H */
