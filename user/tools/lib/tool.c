/*
 * tool.c - the shared part of the tools (tool.h): options, messages, names and
 * whole-input reads. Target only: the pure logic the tools share lives in
 * text.c, match.c and sha256.c, which the host tests build too.
 */
#include "tool.h"

#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <abi/errors.h>
#include <abi/ns.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>

const struct tool *tool_self;

static const char *self_name(void)
{
	return tool_self ? tool_self->name : "tool";
}

static void help_exit(const struct tool *t)
{
	printf("usage: %s\n%s", t->usage, t->help ? t->help : "");
	exit(fflush(stdout) == 0 ? 0 : TOOL_EXIT_ERROR);
}

void tool_start(const struct tool *t, int argc, char **argv)
{
	tool_self = t;
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		help_exit(t);
}

/* One message as one write: stderr is unbuffered, and the log makes a line of each write. */
static void vwarn(const char *fmt, va_list ap, const char *usage)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s: ", self_name());
	if (n >= 0 && (size_t)n < sizeof(buf))
		vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	size_t len = strlen(buf);
	if (usage)
		snprintf(buf + len, sizeof(buf) - len, "\nusage: %s", usage);
	len = strlen(buf);
	if (len + 1 < sizeof(buf)) {
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	fputs(buf, stderr);
}

void tool_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap, NULL);
	va_end(ap);
}

void tool_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap, tool_self ? tool_self->usage : "");
	va_end(ap);
	exit(TOOL_EXIT_USAGE);
}

void tool_warn_errno(const char *what)
{
	tool_warn("%s: %s", what, strerror(errno));
}

int tool_errno_of(long err)
{
	switch (err) {
	case ERR_NOT_FOUND:
		return ENOENT;
	case ERR_ACCESS_DENIED:
		return EACCES;
	case ERR_ALREADY_EXISTS:
		return EEXIST;
	case ERR_WRONG_TYPE:
		return ENOTDIR;
	case ERR_BAD_STATE:
		return ENOTEMPTY;
	case ERR_NO_MEMORY:
		return ENOMEM;
	case ERR_NO_HOST:
		return EHOSTUNREACH;
	case ERR_CROSS_PROVIDER:
		return EXDEV;
	case ERR_NOT_SUPPORTED:
		return ENOTSUP;
	case ERR_LOOP:
		return ELOOP;
	case ERR_OUT_OF_RANGE:
		return ENAMETOOLONG;
	case ERR_INVALID_ARGS:
		return EINVAL;
	default:
		return 0;
	}
}

void tool_warn_err(const char *what, long err)
{
	int e = tool_errno_of(err);
	tool_warn("%s: %s", what, e ? strerror(e) : ch_error_name(err));
}

int tool_getopt(const struct tool *t, int argc, char **argv, const char *spec, struct tool_opts *o)
{
	tool_self = t;
	if (o->ind == 0)
		o->ind = 1;
	if (o->pos == 0) {
		if (o->ind >= argc)
			return -1;
		const char *a = argv[o->ind];
		if (strcmp(a, "--help") == 0)
			help_exit(t);
		if (strcmp(a, "--") == 0) {
			o->ind++;
			return -1;
		}
		if (a[0] != '-' || a[1] == '\0')
			return -1;
		o->pos = 1;
	}
	const char *a = argv[o->ind];
	char c = a[o->pos++];
	const char *s = c && c != ':' ? strchr(spec, c) : NULL;
	if (!s)
		tool_usage_error("unknown option -%c", c ? c : '-');
	o->arg = NULL;
	if (s[1] == ':') {
		if (a[o->pos]) {
			o->arg = a + o->pos;
		} else if (o->ind + 1 < argc) {
			o->arg = argv[++o->ind];
		} else {
			tool_usage_error("option -%c needs an argument", c);
		}
		o->ind++;
		o->pos = 0;
	} else if (!a[o->pos]) {
		o->ind++;
		o->pos = 0;
	}
	return c;
}

uint64_t tool_number(const char *s, const char *what)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		tool_usage_error("%s: not a number: %s", what, s ? s : "(none)");
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno)
		tool_usage_error("%s: not a number: %s", what, s);
	return v;
}

int tool_isatty(int fd)
{
	return isatty(fd);
}

unsigned tool_columns(int fd)
{
	unsigned rows, cols;
	term_size(fd, &rows, &cols);
	return cols;
}

long tool_absolute(const char *name, char *buf, size_t cap)
{
	size_t n;
	if (strstr(name, "://") || name[0] == '/') {
		n = strlen(name);
		if (n + 1 > cap)
			return ERR_OUT_OF_RANGE;
		memcpy(buf, name, n + 1);
		return 0;
	}
	if (!getcwd(buf, cap))
		return ERR_OUT_OF_RANGE;
	n = strlen(buf);
	size_t m = strlen(name);
	int slash = n > 0 && buf[n - 1] != '/';
	if (n + slash + m + 1 > cap)
		return ERR_OUT_OF_RANGE;
	if (slash)
		buf[n++] = '/';
	memcpy(buf + n, name, m + 1);
	return 0;
}

long tool_ns_open(const char *name, uint32_t type, uint32_t flags, uint64_t rights, handle_t *out)
{
	static char buf[NS_URI_MAX + 1];
	long r = tool_absolute(name, buf, sizeof(buf));
	return r < 0 ? r : ch_uri_open(buf, type, flags, rights, out);
}

long tool_ns_parent(const char *name, handle_t *dir, const char **last)
{
	static char buf[NS_URI_MAX + 1];
	long r = tool_absolute(name, buf, sizeof(buf));
	if (r < 0)
		return r;
	size_t n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	char *slash = strrchr(buf, '/');
	const char *sep = strstr(buf, "://");
	if (!slash || !slash[1] || (sep && slash < sep + 3))
		return ERR_INVALID_ARGS; /* a root has no parent */
	*last = slash + 1;
	/* the parent keeps its '/' if it is a root ("fs:///", "/") */
	char keep = slash[1];
	slash[1] = '\0';
	if (!(sep && slash == sep + 3) && slash != buf)
		*slash = '\0';
	r = ch_uri_open(buf, NS_TYPE_DIR, 0, NS_RIGHTS_SAME, dir);
	/* put the name back after the parent: *last points into buf */
	*slash = '/';
	slash[1] = keep;
	return r < 0 ? r : 0;
}

long tool_ns_type(const char *name, uint32_t *type)
{
	handle_t h;
	long r = tool_ns_open(name, NS_TYPE_ANY, NS_OPEN_NOFOLLOW, 0, &h);
	if (r < 0)
		return r;
	struct ns_stat st;
	if (r == 0) {
		r = ch_ns_stat(h, &st, 0);
		ch_cap_drop(h);
		if (r >= 0)
			*type = st.type;
		return r < 0 ? r : 0;
	}
	/* a service or device: the open gave its endpoint; ask its directory */
	ch_cap_drop(h);
	const char *last;
	if ((r = tool_ns_parent(name, &h, &last)) < 0)
		return r;
	r = ch_ns_stat_at(h, last, strlen(last), &st, 0);
	ch_cap_drop(h);
	if (r >= 0)
		*type = st.type;
	return r < 0 ? r : 0;
}

int tool_open_input(const char *name)
{
	if (strcmp(name, "-") == 0)
		return STDIN_FILENO;
	return open(name, O_RDONLY);
}

char *tool_read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		if (cap - n < 2048) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int tool_write_out(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, stdout) != n) {
		tool_warn_errno("standard output");
		return -1;
	}
	return 0;
}

char *tool_join(const char *dir, const char *name)
{
	size_t n = strlen(dir), m = strlen(name);
	/* "proc://" + "1" is "proc:///1": the empty host, then the name */
	int slash = (n > 0 && dir[n - 1] != '/') || (n >= 3 && strcmp(dir + n - 3, "://") == 0);
	char *s = malloc(n + slash + m + 1);
	if (!s)
		return NULL;
	memcpy(s, dir, n);
	if (slash)
		s[n++] = '/';
	memcpy(s + n, name, m + 1);
	return s;
}
