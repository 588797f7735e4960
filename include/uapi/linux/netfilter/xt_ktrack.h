/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xt_ktrack.h - the match data of the xtables match "ktrack" (xt_ktrack.ko, and libxt_ktrack.so
 * for iptables and ip6tables): the firewall state that ktrack wrote into the state_mark bits of
 * skb->mark (KTRACK_MARK_* of <linux/ktrack.h>).
 *
 *   -m ktrack [!] --state NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED [--dir ORIGINAL|REPLY]
 *
 * A packet's state is the KTRACK_MARK_* bits found under the netns's state_mark in force when the
 * packet is matched; a packet with none of them is UNTRACKED. The rule matches when one of the
 * packet's states is in @state (with XT_KTRACK_INVERT: none is) and, when @dir is not
 * XT_KTRACK_DIR_ANY, the packet's direction is @dir: REPLY when the KTRACK_MARK_REPLY bit is set,
 * ORIGINAL when it is clear. The direction needs a 5-bit state_mark: such a rule is refused in a
 * netns whose state_mark has 4 bits, and does not match while a 4-bit state_mark is in force.
 * A rule is refused in a netns whose state_mark is 0, and when @state is empty or any field has
 * a value not defined here.
 */
#ifndef _UAPI_XT_KTRACK_H
#define _UAPI_XT_KTRACK_H

#include <linux/types.h>

/* @state: the states a rule names (the first four are KTRACK_MARK_NEW..INVALID) */
#define XT_KTRACK_STATE_NEW		0x01
#define XT_KTRACK_STATE_ESTABLISHED	0x02
#define XT_KTRACK_STATE_RELATED		0x04
#define XT_KTRACK_STATE_INVALID		0x08
#define XT_KTRACK_STATE_UNTRACKED	0x10
#define XT_KTRACK_STATE_ALL		0x1f

/* @flags */
#define XT_KTRACK_INVERT		0x01	/* ! --state: match when no state is in @state */
#define XT_KTRACK_FLAGS_ALL		0x01

/* @dir */
enum xt_ktrack_dir {
	XT_KTRACK_DIR_ANY,
	XT_KTRACK_DIR_ORIGINAL,
	XT_KTRACK_DIR_REPLY,
};

struct xt_ktrack_mtinfo {
	__u16 state;	/* XT_KTRACK_STATE_*, at least one */
	__u8 flags;	/* XT_KTRACK_INVERT */
	__u8 dir;	/* enum xt_ktrack_dir */
};

#endif /* _UAPI_XT_KTRACK_H */
