/*
 * complete.h - tab completion's pure half (built on the host too).
 *
 * sh_comp_locate() finds the word the cursor is in and whether it is a
 * command name (the first word of a command: after the start, ';', '&', '|',
 * '&&', '||' or assignments) or an argument (a path or URI). The caller
 * collects candidates (builtins and bin/ programs, or the entries of the
 * directory named so far) and sh_comp_decide() says what to insert: the rest
 * of the only match (with ' ' after it, or nothing after a directory's '/'),
 * or the longest prefix the matches share, or nothing and a listing.
 *
 * sh_comp_classify() says what kind of word it is: a command name, a path or
 * URI, an option of the command (a word starting with '-' before any "--";
 * the command of `run [--grant x | --pool n]... [--] cmd` is cmd), or the
 * argument of `run --grant` (a URI or a capability's name).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SH_COMP_WORDS 16 /* words of a command before the cursor's that are kept */

struct sh_comp_word {
	size_t start; /* where the word begins in the line */
	bool command; /* the first word of a command */
	bool redirect; /* the file of a redirection (`> f`) */
	size_t dir_len; /* bytes of the word up to its last '/' (the directory part) */
	/* the words of the command before this one (after assignments and reserved
	 * words such as `if`), the first SH_COMP_WORDS of them */
	unsigned nwords;
	size_t wstart[SH_COMP_WORDS], wlen[SH_COMP_WORDS];
};

enum sh_comp_kind {
	SH_COMP_COMMAND, /* a command name */
	SH_COMP_PATH, /* a path or URI */
	SH_COMP_OPTION, /* an option of the command at cmd_start (cmd_len bytes) */
	SH_COMP_GRANT, /* the argument of run --grant: a URI or a capability's name */
};

struct sh_comp_target {
	enum sh_comp_kind kind;
	size_t cmd_start, cmd_len; /* SH_COMP_OPTION: the command's word in the line */
};

void sh_comp_locate(const char *line, size_t pos, struct sh_comp_word *w);

/* What the word w (located in line at pos) is to complete as. */
void sh_comp_classify(const char *line, size_t pos, const struct sh_comp_word *w,
                      struct sh_comp_target *t);

/* Does name begin with prefix (n bytes)? */
bool sh_comp_matches(const char *name, const char *prefix, size_t n);

/*
 * Given the n candidates (full names; a directory's ends in '/') that match the
 * typed prefix of plen bytes, write what to insert after it into ins (cap bytes,
 * NUL-terminated). Returns true if the candidates should be listed instead
 * (several matches and nothing more in common).
 */
bool sh_comp_decide(const char *const *cands, unsigned n, size_t plen, char *ins, size_t cap);
