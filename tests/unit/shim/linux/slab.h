/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/slab.h> on malloc. Every allocation (kmalloc, kmem_cache, kvmalloc) is
 * counted in shim_live_allocs, so a test can check that what the code under test allocated has
 * been freed (after rcu_barrier() for RCU frees). Setting shim_alloc_fail_after to N makes the
 * allocation after the next N fail (-1: never), for the -ENOMEM paths. shim_allocs counts every
 * allocation from malloc, shim_allocs_accounted those made with __GFP_ACCOUNT (charged to the
 * caller's memory cgroup in the kernel), so a test can check what an init function charges.
 *
 * A SLAB_TYPESAFE_BY_RCU cache keeps what is freed to it and hands it out again, never to malloc
 * until the cache is destroyed: as in the kernel, a reader that still holds a pointer to a freed
 * object reads an object of the same type (maybe reused), never freed memory. Its free list link
 * is kept after the object, as SLUB does for such caches, so a freed object's fields stay intact.
 */
#ifndef _KTRACK_SHIM_LINUX_SLAB_H
#define _KTRACK_SHIM_LINUX_SLAB_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/rcupdate.h>	/* kfree_rcu(), as the kernel's slab.h gets it */

extern long shim_live_allocs;		/* shim/kernel.c */
extern int shim_alloc_fail_after;
extern long shim_allocs, shim_allocs_accounted;

#define SLAB_HWCACHE_ALIGN	0x2000u
#define SLAB_TYPESAFE_BY_RCU	0x80000u

struct kmem_cache {
	const char *name;
	unsigned int size, align, flags;
	pthread_mutex_t lock;		/* SLAB_TYPESAFE_BY_RCU: the free list */
	void *free;
};

/* True when this allocation is to fail (shim_alloc_fail_after). */
static inline bool shim_alloc_fails(void)
{
	return shim_alloc_fail_after >= 0 &&
	       __atomic_fetch_sub(&shim_alloc_fail_after, 1, __ATOMIC_RELAXED) == 0;
}

static inline void *shim_alloc_raw(size_t size, size_t align, gfp_t gfp)
{
	void *p;

	if (align <= 16)
		p = malloc(size ? size : 1);
	else if (posix_memalign(&p, align, size ? size : 1))
		p = NULL;
	if (!p)
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(p, 0, size);
	__atomic_fetch_add(&shim_live_allocs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shim_allocs, 1, __ATOMIC_RELAXED);
	if (gfp & __GFP_ACCOUNT)
		__atomic_fetch_add(&shim_allocs_accounted, 1, __ATOMIC_RELAXED);
	return p;
}

static inline void *shim_alloc(size_t size, size_t align, gfp_t gfp)
{
	return shim_alloc_fails() ? NULL : shim_alloc_raw(size, align, gfp);
}

static inline void shim_free(const void *p)
{
	if (!p)
		return;
	__atomic_fetch_sub(&shim_live_allocs, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

#define kmalloc(size, gfp)	shim_alloc(size, 16, gfp)
#define kzalloc(size, gfp)	shim_alloc(size, 16, (gfp) | __GFP_ZERO)
#define kfree(p)		shim_free(p)

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kzalloc(bytes, gfp);
}

static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
						   unsigned int align, unsigned int flags,
						   void (*ctor)(void *))
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	(void)ctor;
	if (c) {
		c->name = name;
		c->size = size;
		c->align = flags & SLAB_HWCACHE_ALIGN ? 64 : align;
		c->flags = flags;
		pthread_mutex_init(&c->lock, NULL);
	}
	return c;
}

/* SLAB_TYPESAFE_BY_RCU: the free list link, after the object. */
static inline void **shim_cache_link(struct kmem_cache *c, void *p)
{
	return (void **)((char *)p + ((c->size + 7) & ~7u));
}

#define KMEM_CACHE(__struct, __flags) \
	kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct), \
			  (__flags), NULL)

static inline void kmem_cache_destroy(struct kmem_cache *c)
{
	void *p, *next;

	if (!c)
		return;
	for (p = c->free; p; p = next) {
		next = *shim_cache_link(c, p);
		free(p);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static inline void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	void *p = NULL;

	if (!(c->flags & SLAB_TYPESAFE_BY_RCU))
		return shim_alloc(c->size, c->align, gfp);
	if (shim_alloc_fails())
		return NULL;
	pthread_mutex_lock(&c->lock);
	if (c->free) {
		p = c->free;
		c->free = *shim_cache_link(c, p);
	}
	pthread_mutex_unlock(&c->lock);
	if (!p)
		return shim_alloc_raw(((c->size + 7) & ~7u) + sizeof(void *), c->align, gfp);
	__atomic_fetch_add(&shim_live_allocs, 1, __ATOMIC_RELAXED);
	if (gfp & __GFP_ZERO)
		memset(p, 0, c->size);
	return p;
}

static inline void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	return kmem_cache_alloc(c, gfp | __GFP_ZERO);
}

static inline void kmem_cache_free(struct kmem_cache *c, void *p)
{
	if (!(c->flags & SLAB_TYPESAFE_BY_RCU)) {
		shim_free(p);
		return;
	}
	__atomic_fetch_sub(&shim_live_allocs, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&c->lock);
	*shim_cache_link(c, p) = c->free;
	c->free = p;
	pthread_mutex_unlock(&c->lock);
}

#endif /* _KTRACK_SHIM_LINUX_SLAB_H */
