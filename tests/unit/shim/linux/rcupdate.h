/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/rcupdate.h> on liburcu (memb flavour, see the shim's <linux/types.h>).
 *
 * rcu_read_lock/unlock, synchronize_rcu, call_rcu and rcu_barrier are liburcu's own: every thread
 * that reads must call rcu_register_thread() first. The pointer accessors are redefined with the
 * kernel's semantics (rcu_assign_pointer = release store, rcu_dereference = READ_ONCE).
 *
 * With SHIM_LOCKDEP (the test build) the lockdep-style checks are real: rcu_dereference() outside
 * rcu_read_lock(), and rcu_dereference_protected() whose condition is false, WARN.
 *
 * kfree_rcu(ptr, field) needs the start of the object in the callback; the kernel encodes the
 * offset in the callback pointer, here shim/kernel.c has one callback per possible offset.
 */
#ifndef _KTRACK_SHIM_LINUX_RCUPDATE_H
#define _KTRACK_SHIM_LINUX_RCUPDATE_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/bug.h>

#undef rcu_dereference
#undef rcu_assign_pointer

#ifdef SHIM_LOCKDEP
#define __shim_rcu_check(c)	WARN_ON_ONCE(!(c))
#else
#define __shim_rcu_check(c)	((void)(0 && (c)))
#endif

#define rcu_read_lock_held()		rcu_read_ongoing()
#define rcu_dereference_raw(p)		READ_ONCE(p)
#define rcu_dereference_check(p, c)	({ __shim_rcu_check((c) || rcu_read_lock_held()); READ_ONCE(p); })
#define rcu_dereference(p)		rcu_dereference_check(p, 0)
#define rcu_dereference_protected(p, c)	({ __shim_rcu_check(c); (p); })
#define rcu_access_pointer(p)		READ_ONCE(p)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)
#define rcu_assign_pointer(p, v) do {					\
	__typeof__(p) __rap_v = (v);					\
	__atomic_store_n(&(p), __rap_v, __ATOMIC_RELEASE);		\
} while (0)

#define SHIM_KFREE_RCU_OFFSETS	32	/* rcu_head at offsets 0, 8, ..., 248 */
extern void (*const shim_kfree_rcu_cb[SHIM_KFREE_RCU_OFFSETS])(struct rcu_head *head);

#define kfree_rcu(ptr, rhf) do {						\
	BUILD_BUG_ON(offsetof(__typeof__(*(ptr)), rhf) % sizeof(void *) ||		\
		     offsetof(__typeof__(*(ptr)), rhf) >=				\
		     SHIM_KFREE_RCU_OFFSETS * sizeof(void *));				\
	call_rcu(&(ptr)->rhf,								\
		 shim_kfree_rcu_cb[offsetof(__typeof__(*(ptr)), rhf) / sizeof(void *)]);	\
} while (0)

#endif /* _KTRACK_SHIM_LINUX_RCUPDATE_H */
