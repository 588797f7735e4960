/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/atomic.h> on the compiler's __atomic builtins. As in the kernel, plain
 * reads, sets, inc and dec are unordered; operations that return a value are fully ordered.
 * atomic_t and atomic64_t themselves are in the shim's <linux/types.h>; of atomic64_t only what
 * ktrack uses.
 *
 * Reads are preemption points when a test sets shim_preempt_odds to N > 0: each read yields the
 * CPU with odds 1/N (shim/kernel.c), as an interrupt or a preemptible RCU reader would be taken
 * off the CPU, so that lockless readers are caught between two steps much more often.
 */
#ifndef _KTRACK_SHIM_LINUX_ATOMIC_H
#define _KTRACK_SHIM_LINUX_ATOMIC_H

#include <linux/types.h>

#define ATOMIC_INIT(i)	{ (i) }

extern int shim_preempt_odds;		/* shim/kernel.c; 0: off */
void shim_preempt(void);

static inline void shim_preempt_point(void)
{
	if (__builtin_expect(__atomic_load_n(&shim_preempt_odds, __ATOMIC_RELAXED), 0))
		shim_preempt();
}

static inline int atomic_read(const atomic_t *v)
{
	shim_preempt_point();
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline int atomic_read_acquire(const atomic_t *v)
{
	shim_preempt_point();
	return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);
}

static inline void atomic_set_release(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);
}

static inline void atomic_add(int i, atomic_t *v)
{
	__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *v)
{
	atomic_add(1, v);
}

static inline void atomic_dec(atomic_t *v)
{
	atomic_add(-1, v);
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

#define atomic_inc_return(v)	atomic_add_return(1, v)
#define atomic_dec_return(v)	atomic_add_return(-1, v)
#define atomic_dec_and_test(v)	(atomic_dec_return(v) == 0)

/* On failure *@old is updated to the current value, as in the kernel. */
static inline bool atomic_try_cmpxchg(atomic_t *v, int *old, int new)
{
	return __atomic_compare_exchange_n(&v->counter, old, new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{
	atomic_try_cmpxchg(v, &old, new);
	return old;
}

/* Adds @a unless the value is @u; true when it added. */
static inline bool atomic_add_unless(atomic_t *v, int a, int u)
{
	int c = atomic_read(v);

	do {
		if (c == u)
			return false;
	} while (!atomic_try_cmpxchg(v, &c, c + a));
	return true;
}

static inline s64 atomic64_read(const atomic64_t *v)
{
	shim_preempt_point();
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline s64 atomic64_read_acquire(const atomic64_t *v)
{
	shim_preempt_point();
	return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);
}

static inline void atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic64_set_release(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);
}

static inline s64 atomic64_sub_return(s64 i, atomic64_t *v)
{
	return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 new)
{
	return __atomic_compare_exchange_n(&v->counter, old, new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline bool atomic64_add_unless(atomic64_t *v, s64 a, s64 u)
{
	s64 c = atomic64_read(v);

	do {
		if (c == u)
			return false;
	} while (!atomic64_try_cmpxchg(v, &c, c + a));
	return true;
}

#endif /* _KTRACK_SHIM_LINUX_ATOMIC_H */
