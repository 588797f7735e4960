/* SPDX-License-Identifier: GPL-2.0 */
/*
 * params.h - module parameters: the defaults every network namespace starts with.
 */
#ifndef _KTRACK_PARAMS_H
#define _KTRACK_PARAMS_H

#include <linux/types.h>

/* A range-checked unsigned module parameter; a value out of range is refused at insmod. */
struct ktrack_uint_param {
	unsigned int val;
	unsigned int min, max;
};

/* Tunables that exist per netns (sysctl net.ktrack.*); the module parameter is the default. */
enum ktrack_tunable {
	KTRACK_MAX_CONNS,
	KTRACK_PER_SRC_LIMIT,
	KTRACK_PER_SRC_PREFIX4,
	KTRACK_PER_SRC_PREFIX6,
	KTRACK_TCP_TIMEOUT_SYN_SENT,
	KTRACK_TCP_TIMEOUT_SYN_RECV,
	KTRACK_TCP_TIMEOUT_ESTABLISHED,
	KTRACK_TCP_TIMEOUT_FIN_WAIT,
	KTRACK_TCP_TIMEOUT_CLOSE_WAIT,
	KTRACK_TCP_TIMEOUT_LAST_ACK,
	KTRACK_TCP_TIMEOUT_TIME_WAIT,
	KTRACK_TCP_TIMEOUT_CLOSE,
	KTRACK_UDP_TIMEOUT,
	KTRACK_UDP_TIMEOUT_STREAM,
	KTRACK_ICMP_TIMEOUT,
	KTRACK_NOTRACK,
	KTRACK_LOOSE,
	KTRACK_TCP_TIMEOUT_UNACK,	/* a picked-up connection not yet answered */
	KTRACK_STATE_MARK,		/* skb->mark bits that carry the state (state.c), 0: off */
	KTRACK_TW_RESCUE,		/* remove a TIME_WAIT socket that refuses a new SYN */
	KTRACK_NTUNABLES
};

extern struct ktrack_uint_param ktrack_defaults[KTRACK_NTUNABLES];
extern unsigned int ktrack_hashsize;
/* The buckets of a netns other than the initial one (anyone may create one: small by default). */
extern unsigned int ktrack_netns_hashsize;
/* Set while the initial netns exists: parameter writes then reach its sysctls. */
extern bool ktrack_params_live;

/* 0, or -EINVAL (logged) when @v is no value of @t (beyond its range: state_mark's shape). */
int ktrack_tunable_check(enum ktrack_tunable t, unsigned int v);

int ktrack_params_init(void);
void ktrack_params_start(void);
void ktrack_params_stop(void);

#endif /* _KTRACK_PARAMS_H */
