// SPDX-License-Identifier: GPL-2.0
/*
 * out.c - ktrackctl's output: a small streaming JSON writer (objects and arrays, values placed by
 * the nesting, commas handled here; a top-level array puts each element on a line of its own;
 * -o ndjson drops its brackets and commas, -p indents) and formatting and parsing helpers shared
 * by the verbs.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ktrackctl.h"

#define KC_J_DEPTH 16

static int kc_j_depth;
static bool kc_j_first[KC_J_DEPTH] = { true };

/* '}' or ']'; 'n': the top-level array of -o ndjson, which prints no brackets and no commas */
static char kc_j_closers[KC_J_DEPTH];

/* A top-level array has one element per line, so that `| head` and `| grep` work on it. */
static bool kc_j_in_top_array(void)
{
	return kc_j_depth == 1 && kc_j_closers[1] == ']';
}

static bool kc_j_in_ndjson(void)
{
	return kc_j_depth == 1 && kc_j_closers[1] == 'n';
}

/* -p: indented JSON, two spaces a level (not for ndjson, one object a line by definition) */
static bool kc_j_pretty(void)
{
	return kc_pretty && kc_format == KC_FMT_JSON;
}

static void kc_j_indent(int depth)
{
	putchar('\n');
	while (depth-- > 0)
		fputs("  ", stdout);
}

static void kc_j_sep(const char *key)
{
	if (kc_j_in_ndjson()) {
		if (!kc_j_first[kc_j_depth])
			putchar('\n');
	} else {
		if (!kc_j_first[kc_j_depth])
			putchar(',');
		if (kc_j_pretty() && kc_j_depth > 0)
			kc_j_indent(kc_j_depth);
		else if (kc_j_in_top_array())
			putchar('\n');
	}
	kc_j_first[kc_j_depth] = false;
	if (key)
		printf(kc_j_pretty() ? "\"%s\": " : "\"%s\":", key);
}

static void kc_j_open(const char *key, char c)
{
	kc_j_sep(key);
	if (c)
		putchar(c);
	if (kc_j_depth < KC_J_DEPTH - 1)
		kc_j_depth++;
	kc_j_first[kc_j_depth] = true;
	kc_j_first[kc_j_depth - 1] = false;
}

void kc_j_obj(const char *key)
{
	kc_j_open(key, '{');
	kc_j_closers[kc_j_depth] = '}';
}

void kc_j_arr(const char *key)
{
	bool nd = kc_format == KC_FMT_NDJSON && kc_j_depth == 0;

	kc_j_open(key, nd ? 0 : '[');
	kc_j_closers[kc_j_depth] = nd ? 'n' : ']';
}

void kc_j_end(void)
{
	char c = kc_j_closers[kc_j_depth];

	if (c != 'n') {
		if (kc_j_pretty() && !kc_j_first[kc_j_depth])
			kc_j_indent(kc_j_depth - 1);
		else if (kc_j_in_top_array())
			putchar('\n');
		putchar(c);
	}
	if (kc_j_depth > 0)
		kc_j_depth--;
}

/* Ends the top-level array or object and its line (an empty ndjson list prints nothing). */
void kc_j_end_top(void)
{
	bool empty_nd = kc_j_in_ndjson() && kc_j_first[kc_j_depth];

	kc_j_end();
	if (!empty_nd)
		putchar('\n');
}

/* A line ends a top-level value (monitor: one object per line). */
void kc_j_newline(void)
{
	putchar('\n');
	kc_j_first[kc_j_depth] = true;
	fflush(stdout);
}

void kc_j_str(const char *key, const char *v)
{
	const unsigned char *p;

	kc_j_sep(key);
	putchar('"');
	for (p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

void kc_j_u64(const char *key, uint64_t v)
{
	kc_j_sep(key);
	printf("%llu", (unsigned long long)v);
}

void kc_j_i64(const char *key, int64_t v)
{
	kc_j_sep(key);
	printf("%lld", (long long)v);
}

void kc_j_double(const char *key, double v)
{
	kc_j_sep(key);
	printf("%.1f", v);
}

void kc_j_bool(const char *key, bool v)
{
	kc_j_sep(key);
	fputs(v ? "true" : "false", stdout);
}

void kc_j_time(const char *key, const struct timespec *ts)
{
	kc_j_sep(key);
	printf("%lld.%06ld", (long long)ts->tv_sec, ts->tv_nsec / 1000);
}

const char *kc_addr_str(int af, const void *addr, char *buf, size_t len)
{
	if (!inet_ntop(af, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

bool kc_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	/* decimal, or hexadecimal with 0x (a mark mask) */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return false;
		v = strtoull(s + 2, &end, 16);
	} else {
		v = strtoull(s, &end, 10);
	}
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

bool kc_matches(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n && n <= strlen(word) && !strncmp(arg, word, n);
}

bool kc_parse_prefix(const char *arg, int *af, unsigned char *addr, int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t len;
	int fam;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		fam = AF_INET6;
	else
		return false;
	if (*af && *af != fam)
		return false;
	*af = fam;
	*plen = -1;
	if (slash) {
		if (!kc_parse_u32(slash, fam == AF_INET ? 32 : 128, &len))
			return false;
		*plen = len;
	}
	return true;
}
