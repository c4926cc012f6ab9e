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
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct sh_comp_word {
	size_t start; /* where the word begins in the line */
	bool command; /* the first word of a command */
	size_t dir_len; /* bytes of the word up to its last '/' (the directory part) */
};

void sh_comp_locate(const char *line, size_t pos, struct sh_comp_word *w);

/* Does name begin with prefix (n bytes)? */
bool sh_comp_matches(const char *name, const char *prefix, size_t n);

/*
 * Given the n candidates (full names; a directory's ends in '/') that match the
 * typed prefix of plen bytes, write what to insert after it into ins (cap bytes,
 * NUL-terminated). Returns true if the candidates should be listed instead
 * (several matches and nothing more in common).
 */
bool sh_comp_decide(const char *const *cands, unsigned n, size_t plen, char *ins, size_t cap);
