/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/percpu_counter.h>: one shared 64-bit counter (atomic adds, so writers
 * on different lock stripes may count at once). The kernel's is exact only when summed; this one
 * is always exact, which only makes the tests stricter.
 */
#ifndef _KTRACK_SHIM_LINUX_PERCPU_COUNTER_H
#define _KTRACK_SHIM_LINUX_PERCPU_COUNTER_H

#include <linux/types.h>

struct percpu_counter {
	s64 count;
};

static inline int percpu_counter_init(struct percpu_counter *fbc, s64 amount, gfp_t gfp)
{
	(void)gfp;
	fbc->count = amount;
	return 0;
}

static inline void percpu_counter_destroy(struct percpu_counter *fbc)
{
	(void)fbc;
}

static inline void percpu_counter_add(struct percpu_counter *fbc, s64 amount)
{
	__atomic_fetch_add(&fbc->count, amount, __ATOMIC_RELAXED);
}

static inline void percpu_counter_add_batch(struct percpu_counter *fbc, s64 amount, s32 batch)
{
	(void)batch;
	percpu_counter_add(fbc, amount);
}

static inline void percpu_counter_inc(struct percpu_counter *fbc)
{
	percpu_counter_add(fbc, 1);
}

static inline void percpu_counter_dec(struct percpu_counter *fbc)
{
	percpu_counter_add(fbc, -1);
}

static inline void percpu_counter_set(struct percpu_counter *fbc, s64 amount)
{
	__atomic_store_n(&fbc->count, amount, __ATOMIC_RELAXED);
}

static inline s64 percpu_counter_read(struct percpu_counter *fbc)
{
	return __atomic_load_n(&fbc->count, __ATOMIC_RELAXED);
}

static inline s64 percpu_counter_read_positive(struct percpu_counter *fbc)
{
	s64 v = percpu_counter_read(fbc);

	return v > 0 ? v : 0;
}

#define percpu_counter_sum(fbc)			percpu_counter_read(fbc)
#define percpu_counter_sum_positive(fbc)	percpu_counter_read_positive(fbc)

/* -1, 0 or 1 as the count is below, at or above @rhs. */
static inline int percpu_counter_compare(struct percpu_counter *fbc, s64 rhs)
{
	s64 v = percpu_counter_read(fbc);

	return v < rhs ? -1 : v > rhs;
}

#endif /* _KTRACK_SHIM_LINUX_PERCPU_COUNTER_H */
