/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysctl.h - net.ktrack.* in every network namespace.
 */
#ifndef _KTRACK_SYSCTL_H
#define _KTRACK_SYSCTL_H

struct ktrack_net;

int ktrack_sysctl_init(struct ktrack_net *kn);
void ktrack_sysctl_exit(struct ktrack_net *kn);

#endif /* _KTRACK_SYSCTL_H */
