/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/mm.h>: kvmalloc and friends. Cache-line aligned, as the kernel's are
 * for arrays of ____cacheline_aligned structures (page-aligned vmalloc, or a power-of-two kmalloc).
 */
#ifndef _KTRACK_SHIM_LINUX_MM_H
#define _KTRACK_SHIM_LINUX_MM_H

#include <linux/slab.h>

#define kvmalloc(size, gfp)	shim_alloc(size, 64, gfp)
#define kvzalloc(size, gfp)	shim_alloc(size, 64, (gfp) | __GFP_ZERO)
#define kvfree(p)		shim_free(p)

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kvzalloc(bytes, gfp);
}

#endif /* _KTRACK_SHIM_LINUX_MM_H */
