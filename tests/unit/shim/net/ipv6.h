/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <net/ipv6.h>: the address helpers ktrack uses. ipv6_addr_prefix() takes
 * 0..128 as in the kernel, which does not check; here a larger value WARNs and is taken as 128.
 */
#ifndef _KTRACK_SHIM_NET_IPV6_H
#define _KTRACK_SHIM_NET_IPV6_H

#include <string.h>
#include <linux/types.h>
#include <linux/in6.h>
#include <linux/bug.h>

static inline bool ipv6_addr_equal(const struct in6_addr *a1, const struct in6_addr *a2)
{
	return !memcmp(a1, a2, sizeof(*a1));
}

static inline bool ipv6_addr_any(const struct in6_addr *a)
{
	static const struct in6_addr zero;

	return ipv6_addr_equal(a, &zero);
}

/* @pfx = the first @plen bits of @addr, the rest zero. */
static inline void ipv6_addr_prefix(struct in6_addr *pfx, const struct in6_addr *addr, int plen)
{
	int bytes, bits;

	if (WARN_ON(plen < 0 || plen > 128))
		plen = 128;
	bytes = plen / 8;
	bits = plen % 8;
	memset(pfx, 0, sizeof(*pfx));
	memcpy(pfx->s6_addr, addr->s6_addr, bytes);
	if (bits)
		pfx->s6_addr[bytes] = addr->s6_addr[bytes] & (u8)(0xff << (8 - bits));
}

#endif /* _KTRACK_SHIM_NET_IPV6_H */
