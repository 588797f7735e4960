/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/log2.h>. roundup_pow_of_two(0) is undefined, as in the kernel (a shift
 * by 64 that UBSan reports).
 */
#ifndef _KTRACK_SHIM_LINUX_LOG2_H
#define _KTRACK_SHIM_LINUX_LOG2_H

#include <stdbool.h>

static inline int fls_long(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

static inline int ilog2(unsigned long n)
{
	return fls_long(n) - 1;
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls_long(n - 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (fls_long(n) - 1);
}

#endif /* _KTRACK_SHIM_LINUX_LOG2_H */
