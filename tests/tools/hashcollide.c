// SPDX-License-Identifier: GPL-2.0
/*
 * hashcollide.c - UDP flows aimed at one bucket of ktrack's connection table under a key the
 * attacker guessed, for tests/vm/98-security.bats. It computes the table's hash as src/table.c
 * does (ktrack_hash4: the two endpoints in a fixed order, then hsiphash_4u32 as the kernel
 * computes it on 64-bit, SipHash-1-3 with a 128-bit key, truncated to 32 bits) and prints
 * "SRC SPORT" lines of flows to DST:DPORT that all land in bucket 0 of a table of NBUCKETS under
 * the given key (default: all zeros). The module draws its key at random, so the same flows should
 * spread over the table; the test checks that they do.
 *
 *   hashcollide -b NBUCKETS -n N -s SRC -d DST -p DPORT [-k KEYHEX32]
 *   hashcollide -T            known-answer test against the kernel's hsiphash vectors
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

/* The kernel's hsiphash_4u32() on 64-bit (lib/siphash.c). */
static uint32_t hsiphash_4u32(uint32_t a, uint32_t b, uint32_t c, uint32_t d, const uint64_t k[2])
{
	uint64_t v0 = 0x736f6d6570736575ULL, v1 = 0x646f72616e646f6dULL;
	uint64_t v2 = 0x6c7967656e657261ULL, v3 = 0x7465646279746573ULL;
	uint64_t bb = (uint64_t)16 << 56, m;

	v3 ^= k[1];
	v2 ^= k[0];
	v1 ^= k[1];
	v0 ^= k[0];
	m = (uint64_t)b << 32 | a;
	v3 ^= m;
	SIPROUND;
	v0 ^= m;
	m = (uint64_t)d << 32 | c;
	v3 ^= m;
	SIPROUND;
	v0 ^= m;
	v3 ^= bb;
	SIPROUND;
	v0 ^= bb;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (uint32_t)((v0 ^ v1) ^ (v2 ^ v3));
}

/* src/table.c ktrack_hash4(): addresses and ports as stored (network order), read as host words. */
static uint32_t ktrack_hash4(uint32_t a1, uint16_t p1, uint32_t a2, uint16_t p2, uint32_t l4,
			     const uint64_t k[2])
{
	uint32_t x1 = a1, x2 = a2, q1 = p1, q2 = p2, t;

	if (x1 > x2 || (x1 == x2 && q1 > q2)) {
		t = x1; x1 = x2; x2 = t;
		t = q1; q1 = q2; q2 = t;
	}
	return hsiphash_4u32(x1, x2, q1 << 16 | q2, l4, k);
}

static int selftest(void)
{
	/* lib/test_siphash.c: test_key_hsiphash and test_vectors_hsiphash[16] (64-bit) */
	const uint64_t key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint32_t h = hsiphash_4u32(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c, key);

	printf("hsiphash_4u32 known answer: %08x, expected 7d908b66: %s\n", h,
	       h == 0x7d908b66 ? "ok" : "FAIL");
	return h == 0x7d908b66 ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint64_t key[2] = { 0, 0 };
	uint32_t src = 0, dst = 0, nb = 0, n = 0, found = 0, i;
	uint16_t dport = 0;
	int opt;

	while ((opt = getopt(argc, argv, "Tb:n:s:d:p:k:")) != -1) {
		switch (opt) {
		case 'T': return selftest();
		case 'b': nb = strtoul(optarg, NULL, 0); break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 's': inet_pton(AF_INET, optarg, &src); break;
		case 'd': inet_pton(AF_INET, optarg, &dst); break;
		case 'p': dport = htons(strtoul(optarg, NULL, 0)); break;
		case 'k':
			if (strlen(optarg) != 32 || sscanf(optarg, "%16lx%16lx", &key[0], &key[1]) != 2)
				return 2;
			break;
		default: return 2;
		}
	}
	if (!nb || (nb & (nb - 1)) || !n || !src || !dst || !dport) {
		fprintf(stderr, "usage: hashcollide -b NBUCKETS -n N -s SRC -d DST -p DPORT [-k KEY] | -T\n");
		return 2;
	}
	/* sources from SRC up (at most 256), source ports from 1024 up */
	for (i = 0; found < n && i < 256u * 64512u; i++) {
		uint32_t s = htonl(ntohl(src) + i % 256);
		uint16_t sp = htons(1024 + i / 256);
		char a[INET_ADDRSTRLEN];

		if (ktrack_hash4(s, sp, dst, dport, 1 /* KTRACK_L4_UDP */, key) & (nb - 1))
			continue;
		inet_ntop(AF_INET, &s, a, sizeof(a));
		printf("%s %u\n", a, ntohs(sp));
		found++;
	}
	return found == n ? 0 : 1;
}
