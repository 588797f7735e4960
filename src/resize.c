// SPDX-License-Identifier: GPL-2.0
/*
 * resize.c - when the hashes of a netns change size: the connection table (the move is table.c's,
 * ktrack_table_resize()) and the IPv4 and the IPv6 sources (source.c, ktrack_src_resize()). Each
 * follows the same rules, on its own count and size.
 *
 * Grow: an insert that leaves more than 2 entries a bucket (the count past grow_above) queues the
 * resize work, which doubles the buckets, or more when a fast fill has gone further meanwhile, and
 * looks again when it is done.
 * Shrink: the expiry work watches the count on each run; once it has stayed under 1 entry for 8
 * buckets for KTRACK_SHRINK_AFTER, the buckets halve, and halve again as long as the highest count
 * of that time stays under 1 for 8 (after a flush, down to the floor in one resize). The bounds:
 * min_size (the initial size, hashsize or netns_hashsize when given) and max_size (2 entries a
 * bucket at max_conns); a hash above max_size (max_conns lowered) shrinks to it.
 *
 * A resize that cannot allocate leaves the hash as it was, is counted (resize_fail), and is tried
 * again KTRACK_RESIZE_RETRY later. Its buckets are charged, as the first ones were, to the memory
 * cgroup of the process that created the netns, not to the worker's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "resize.h"

#define KTRACK_SHRINK_AFTER	(60 * HZ)
#define KTRACK_RESIZE_RETRY	HZ

/* A hash's size, bounds and threshold, wherever it keeps them. */
struct ktrack_hash_sizes {
	unsigned int *size, *grow_above, *min_size, *max_size;
	struct mutex *mutex;	/* held by a resize */
};

static void ktrack_hash_sizes(struct ktrack_net *kn, enum ktrack_hash h,
			      struct ktrack_hash_sizes *hs)
{
	struct ktrack_table *t = &kn->table;
	struct ktrack_srcfam *f;

	if (h == KTRACK_HASH_CONN) {
		*hs = (struct ktrack_hash_sizes){ &t->nbuckets, &t->grow_above, &t->min_size,
						  &t->max_size, &t->resize_mutex };
		return;
	}
	f = &kn->src.fam[h == KTRACK_HASH_SRC6];
	*hs = (struct ktrack_hash_sizes){ &f->nbuckets, &f->grow_above, &f->min_size,
					  &f->max_size, &kn->src.resize_mutex };
}

/*
 * The count of @h: exact (all CPUs' parts of the table's count) or, when !@exact, what a cheap
 * read gives, with its largest error in *@slack. The sources' counts are exact.
 */
static s64 ktrack_hash_count(struct ktrack_net *kn, enum ktrack_hash h, bool exact, s64 *slack)
{
	struct ktrack_table *t = &kn->table;

	*slack = 0;
	if (h != KTRACK_HASH_CONN)
		return atomic_read(&kn->src.fam[h == KTRACK_HASH_SRC6].nsources);
	if (exact)
		return percpu_counter_sum_positive(&t->count);
	*slack = ktrack_table_count_slack(t);
	return percpu_counter_read_positive(&t->count);
}

/*
 * Inserts queue a resize once the hash holds more than 2 entries a bucket; not at max_size. The
 * table's inserts read its approximate count: past 2 a bucket by its largest error, so that when
 * the approximate count says so, the exact one does too (else the work would find nothing to do,
 * and be queued again by the next insert).
 */
static void ktrack_resize_arm(struct ktrack_net *kn, enum ktrack_hash h)
{
	struct ktrack_hash_sizes hs;
	unsigned int size;
	s64 slack;

	ktrack_hash_sizes(kn, h, &hs);
	size = READ_ONCE(*hs.size);
	ktrack_hash_count(kn, h, false, &slack);
	WRITE_ONCE(*hs.grow_above, size < READ_ONCE(*hs.max_size) ?
		   2 * size + (unsigned int)slack : UINT_MAX);
}

void ktrack_resize_kick(struct ktrack_net *kn)
{
	/* once: the inserts that follow do not reach the work's shared line */
	WRITE_ONCE(kn->table.grow_above, UINT_MAX);
	WRITE_ONCE(kn->src.grow, false);
	WRITE_ONCE(kn->resize_retry, jiffies + KTRACK_RESIZE_RETRY);
	queue_work(system_unbound_wq, &kn->resize_work);
}

/* The size for @count entries, from @size; @peak: the highest count of a shrink's watch, or 0. */
static unsigned int ktrack_resize_target(const struct ktrack_hash_sizes *hs, unsigned int size,
					 s64 count, s64 peak)
{
	unsigned int max = READ_ONCE(*hs->max_size), target = size;

	if (count > 2 * (s64)size && size < max) {
		while (target < max && count > 2 * (s64)target)
			target *= 2;
		return target;
	}
	target = min(target, max);
	if (peak) {
		peak = max(peak, count);
		while (target / 2 >= *hs->min_size && peak * 8 < target)
			target /= 2;
	}
	return target;
}

/* Resizes @h to what its count asks for; false when it could not allocate. */
static bool ktrack_resize_hash(struct ktrack_net *kn, enum ktrack_hash h)
{
	/* a shrink's request: the watch's highest count, plus 1 */
	s64 peak = xchg(&kn->resize_watch[h].shrink_peak, 0), slack;
	struct mem_cgroup *old_memcg;
	struct ktrack_hash_sizes hs;
	unsigned int size, target;
	int err;

	ktrack_hash_sizes(kn, h, &hs);
	mutex_lock(hs.mutex);
	size = *hs.size;
	target = ktrack_resize_target(&hs, size, ktrack_hash_count(kn, h, true, &slack), peak);
	if (target != size) {
		old_memcg = set_active_memcg(kn->memcg);
		if (h == KTRACK_HASH_CONN)
			err = ktrack_table_resize(&kn->table, target);
		else
			err = ktrack_src_resize(&kn->src, h == KTRACK_HASH_SRC6, target);
		set_active_memcg(old_memcg);
		if (err) {
			ktrack_stat_inc(kn, KTRACK_STAT_RESIZE_FAIL);
			/* grow_above stays off: the tick arms it again after the retry time */
			WRITE_ONCE(kn->resize_retry, jiffies + KTRACK_RESIZE_RETRY);
			mutex_unlock(hs.mutex);
			return false;
		}
		ktrack_stat_inc(kn, target > size ? KTRACK_STAT_RESIZE_GROW :
				KTRACK_STAT_RESIZE_SHRINK);
	}
	ktrack_resize_arm(kn, h);
	mutex_unlock(hs.mutex);
	return true;
}

static void ktrack_resize_work(struct work_struct *work)
{
	struct ktrack_net *kn = container_of(work, struct ktrack_net, resize_work);
	bool ok = true;
	int h;

	for (h = 0; h < KTRACK_NHASHES; h++)
		ok &= ktrack_resize_hash(kn, h);
	/* a fill that went on meanwhile past the new thresholds: its inserts may all have come */
	if (ok)
		ktrack_resize_check(kn);
}

/* From the tick: @h's shrink's watch; true when it asks the work for a resize. */
static bool ktrack_resize_watch(struct ktrack_net *kn, enum ktrack_hash h)
{
	struct ktrack_resize_watch *w = &kn->resize_watch[h];
	struct ktrack_hash_sizes hs;
	unsigned int size, max;
	s64 count, slack;

	ktrack_hash_sizes(kn, h, &hs);
	size = READ_ONCE(*hs.size);
	max = READ_ONCE(*hs.max_size);
	/* after a failure, or max_conns raised past a hash at its old max_size */
	if (READ_ONCE(*hs.grow_above) == UINT_MAX && size < max &&
	    time_after_eq(jiffies, READ_ONCE(kn->resize_retry)))
		ktrack_resize_arm(kn, h);
	if (size > max)
		return time_after_eq(jiffies, READ_ONCE(kn->resize_retry));
	if (size <= *hs.min_size) {
		w->size = 0;
		return false;
	}
	/* the approximate count first: an exact one (all CPUs' parts) only near the threshold */
	count = ktrack_hash_count(kn, h, false, &slack);
	if (count - slack < size / 8)
		count = ktrack_hash_count(kn, h, true, &slack);
	if (count >= size / 8) {
		/* not low: no watch */
		w->size = 0;
		return false;
	}
	if (size != w->size) {
		/* low from this run on (or a new size): a new watch */
		w->size = size;
		w->since = jiffies;
		w->peak = count;
		return false;
	}
	w->peak = max(w->peak, count);
	if (time_before(jiffies, w->since + KTRACK_SHRINK_AFTER))
		return false;
	WRITE_ONCE(w->shrink_peak, w->peak + 1);
	w->since = jiffies;
	return true;
}

void ktrack_resize_tick(struct ktrack_net *kn)
{
	bool queue = false;
	int h;

	for (h = 0; h < KTRACK_NHASHES; h++)
		queue |= ktrack_resize_watch(kn, h);
	/* past a threshold with no insert since (the inserts stopped during a resize, max_conns raised) */
	ktrack_resize_check(kn);
	if (queue)
		queue_work(system_unbound_wq, &kn->resize_work);
}

void ktrack_resize_init(struct ktrack_net *kn)
{
	int h;

	INIT_WORK(&kn->resize_work, ktrack_resize_work);
	kn->memcg = get_mem_cgroup_from_mm(current->mm);
	kn->resize_retry = jiffies;
	for (h = 0; h < KTRACK_NHASHES; h++) {
		kn->resize_watch[h].size = 0;
		kn->resize_watch[h].shrink_peak = 0;
		ktrack_resize_arm(kn, h);
	}
}

void ktrack_resize_stop(struct ktrack_net *kn)
{
	WRITE_ONCE(kn->table.grow_above, UINT_MAX);
	WRITE_ONCE(kn->src.fam[0].grow_above, UINT_MAX);
	WRITE_ONCE(kn->src.fam[1].grow_above, UINT_MAX);
	cancel_work_sync(&kn->resize_work);
	mem_cgroup_put(kn->memcg);
}
