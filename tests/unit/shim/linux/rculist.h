/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/rculist.h>: the RCU hlist operations. As in the kernel, walking with
 * hlist_for_each_entry_rcu() is allowed under rcu_read_lock() or with a lock held (the writer's
 * side); with SHIM_LOCKDEP anything else WARNs.
 */
#ifndef _KTRACK_SHIM_LINUX_RCULIST_H
#define _KTRACK_SHIM_LINUX_RCULIST_H

#include <linux/list.h>
#include <linux/rcupdate.h>

extern __thread int shim_locks_held;	/* spinlocks this thread holds (shim/kernel.c) */

#define hlist_first_rcu(head)	(*((struct hlist_node __rcu **)(&(head)->first)))
#define hlist_next_rcu(node)	(*((struct hlist_node __rcu **)(&(node)->next)))

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	WRITE_ONCE(n->pprev, &h->first);
	rcu_assign_pointer(hlist_first_rcu(h), n);
	if (first)
		WRITE_ONCE(first->pprev, &n->next);
}

/* Readers may still be on @n: its next pointer stays. */
static inline void hlist_del_rcu(struct hlist_node *n)
{
	__hlist_del(n);
	WRITE_ONCE(n->pprev, LIST_POISON2);
}

#define hlist_for_each_entry_rcu(pos, head, member)				\
	for (__shim_rcu_check(rcu_read_lock_held() || shim_locks_held),		\
	     pos = hlist_entry_safe(rcu_dereference_raw(hlist_first_rcu(head)),	\
				    __typeof__(*(pos)), member);			\
	     pos;								\
	     pos = hlist_entry_safe(rcu_dereference_raw(hlist_next_rcu(&(pos)->member)), \
				    __typeof__(*(pos)), member))

#endif /* _KTRACK_SHIM_LINUX_RCULIST_H */
