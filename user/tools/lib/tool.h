/*
 * tool.h - what every tool of user/tools shares (tool.c): option parsing with
 * --help, error messages in one style ("ls: fs:///nope: No such file or
 * directory") and exit codes, opening any name the libc or the namespace takes,
 * and reading a whole input.
 *
 * Exit codes: 0 success, 1 an error on some operand (the tool goes on with the
 * others), 2 misuse (a bad option or a missing operand, with the usage line).
 * Messages go to stderr; results to stdout.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/handle.h>

#define TOOL_EXIT_ERROR 1
#define TOOL_EXIT_USAGE 2

/* One tool's texts: usage is the synopsis line ("ls [-la1] [path ...]"), help what
 * --help prints after it (each option, one a line). */
struct tool {
	const char *name;
	const char *usage;
	const char *help;
};

/* The state of tool_getopt(); zero it before the first call. */
struct tool_opts {
	int ind; /* the next argument: the first operand once tool_getopt() returns -1 */
	const char *arg; /* the argument of an option that takes one */
	int pos; /* inside a cluster of flags ("-la") */
};

/* The running tool (set by tool_getopt() or tool_start()); used by the messages. */
extern const struct tool *tool_self;

/* Sets tool_self, for tools that take no options (tool_getopt() does it too). */
void tool_start(const struct tool *t, int argc, char **argv);

/*
 * The next option of argv, in the style of getopt: spec lists the option letters,
 * a letter followed by ':' takes an argument ("-n 5" or "-n5"). "--" ends the
 * options, so does the first operand ("-" alone is an operand). --help prints
 * the usage and help to stdout and exits 0; an unknown option or a missing
 * argument prints the usage to stderr and exits 2. Returns the letter, or -1.
 */
int tool_getopt(const struct tool *t, int argc, char **argv, const char *spec, struct tool_opts *o);

/* "name: what: <strerror(errno)>" on stderr. */
void tool_warn_errno(const char *what);
/* "name: what: <the text of an ERR_* code>" on stderr. */
void tool_warn_err(const char *what, long err);
/* "name: <message>" on stderr (printf format). */
void tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* tool_warn(), then the usage line, exit 2. */
__attribute__((noreturn, format(printf, 1, 2))) void tool_usage_error(const char *fmt, ...);

/* The errno an ERR_* code means (as the libc maps it for a name). */
int tool_errno_of(long err);

/* A number operand: decimal, >= 0; misuse (exit 2) naming what otherwise. */
uint64_t tool_number(const char *s, const char *what);

/* Whether fd is a terminal. */
int tool_isatty(int fd);
/* The terminal's width for fd, or 80. */
unsigned tool_columns(int fd);

/*
 * Opens name (a URI, an absolute path, or a path relative to the current
 * directory) with ch_uri_open(): expecting type (NS_TYPE_ANY), with flags and
 * rights. *out is the capability. Returns 0/1 as ch_uri_open or an ERR_*.
 */
long tool_ns_open(const char *name, uint32_t type, uint32_t flags, uint64_t rights, handle_t *out);
/* The absolute form of name (URI or /path) in buf; 0, or ERR_OUT_OF_RANGE. */
long tool_absolute(const char *name, char *buf, size_t cap);

/*
 * Opens the directory that holds name (with all the rights the view gives) into *dir;
 * *last points at name's last part (in a static buffer). 0 or an ERR_*.
 */
long tool_ns_parent(const char *name, handle_t *dir, const char **last);
/* The namespace type of the entry name (a link itself, not its target): 0 or an ERR_*. */
long tool_ns_type(const char *name, uint32_t *type);

/* Opens a name for reading as a descriptor ("-": standard input); -1 with errno. */
int tool_open_input(const char *name);
/* Reads all of fd into a malloc'd buffer (NUL-terminated, *len bytes); NULL with errno. */
char *tool_read_all(int fd, size_t *len);
/* Writes n bytes to stdout; 0, or -1 (with the message printed). */
int tool_write_out(const void *p, size_t n);

/* path joined with name ("dir" + "x" -> "dir/x"; no doubled '/'), malloc'd, or NULL. */
char *tool_join(const char *dir, const char *name);
