// SPDX-License-Identifier: GPL-2.0
/*
 * expire.c - idle entries are deleted by one delayed work per netns, run every KTRACK_EXPIRE_PERIOD.
 *
 * There is no timer per entry. Every stripe of the table keeps one FIFO list per timeout class; an
 * entry is queued at the tail with the time (its stamp) and is due when it has been idle for its
 * class's timeout, so each list is in stamp order: a run looks at the head of each list and stops
 * at the first entry not yet due. The cost of a run is one look per list plus one per expired
 * entry, whatever the number of live entries; an entry is gone at most KTRACK_EXPIRE_PERIOD after
 * it is due (and at once when a packet meets it first, see track.c).
 *
 * The timeout compared with is the one in force when the run looks, so a timeout that is lowered
 * (or raised) applies at once to every entry of its class, old and new: the FIFO order never
 * depends on the tunables, and nothing waits behind an entry queued under a longer timeout.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "expire.h"
#include "lifecycle.h"
#include "net.h"
#include "resize.h"

#define KTRACK_EXPIRE_PERIOD	(HZ / 4)
/* Deletions per stripe and lock hold; the run goes on with the next stripe and comes back. */
#define KTRACK_EXPIRE_BATCH	256
/* Deletions per run; past it the work is queued again at once. */
#define KTRACK_EXPIRE_BUDGET	(64 * 1024)

static bool ktrack_stripe_idle(const struct ktrack_stripe *s)
{
	int c;

	for (c = 0; c < KTRACK_NCLASSES; c++)
		if (!list_empty(&s->expiry[c]))
			return false;
	return true;
}

/* Unlinks up to @max due entries of @s onto @dead (through their hash link); returns how many. */
static unsigned int ktrack_expire_stripe(struct ktrack_net *kn, struct ktrack_stripe *s, u32 now,
					 unsigned int max, struct ktrack_conn **dead)
{
	struct ktrack_table *t = &kn->table;
	unsigned int n = 0;
	int c;

	spin_lock_bh(&s->lock);
	for (c = 0; c < KTRACK_NCLASSES && n < max; c++) {
		s32 timeout = ktrack_timeout(kn, c);
		struct ktrack_conn *ct, *tmp;

		list_for_each_entry_safe(ct, tmp, &s->expiry[c], expiry) {
			if (n == max || ktrack_conn_idle(ct, now) < timeout)
				break;
			ktrack_table_unlink(t, ct);
			/* readers may still follow ct->next: chain through the (dead) expiry link */
			ct->expiry.next = (struct list_head *)*dead;
			*dead = ct;
			n++;
		}
	}
	spin_unlock_bh(&s->lock);
	return n;
}

static void ktrack_expire_work(struct work_struct *work)
{
	struct ktrack_net *kn = container_of(to_delayed_work(work), struct ktrack_net,
					     expire_work);
	struct ktrack_table *t = &kn->table;
	unsigned int i, n, total = 0;
	u32 now = ktrack_now();

	for (i = 0; i < t->nstripes && total < KTRACK_EXPIRE_BUDGET; i++) {
		struct ktrack_stripe *s = &t->stripes[i];

		if (ktrack_stripe_idle(s))
			continue;
		do {
			struct ktrack_conn *dead = NULL, *ct;

			n = ktrack_expire_stripe(kn, s, now, KTRACK_EXPIRE_BATCH, &dead);
			while ((ct = dead)) {
				dead = (struct ktrack_conn *)ct->expiry.next;
				ktrack_conn_destroy(kn, ct, ktrack_expire_reason(ct));
			}
			total += n;
			cond_resched();
		} while (n == KTRACK_EXPIRE_BATCH && total < KTRACK_EXPIRE_BUDGET);
	}
	ktrack_resize_tick(kn);
	queue_delayed_work(system_power_efficient_wq, &kn->expire_work,
			   total >= KTRACK_EXPIRE_BUDGET ? 0 : KTRACK_EXPIRE_PERIOD);
}

void ktrack_expire_start(struct ktrack_net *kn)
{
	INIT_DELAYED_WORK(&kn->expire_work, ktrack_expire_work);
	queue_delayed_work(system_power_efficient_wq, &kn->expire_work, KTRACK_EXPIRE_PERIOD);
}

void ktrack_expire_stop(struct ktrack_net *kn)
{
	cancel_delayed_work_sync(&kn->expire_work);
}
