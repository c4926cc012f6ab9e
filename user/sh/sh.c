/*
 * sh.c - the CharlotteOS shell: main, reading commands, variables.
 *
 *   sh                  interactive on a terminal (isatty(0)), else reads stdin
 *   sh -c 'cmd' [a...]  runs cmd ($0 = the first a, $1... the rest)
 *   sh script [a...]    runs the script (a fs:// path, or bin/<name> of the initrd)
 * Input is parsed a line at a time; a line that leaves a quote or a compound
 * command open or ends in '|', '&&', '||' or a backslash is continued by the
 * next (a terminal shows the "> " prompt for it). A syntax error sets
 * $? to 2 (and ends a script or -c). The exit status is the last command's.
 */
#include "sh.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <charlotte/initrd.h>
#include <charlotte/kbus.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

void sh_printf(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	sh_write(fd, buf, (size_t)n);
}

static struct sh the_shell;

/* To the stderr of what runs now: a function's or compound command's own when redirected. */
void sh_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sh_printf(the_shell.io[2], "sh: %s\n", buf);
}

void sh_cwd_uri(char *buf, size_t cap)
{
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		snprintf(buf, cap, "?");
	else if (cwd[0] == '/')
		snprintf(buf, cap, "fs://%s", cwd);
	else
		snprintf(buf, cap, "%s", cwd);
	free(cwd);
}

/* ---- variables ---- */

static struct sh_var *find_var(struct sh *sh, const char *name, size_t n)
{
	for (unsigned i = 0; i < sh->nvars; i++)
		if (strlen(sh->vars[i].name) == n && memcmp(sh->vars[i].name, name, n) == 0)
			return &sh->vars[i];
	return NULL;
}

const char *sh_getvar(struct sh *sh, const char *name)
{
	struct sh_var *v = find_var(sh, name, strlen(name));
	return v ? v->value : NULL;
}

int sh_setvar(struct sh *sh, const char *name, const char *value, bool export)
{
	struct sh_var *v = find_var(sh, name, strlen(name));
	char *val = strdup(value);
	if (!val)
		return -1;
	if (!v) {
		if (sh->nvars == SH_MAX_VARS) {
			free(val);
			sh_error("too many variables");
			return -1;
		}
		char *nm = strdup(name);
		if (!nm) {
			free(val);
			return -1;
		}
		v = &sh->vars[sh->nvars++];
		*v = (struct sh_var){.name = nm};
	}
	free(v->value);
	v->value = val;
	v->exported |= export;
	return 0;
}

void sh_unsetvar(struct sh *sh, const char *name)
{
	struct sh_var *v = find_var(sh, name, strlen(name));
	if (!v)
		return;
	free(v->name);
	free(v->value);
	*v = sh->vars[--sh->nvars];
}

char **sh_environ(struct sh *sh, char **extra, unsigned n)
{
	char **env = calloc(sh->nvars + n + 1, sizeof(char *));
	unsigned k = 0;
	if (!env)
		return NULL;
	for (unsigned i = 0; i < sh->nvars; i++) {
		const struct sh_var *v = &sh->vars[i];
		if (!v->exported)
			continue;
		bool overridden = false;
		for (unsigned j = 0; j < n; j++) {
			size_t l = strlen(v->name);
			if (strncmp(extra[j], v->name, l) == 0 && extra[j][l] == '=')
				overridden = true;
		}
		if (overridden)
			continue;
		size_t len = strlen(v->name) + strlen(v->value) + 2;
		if (!(env[k] = malloc(len)))
			goto oom;
		snprintf(env[k++], len, "%s=%s", v->name, v->value);
	}
	for (unsigned j = 0; j < n; j++)
		if (!(env[k++] = strdup(extra[j])))
			goto oom;
	return env;
oom:
	sh_free_environ(env);
	return NULL;
}

void sh_free_environ(char **env)
{
	for (unsigned i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static const char *expand_var(void *ctx, const char *name, size_t n)
{
	struct sh *sh = ctx;
	static char num[16];
	if (n == 1) {
		switch (name[0]) {
		case '?':
			snprintf(num, sizeof(num), "%d", sh->status);
			return num;
		case '$':
			return sh->dollar;
		case '!':
			return sh->bang[0] ? sh->bang : NULL;
		case '#':
			snprintf(num, sizeof(num), "%d", sh->npos);
			return num;
		case '0':
			return sh->arg0;
		case '@':
		case '*': {
			static char *all;
			size_t len = 1;
			for (int i = 0; i < sh->npos; i++)
				len += strlen(sh->pos[i]) + 1;
			free(all);
			if (!(all = malloc(len)))
				return NULL;
			all[0] = 0;
			for (int i = 0; i < sh->npos; i++) {
				if (i)
					strcat(all, " ");
				strcat(all, sh->pos[i]);
			}
			return all;
		}
		default:
			if (name[0] >= '1' && name[0] <= '9') {
				int i = name[0] - '1';
				return i < sh->npos ? sh->pos[i] : NULL;
			}
		}
	}
	struct sh_var *v = find_var(sh, name, n);
	return v ? v->value : NULL;
}

static const char *expand_param(void *ctx, unsigned i)
{
	struct sh *sh = ctx;
	return i >= 1 && i <= (unsigned)sh->npos ? sh->pos[i - 1] : NULL;
}

static void expand_error(void *ctx, const char *msg)
{
	struct sh *sh = ctx;
	sh->expand_error = true;
	sh_error("%s", msg);
}

void sh_expand_ops(struct sh *sh, struct sh_expand_ops *ops)
{
	*ops = (struct sh_expand_ops){.ctx = sh,
	                              .var = expand_var,
	                              .glob = sh_glob,
	                              .subst = sh_subst,
	                              .param = expand_param,
	                              .error = expand_error};
}

/* ---- running text ---- */

int sh_run_text(struct sh *sh, const char *src, size_t len)
{
	struct sh_arena a = {0};
	struct sh_parse_result r;
	int st = sh_parse(&a, src, len, &r);
	if (st == SH_PARSE_ERROR) {
		sh_error("%s", r.error);
		sh->status = 2;
	} else if (st == SH_PARSE_OK) {
		sh_run_list(sh, &r.list);
	}
	sh_arena_free(&a);
	return st;
}

/* Run lines from next() until the end or exit; each parsed when it is complete. */
static void run_lines(struct sh *sh, char *(*next)(void *ctx, bool more), void *ctx)
{
	char *pending = NULL;
	size_t plen = 0;
	while (!sh->exiting) {
		char *line = next(ctx, pending != NULL);
		if (!line) {
			if (pending) {
				sh_error("syntax error: unexpected end of input");
				sh->status = 2;
			}
			break;
		}
		if (strcmp(line, "\x03") == 0) { /* Ctrl-C in a continuation: drop it all */
			free(line);
			free(pending);
			pending = NULL;
			plen = 0;
			continue;
		}
		size_t l = strlen(line);
		char *buf = realloc(pending, plen + l + 2);
		if (!buf) {
			free(line);
			sh_error("out of memory");
			break;
		}
		memcpy(buf + plen, line, l);
		plen += l;
		buf[plen++] = '\n';
		buf[plen] = 0;
		free(line);
		pending = buf;
		sh->interrupted = false; /* a Ctrl-C stops what ran before this prompt only */
		int st = sh_run_text(sh, pending, plen);
		if (st == SH_PARSE_INCOMPLETE)
			continue;
		free(pending);
		pending = NULL;
		plen = 0;
		if (st == SH_PARSE_ERROR && sh->errexit_syntax)
			break;
	}
	free(pending);
}

/* A buffer read line by line. */
struct text_reader {
	const char *s;
	size_t len, pos;
};

static char *next_text_line(void *ctx, bool more)
{
	(void)more;
	struct text_reader *t = ctx;
	if (t->pos >= t->len)
		return NULL;
	const char *nl = memchr(t->s + t->pos, '\n', t->len - t->pos);
	size_t end = nl ? (size_t)(nl - t->s) : t->len;
	char *line = strndup(t->s + t->pos, end - t->pos);
	t->pos = end + 1;
	return line;
}

static char *next_term_line(void *ctx, bool more)
{
	return sh_readline(ctx, more);
}

static void run_buffer(struct sh *sh, const char *s, size_t len)
{
	struct text_reader t = {s, len, 0}; /* a #! line is a comment */
	run_lines(sh, next_text_line, &t);
}

/* Lines of fd 0 when it is not a terminal (a pipe, a file): each run as it arrives. */
struct stdin_reader {
	char *buf;
	size_t len, cap;
	bool eof;
};

static char *next_stdin_line(void *ctx, bool more)
{
	(void)more;
	struct stdin_reader *r = ctx;
	for (;;) {
		char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
		if (nl || (r->eof && r->len)) {
			size_t n = nl ? (size_t)(nl - r->buf) : r->len;
			char *line = strndup(r->buf, n);
			size_t used = nl ? n + 1 : n;
			memmove(r->buf, r->buf + used, r->len - used);
			r->len -= used;
			return line;
		}
		if (r->eof)
			return NULL;
		if (r->len + 512 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 4096;
			char *b = realloc(r->buf, cap);
			if (!b)
				return NULL;
			r->buf = b;
			r->cap = cap;
		}
		ssize_t n = read(0, r->buf + r->len, r->cap - r->len);
		if (n <= 0)
			r->eof = true;
		else
			r->len += (size_t)n;
	}
}

static void init_vars(struct sh *sh)
{
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || eq == *e)
			continue;
		char name[64];
		size_t n = (size_t)(eq - *e);
		if (n >= sizeof(name))
			continue;
		memcpy(name, *e, n);
		name[n] = 0;
		sh_setvar(sh, name, eq + 1, true);
	}
	struct cap_info ci;
	handle_t self = ch_handle("self.process");
	if (self != HANDLE_INVALID && ch_cap_inspect(self, &ci) == 0)
		snprintf(sh->dollar, sizeof(sh->dollar), "%llu", (unsigned long long)ci.object_id);
	if (!sh_getvar(sh, "HOME")) {
		struct stat st;
		const char *home = "fs:///";
		if (stat("fs:///disk/home", &st) == 0 && S_ISDIR(st.st_mode))
			home = "fs:///disk/home";
		else if (stat("fs:///disk", &st) == 0 && S_ISDIR(st.st_mode))
			home = "fs:///disk"; /* the home disk (docs/fsd.md) */
		else if (stat("fs:///tmp", &st) == 0 && S_ISDIR(st.st_mode))
			home = "fs:///tmp";
		sh_setvar(sh, "HOME", home, true);
	}
}

static void setup(struct sh *sh)
{
	sh->pool = ch_handle("pool");
	sh->waitset = sh->jobctl_recv = sh->jobctl_send = HANDLE_INVALID;
	sh->arg0 = "sh";
	sh->io[0] = 0;
	sh->io[1] = 1;
	sh->io[2] = 2;
	if (sh->pool != HANDLE_INVALID)
		ch_waitset_create(sh->pool, &sh->waitset);
	/* a background job's shell: its starter interrupts it here (exec.c run_bg_text) */
	sh->jobctl_recv = ch_handle("jobctl");
	init_vars(sh);
}

int main(int argc, char **argv)
{
	struct sh *sh = &the_shell;
	char base;
	sh->io[2] = 2; /* for a message before setup() */
	sh->stack_base = (uintptr_t)&base;
	setup(sh);
	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		sh->errexit_syntax = true;
		if (argc > 3) {
			sh->arg0 = argv[3];
			sh->pos = argv + 4;
			sh->npos = argc - 4;
		}
		run_buffer(sh, argv[2], strlen(argv[2]));
	} else if (argc >= 2 && strcmp(argv[1], "-c") == 0) {
		sh_error("-c: a command is missing");
		return 2;
	} else if (argc >= 2) {
		size_t len;
		const void *data;
		char *buf = NULL;
		if (strncmp(argv[1], "bin/", 4) == 0 && ch_initrd_find(argv[1], &data, &len) == 0) {
			buf = malloc(len + 1);
			if (buf)
				memcpy(buf, data, len);
		} else {
			buf = sh_read_file(argv[1], &len);
		}
		if (!buf) {
			sh_error("%s: %s", argv[1], strerror(errno));
			return 127;
		}
		sh->errexit_syntax = true;
		sh->arg0 = argv[1];
		sh->pos = argv + 2;
		sh->npos = argc - 2;
		run_buffer(sh, buf, len);
		free(buf);
	} else if (isatty(0)) {
		sh->interactive = true;
		sh_interactive_init(sh);
		run_lines(sh, next_term_line, sh);
		sh_interactive_done(sh);
	} else {
		struct stdin_reader r = {0};
		sh->errexit_syntax = true;
		run_lines(sh, next_stdin_line, &r);
		free(r.buf);
	}
	sh_jobs_reap(sh, false);
	return sh->exiting ? sh->exit_code : sh->status;
}
