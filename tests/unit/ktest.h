/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktest.h - a tiny TAP test framework for the userspace unit tests; no dependencies.
 *
 * A test is a void function; main() runs each with KT_RUN(fn) and returns kt_done(). Checks are
 * not fatal: a failed check prints a "# " diagnostic line and marks the running test failed, then
 * the test goes on. Each test prints "ok N - name" or "not ok N - name"; kt_done() prints the
 * plan "1..N". run-tap.sh numbers the lines of all binaries in one sequence and sums them up.
 */
#ifndef _KTRACK_KTEST_H
#define _KTRACK_KTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

static int kt_ran;		/* tests run so far */
static int kt_nfailed;		/* of which failed */
static bool kt_cur_failed;	/* a check of the running test failed */

static inline void __printf(3, 4) kt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	kt_cur_failed = true;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline bool kt_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok)
		kt_fail(file, line, "check failed: %s", expr);
	return ok;
}

static inline bool kt_check_eq(long long got, long long want, const char *gexpr, const char *wexpr,
			       const char *file, int line)
{
	if (got != want)
		kt_fail(file, line, "%s == %s: got %lld (%#llx), want %lld (%#llx)", gexpr, wexpr,
			got, (unsigned long long)got, want, (unsigned long long)want);
	return got == want;
}

/* Each returns whether the check passed. */
#define KT_CHECK(cond)	kt_check(!!(cond), #cond, __FILE__, __LINE__)
#define KT_EQ(got, want) \
	kt_check_eq((long long)(got), (long long)(want), #got, #want, __FILE__, __LINE__)

static inline void kt_run(const char *name, void (*fn)(void))
{
	kt_cur_failed = false;
	fn();
	kt_ran++;
	if (kt_cur_failed)
		kt_nfailed++;
	printf("%s %d - %s\n", kt_cur_failed ? "not ok" : "ok", kt_ran, name);
	fflush(stdout);
}

#define KT_RUN(fn)	kt_run(#fn, fn)

/* Prints the plan; the exit status for main(). */
static inline int kt_done(void)
{
	printf("1..%d\n", kt_ran);
	return kt_nfailed ? 1 : 0;
}

#endif /* _KTRACK_KTEST_H */
