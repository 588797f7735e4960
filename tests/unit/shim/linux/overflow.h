/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/overflow.h>: struct_size(), saturating at SIZE_MAX as the kernel's does.
 */
#ifndef _KTRACK_SHIM_LINUX_OVERFLOW_H
#define _KTRACK_SHIM_LINUX_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

static inline size_t shim_struct_size(size_t base, size_t n, size_t elem)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, elem, &bytes) || __builtin_add_overflow(bytes, base, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define struct_size(p, member, n) \
	shim_struct_size(sizeof(*(p)), (n), sizeof(*(p)->member))

#endif /* _KTRACK_SHIM_LINUX_OVERFLOW_H */
