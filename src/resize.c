// SPDX-License-Identifier: GPL-2.0
/*
 * resize.c - when the connection table changes size; how is table.c's (ktrack_table_resize()).
 *
 * Grow: an insert that leaves more than 2 entries a bucket (the count past grow_above) queues the
 * resize work, which doubles the buckets, or more when a fast fill has gone further meanwhile, and
 * looks again when it is done.
 * Shrink: the expiry work watches the count on each run; once it has stayed under 1 entry for 8
 * buckets for KTRACK_SHRINK_AFTER, the buckets halve, and halve again as long as the highest count
 * of that time stays under 1 for 8 (after a flush, down to the floor in one resize). The bounds:
 * min_size (the initial size, hashsize or netns_hashsize when given) and max_size (2 entries a
 * bucket at max_conns); a table above max_size (max_conns lowered) shrinks to it.
 *
 * A resize that cannot allocate leaves the table as it was, is counted (resize_fail), and is
 * tried again KTRACK_RESIZE_RETRY later. Its buckets are charged, as the first ones were, to the
 * memory cgroup of the process that created the netns, not to the worker's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "resize.h"

#define KTRACK_SHRINK_AFTER	(60 * HZ)
#define KTRACK_RESIZE_RETRY	HZ

/*
 * Inserts queue a resize once the table holds more than 2 entries a bucket; not at max_size. They
 * read the approximate count: past 2 a bucket by its largest error, so that when the approximate
 * count says so, the exact one does too (else the work would find nothing to do, and be queued
 * again by the next insert).
 */
static void ktrack_resize_arm(struct ktrack_table *t)
{
	unsigned int size = READ_ONCE(t->nbuckets);

	WRITE_ONCE(t->grow_above, size < READ_ONCE(t->max_size) ?
		   2 * size + (unsigned int)ktrack_table_count_slack(t) : UINT_MAX);
}

void ktrack_resize_kick(struct ktrack_net *kn)
{
	/* once: the inserts that follow do not reach the work's shared line */
	WRITE_ONCE(kn->table.grow_above, UINT_MAX);
	WRITE_ONCE(kn->resize_retry, jiffies + KTRACK_RESIZE_RETRY);
	queue_work(system_unbound_wq, &kn->resize_work);
}

/* The size for @count entries, from @size; @peak: the highest count of a shrink's watch, or 0. */
static unsigned int ktrack_resize_target(const struct ktrack_table *t, unsigned int size,
					 s64 count, s64 peak)
{
	unsigned int max = READ_ONCE(t->max_size), target = size;

	if (count > 2 * (s64)size && size < max) {
		while (target < max && count > 2 * (s64)target)
			target *= 2;
		return target;
	}
	target = min(target, max);
	if (peak) {
		peak = max(peak, count);
		while (target / 2 >= t->min_size && peak * 8 < target)
			target /= 2;
	}
	return target;
}

static void ktrack_resize_work(struct work_struct *work)
{
	struct ktrack_net *kn = container_of(work, struct ktrack_net, resize_work);
	struct ktrack_table *t = &kn->table;
	/* a shrink's request: the watch's highest count, plus 1 */
	s64 peak = xchg(&kn->resize_shrink_peak, 0);
	struct mem_cgroup *old_memcg;
	unsigned int size, target;
	int err;

	mutex_lock(&t->resize_mutex);
	size = t->nbuckets;
	target = ktrack_resize_target(t, size, percpu_counter_sum(&t->count), peak);
	if (target != size) {
		old_memcg = set_active_memcg(kn->memcg);
		err = ktrack_table_resize(t, target);
		set_active_memcg(old_memcg);
		if (err) {
			ktrack_stat_inc(kn, KTRACK_STAT_RESIZE_FAIL);
			/* grow_above stays off: the tick arms it again after the retry time */
			WRITE_ONCE(kn->resize_retry, jiffies + KTRACK_RESIZE_RETRY);
			mutex_unlock(&t->resize_mutex);
			return;
		}
		ktrack_stat_inc(kn, target > size ? KTRACK_STAT_RESIZE_GROW :
				KTRACK_STAT_RESIZE_SHRINK);
	}
	ktrack_resize_arm(t);
	mutex_unlock(&t->resize_mutex);
	/* a fill that went on meanwhile past the new threshold: its inserts may all have come */
	ktrack_resize_check(kn);
}

void ktrack_resize_tick(struct ktrack_net *kn)
{
	struct ktrack_table *t = &kn->table;
	unsigned int size = READ_ONCE(t->nbuckets);
	unsigned int max = READ_ONCE(t->max_size);
	s64 count;

	/* after a failure, or max_conns raised past a table at its old max_size */
	if (READ_ONCE(t->grow_above) == UINT_MAX && size < max &&
	    time_after_eq(jiffies, READ_ONCE(kn->resize_retry)))
		ktrack_resize_arm(t);
	/* past it with no insert since (the inserts stopped during a resize, max_conns raised) */
	ktrack_resize_check(kn);
	if (size > max) {
		if (time_after_eq(jiffies, READ_ONCE(kn->resize_retry)))
			queue_work(system_unbound_wq, &kn->resize_work);
		return;
	}
	if (size <= t->min_size) {
		kn->resize_watch_size = 0;
		return;
	}
	/* the approximate count first: an exact one (all CPUs' parts) only near the threshold */
	count = percpu_counter_read_positive(&t->count);
	if (count - ktrack_table_count_slack(t) < size / 8)
		count = percpu_counter_sum_positive(&t->count);
	if (count >= size / 8) {
		/* not low: no watch */
		kn->resize_watch_size = 0;
		return;
	}
	if (size != kn->resize_watch_size) {
		/* low from this run on (or a new size): a new watch */
		kn->resize_watch_size = size;
		kn->resize_watch_since = jiffies;
		kn->resize_watch_peak = count;
		return;
	}
	kn->resize_watch_peak = max(kn->resize_watch_peak, count);
	if (time_before(jiffies, kn->resize_watch_since + KTRACK_SHRINK_AFTER))
		return;
	WRITE_ONCE(kn->resize_shrink_peak, kn->resize_watch_peak + 1);
	kn->resize_watch_since = jiffies;
	queue_work(system_unbound_wq, &kn->resize_work);
}

void ktrack_resize_init(struct ktrack_net *kn)
{
	INIT_WORK(&kn->resize_work, ktrack_resize_work);
	kn->memcg = get_mem_cgroup_from_mm(current->mm);
	kn->resize_retry = jiffies;
	kn->resize_watch_size = 0;
	kn->resize_shrink_peak = 0;
	ktrack_resize_arm(&kn->table);
}

void ktrack_resize_stop(struct ktrack_net *kn)
{
	WRITE_ONCE(kn->table.grow_above, UINT_MAX);
	cancel_work_sync(&kn->resize_work);
	mem_cgroup_put(kn->memcg);
}
