/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim of <linux/container_of.h>, with the kernel's pointer type check. */
#ifndef _KTRACK_SHIM_LINUX_CONTAINER_OF_H
#define _KTRACK_SHIM_LINUX_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) ({						\
	void *__mptr = (void *)(ptr);							\
	_Static_assert(__builtin_types_compatible_p(__typeof__(*(ptr)),			\
						    __typeof__(((type *)0)->member)) ||	\
		       __builtin_types_compatible_p(__typeof__(*(ptr)), void),		\
		       "pointer type mismatch in container_of()");			\
	((type *)((char *)__mptr - offsetof(type, member))); })

#endif /* _KTRACK_SHIM_LINUX_CONTAINER_OF_H */
