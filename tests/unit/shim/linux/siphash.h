/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/siphash.h>, written from the SipHash paper (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012): the 64-bit state of four words, SipRound, the
 * padding of the last block with the length in its top byte, the 0xff finalisation.
 *
 * siphash() is SipHash-2-4. hsiphash() is what the kernel uses on 64-bit machines: SipHash-1-3
 * with the same 128-bit key layout, truncated to 32 bits. The _Nu32 forms hash the words as the
 * little-endian bytes they are in memory, so hsiphash_4u32(a, b, c, d) == hsiphash() of the
 * array {a, b, c, d} (tests/unit/test_shim.c checks this and the paper's test vectors).
 */
#ifndef _KTRACK_SHIM_LINUX_SIPHASH_H
#define _KTRACK_SHIM_LINUX_SIPHASH_H

#include <string.h>
#include <linux/types.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the siphash shim reads words little-endian from memory"
#endif

typedef struct {
	u64 key[2];
} siphash_key_t;

typedef struct {
	unsigned long key[2];
} hsiphash_key_t;

struct shim_sip {
	u64 v0, v1, v2, v3;
};

static inline u64 shim_rol64(u64 x, unsigned int b)
{
	return x << b | x >> (64 - b);
}

static inline void shim_sipround(struct shim_sip *s)
{
	s->v0 += s->v1;
	s->v1 = shim_rol64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = shim_rol64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = shim_rol64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = shim_rol64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = shim_rol64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = shim_rol64(s->v2, 32);
}

static inline void shim_sip_init(struct shim_sip *s, u64 k0, u64 k1)
{
	s->v0 = k0 ^ 0x736f6d6570736575ULL;	/* "somepseu" */
	s->v1 = k1 ^ 0x646f72616e646f6dULL;	/* "dorandom" */
	s->v2 = k0 ^ 0x6c7967656e657261ULL;	/* "lygenera" */
	s->v3 = k1 ^ 0x7465646279746573ULL;	/* "tedbytes" */
}

static inline void shim_sip_block(struct shim_sip *s, u64 m, unsigned int crounds)
{
	unsigned int i;

	s->v3 ^= m;
	for (i = 0; i < crounds; i++)
		shim_sipround(s);
	s->v0 ^= m;
}

static inline u64 shim_sip_final(struct shim_sip *s, u64 last, unsigned int crounds,
				 unsigned int drounds)
{
	unsigned int i;

	shim_sip_block(s, last, crounds);
	s->v2 ^= 0xff;
	for (i = 0; i < drounds; i++)
		shim_sipround(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* SipHash-c-d of @len bytes. */
static inline u64 shim_siphash(const void *data, size_t len, u64 k0, u64 k1,
			       unsigned int crounds, unsigned int drounds)
{
	const u8 *p = data;
	struct shim_sip s;
	u64 m, last = (u64)len << 56;
	size_t i;

	shim_sip_init(&s, k0, k1);
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&m, p, 8);
		shim_sip_block(&s, m, crounds);
	}
	for (i = 0; i < len; i++)
		last |= (u64)p[i] << (8 * i);
	return shim_sip_final(&s, last, crounds, drounds);
}

static inline u64 siphash(const void *data, size_t len, const siphash_key_t *key)
{
	return shim_siphash(data, len, key->key[0], key->key[1], 2, 4);
}

static inline u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key)
{
	return shim_siphash(data, len, key->key[0], key->key[1], 1, 3);
}

/* hsiphash of @nw whole words and a last block of @tail with @len bytes in all. */
static inline u32 shim_hsiphash_words(const u64 *w, unsigned int nw, u64 tail, u64 len,
				      const hsiphash_key_t *key)
{
	struct shim_sip s;
	unsigned int i;

	shim_sip_init(&s, key->key[0], key->key[1]);
	for (i = 0; i < nw; i++)
		shim_sip_block(&s, w[i], 1);
	return shim_sip_final(&s, len << 56 | tail, 1, 3);
}

static inline u32 hsiphash_1u32(u32 a, const hsiphash_key_t *key)
{
	return shim_hsiphash_words(NULL, 0, a, 4, key);
}

static inline u32 hsiphash_2u32(u32 a, u32 b, const hsiphash_key_t *key)
{
	const u64 w[1] = { (u64)b << 32 | a };

	return shim_hsiphash_words(w, 1, 0, 8, key);
}

static inline u32 hsiphash_3u32(u32 a, u32 b, u32 c, const hsiphash_key_t *key)
{
	const u64 w[1] = { (u64)b << 32 | a };

	return shim_hsiphash_words(w, 1, c, 12, key);
}

static inline u32 hsiphash_4u32(u32 a, u32 b, u32 c, u32 d, const hsiphash_key_t *key)
{
	const u64 w[2] = { (u64)b << 32 | a, (u64)d << 32 | c };

	return shim_hsiphash_words(w, 2, 0, 16, key);
}

#endif /* _KTRACK_SHIM_LINUX_SIPHASH_H */
