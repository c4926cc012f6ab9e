/*
 * manifest.h - Charlotte Exec's manifest: which programs to start, with what.
 *
 * Plain text, one program per line:
 *
 *     <path> [grant ...] [-- arg ...]
 *
 * path    a file in the initrd, e.g. bin/hello (letters, digits, '.', '_', '-', '/';
 *         no ".." component)
 * grant   the name of a capability Exec holds ("log", "initrd", ...: letters, digits,
 *         '.', '_', '-'), or pool:<bytes> for a sub-pool of that quota granted as
 *         "pool"; bytes is decimal with an optional K, M or G (binary) suffix; or
 *         serve:<scheme>/<name>: Exec serves <name> in the kernel directory of
 *         <scheme> (fs, dev, proc, svc) and grants the provider's endpoint as
 *         "provider"; such a line is a service: Exec starts it and goes on without
 *         waiting (in test mode it ends services when the manifest is done)
 * arg     passed to the program after argv[0] (= path); any printable characters
 *
 * Words are separated by spaces or tabs; a word starting with '#' starts a comment
 * that runs to the end of the line; blank lines and CR before LF are ignored.
 *
 * The manifest is untrusted input: lines are parsed into fixed-size buffers with every
 * length checked; a malformed line (control characters, an overlong line or word,
 * too many grants or arguments, a bad path, name or quota, a duplicate grant) is
 * reported with its line number and skipped, and parsing goes on with the next line.
 * No allocation, no system calls: tested on the host (tests/host/test_charlotte.c).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MANIFEST_LINE_MAX 512
#define MANIFEST_PATH_MAX 100
#define MANIFEST_NAME_MAX 23
#define MANIFEST_MAX_GRANTS 16
#define MANIFEST_MAX_ARGS 32

struct manifest_grant {
	char name[MANIFEST_NAME_MAX + 1]; /* "pool" for pool:<bytes>, "provider" for serve: */
	uint64_t pool_bytes; /* > 0 only for pool:<bytes> */
	char serve_scheme[MANIFEST_NAME_MAX + 1]; /* serve:<scheme>/<name>, else "" */
	char serve_name[MANIFEST_NAME_MAX + 1];
};

struct manifest_entry {
	unsigned line; /* 1-based line number */
	char path[MANIFEST_PATH_MAX + 1];
	unsigned ngrants;
	struct manifest_grant grants[MANIFEST_MAX_GRANTS];
	unsigned nargs; /* words after "--" */
	const char *args[MANIFEST_MAX_ARGS + 1]; /* NULL-terminated; point into strings */
	char strings[MANIFEST_LINE_MAX + 1];
};

struct manifest {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line; /* number of the line last read */
	char error[80]; /* why manifest_next() refused the line, for the log */
};

/* Starts reading text (len bytes, need not be NUL-terminated). */
void manifest_init(struct manifest *m, const char *text, size_t len);

/*
 * Reads the next program line into *e. Returns 1 for an entry, 0 at the end of the
 * text, or ERR_MALFORMED for a malformed line (m->line and m->error say which and
 * why; the next call goes on after it).
 */
int manifest_next(struct manifest *m, struct manifest_entry *e);
