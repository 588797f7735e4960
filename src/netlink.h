/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink.h - the generic netlink family "ktrack" (commands in include/uapi/linux/ktrack.h).
 */
#ifndef _KTRACK_NETLINK_H
#define _KTRACK_NETLINK_H

#include <net/genetlink.h>

/* Index of the "events" group in the family's multicast groups. */
#define KTRACK_MCGRP_EVENTS	0

extern struct genl_family ktrack_genl_family;

int ktrack_nl_init(void);
void ktrack_nl_exit(void);

#endif /* _KTRACK_NETLINK_H */
