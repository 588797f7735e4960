/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/compiler_types.h>. Kbuild force-includes the real one into every file;
 * here the shim's <linux/types.h> includes it. Sparse's annotations are empty (userspace builds do
 * not run sparse), plus the few attributes ktrack's files use.
 */
#ifndef _KTRACK_SHIM_LINUX_COMPILER_TYPES_H
#define _KTRACK_SHIM_LINUX_COMPILER_TYPES_H

#define __rcu
#define __force
#define __percpu
#define __must_check	__attribute__((__warn_unused_result__))
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#define noinline	__attribute__((__noinline__))

#endif /* _KTRACK_SHIM_LINUX_COMPILER_TYPES_H */
