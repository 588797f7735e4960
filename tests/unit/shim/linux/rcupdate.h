/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/rcupdate.h>. For now only what conn.h needs: struct rcu_head (in the
 * shim's <linux/types.h>) and __rcu (in its <linux/compiler_types.h>). The table's tests will
 * map rcu_read_lock(), rcu_dereference(), call_rcu() ... onto liburcu here.
 */
#ifndef _KTRACK_SHIM_LINUX_RCUPDATE_H
#define _KTRACK_SHIM_LINUX_RCUPDATE_H

#include <linux/types.h>

#endif /* _KTRACK_SHIM_LINUX_RCUPDATE_H */
