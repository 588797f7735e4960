/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/jiffies.h>. jiffies is a plain variable (shim/kernel.c) that tests set
 * by hand; HZ is Debian's CONFIG_HZ.
 */
#ifndef _KTRACK_SHIM_LINUX_JIFFIES_H
#define _KTRACK_SHIM_LINUX_JIFFIES_H

#include <linux/types.h>

#define HZ	250

extern unsigned long jiffies;

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)

#endif /* _KTRACK_SHIM_LINUX_JIFFIES_H */
