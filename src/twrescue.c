// SPDX-License-Identifier: GPL-2.0
/*
 * twrescue.c - tw_rescue: a new SYN that the server's own TIME_WAIT socket would refuse.
 *
 * Clients behind one NAT address reach one server port; the server closes first, so it holds a
 * TIME_WAIT socket per source port, and a busy NAT reuses a port while the server still holds it.
 * The clients' TCP timestamps are not ordered (each host behind the NAT has its own clock), so
 * tcp_timewait_state_process() refuses the new SYN by PAWS (TcpExtPAWSEstab), or because its
 * sequence is not after the old rcv_nxt, and answers it with the old connection's ACK: the client
 * resets and retries a second or more later, or fails for good.
 *
 * With tw_rescue set, such a SYN, once admitted at LOCAL_IN (after the filter table and NAT), has
 * that TIME_WAIT socket removed first, as nf_tproxy does for a SYN it redirects
 * (nf_tproxy_handle_time_wait4/6): the socket lookup then finds the listener. The test is the
 * kernel's own; a SYN the socket would accept (TCP_TW_SYN) is left to the kernel, and so is one
 * that no listener would take, or that follows the old connection's last segment by less than
 * KTRACK_TW_MIN_AGE (an old duplicate of it may still be on its way): tw_rescue_skip. TIME_WAIT
 * exists to keep old duplicates out of a new connection (RFC 1337, RFC 6191): off by default.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/route.h>
#include <net/tcp.h>

#include "net.h"
#include "parse.h"
#include "twrescue.h"

/* The old connection's last segment is at least this old. */
#define KTRACK_TW_MIN_AGE	HZ

/* Would tcp_timewait_state_process() refuse the SYN @pkt (not return TCP_TW_SYN)? */
static bool ktrack_tw_refuses(const struct sk_buff *skb, const struct ktrack_pkt *pkt,
			      const struct sock *sk)
{
	const struct tcp_timewait_sock *tcptw = tcp_twsk(sk);
	struct tcp_options_received opt = { };

	/* the kernel reads the options only once the old connection had timestamps */
	if (tcptw->tw_ts_recent_stamp && READ_ONCE(sock_net(sk)->ipv4.sysctl_tcp_timestamps) &&
	    ktrack_parse_tsval(skb, pkt, &opt.rcv_tsval)) {
		opt.saw_tstamp = 1;
		opt.ts_recent = tcptw->tw_ts_recent;
		opt.ts_recent_stamp = tcptw->tw_ts_recent_stamp;
		if (tcp_paws_reject(&opt, 0))
			return true;
	}
	if (after(pkt->tcp.seq, tcptw->tw_rcv_nxt))
		return false;
	return !(opt.saw_tstamp && (s32)(tcptw->tw_ts_recent - opt.rcv_tsval) < 0);
}

/*
 * How long ago the old connection's last segment restarted the TIME_WAIT timer: the kernel sets
 * it to TCP_TIMEWAIT_LEN on entering TIME_WAIT and on every segment that extends it.
 */
static bool ktrack_tw_young(const struct sock *sk)
{
	long left = (long)(READ_ONCE(inet_twsk(sk)->tw_timer.expires) - jiffies);

	return TCP_TIMEWAIT_LEN - left < KTRACK_TW_MIN_AGE;
}

/* The socket of @pkt's 4-tuple in the established hash (TIME_WAIT ones too), with a reference. */
static struct sock *ktrack_tw_established(struct net *net, const struct sk_buff *skb,
					  const struct ktrack_pkt *pkt)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;

	if (pkt->family == NFPROTO_IPV4)
		return __inet_lookup_established(net, hinfo, pkt->saddr.ip, pkt->sport,
						 pkt->daddr.ip, ntohs(pkt->dport), inet_iif(skb),
						 inet_sdif(skb));
#if IS_ENABLED(CONFIG_IPV6)
	return __inet6_lookup_established(net, hinfo, &pkt->saddr.in6, pkt->sport,
					  &pkt->daddr.in6, ntohs(pkt->dport), inet6_iif(skb),
					  inet6_sdif(skb));
#else
	return NULL;
#endif
}

/* Would a listener take the SYN @pkt? (Listeners are RCU-freed: no reference is needed.) */
static bool ktrack_tw_listener(struct net *net, struct sk_buff *skb, const struct ktrack_pkt *pkt)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	const struct tcphdr *th;
	struct tcphdr _th;
	int doff;

	/* where the payload starts, for a reuseport program (as the socket lookup of TCP) */
	th = skb_header_pointer(skb, pkt->l4off, sizeof(_th), &_th);
	if (!th)
		return false;
	doff = pkt->l4off + __tcp_hdrlen(th);
	if (pkt->family == NFPROTO_IPV4)
		return __inet_lookup_listener(net, hinfo, skb, doff, pkt->saddr.ip, pkt->sport,
					      pkt->daddr.ip, ntohs(pkt->dport), inet_iif(skb),
					      inet_sdif(skb));
#if IS_ENABLED(CONFIG_IPV6)
	return inet6_lookup_listener(net, hinfo, skb, doff, &pkt->saddr.in6, pkt->sport,
				     &pkt->daddr.in6, ntohs(pkt->dport), inet6_iif(skb),
				     inet6_sdif(skb));
#else
	return false;
#endif
}

void ktrack_tw_rescue(struct ktrack_net *kn, struct sk_buff *skb,
		      const struct nf_hook_state *state, const struct ktrack_pkt *pkt)
{
	struct sock *sk;

	if (!READ_ONCE(kn->tun[KTRACK_TW_RESCUE]))
		return;
	sk = ktrack_tw_established(state->net, skb, pkt);
	if (!sk)
		return;
	if (sk->sk_state != TCP_TIME_WAIT || inet_twsk(sk)->tw_substate != TCP_TIME_WAIT) {
		sock_gen_put(sk);	/* a live connection, or FIN_WAIT2: the kernel's to handle */
		return;
	}
	/* the listener lookup, the dearest test, last */
	if (ktrack_tw_young(sk) || !ktrack_tw_refuses(skb, pkt, sk) ||
	    !ktrack_tw_listener(state->net, skb, pkt)) {
		ktrack_stat_inc(kn, KTRACK_STAT_TW_RESCUE_SKIP);
		sock_gen_put(sk);
		return;
	}
	/* early demux may have given the packet this socket: it must look the listener up */
	if (skb->sk == sk)
		skb_orphan(skb);
	local_bh_disable();
	inet_twsk_deschedule_put(inet_twsk(sk));
	local_bh_enable();
	ktrack_stat_inc(kn, KTRACK_STAT_TW_RESCUE);
}
