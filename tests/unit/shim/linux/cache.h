/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim of <linux/cache.h>: x86-64's 64-byte cache lines. */
#ifndef _KTRACK_SHIM_LINUX_CACHE_H
#define _KTRACK_SHIM_LINUX_CACHE_H

#define SMP_CACHE_BYTES			64
#define ____cacheline_aligned		__attribute__((__aligned__(SMP_CACHE_BYTES)))
#define ____cacheline_aligned_in_smp	____cacheline_aligned
#define __read_mostly

#endif /* _KTRACK_SHIM_LINUX_CACHE_H */
