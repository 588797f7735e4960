/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/types.h> for the unit tests: what ktrack's kernel files expect from it.
 *
 * The system's UAPI <linux/types.h> (linux-libc-dev) already gives __u8..__u64 and the __bitwise
 * types __be16, __be32, ..., so this header extends it with #include_next instead of redefining
 * them: any system header that includes <linux/types.h> lands here and sees the same types.
 * On top: the kernel's short names (u8..u64, s8..s64), bool, gfp_t, atomic_t, atomic64_t, and the
 * structures the kernel keeps in its own <linux/types.h> (list_head, hlist_head, hlist_node,
 * rcu_head).
 *
 * struct rcu_head is liburcu's (<urcu.h>, the memb flavour, read side inlined by _LGPL_SOURCE):
 * like the kernel's it is a next pointer and a void (*func)(struct rcu_head *), so call_rcu()
 * hands the kernel code's rcu_head straight to liburcu. The headers are only parsed here; code
 * that calls into liburcu links -lurcu.
 */
#ifndef _KTRACK_SHIM_LINUX_TYPES_H
#define _KTRACK_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/compiler_types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

typedef unsigned int gfp_t;

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

/* Doubly linked list head, as in the kernel; the operations are in <linux/list.h>. */
struct list_head {
	struct list_head *next, *prev;
};

/* Hash list with a single-pointer head, as in the kernel. */
struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#ifndef _LGPL_SOURCE
#define _LGPL_SOURCE
#endif
#include <urcu.h>		/* struct rcu_head; the RCU API is mapped in <linux/rcupdate.h> */

#endif /* _KTRACK_SHIM_LINUX_TYPES_H */
