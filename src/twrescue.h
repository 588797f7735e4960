/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twrescue.h - tw_rescue: a new SYN that the server's own TIME_WAIT socket would refuse.
 */
#ifndef _KTRACK_TWRESCUE_H
#define _KTRACK_TWRESCUE_H

struct ktrack_net;
struct ktrack_pkt;
struct nf_hook_state;
struct sk_buff;

/*
 * LOCAL_IN, a SYN (no ACK, RST or FIN) just admitted: with tw_rescue set, the TIME_WAIT socket of
 * its 4-tuple goes when the kernel would refuse the SYN, a listener waits for it and the old
 * connection's last segment is 1 s old or more.
 */
void ktrack_tw_rescue(struct ktrack_net *kn, struct sk_buff *skb,
		      const struct nf_hook_state *state, const struct ktrack_pkt *pkt);

#endif /* _KTRACK_TWRESCUE_H */
