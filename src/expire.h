/* SPDX-License-Identifier: GPL-2.0 */
/*
 * expire.h - deletion of entries idle past their deadline.
 */
#ifndef _KTRACK_EXPIRE_H
#define _KTRACK_EXPIRE_H

struct ktrack_net;

void ktrack_expire_start(struct ktrack_net *kn);
void ktrack_expire_stop(struct ktrack_net *kn);

#endif /* _KTRACK_EXPIRE_H */
