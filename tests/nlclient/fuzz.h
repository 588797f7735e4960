/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz.h - the fuzz mode of ktrack-nltest (fuzz.c). */
#ifndef KTRACK_NLTEST_FUZZ_H
#define KTRACK_NLTEST_FUZZ_H

/* Sends @count requests to generic netlink family @family from @seed; with @check, verifies after
 * every refused request that could change state that nothing changed. Returns the exit status.
 */
int ktrack_fuzz(int family, unsigned long long seed, unsigned long count, int check);

#endif
