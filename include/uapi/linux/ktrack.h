/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ktrack.h - the interface between the ktrack module and userspace (ktrackctl, or any generic
 * netlink client): the generic netlink family "ktrack".
 *
 * Family: KTRACK_GENL_NAME, version KTRACK_GENL_VERSION, no user header after the genlmsghdr.
 * A client resolves the family id (and the id of the multicast group KTRACK_GENL_MCGRP_EVENTS)
 * through the generic netlink controller (CTRL_CMD_GETFAMILY); when the family is unknown the module
 * is not loaded (the kernel tries to autoload it by name, see MODULE_ALIAS_GENL_FAMILY).
 *
 * The family is network-namespace aware: every request acts on the netns of the socket it comes
 * from. Requests are validated strictly: an attribute a command does not take, an attribute of the
 * wrong type or length, trailing bytes, or a nonzero genlmsghdr.reserved are refused with EINVAL
 * and an extended ack (NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS pointing at the offending attribute,
 * and for a value out of range NLMSGERR_ATTR_POLICY with its bounds). A missing required attribute
 * is refused with EINVAL and NLMSGERR_ATTR_MISS_TYPE / NLMSGERR_ATTR_MISS_NEST. A refused request
 * changes nothing.
 *
 * Permissions: commands marked [admin] below, and joining the "events" group, need CAP_NET_ADMIN in
 * the user namespace that owns the netns (GENL_UNS_ADMIN_PERM); without it they fail with EPERM.
 * Statistics, configuration reads and the limit list are open to every user.
 *
 * Byte order: addresses (4 bytes for AF_INET, 16 for AF_INET6) and ports (u16) are in network
 * byte order; every other integer is in host byte order. u64 attributes are 8-byte aligned with
 * KTRACK_A_PAD (or the nest's own PAD type).
 *
 * Commands
 * --------
 *
 * KTRACK_CMD_GET_STATS (do): the counters of the netns.
 *   request: KTRACK_A_PERCPU (flag, optional): add the per-CPU rows.
 *   reply:   KTRACK_A_STATS: nest of KTRACK_STAT_A_* (u64; LIVE_* are s64), summed over CPUs,
 *            with COUNT, BUCKETS, SOURCES, MAX_CONNS and EVENTS_OVERFLOW;
 *            KTRACK_A_PERCPU (when asked): nest of one KTRACK_A_STATS per possible CPU, each with
 *            KTRACK_STAT_A_CPU (u32) and the per-CPU counters (LIVE_* there are the CPU's
 *            increments minus decrements, so they may be negative).
 *
 * KTRACK_CMD_GET_CONFIG (do): the tunables of the netns (sysctl net.ktrack.*).
 *   reply: KTRACK_A_CONFIG: nest of every KTRACK_CFG_A_* (u32).
 *
 * KTRACK_CMD_SET_CONFIG (do) [admin]: set tunables of the netns.
 *   request: KTRACK_A_CONFIG (required): nest of KTRACK_CFG_A_* (u32), any subset. Each value is
 *            range-checked (the ranges of the module parameters, see README.md); when one is out of
 *            range, or PER_SRC_PREFIX4/6 would change while a source is counted (EBUSY), nothing
 *            changes.
 *
 * KTRACK_CMD_GET_CONN [admin]
 *   do:   request KTRACK_A_CONN with FAMILY, PROTO, SRC, DST, SPORT, DPORT (all required; for ICMP
 *         echo the identifier in SPORT and 0 in DPORT) of either direction; reply KTRACK_A_CONN
 *         of the entry (its original direction), or ENOENT.
 *   dump: request KTRACK_A_FILTER (optional); one message per matching connection, each with
 *         KTRACK_A_CONN. Memory is bounded (the dump resumes at a cursor in an order of the
 *         entries that does not depend on the table's size). Consistency: an entry that lives for
 *         the whole dump is reported exactly once, even when the table is resized meanwhile;
 *         entries created or deleted meanwhile may or may not be. (NLM_F_DUMP_INTR is not set.)
 *
 * KTRACK_CMD_DEL_CONN (do) [admin]: delete connections (counted as del_flush, event reason FLUSH).
 *   request: either KTRACK_A_CONN (a tuple, as for GET_CONN; ENOENT when there is no such entry)
 *            or KTRACK_A_FILTER (every matching entry; an empty filter matches all).
 *   reply:   KTRACK_A_COUNT (u32): entries deleted.
 *
 * KTRACK_CMD_FLUSH (do) [admin]: delete every connection of the netns. reply: KTRACK_A_COUNT.
 *
 * KTRACK_CMD_GET_SOURCES (dump) [admin]: one message per counted source (a source address masked
 *   to per_src_prefix4/6 with at least one live, not TIME_WAIT, connection), each KTRACK_A_SOURCE:
 *   FAMILY, ADDR, PREFIXLEN, LIVE (u32), LIMIT (u32, the limit in force for it; 0 = none).
 *   Ordering is by family (IPv4 first), then by hash; a client wanting the top N sorts (ktrackctl
 *   keeps the N largest). Consistency as for connections: a source counted for the whole dump is
 *   reported exactly once, even when the source buckets are resized meanwhile.
 *
 * KTRACK_CMD_NEW_LIMIT (do) [admin]: add or replace a per-prefix limit override.
 *   request: KTRACK_A_LIMIT with FAMILY, ADDR, PREFIXLEN, LIMIT (all required; 0 = unlimited).
 *            ADDR is masked to PREFIXLEN. At most KTRACK_LIMITS_MAX overrides per netns (ENOSPC).
 *   A new flow's source address is matched against the overrides; the longest matching prefix
 *   gives its per-source limit, and per_src_limit applies when none matches.
 *
 * KTRACK_CMD_DEL_LIMIT (do) [admin]: KTRACK_A_LIMIT with FAMILY, ADDR, PREFIXLEN; ENOENT if absent.
 *
 * KTRACK_CMD_GET_LIMIT (dump): one message per override, each KTRACK_A_LIMIT (all four).
 *
 * Notifications (multicast group "events", [admin] to join)
 *   KTRACK_CMD_EVENT_NEW:     KTRACK_A_CONN of an entry just created.
 *   KTRACK_CMD_EVENT_DESTROY: KTRACK_A_CONN of an entry just deleted, KTRACK_A_REASON (u8, enum
 *                             ktrack_reason); with reason LIMIT, the tuple of a new flow that a
 *                             limit refused (no entry was created).
 *   Events are built only while someone listens. A listener whose receive buffer was full when
 *   an event came gets ENOBUFS from its next read. The netns's events_overflow counter counts
 *   the events that could not be built (no memory) and those that a listener which set the
 *   socket option NETLINK_BROADCAST_ERROR missed (ktrackctl monitor sets it); a miss by a
 *   listener without that option is reported to that listener alone.
 *
 * Nested attributes
 * -----------------
 *
 * KTRACK_A_CONN (KTRACK_CONN_A_*): FAMILY (u8, AF_INET/AF_INET6), PROTO (u8, IPPROTO_TCP, _UDP,
 *   _ICMP or _ICMPV6), SRC and DST (binary address), SPORT and DPORT (u16), and in replies STATE
 *   (u8, enum ktrack_conn_state, TCP only), TIMEOUT (u32, seconds until it expires), STATUS (u32,
 *   KTRACK_CONN_S_* bits).
 *
 * KTRACK_A_FILTER (KTRACK_FILTER_A_*), every member optional, all given must match the original
 *   tuple: FAMILY (u8), PROTO (u8), STATE (u8, TCP entries only), SRC + SRC_PREFIXLEN and
 *   DST + DST_PREFIXLEN (an address needs FAMILY; the length defaults to the full address),
 *   PORT (u16, either port), SPORT, DPORT (u16).
 */
#ifndef _UAPI_LINUX_KTRACK_H
#define _UAPI_LINUX_KTRACK_H

#define KTRACK_GENL_NAME		"ktrack"
#define KTRACK_GENL_VERSION		1
#define KTRACK_GENL_MCGRP_EVENTS	"events"

/* Per-prefix limit overrides one netns may hold. */
#define KTRACK_LIMITS_MAX		1024

enum ktrack_cmd {
	KTRACK_CMD_UNSPEC,
	KTRACK_CMD_GET_STATS,
	KTRACK_CMD_GET_CONFIG,
	KTRACK_CMD_SET_CONFIG,
	KTRACK_CMD_GET_CONN,
	KTRACK_CMD_DEL_CONN,
	KTRACK_CMD_FLUSH,
	KTRACK_CMD_GET_SOURCES,
	KTRACK_CMD_NEW_LIMIT,
	KTRACK_CMD_DEL_LIMIT,
	KTRACK_CMD_GET_LIMIT,
	KTRACK_CMD_EVENT_NEW,
	KTRACK_CMD_EVENT_DESTROY,
	__KTRACK_CMD_MAX
};
#define KTRACK_CMD_MAX (__KTRACK_CMD_MAX - 1)

enum ktrack_attr {
	KTRACK_A_UNSPEC,
	KTRACK_A_PAD,
	KTRACK_A_STATS,		/* nest: KTRACK_STAT_A_* */
	KTRACK_A_PERCPU,	/* request: flag; reply: nest of KTRACK_A_STATS */
	KTRACK_A_CONFIG,	/* nest: KTRACK_CFG_A_* */
	KTRACK_A_CONN,		/* nest: KTRACK_CONN_A_* */
	KTRACK_A_FILTER,	/* nest: KTRACK_FILTER_A_* */
	KTRACK_A_COUNT,		/* u32 */
	KTRACK_A_SOURCE,	/* nest: KTRACK_SRC_A_* */
	KTRACK_A_LIMIT,		/* nest: KTRACK_LIMIT_A_* */
	KTRACK_A_REASON,	/* u8: enum ktrack_reason */
	__KTRACK_A_MAX
};
#define KTRACK_A_MAX (__KTRACK_A_MAX - 1)

/* Counters; the names are those of /proc/net/stat/ktrack (README.md), in that order. */
enum ktrack_stat_attr {
	KTRACK_STAT_A_UNSPEC,
	KTRACK_STAT_A_PAD,
	KTRACK_STAT_A_CPU,		/* u32, per-CPU rows only */
	KTRACK_STAT_A_PACKETS,
	KTRACK_STAT_A_FOUND,
	KTRACK_STAT_A_NEW,
	KTRACK_STAT_A_INVALID,
	KTRACK_STAT_A_IGNORED,
	KTRACK_STAT_A_OTHER,
	KTRACK_STAT_A_FRAGMENT,
	KTRACK_STAT_A_TRUNCATED,
	KTRACK_STAT_A_MALFORMED,
	KTRACK_STAT_A_DROP_TABLE,
	KTRACK_STAT_A_DROP_SOURCE,
	KTRACK_STAT_A_DROP_INVALID,
	KTRACK_STAT_A_DROP_NOMEM,
	KTRACK_STAT_A_EVICTED,
	KTRACK_STAT_A_DEL_RST,
	KTRACK_STAT_A_DEL_FIN,
	KTRACK_STAT_A_DEL_TIMEOUT,
	KTRACK_STAT_A_DEL_FLUSH,
	KTRACK_STAT_A_TW_REUSE,
	KTRACK_STAT_A_NOTRACK,
	KTRACK_STAT_A_LIVE_OTHER,	/* s64: live UDP and ICMP entries */
	KTRACK_STAT_A_LIVE_SYN_SENT,	/* s64: live TCP entries by state, in enum ktrack_conn_state */
	KTRACK_STAT_A_LIVE_SYN_RECV,
	KTRACK_STAT_A_LIVE_ESTABLISHED,
	KTRACK_STAT_A_LIVE_FIN_WAIT,
	KTRACK_STAT_A_LIVE_CLOSE_WAIT,
	KTRACK_STAT_A_LIVE_LAST_ACK,
	KTRACK_STAT_A_LIVE_TIME_WAIT,
	KTRACK_STAT_A_LIVE_CLOSE,
	KTRACK_STAT_A_COUNT,		/* totals only: live entries */
	KTRACK_STAT_A_BUCKETS,		/* totals only: hash buckets */
	KTRACK_STAT_A_SOURCES,		/* totals only: counted sources */
	KTRACK_STAT_A_MAX_CONNS,	/* totals only: the table limit in force */
	KTRACK_STAT_A_EVENTS_OVERFLOW,	/* totals only: events not delivered */
	KTRACK_STAT_A_BAD_CHECKSUM,	/* counters added later, per CPU like PACKETS..NOTRACK */
	KTRACK_STAT_A_RST_INEXACT,
	KTRACK_STAT_A_RESYNC,
	KTRACK_STAT_A_PICKUP,
	KTRACK_STAT_A_RELATED,
	KTRACK_STAT_A_DEL_ICMP,
	KTRACK_STAT_A_TW_RESCUE,
	KTRACK_STAT_A_TW_RESCUE_SKIP,
	KTRACK_STAT_A_RESIZE_GROW,
	KTRACK_STAT_A_RESIZE_SHRINK,
	KTRACK_STAT_A_RESIZE_FAIL,
	__KTRACK_STAT_A_MAX
};
#define KTRACK_STAT_A_MAX (__KTRACK_STAT_A_MAX - 1)

/*
 * state_mark: the state of a packet as ktrack classified it, in the skb->mark bits of the netns's
 * state_mark while the packet is in netfilter (from PREROUTING or LOCAL_OUT to the end of LOCAL_IN
 * or POSTROUTING), shifted to the mask's lowest bit. At most one of NEW..INVALID is set; none is
 * untracked. REPLY is set on reply-direction packets when the mask has 5 bits.
 */
#define KTRACK_MARK_NEW		0x01
#define KTRACK_MARK_ESTABLISHED	0x02
#define KTRACK_MARK_RELATED	0x04
#define KTRACK_MARK_INVALID	0x08
#define KTRACK_MARK_REPLY	0x10

/* Tunables (u32), named as sysctl net.ktrack.<name> and the module parameters. */
enum ktrack_cfg_attr {
	KTRACK_CFG_A_UNSPEC,
	KTRACK_CFG_A_MAX_CONNS,
	KTRACK_CFG_A_PER_SRC_LIMIT,
	KTRACK_CFG_A_PER_SRC_PREFIX4,
	KTRACK_CFG_A_PER_SRC_PREFIX6,
	KTRACK_CFG_A_TCP_TIMEOUT_SYN_SENT,
	KTRACK_CFG_A_TCP_TIMEOUT_SYN_RECV,
	KTRACK_CFG_A_TCP_TIMEOUT_ESTABLISHED,
	KTRACK_CFG_A_TCP_TIMEOUT_FIN_WAIT,
	KTRACK_CFG_A_TCP_TIMEOUT_CLOSE_WAIT,
	KTRACK_CFG_A_TCP_TIMEOUT_LAST_ACK,
	KTRACK_CFG_A_TCP_TIMEOUT_TIME_WAIT,
	KTRACK_CFG_A_TCP_TIMEOUT_CLOSE,
	KTRACK_CFG_A_UDP_TIMEOUT,
	KTRACK_CFG_A_UDP_TIMEOUT_STREAM,
	KTRACK_CFG_A_ICMP_TIMEOUT,
	KTRACK_CFG_A_NOTRACK,
	KTRACK_CFG_A_LOOSE,
	KTRACK_CFG_A_TCP_TIMEOUT_UNACKNOWLEDGED,
	KTRACK_CFG_A_STATE_MARK,	/* skb->mark bits of the state: 0, or 4 or 5 contiguous bits */
	KTRACK_CFG_A_TW_RESCUE,		/* 0/1: remove a TIME_WAIT socket that refuses a new SYN */
	__KTRACK_CFG_A_MAX
};
#define KTRACK_CFG_A_MAX (__KTRACK_CFG_A_MAX - 1)

enum ktrack_conn_attr {
	KTRACK_CONN_A_UNSPEC,
	KTRACK_CONN_A_FAMILY,	/* u8 */
	KTRACK_CONN_A_PROTO,	/* u8 */
	KTRACK_CONN_A_SRC,	/* binary, 4 or 16 bytes */
	KTRACK_CONN_A_DST,	/* binary, 4 or 16 bytes */
	KTRACK_CONN_A_SPORT,	/* u16, network order; ICMP echo: identifier */
	KTRACK_CONN_A_DPORT,	/* u16, network order; ICMP echo: 0 */
	KTRACK_CONN_A_STATE,	/* u8: enum ktrack_conn_state (replies, TCP) */
	KTRACK_CONN_A_TIMEOUT,	/* u32: seconds until it expires (replies) */
	KTRACK_CONN_A_STATUS,	/* u32: KTRACK_CONN_S_* (replies) */
	__KTRACK_CONN_A_MAX
};
#define KTRACK_CONN_A_MAX (__KTRACK_CONN_A_MAX - 1)

/* KTRACK_CONN_A_STATUS bits */
#define KTRACK_CONN_S_REPLIED	0x1	/* a packet was seen in the reply direction (assured) */
#define KTRACK_CONN_S_STREAM	0x2	/* UDP answered and seen again */

/* TCP states, as in nf_conntrack. */
enum ktrack_conn_state {
	KTRACK_STATE_NONE,
	KTRACK_STATE_SYN_SENT,
	KTRACK_STATE_SYN_RECV,
	KTRACK_STATE_ESTABLISHED,
	KTRACK_STATE_FIN_WAIT,
	KTRACK_STATE_CLOSE_WAIT,
	KTRACK_STATE_LAST_ACK,
	KTRACK_STATE_TIME_WAIT,
	KTRACK_STATE_CLOSE,
	__KTRACK_STATE_MAX
};
#define KTRACK_STATE_MAX (__KTRACK_STATE_MAX - 1)

enum ktrack_filter_attr {
	KTRACK_FILTER_A_UNSPEC,
	KTRACK_FILTER_A_FAMILY,		/* u8 */
	KTRACK_FILTER_A_PROTO,		/* u8 */
	KTRACK_FILTER_A_STATE,		/* u8 */
	KTRACK_FILTER_A_SRC,		/* binary, 4 or 16 bytes */
	KTRACK_FILTER_A_SRC_PREFIXLEN,	/* u8 */
	KTRACK_FILTER_A_DST,		/* binary, 4 or 16 bytes */
	KTRACK_FILTER_A_DST_PREFIXLEN,	/* u8 */
	KTRACK_FILTER_A_PORT,		/* u16, network order: either port */
	KTRACK_FILTER_A_SPORT,		/* u16, network order */
	KTRACK_FILTER_A_DPORT,		/* u16, network order */
	__KTRACK_FILTER_A_MAX
};
#define KTRACK_FILTER_A_MAX (__KTRACK_FILTER_A_MAX - 1)

enum ktrack_src_attr {
	KTRACK_SRC_A_UNSPEC,
	KTRACK_SRC_A_FAMILY,	/* u8 */
	KTRACK_SRC_A_ADDR,	/* binary, 4 or 16 bytes, masked */
	KTRACK_SRC_A_PREFIXLEN,	/* u8 */
	KTRACK_SRC_A_LIVE,	/* u32 */
	KTRACK_SRC_A_LIMIT,	/* u32, 0 = none */
	__KTRACK_SRC_A_MAX
};
#define KTRACK_SRC_A_MAX (__KTRACK_SRC_A_MAX - 1)

enum ktrack_limit_attr {
	KTRACK_LIMIT_A_UNSPEC,
	KTRACK_LIMIT_A_FAMILY,		/* u8 */
	KTRACK_LIMIT_A_ADDR,		/* binary, 4 or 16 bytes */
	KTRACK_LIMIT_A_PREFIXLEN,	/* u8 */
	KTRACK_LIMIT_A_LIMIT,		/* u32, 0 = unlimited */
	__KTRACK_LIMIT_A_MAX
};
#define KTRACK_LIMIT_A_MAX (__KTRACK_LIMIT_A_MAX - 1)

/* Why an entry was destroyed (KTRACK_CMD_EVENT_DESTROY). */
enum ktrack_reason {
	KTRACK_REASON_UNSPEC,
	KTRACK_REASON_RST,	/* an in-window RST */
	KTRACK_REASON_FIN,	/* the FIN exchange completed (or its TIME_WAIT ended) */
	KTRACK_REASON_TIMEOUT,	/* idle past its timeout */
	KTRACK_REASON_EVICT,	/* a half-open entry evicted at max_conns */
	KTRACK_REASON_FLUSH,	/* deleted on request (DEL_CONN, FLUSH) */
	KTRACK_REASON_REUSE,	/* a new SYN replaced this TIME_WAIT/CLOSE entry */
	KTRACK_REASON_LIMIT,	/* a new flow that a limit refused: the entry it would have had */
	KTRACK_REASON_ICMP,	/* UDP never answered, and the host answered it port unreachable */
	__KTRACK_REASON_MAX
};
#define KTRACK_REASON_MAX (__KTRACK_REASON_MAX - 1)

#endif /* _UAPI_LINUX_KTRACK_H */
