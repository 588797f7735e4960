// SPDX-License-Identifier: GPL-2.0
/*
 * test_shim.c - checks of the shim itself, where a wrong stand-in would make the other tests pass
 * for the wrong reason: SipHash against the reference test vectors, the hsiphash_Nu32 shortcuts,
 * the address masks, kfree_rcu(), lockdep-style checks and atomic_dec_and_lock().
 */
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/inetdevice.h>
#include <linux/log2.h>
#include <linux/rculist.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/ipv6.h>

#include "ktest.h"

/*
 * SipHash-2-4, key 00 01 .. 0f, message 00 01 .. (n-1): the reference implementation's
 * vectors.h (vectors_sip64), as little-endian 64-bit values.
 */
static const struct {
	unsigned int len;
	u64 hash;
} sip24_vectors[] = {
	{ 0, 0x726fdb47dd0e0e31ULL },
	{ 1, 0x74f839c593dc67fdULL },
	{ 7, 0xab0200f58b01d137ULL },
	{ 8, 0x93f5f5799a932462ULL },
	{ 15, 0xa129ca6149be45e5ULL },
	{ 16, 0x3f2acc7f57c29bdbULL },
	{ 63, 0x958a324ceb064572ULL },
};

static void siphash_vectors(void)
{
	siphash_key_t key;
	u8 msg[64], k[16];
	unsigned int i;

	for (i = 0; i < 64; i++)
		msg[i] = i;
	for (i = 0; i < 16; i++)
		k[i] = i;
	memcpy(&key, k, sizeof(key));
	for (i = 0; i < ARRAY_SIZE(sip24_vectors); i++)
		KT_EQ(siphash(msg, sip24_vectors[i].len, &key), sip24_vectors[i].hash);
}

static void hsiphash_words_match_bytes(void)
{
	hsiphash_key_t key = { { 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL } };
	u32 w[4];
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		w[0] = i * 2654435761u;
		w[1] = ~w[0] ^ i;
		w[2] = i << 7 | 3;
		w[3] = i & 3;
		KT_EQ(hsiphash_1u32(w[0], &key), hsiphash(w, 4, &key));
		KT_EQ(hsiphash_2u32(w[0], w[1], &key), hsiphash(w, 8, &key));
		KT_EQ(hsiphash_3u32(w[0], w[1], w[2], &key), hsiphash(w, 12, &key));
		KT_EQ(hsiphash_4u32(w[0], w[1], w[2], w[3], &key), hsiphash(w, 16, &key));
	}
	/* keyed: another key, another hash (for these inputs) */
	KT_CHECK(hsiphash_1u32(1, &key) !=
		 hsiphash_1u32(1, &(hsiphash_key_t){ { 1, 0x0f0e0d0c0b0a0908UL } }));
	/* SipHash-1-3 differs from SipHash-2-4 */
	KT_CHECK(hsiphash(w, 16, &key) != (u32)siphash(w, 16, (const siphash_key_t *)&key));
}

static void masks(void)
{
	struct in6_addr a, p;

	KT_EQ(inet_make_mask(0), 0);
	KT_EQ(ntohl(inet_make_mask(1)), 0x80000000);
	KT_EQ(ntohl(inet_make_mask(24)), 0xffffff00);
	KT_EQ(ntohl(inet_make_mask(32)), 0xffffffff);
	memset(&a, 0xff, sizeof(a));
	ipv6_addr_prefix(&p, &a, 61);
	KT_EQ(p.s6_addr[6], 0xff);
	KT_EQ(p.s6_addr[7], 0xf8);
	KT_EQ(p.s6_addr[8], 0);
	ipv6_addr_prefix(&p, &a, 0);
	KT_CHECK(ipv6_addr_any(&p));
	ipv6_addr_prefix(&p, &a, 128);
	KT_CHECK(ipv6_addr_equal(&p, &a));
	KT_EQ(roundup_pow_of_two(1), 1);
	KT_EQ(roundup_pow_of_two(500), 512);
	KT_EQ(roundup_pow_of_two(512), 512);
	KT_EQ(roundup_pow_of_two(500000), 524288);
}

struct obj {
	long pad[5];
	struct rcu_head rcu;
	long tail;
};

static void kfree_rcu_frees_object(void)
{
	long before = shim_live_allocs;
	struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	KT_EQ(shim_live_allocs, before + 1);
	kfree_rcu(o, rcu);
	rcu_barrier();
	KT_EQ(shim_live_allocs, before);	/* and ASan checks it was the right pointer */
}

static void lockdep_checks(void)
{
	int warnings = shim_warnings;
	DEFINE_SPINLOCK(l);
	atomic_t a = ATOMIC_INIT(2);

	KT_CHECK(!lockdep_is_held(&l));
	spin_lock(&l);
	KT_CHECK(lockdep_is_held(&l));
	KT_EQ(shim_locks_held, 1);
	spin_unlock(&l);
	KT_EQ(shim_locks_held, 0);
	KT_EQ(shim_warnings, warnings);
	shim_warn_quiet = true;
	lockdep_assert_held(&l);			/* not held: warns */
	KT_EQ(shim_warnings, warnings + 1);
	(void)rcu_dereference(*(int **)&(int *){ NULL });	/* outside rcu_read_lock(): warns */
	KT_EQ(shim_warnings, warnings + 2);
	rcu_read_lock();
	(void)rcu_dereference(*(int **)&(int *){ NULL });
	rcu_read_unlock();
	KT_EQ(shim_warnings, warnings + 2);
	shim_warn_quiet = false;

	KT_CHECK(!atomic_dec_and_lock(&a, &l));		/* 2 -> 1 */
	KT_CHECK(!lockdep_is_held(&l));
	KT_CHECK(atomic_dec_and_lock(&a, &l));		/* 1 -> 0, locked */
	KT_CHECK(lockdep_is_held(&l));
	KT_EQ(atomic_read(&a), 0);
	spin_unlock(&l);
}

int main(void)
{
	rcu_register_thread();
	KT_RUN(siphash_vectors);
	KT_RUN(hsiphash_words_match_bytes);
	KT_RUN(masks);
	KT_RUN(kfree_rcu_frees_object);
	KT_RUN(lockdep_checks);
	rcu_unregister_thread();
	return kt_done();
}
