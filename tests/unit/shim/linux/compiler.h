/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/compiler.h>: READ_ONCE/WRITE_ONCE (volatile accesses, as the kernel's
 * on x86), likely/unlikely, barrier() and the smp_*() fences.
 */
#ifndef _KTRACK_SHIM_LINUX_COMPILER_H
#define _KTRACK_SHIM_LINUX_COMPILER_H

#include <linux/compiler_types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" : : : "memory")
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)

#endif /* _KTRACK_SHIM_LINUX_COMPILER_H */
