/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/minmax.h>: min/max refuse operands of different types (a "comparison of
 * distinct pointer types" warning, as in the kernel), the _t forms cast both; swap().
 */
#ifndef _KTRACK_SHIM_LINUX_MINMAX_H
#define _KTRACK_SHIM_LINUX_MINMAX_H

#define __shim_cmp(x, y, op) ({						\
	__auto_type __cx = (x);						\
	__auto_type __cy = (y);						\
	(void)(&__cx == &__cy);						\
	__cx op __cy ? __cx : __cy; })
#define __shim_cmp_t(type, x, y, op) ({					\
	type __tx = (x);						\
	type __ty = (y);						\
	__tx op __ty ? __tx : __ty; })

#define min(x, y)			__shim_cmp(x, y, <)
#define max(x, y)			__shim_cmp(x, y, >)
#define min_t(type, x, y)		__shim_cmp_t(type, x, y, <)
#define max_t(type, x, y)		__shim_cmp_t(type, x, y, >)
#define clamp(val, lo, hi)		min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi)	min_t(type, max_t(type, val, lo), hi)

#define swap(a, b) do {							\
	__typeof__(a) __swap_tmp = (a);					\
	(a) = (b);							\
	(b) = __swap_tmp;						\
} while (0)

#endif /* _KTRACK_SHIM_LINUX_MINMAX_H */
