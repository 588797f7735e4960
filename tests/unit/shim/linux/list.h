/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/list.h>. struct list_head itself is in the shim's <linux/types.h>, as
 * in the kernel; the list operations are added here when code under test starts using them.
 */
#ifndef _KTRACK_SHIM_LINUX_LIST_H
#define _KTRACK_SHIM_LINUX_LIST_H

#include <linux/types.h>

#endif /* _KTRACK_SHIM_LINUX_LIST_H */
