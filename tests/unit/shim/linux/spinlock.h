/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/spinlock.h> (with lockdep's and bottom halves' few calls): a test-and-
 * set lock that yields the CPU while it spins. _bh and _irqsave forms are the plain lock; there
 * are no bottom halves here.
 *
 * With SHIM_LOCKDEP (the test build) a lock records its owner, so lockdep_assert_held() and
 * lockdep_is_held() really check that the calling thread holds it, and each thread counts the
 * spinlocks it holds (shim_locks_held, for the RCU list walk check).
 */
#ifndef _KTRACK_SHIM_LINUX_SPINLOCK_H
#define _KTRACK_SHIM_LINUX_SPINLOCK_H

#include <sched.h>
#include <stdint.h>
#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/bug.h>

typedef struct spinlock {
	int locked;
#ifdef SHIM_LOCKDEP
	uintptr_t owner;	/* &shim_locks_held of the holder's thread */
#endif
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	{ 0 }
#define DEFINE_SPINLOCK(name)		spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

extern __thread int shim_locks_held;	/* shim/kernel.c */

static inline void spin_lock_init(spinlock_t *l)
{
	*l = (spinlock_t)__SPIN_LOCK_UNLOCKED(*l);
}

static inline bool spin_trylock(spinlock_t *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
#ifdef SHIM_LOCKDEP
	__atomic_store_n(&l->owner, (uintptr_t)&shim_locks_held, __ATOMIC_RELAXED);
	shim_locks_held++;
#endif
	return true;
}

static inline void spin_lock(spinlock_t *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			sched_yield();
}

static inline void spin_unlock(spinlock_t *l)
{
#ifdef SHIM_LOCKDEP
	WARN_ON(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != (uintptr_t)&shim_locks_held);
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	shim_locks_held--;
#endif
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_lock_irqsave(l, flags)	do { (flags) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); spin_unlock(l); } while (0)

static inline void local_bh_disable(void)
{
}

static inline void local_bh_enable(void)
{
}

#ifdef SHIM_LOCKDEP
#define lockdep_is_held(l) \
	(__atomic_load_n(&(l)->owner, __ATOMIC_RELAXED) == (uintptr_t)&shim_locks_held)
#define lockdep_assert_held(l)	WARN_ON(!lockdep_is_held(l))
#else
#define lockdep_is_held(l)	({ (void)(l); 1; })
#define lockdep_assert_held(l)	do { (void)(l); } while (0)
#endif

/* Decrements @atomic; when that reaches 0, returns true with @lock held. */
static inline bool atomic_dec_and_lock(atomic_t *atomic, spinlock_t *lock)
{
	if (atomic_add_unless(atomic, -1, 1))
		return false;
	spin_lock(lock);
	if (atomic_dec_and_test(atomic))
		return true;
	spin_unlock(lock);
	return false;
}

#endif /* _KTRACK_SHIM_LINUX_SPINLOCK_H */
