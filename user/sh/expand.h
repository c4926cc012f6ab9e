/*
 * expand.h - word expansion (pure: built on the host too).
 *
 * A raw word (parse.h) becomes zero or more fields: `~` at its start becomes
 * $HOME, $NAME / ${NAME} / ${NAME:-word} / $? $$ $# $@ $* $0..$9 $! become their
 * values, results outside double quotes are split on blanks, quotes are removed
 * ('...' literal; "..." keeps everything but $ and \ escapes of $ ` " \), and a
 * field with an unquoted * ? or [ is a pattern the glob hook may replace with
 * the names it matches (none: the field stays as written, quotes removed).
 * $(...) and `...` are replaced by the subst hook's output (the shell runs the
 * text), $((...)) by the value of its arithmetic (arith.c) after expanding it.
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
	/* Optional: the output of running src (n bytes) with trailing newlines removed,
	 * malloc'd; NULL when it failed (and said why through error). Without: empty. */
	char *(*subst)(void *ctx, const char *src, size_t n);
	/* Optional: positional parameter i (from 1), NULL past the last: "$@" is one
	 * field each. Without: "$@" is one field, like "$*". */
	const char *(*param)(void *ctx, unsigned i);
	/* Optional: why an expansion failed (an arithmetic error). */
	void (*error)(void *ctx, const char *msg);
};

/* Expand raw into fields appended to out (split and glob: a command's words). 0 or -1 (out of
 * memory, or an error the error hook was told). */
int sh_expand_word(const char *raw, const struct sh_expand_ops *ops, struct sh_fields *out);
/* Expand raw into one string (no splitting or globbing: assignments, redirections); malloc'd. */
char *sh_expand_one(const char *raw, const struct sh_expand_ops *ops);
/* Expand a case pattern: *s and the per-byte *quoted flags, malloc'd. 0 or -1. */
int sh_expand_pattern(const char *raw, const struct sh_expand_ops *ops, char **s, bool **quoted);
int sh_fields_add(struct sh_fields *f, const char *s, size_t n);
void sh_fields_free(struct sh_fields *f);

/* Does name match pattern (* ? [set] [!set] [a-z]); quoted[i] (may be NULL) makes byte i literal. */
bool sh_glob_match(const char *pattern, const bool *quoted, const char *name);
/* $((...)): evaluate s (already expanded) into *out; 0, or -1 with the reason in err. */
int sh_arith(const char *s, const struct sh_expand_ops *ops, long long *out, char *err,
             size_t errcap);
/* Has pattern an unquoted * ? or [ ? */
bool sh_glob_has_magic(const char *pattern, const bool *quoted);
