/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/inetdevice.h>: inet_make_mask(). The kernel's takes 0..32 and leaves
 * anything else undefined; here a larger value WARNs (and gives an all-ones mask).
 */
#ifndef _KTRACK_SHIM_LINUX_INETDEVICE_H
#define _KTRACK_SHIM_LINUX_INETDEVICE_H

#include <arpa/inet.h>
#include <linux/types.h>
#include <linux/bug.h>

static inline __be32 inet_make_mask(int logmask)
{
	if (WARN_ON(logmask < 0 || logmask > 32))
		return htonl(~0U);
	return logmask ? htonl(~((1U << (32 - logmask)) - 1)) : 0;
}

#endif /* _KTRACK_SHIM_LINUX_INETDEVICE_H */
