// SPDX-License-Identifier: GPL-2.0
/*
 * kernel.c - the shim's state and out-of-line parts: jiffies, WARN counting, allocation
 * accounting and fault injection, the per-thread spinlock count, preemption points, kfree_rcu()'s
 * callbacks.
 * Linked into every test that builds src/ files other than tcp.c.
 */
#include <sched.h>
#include <stdio.h>
#include <linux/kernel.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

unsigned long jiffies = 100000;
int shim_warnings;
bool shim_warn_quiet;
long shim_live_allocs;
long shim_allocs, shim_allocs_accounted;
int shim_alloc_fail_after = -1;
__thread int shim_locks_held;
int shim_preempt_odds;
static __thread u32 shim_preempt_seed = 1;

/* A preemption point (shim/linux/atomic.h): yields the CPU once in shim_preempt_odds calls. */
void shim_preempt(void)
{
	int odds = __atomic_load_n(&shim_preempt_odds, __ATOMIC_RELAXED);

	shim_preempt_seed = shim_preempt_seed * 1664525u + 1013904223u;
	if (odds > 0 && (shim_preempt_seed >> 8) % odds == 0)
		sched_yield();
}

void shim_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&shim_warnings, 1, __ATOMIC_RELAXED);
	if (!shim_warn_quiet)
		fprintf(stderr, "# WARNING at %s:%d: %s\n", file, line, cond);
}

/* kfree_rcu(): one callback for each offset the rcu_head may have in its object. */
#define CB(n)								\
static void shim_kfree_rcu_##n(struct rcu_head *head)			\
{									\
	kfree((char *)head - (n) * sizeof(void *));			\
}
CB(0) CB(1) CB(2) CB(3) CB(4) CB(5) CB(6) CB(7) CB(8) CB(9) CB(10) CB(11) CB(12) CB(13) CB(14)
CB(15) CB(16) CB(17) CB(18) CB(19) CB(20) CB(21) CB(22) CB(23) CB(24) CB(25) CB(26) CB(27)
CB(28) CB(29) CB(30) CB(31)
#undef CB

#define F(n) shim_kfree_rcu_##n
void (*const shim_kfree_rcu_cb[SHIM_KFREE_RCU_OFFSETS])(struct rcu_head *head) = {
	F(0), F(1), F(2), F(3), F(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12), F(13),
	F(14), F(15), F(16), F(17), F(18), F(19), F(20), F(21), F(22), F(23), F(24), F(25), F(26),
	F(27), F(28), F(29), F(30), F(31),
};
#undef F
