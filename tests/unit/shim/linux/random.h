/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim of <linux/random.h> on getrandom(2). */
#ifndef _KTRACK_SHIM_LINUX_RANDOM_H
#define _KTRACK_SHIM_LINUX_RANDOM_H

#include <stdlib.h>
#include <sys/random.h>
#include <linux/types.h>

static inline void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n <= 0)
			abort();
		p += n;
		len -= n;
	}
}

static inline u32 get_random_u32(void)
{
	u32 v;

	get_random_bytes(&v, sizeof(v));
	return v;
}

#endif /* _KTRACK_SHIM_LINUX_RANDOM_H */
