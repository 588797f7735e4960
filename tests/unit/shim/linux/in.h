/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/in.h>: glibc's <netinet/in.h>, for the same reason as the shim's
 * <linux/in6.h>. It has the IPPROTO_* values, identical to the UAPI ones.
 */
#ifndef _KTRACK_SHIM_LINUX_IN_H
#define _KTRACK_SHIM_LINUX_IN_H

#include <netinet/in.h>

#endif /* _KTRACK_SHIM_LINUX_IN_H */
