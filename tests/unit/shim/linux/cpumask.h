/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of <linux/cpumask.h>: the CPU counts ktrack reads, those of the machine running
 * the tests.
 */
#ifndef _KTRACK_SHIM_LINUX_CPUMASK_H
#define _KTRACK_SHIM_LINUX_CPUMASK_H

#include <unistd.h>

static inline unsigned int num_possible_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 ? (unsigned int)n : 1;
}

#endif /* _KTRACK_SHIM_LINUX_CPUMASK_H */
