/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - per-CPU packet and table counters of a network namespace, summed when read.
 */
#ifndef _KTRACK_STATS_H
#define _KTRACK_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

/* The columns of /proc/net/stat/ktrack after entries, in order (names in stats.c). */
enum ktrack_stat {
	KTRACK_STAT_PACKETS,		/* packets parsed (PREROUTING + LOCAL_OUT) */
	KTRACK_STAT_FOUND,		/* packets of a tracked connection */
	KTRACK_STAT_NEW,		/* entries created */
	KTRACK_STAT_INVALID,		/* impossible TCP flags, or unknown flow with loose=0 */
	KTRACK_STAT_IGNORED,		/* out of window or unexpected: passed, entry unchanged */
	KTRACK_STAT_OTHER,		/* protocols and ICMP types not tracked: passed */
	KTRACK_STAT_FRAGMENT,		/* non-first fragments: passed untracked */
	KTRACK_STAT_TRUNCATED,		/* header shorter than its protocol needs */
	KTRACK_STAT_MALFORMED,		/* bad version, IHL, lengths, data offset */
	KTRACK_STAT_DROP_TABLE,		/* new flow refused: max_conns */
	KTRACK_STAT_DROP_SOURCE,	/* new flow refused: per-source limit */
	KTRACK_STAT_DROP_INVALID,	/* dropped by policy (loose=0) */
	KTRACK_STAT_DROP_NOMEM,		/* new flow refused: allocation failed */
	KTRACK_STAT_EVICTED,		/* half-open entries evicted for room */
	KTRACK_STAT_DEL_RST,		/* deleted on an in-window RST */
	KTRACK_STAT_DEL_FIN,		/* deleted after the FIN exchange (or its TIME_WAIT) */
	KTRACK_STAT_DEL_TIMEOUT,	/* deleted when idle past its timeout */
	KTRACK_STAT_DEL_FLUSH,		/* deleted by a flush or delete request */
	KTRACK_STAT_TW_REUSE,		/* new SYN replaced a TIME_WAIT/CLOSE entry */
	KTRACK_STAT_NOTRACK,		/* packets marked untracked for nf_conntrack */
	/* appended later: KTRACK_STAT_A_BAD_CHECKSUM on (see ktrack_stat_attr()) */
	KTRACK_STAT_BAD_CHECKSUM,	/* unknown flow, bad L4 checksum: no entry, passed */
	KTRACK_STAT_RST_INEXACT,	/* RST in window but not at the exact sequence: entry kept */
	KTRACK_STAT_RESYNC,		/* entry resynchronised by the answer to an ignored SYN */
	KTRACK_STAT_PICKUP,		/* entries created by a loose pickup (also in new) */
	KTRACK_STAT_RELATED,		/* ICMP errors quoting a tracked flow (unmatched: invalid) */
	KTRACK_STAT_DEL_ICMP,		/* UDP never answered, deleted by the host's port unreachable */
	KTRACK_STAT_TW_RESCUE,		/* TIME_WAIT sockets removed for a SYN they refused */
	KTRACK_STAT_TW_RESCUE_SKIP,	/* TIME_WAIT sockets left: would accept, no listener, young */
	KTRACK_STAT_RESIZE_GROW,	/* buckets grew: connections or sources (resize.c) */
	KTRACK_STAT_RESIZE_SHRINK,	/* ... shrank */
	KTRACK_STAT_RESIZE_FAIL,	/* a resize could not allocate: the buckets stayed */
	KTRACK_NSTATS
};

/* Table-wide values reported beside the counters (netlink totals, /sys/kernel/ktrack). */
enum ktrack_tableval {
	KTRACK_TV_COUNT,		/* live entries */
	KTRACK_TV_BUCKETS,		/* hash buckets */
	KTRACK_TV_SOURCES,		/* counted sources */
	KTRACK_TV_MAX_CONNS,		/* the table limit in force */
	KTRACK_TV_EVENTS_OVERFLOW,	/* events not delivered */
	KTRACK_NTABLEVALS
};

struct ktrack_stats {
	u64 cnt[KTRACK_NSTATS];
	/* live entries by TCP state: this CPU's increments minus decrements */
	s64 tcp_live[16];
};

struct ktrack_net;
struct net;

extern const char *const ktrack_stat_names[KTRACK_NSTATS];
extern const char *const ktrack_live_names[];
extern const char *const ktrack_table_names[KTRACK_NTABLEVALS];

int ktrack_stats_init(struct net *net, struct ktrack_net *kn);
void ktrack_stats_exit(struct net *net, struct ktrack_net *kn);
u64 ktrack_stats_sum(const struct ktrack_net *kn, enum ktrack_stat stat);
/* Live entries in TCP state @state (0: UDP and ICMP), summed over CPUs. */
s64 ktrack_stats_live_sum(const struct ktrack_net *kn, unsigned int state);
u64 ktrack_stats_table(struct ktrack_net *kn, enum ktrack_tableval v);

#endif /* _KTRACK_STATS_H */
