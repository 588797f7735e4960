/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/netfilter.h>: the UAPI header (NF_DROP, NF_ACCEPT, NFPROTO_*) is all
 * ktrack's table, source and parser files need. glibc's <netinet/in.h> goes first, for the
 * <linux/in.h> it includes (see the shim's <linux/in.h>).
 */
#ifndef _KTRACK_SHIM_LINUX_NETFILTER_H
#define _KTRACK_SHIM_LINUX_NETFILTER_H

#include <netinet/in.h>
#include_next <linux/netfilter.h>

#endif /* _KTRACK_SHIM_LINUX_NETFILTER_H */
