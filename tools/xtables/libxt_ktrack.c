// SPDX-License-Identifier: GPL-2.0
/*
 * libxt_ktrack.c - the iptables/ip6tables extension of the match "ktrack" (xt_ktrack.ko): parses,
 * prints and saves `-m ktrack [!] --state LIST [--dir ORIGINAL|REPLY]` into struct
 * xt_ktrack_mtinfo (<linux/netfilter/xt_ktrack.h>). Loaded by iptables from its xtables directory
 * (or $XTABLES_LIBDIR) as libxt_ktrack.so; registers itself when loaded.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <xtables.h>
#include <linux/netfilter/xt_ktrack.h>

enum {
	O_STATE,
	O_DIR,
};

static const struct {
	const char *name;
	unsigned int bit;
} ktrack_states[] = {
	{ "INVALID", XT_KTRACK_STATE_INVALID },
	{ "NEW", XT_KTRACK_STATE_NEW },
	{ "RELATED", XT_KTRACK_STATE_RELATED },
	{ "ESTABLISHED", XT_KTRACK_STATE_ESTABLISHED },
	{ "UNTRACKED", XT_KTRACK_STATE_UNTRACKED },
};

static const char *const ktrack_dirs[] = {
	[XT_KTRACK_DIR_ORIGINAL] = "ORIGINAL",
	[XT_KTRACK_DIR_REPLY] = "REPLY",
};

static const struct xt_option_entry ktrack_opts[] = {
	{ .name = "state", .id = O_STATE, .type = XTTYPE_STRING,
	  .flags = XTOPT_MAND | XTOPT_INVERT },
	{ .name = "dir", .id = O_DIR, .type = XTTYPE_STRING },
	XTOPT_TABLEEND,
};

static void ktrack_help(void)
{
	printf(
"ktrack match options (the state ktrack wrote into skb->mark; needs net.ktrack.state_mark):\n"
"[!] --state STATE[,STATE...]  the packet's state is (! : is not) one of\n"
"                              NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED\n"
"                              (UNTRACKED: no ktrack state bit in the mark)\n"
" --dir ORIGINAL|REPLY         and its direction is this one (needs a 5-bit state_mark)\n");
}

/* One state name of a --state list, of @len characters: its bit, or 0 when unknown. */
static unsigned int ktrack_state_bit(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(ktrack_states) / sizeof(ktrack_states[0]); i++)
		if (strlen(ktrack_states[i].name) == len &&
		    strncasecmp(name, ktrack_states[i].name, len) == 0)
			return ktrack_states[i].bit;
	return 0;
}

static unsigned int ktrack_parse_states(const char *list)
{
	unsigned int mask = 0, bit;
	const char *p = list, *end;
	size_t len;

	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		bit = ktrack_state_bit(p, len);
		if (!bit)
			xtables_error(PARAMETER_PROBLEM,
				      "ktrack: bad state \"%.*s\" in --state \"%s\" (one or more of "
				      "NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED, comma separated)",
				      (int)len, p, list);
		mask |= bit;
		if (!end)
			return mask;
		p = end + 1;
	}
}

static void ktrack_parse(struct xt_option_call *cb)
{
	struct xt_ktrack_mtinfo *info = cb->data;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_STATE:
		info->state = ktrack_parse_states(cb->arg);
		if (cb->invert)
			info->flags |= XT_KTRACK_INVERT;
		break;
	case O_DIR:
		if (strcasecmp(cb->arg, "ORIGINAL") == 0)
			info->dir = XT_KTRACK_DIR_ORIGINAL;
		else if (strcasecmp(cb->arg, "REPLY") == 0)
			info->dir = XT_KTRACK_DIR_REPLY;
		else
			xtables_error(PARAMETER_PROBLEM,
				      "ktrack: bad --dir \"%s\" (ORIGINAL or REPLY)", cb->arg);
		break;
	}
}

static void ktrack_print_states(unsigned int state)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < sizeof(ktrack_states) / sizeof(ktrack_states[0]); i++)
		if (state & ktrack_states[i].bit) {
			printf("%s%s", sep, ktrack_states[i].name);
			sep = ",";
		}
}

/* The rule as `-m ktrack` options (save) or as iptables -L shows it (@pfx: "state ", "dir ") */
static void ktrack_dump(const struct xt_ktrack_mtinfo *info, const char *spfx, const char *dpfx)
{
	printf("%s %s", info->flags & XT_KTRACK_INVERT ? " !" : "", spfx);
	ktrack_print_states(info->state);
	if (info->dir == XT_KTRACK_DIR_ORIGINAL || info->dir == XT_KTRACK_DIR_REPLY)
		printf(" %s%s", dpfx, ktrack_dirs[info->dir]);
}

static void ktrack_print(const void *ip, const struct xt_entry_match *match, int numeric)
{
	(void)ip;
	(void)numeric;
	printf(" ktrack");
	ktrack_dump((const void *)match->data, "state ", "dir ");
}

static void ktrack_save(const void *ip, const struct xt_entry_match *match)
{
	(void)ip;
	ktrack_dump((const void *)match->data, "--state ", "--dir ");
}

static struct xtables_match ktrack_mt_reg = {
	.version	= XTABLES_VERSION,
	.name		= "ktrack",
	.revision	= 0,
	.family		= NFPROTO_UNSPEC,
	.size		= XT_ALIGN(sizeof(struct xt_ktrack_mtinfo)),
	.userspacesize	= XT_ALIGN(sizeof(struct xt_ktrack_mtinfo)),
	.help		= ktrack_help,
	.print		= ktrack_print,
	.save		= ktrack_save,
	.x6_parse	= ktrack_parse,
	.x6_options	= ktrack_opts,
};

static void __attribute__((constructor)) ktrack_mt_ldr(void)
{
	xtables_register_match(&ktrack_mt_reg);
}
