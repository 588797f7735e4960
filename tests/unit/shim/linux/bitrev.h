/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/bitrev.h>: bitrev32(), as the kernel's generic one.
 */
#ifndef _KTRACK_SHIM_LINUX_BITREV_H
#define _KTRACK_SHIM_LINUX_BITREV_H

#include <linux/types.h>

static inline u32 bitrev32(u32 x)
{
	x = (x >> 1 & 0x55555555) | (x & 0x55555555) << 1;
	x = (x >> 2 & 0x33333333) | (x & 0x33333333) << 2;
	x = (x >> 4 & 0x0f0f0f0f) | (x & 0x0f0f0f0f) << 4;
	return __builtin_bswap32(x);
}

#endif /* _KTRACK_SHIM_LINUX_BITREV_H */
