/* SPDX-License-Identifier: GPL-2.0 */
/*
 * resize.h - when the hashes of a netns (connections, sources) change size (resize.c).
 */
#ifndef _KTRACK_RESIZE_H
#define _KTRACK_RESIZE_H

#include "net.h"

/* Before the hashes are used: grow_above armed, the creator's memory cgroup taken. */
void ktrack_resize_init(struct ktrack_net *kn);
/* No insert and no expiry run is left: waits for a resize that runs, drops the cgroup. */
void ktrack_resize_stop(struct ktrack_net *kn);
/* From the expiry work, every run: the shrinks' watches, a retry after a failure. */
void ktrack_resize_tick(struct ktrack_net *kn);
void ktrack_resize_kick(struct ktrack_net *kn);

/*
 * After an insert: the table has more than 2 entries a bucket, or a family's sources more than 2
 * a bucket (source.c sets grow), and may grow.
 */
static inline void ktrack_resize_check(struct ktrack_net *kn)
{
	struct ktrack_table *t = &kn->table;

	if (unlikely(percpu_counter_read(&t->count) > READ_ONCE(t->grow_above) ||
		     READ_ONCE(kn->src.grow)))
		ktrack_resize_kick(kn);
}

#endif /* _KTRACK_RESIZE_H */
