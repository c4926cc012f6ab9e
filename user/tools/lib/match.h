/*
 * match.h - grep's basic regular expressions and find's name globs. Pure C,
 * built for the target and the host tests.
 *
 * Regular expressions (a subset of POSIX basic ones): a character matches
 * itself, '.' any character, '[abc]', '[a-z]', '[^...]' a set (']' first is a
 * member), '\c' the character c, 'x*' zero or more of the atom before it, '^' at
 * the start and '$' at the end anchor the match. No groups, alternation or
 * counted repetition. Matching simulates the pattern's automaton over the text
 * (every state at once), so it takes time linear in the text whatever the
 * pattern: no backtracking blow-up.
 *
 * Globs: '*' any run of characters, '?' one, '[...]' a set as above ('!' or '^'
 * negates), '\c' the character c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RE_MAX_ATOMS 256

struct re_atom {
	uint8_t set[32]; /* the bytes it matches, one bit each */
	bool star; /* zero or more */
};

struct re {
	struct re_atom atom[RE_MAX_ATOMS];
	unsigned n;
	bool anchor_start, anchor_end;
};

/* Compiles pattern into *re, folding case when icase. Returns 0, or -1 with *err
 * set to what is wrong ("unmatched [", "pattern too long", "trailing \\"). */
int re_compile(struct re *re, const char *pattern, bool icase, const char **err);
/* Whether re matches somewhere in the len bytes of text. */
bool re_search(const struct re *re, const char *text, size_t len);

/* Whether name matches glob as a whole. */
bool glob_match(const char *glob, const char *name);
