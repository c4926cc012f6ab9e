/*
 * expand.h - word expansion (pure: built on the host too).
 *
 * A raw word (parse.h) becomes zero or more fields: `~` at its start becomes
 * $HOME, $NAME / ${NAME} / ${NAME:-word} / $? $$ $# $@ $* $0..$9 $! become their
 * values, results outside double quotes are split on blanks, quotes are removed
 * ('...' literal; "..." keeps everything but $ and \ escapes of $ ` " \), and a
 * field with an unquoted * ? or [ is a pattern the glob hook may replace with
 * the names it matches (none: the field stays as written, quotes removed).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct sh_fields {
	unsigned n, cap;
	char **v; /* malloc'd strings; v[n] is NULL once n > 0 */
};

struct sh_expand_ops {
	void *ctx;
	/* The value of variable name (n bytes), or NULL if unset. */
	const char *(*var)(void *ctx, const char *name, size_t n);
	/*
	 * Optional: append to out the names matching pattern, whose byte i is quoted
	 * (literal) when quoted[i]. Returns how many it appended, or -1 (out of memory).
	 */
	int (*glob)(void *ctx, const char *pattern, const bool *quoted, struct sh_fields *out);
};

/* Expand raw into fields appended to out (split and glob: a command's words). 0 or -1 (ENOMEM). */
int sh_expand_word(const char *raw, const struct sh_expand_ops *ops, struct sh_fields *out);
/* Expand raw into one string (no splitting or globbing: assignments, redirections); malloc'd. */
char *sh_expand_one(const char *raw, const struct sh_expand_ops *ops);
int sh_fields_add(struct sh_fields *f, const char *s, size_t n);
void sh_fields_free(struct sh_fields *f);

/* Does name match pattern (* ? [set] [!set] [a-z]); quoted[i] (may be NULL) makes byte i literal. */
bool sh_glob_match(const char *pattern, const bool *quoted, const char *name);
/* Has pattern an unquoted * ? or [ ? */
bool sh_glob_has_magic(const char *pattern, const bool *quoted);
