/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/in6.h>: struct in6_addr.
 *
 * glibc's <netinet/in.h> and the UAPI <linux/in6.h> both define struct in6_addr, and including
 * the UAPI one first makes a later <netinet/in.h> fail with a redefinition. So this shim takes
 * glibc's definition, which has the same layout and the same s6_addr, s6_addr16 and s6_addr32
 * accessors, and the UAPI header is never used.
 */
#ifndef _KTRACK_SHIM_LINUX_IN6_H
#define _KTRACK_SHIM_LINUX_IN6_H

#include <netinet/in.h>

#endif /* _KTRACK_SHIM_LINUX_IN6_H */
