/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/idr.h>: of the IDA what ktrack uses, on a mutex and a fixed array of
 * SHIM_IDA_IDS ids (-ENOSPC past it). Like the kernel's, ida_alloc_*() may fail with -ENOMEM: it honours
 * shim_alloc_fail_after (<linux/slab.h>), though it allocates nothing.
 */
#ifndef _KTRACK_SHIM_LINUX_IDR_H
#define _KTRACK_SHIM_LINUX_IDR_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/bug.h>
#include <linux/slab.h>

#define SHIM_IDA_IDS	4096

struct ida {
	pthread_mutex_t lock;
	unsigned char used[SHIM_IDA_IDS];
};

#define DEFINE_IDA(name)	struct ida name = { .lock = PTHREAD_MUTEX_INITIALIZER }

/* The lowest free id in @min..@max. */
static inline int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max, gfp_t gfp)
{
	unsigned int id;
	int ret = -ENOSPC;

	(void)gfp;
	if (shim_alloc_fails())
		return -ENOMEM;
	pthread_mutex_lock(&ida->lock);
	for (id = min; id <= max && id < SHIM_IDA_IDS && id <= INT_MAX; id++) {
		if (!ida->used[id]) {
			ida->used[id] = 1;
			ret = id;
			break;
		}
	}
	pthread_mutex_unlock(&ida->lock);
	return ret;
}

static inline int ida_alloc_min(struct ida *ida, unsigned int min, gfp_t gfp)
{
	return ida_alloc_range(ida, min, ~0u, gfp);
}

static inline void ida_free(struct ida *ida, unsigned int id)
{
	pthread_mutex_lock(&ida->lock);
	WARN_ON(id >= SHIM_IDA_IDS || !ida->used[id]);
	if (id < SHIM_IDA_IDS)
		ida->used[id] = 0;
	pthread_mutex_unlock(&ida->lock);
}

#endif /* _KTRACK_SHIM_LINUX_IDR_H */
