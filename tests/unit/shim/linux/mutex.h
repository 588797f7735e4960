/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/mutex.h> on a pthread mutex. With SHIM_LOCKDEP (the test build) a
 * mutex records its owner, so lockdep_is_held() on it checks that the calling thread holds it.
 */
#ifndef _KTRACK_SHIM_LINUX_MUTEX_H
#define _KTRACK_SHIM_LINUX_MUTEX_H

#include <pthread.h>
#include <stdint.h>
#include <linux/spinlock.h>

struct mutex {
	pthread_mutex_t m;
#ifdef SHIM_LOCKDEP
	uintptr_t owner;	/* &shim_locks_held of the holder's thread, as a spinlock's */
#endif
};

static inline void mutex_init(struct mutex *l)
{
	pthread_mutex_init(&l->m, NULL);
#ifdef SHIM_LOCKDEP
	l->owner = 0;
#endif
}

static inline void mutex_destroy(struct mutex *l)
{
	pthread_mutex_destroy(&l->m);
}

static inline void mutex_lock(struct mutex *l)
{
	pthread_mutex_lock(&l->m);
#ifdef SHIM_LOCKDEP
	__atomic_store_n(&l->owner, (uintptr_t)&shim_locks_held, __ATOMIC_RELAXED);
#endif
}

static inline void mutex_unlock(struct mutex *l)
{
#ifdef SHIM_LOCKDEP
	WARN_ON(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != (uintptr_t)&shim_locks_held);
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
#endif
	pthread_mutex_unlock(&l->m);
}

#endif /* _KTRACK_SHIM_LINUX_MUTEX_H */
