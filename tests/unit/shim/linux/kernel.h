/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/kernel.h>: pulls in what the kernel's does that ktrack uses (errno
 * values, string functions, byte order, container_of, min/max, WARN, printk), plus ARRAY_SIZE
 * and cond_resched(). glibc's <netinet/in.h> comes in first (through <arpa/inet.h>) so that the
 * UAPI headers included later see it and leave struct in_addr and friends to glibc.
 */
#ifndef _KTRACK_SHIM_LINUX_KERNEL_H
#define _KTRACK_SHIM_LINUX_KERNEL_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>		/* ntohl() and friends */
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/minmax.h>
#include <linux/bug.h>
#include <linux/printk.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define U8_MAX		((u8)~0U)
#define U16_MAX		((u16)~0U)
#define U32_MAX		((u32)~0U)

static inline void cond_resched(void)
{
}

#endif /* _KTRACK_SHIM_LINUX_KERNEL_H */
