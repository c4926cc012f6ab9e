/*
 * helpopts.h - the options a command's --help text names, for completion
 * (pure: built on the host too; docs/shell.md "Completion").
 *
 * The text is whatever a program printed, so it is read as hostile: a fixed
 * table (at most SH_OPTS_MAX options, names of at most SH_OPT_NAME - 1 bytes,
 * descriptions cut to SH_OPT_DESC - 1), nothing allocated, and descriptions
 * keep only printable characters (no escape sequences reach the terminal).
 *
 * Two kinds of line name options:
 *   usage lines ("usage: ls [-1alh] [path ...]"): a bracketed cluster [-1alh]
 *     is one option per letter; any other word starting with '-' after a
 *     space, '[' or '|' is one option ([-n lines], [--pool <size>]);
 *   option lines, as GNU and our tools write them: at the start of the line
 *     (after blanks) a list of names, each with an optional argument, joined
 *     by ", " or " | " ("  -a, --all", "  -n N", "  --color[=WHEN]",
 *     "  -w, --width=COLS"), then the description; a description may hold
 *     further entries after two blanks ("  -i  ignore case   -v  invert").
 * A name is "-" or "--" then a letter or digit, then letters, digits, '-'
 * and '_'; it must end at a blank, ',', '=', '[', ']', '|' or the line's end.
 * Prose ("Not supported: -R") names nothing: only those two places count.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SH_OPTS_MAX 64 /* options kept of one text */
#define SH_OPT_NAME 32 /* bytes of a name, with its NUL */
#define SH_OPT_DESC 60 /* bytes of a description kept, with its NUL */

struct sh_opt {
	char name[SH_OPT_NAME];
	char desc[SH_OPT_DESC]; /* "" when only a usage line named it */
};

struct sh_opts {
	unsigned n;
	bool cut; /* more than SH_OPTS_MAX were named: the rest were dropped */
	struct sh_opt v[SH_OPTS_MAX];
};

/* Empty o. */
void sh_opts_clear(struct sh_opts *o);

/*
 * Add the option name (n bytes) with description desc (d bytes, cleaned and
 * cut as above); a name already there keeps its place and gains the
 * description if it had none. False if name is not a valid option name or the
 * table is full (then o->cut is set).
 */
bool sh_opts_add(struct sh_opts *o, const char *name, size_t n, const char *desc, size_t d);

/* Add the options that text (len bytes, any bytes, NULs included) names. */
void sh_opts_parse_help(struct sh_opts *o, const char *text, size_t len);
