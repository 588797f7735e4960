/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/skbuff.h>: just enough of struct sk_buff for the parser. The packet is
 * one buffer of len bytes; the last data_len of them play the paged part, so skb_header_pointer()
 * takes the kernel's two paths: a pointer into the linear head, or a copy into the caller's
 * buffer (skb_copy_bits()). The fuzzer sizes the buffer exactly, so ASan sees any read past the
 * packet, and a copy longer than the caller's buffer.
 */
#ifndef _KTRACK_SHIM_LINUX_SKBUFF_H
#define _KTRACK_SHIM_LINUX_SKBUFF_H

#include <string.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/bug.h>

struct sk_buff {
	unsigned int len;		/* bytes in the packet */
	unsigned int data_len;		/* of which beyond the linear head */
	u16 network_header;		/* offset of the network header from data */
	unsigned char *data;
};

static inline unsigned int skb_headlen(const struct sk_buff *skb)
{
	return skb->len - skb->data_len;
}

static inline int skb_network_offset(const struct sk_buff *skb)
{
	return skb->network_header;
}

static inline void *__must_check skb_header_pointer(const struct sk_buff *skb, int offset,
						    int len, void *buffer)
{
	if (likely((int)skb_headlen(skb) - offset >= len))
		return skb->data + offset;
	/* skb_copy_bits(); a negative offset or length would be a caller's bug */
	if (WARN_ON(offset < 0 || len < 0))
		return NULL;
	if (offset > (int)skb->len - len)
		return NULL;
	memcpy(buffer, skb->data + offset, len);
	return buffer;
}

#endif /* _KTRACK_SHIM_LINUX_SKBUFF_H */
