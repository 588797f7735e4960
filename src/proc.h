/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc.h - /proc/net/ktrack.
 */
#ifndef _KTRACK_PROC_H
#define _KTRACK_PROC_H

struct ktrack_net;

int ktrack_proc_init(struct ktrack_net *kn);
void ktrack_proc_exit(struct ktrack_net *kn);

#endif /* _KTRACK_PROC_H */
