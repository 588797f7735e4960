// SPDX-License-Identifier: GPL-2.0
/*
 * expire.c - idle entries are deleted by one delayed work per netns, run every KTRACK_EXPIRE_PERIOD.
 *
 * There is no timer per entry. Every stripe of the table keeps one FIFO list per timeout class, and
 * all entries of a class share a timeout, so each list is in deadline order: a run looks at the
 * head of each list and stops at the first entry not yet due. The cost of a run is one look per
 * list plus one per expired entry, whatever the number of live entries; an entry is gone at most
 * KTRACK_EXPIRE_PERIOD after its deadline (and at once when a packet meets it first, see track.c).
 *
 * When a timeout is lowered, entries queued before keep their (later) deadline, and entries queued
 * after them wait behind them until they go: the order is restored within one old timeout.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "expire.h"
#include "lifecycle.h"
#include "net.h"

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
static unsigned int ktrack_expire_stripe(struct ktrack_table *t, struct ktrack_stripe *s, u32 now,
					 unsigned int max, struct ktrack_conn **dead)
{
	unsigned int n = 0;
	int c;

	spin_lock_bh(&s->lock);
	for (c = 0; c < KTRACK_NCLASSES && n < max; c++) {
		struct ktrack_conn *ct, *tmp;

		list_for_each_entry_safe(ct, tmp, &s->expiry[c], expiry) {
			if (n == max || !ktrack_conn_expired(ct, now))
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

			n = ktrack_expire_stripe(t, s, now, KTRACK_EXPIRE_BATCH, &dead);
			while ((ct = dead)) {
				dead = (struct ktrack_conn *)ct->expiry.next;
				ktrack_conn_destroy(kn, ct, ktrack_expire_reason(ct));
			}
			total += n;
			cond_resched();
		} while (n == KTRACK_EXPIRE_BATCH && total < KTRACK_EXPIRE_BUDGET);
	}
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
