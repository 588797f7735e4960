/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/gfp.h>: the flags exist, the allocator ignores them but for __GFP_ZERO
 * and __GFP_ACCOUNT (counted in shim_allocs_accounted, see <linux/slab.h>). gfp_t is in types.h.
 */
#ifndef _KTRACK_SHIM_LINUX_GFP_H
#define _KTRACK_SHIM_LINUX_GFP_H

#include <linux/types.h>

#define __GFP_NOWARN	0x01u
#define __GFP_ZERO	0x02u
#define GFP_ATOMIC	0x10u
#define GFP_KERNEL	0x20u
#define __GFP_ACCOUNT	0x40u
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)

#endif /* _KTRACK_SHIM_LINUX_GFP_H */
