/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/compiler_types.h>. Kbuild force-includes the real one into every file;
 * here the shim's <linux/types.h> includes it. Only sparse's address-space annotations that ktrack
 * uses, all empty: userspace builds do not run sparse.
 */
#ifndef _KTRACK_SHIM_LINUX_COMPILER_TYPES_H
#define _KTRACK_SHIM_LINUX_COMPILER_TYPES_H

#define __rcu

#endif /* _KTRACK_SHIM_LINUX_COMPILER_TYPES_H */
