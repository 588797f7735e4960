/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/printk.h>. pr_debug() is compiled out but its format still checked, as
 * in a kernel built without DEBUG; the others print to stderr as TAP comments. pr_fmt() and
 * KBUILD_MODNAME (set by the Makefile, as Kbuild does) work as in the kernel.
 */
#ifndef _KTRACK_SHIM_LINUX_PRINTK_H
#define _KTRACK_SHIM_LINUX_PRINTK_H

#include <stdio.h>

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define no_printk(fmt, ...)	({ if (0) printf(fmt, ##__VA_ARGS__); 0; })
#define __shim_printk(fmt, ...)	fprintf(stderr, "# " fmt, ##__VA_ARGS__)

#define pr_debug(fmt, ...)	no_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	__shim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	__shim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	__shim_printk(pr_fmt(fmt), ##__VA_ARGS__)

#endif /* _KTRACK_SHIM_LINUX_PRINTK_H */
