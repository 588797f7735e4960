/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks.h - the netfilter hooks ktrack registers in every network namespace.
 */
#ifndef _KTRACK_HOOKS_H
#define _KTRACK_HOOKS_H

struct net;

int ktrack_hooks_register(struct net *net);
void ktrack_hooks_unregister(struct net *net);

#endif /* _KTRACK_HOOKS_H */
