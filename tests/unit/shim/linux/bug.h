/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/bug.h>. WARN_ON*() print a "# WARNING" line (TAP-safe) and count every
 * hit in shim_warnings, so a test can check that the code under test never warned (or that it
 * did: shim_warn_quiet keeps expected warnings off the output). BUG_ON()
 * aborts. BUILD_BUG_ON() is a static assertion.
 */
#ifndef _KTRACK_SHIM_LINUX_BUG_H
#define _KTRACK_SHIM_LINUX_BUG_H

#include <stdbool.h>
#include <stdlib.h>
#include <linux/compiler.h>

extern int shim_warnings;	/* WARN_ON*() hits so far, all threads */
extern bool shim_warn_quiet;	/* count, do not print */
void shim_warn(const char *file, int line, const char *cond);

#define WARN_ON(cond) ({						\
	bool __warn_c = !!(cond);					\
	if (unlikely(__warn_c))						\
		shim_warn(__FILE__, __LINE__, #cond);			\
	__warn_c; })
#define WARN_ON_ONCE(cond)	WARN_ON(cond)	/* every hit counts here */

#define BUG_ON(cond) do {						\
	if (unlikely(cond)) {						\
		shim_warn(__FILE__, __LINE__, "BUG: " #cond);		\
		abort();						\
	}								\
} while (0)

#define BUILD_BUG_ON(cond)	do { _Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")"); } while (0)

#endif /* _KTRACK_SHIM_LINUX_BUG_H */
