/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim of <linux/gfp.h>: the flags exist, the allocator ignores them. gfp_t is in types.h. */
#ifndef _KTRACK_SHIM_LINUX_GFP_H
#define _KTRACK_SHIM_LINUX_GFP_H

#include <linux/types.h>

#define __GFP_NOWARN	0x01u
#define __GFP_ZERO	0x02u
#define GFP_ATOMIC	0x10u
#define GFP_KERNEL	0x20u

#endif /* _KTRACK_SHIM_LINUX_GFP_H */
