/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs.h - /sys/kernel/ktrack/: the initial netns's counters, one value per file.
 */
#ifndef _KTRACK_SYSFS_H
#define _KTRACK_SYSFS_H

int ktrack_sysfs_init(void);
void ktrack_sysfs_exit(void);

#endif /* _KTRACK_SYSFS_H */
