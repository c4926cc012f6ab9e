/*
 * builtins.c - the commands the shell runs itself (docs/shell.md "Builtins").
 *
 * Each gets its words and the three descriptors of its command after
 * redirection (fds[1] for output, fds[2] for errors) and returns its status.
 */
#include "printfmt.h"
#include "sh.h"
#include "testcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <charlotte/initrd.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <shared/ustar.h>

static int b_true(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)sh, (void)argc, (void)argv, (void)fds;
	return 0;
}

static int b_false(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)sh, (void)argc, (void)argv, (void)fds;
	return 1;
}

static int b_echo(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)sh;
	int i = 1;
	bool nl = true;
	if (argc > 1 && strcmp(argv[1], "-n") == 0) {
		nl = false;
		i++;
	}
	size_t len = 2;
	for (int k = i; k < argc; k++)
		len += strlen(argv[k]) + 1;
	char *buf = malloc(len);
	if (!buf)
		return 1;
	size_t n = 0;
	for (int k = i; k < argc; k++) {
		if (k > i)
			buf[n++] = ' ';
		size_t l = strlen(argv[k]);
		memcpy(buf + n, argv[k], l);
		n += l;
	}
	if (nl)
		buf[n++] = '\n';
	int st = sh_write(fds[1], buf, n) < 0;
	free(buf);
	return st;
}

/* printf FORMAT [ARG]... (printfmt.h) */
static int b_printf(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)sh;
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		sh_printf(fds[1],
		          "usage: printf FORMAT [ARG]...\n"
		          "Writes FORMAT with its conversions filled from the ARGs, again while "
		          "ARGs are left:\n"
		          "  %%s a string, %%b a string with escapes, %%c a character,\n"
		          "  %%d %%i %%u %%x %%X %%o a number (12, 0x1f, 017, 'c), %%%% a %%;\n"
		          "  flags - + 0 # space, a width and a .precision: %%-8s %%05d %%.3s,\n"
		          "  or * for either, taken from the next ARG: %%*d %%.*s (a negative\n"
		          "  width left-justifies)\n"
		          "Escapes: \\n \\t \\r \\a \\b \\e \\f \\v \\\\ \\NNN (octal) "
		          "\\xHH. No newline unless written.\n");
		return 0;
	}
	int i = 1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		sh_error("usage: printf FORMAT [ARG]... (printf --help)");
		return 2;
	}
	struct sh_printf_result r;
	int rc = sh_printf_format(argv[i], argc - i - 1, argv + i + 1, &r);
	if (r.error[0]) /* before the output, as bash */
		sh_error("printf: %s", r.error);
	if (rc == 0 && r.len && sh_write(fds[1], r.out, r.len) < 0)
		r.status = 1;
	free(r.out);
	return rc < 0 ? 1 : r.status;
}

/* eval [ARG]...: the ARGs joined by spaces, run as commands here */
static int b_eval(struct sh *sh, int argc, char **argv, const int fds[3])
{
	size_t len = 1;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *src = malloc(len);
	if (!src) {
		sh_error("out of memory");
		return 1;
	}
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			src[n++] = ' ';
		memcpy(src + n, argv[i], strlen(argv[i]));
		n += strlen(argv[i]);
	}
	src[n] = 0;
	if (sh_too_deep(sh)) {
		free(src);
		return 2;
	}
	int io[3];
	memcpy(io, sh->io, sizeof(io));
	memcpy(sh->io, fds, sizeof(io));
	sh->status = 0;
	int st = sh_run_text(sh, src, n);
	if (st == SH_PARSE_INCOMPLETE) {
		sh_error("eval: syntax error: unexpected end of input");
		sh->status = 2;
	}
	memcpy(sh->io, io, sizeof(io));
	free(src);
	return sh->status;
}

static int b_cd(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	const char *to = argc > 1 ? argv[1] : sh_getvar(sh, "HOME");
	if (!to)
		to = "/";
	if (chdir(to) < 0) {
		sh_error("cd: %s: %s", to, strerror(errno));
		return 1;
	}
	char cwd[512];
	sh_cwd_uri(cwd, sizeof(cwd));
	sh_setvar(sh, "PWD", cwd, true);
	return 0;
}

static int b_pwd(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)sh, (void)argc, (void)argv;
	char cwd[512];
	sh_cwd_uri(cwd, sizeof(cwd));
	sh_printf(fds[1], "%s\n", cwd);
	return 0;
}

static int b_exit(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	sh->exiting = true;
	sh->exit_code = argc > 1 ? (int)strtol(argv[1], NULL, 10) & 0xff : sh->status;
	return sh->exit_code;
}

static int b_export(struct sh *sh, int argc, char **argv, const int fds[3])
{
	if (argc == 1) {
		for (unsigned i = 0; i < sh->nvars; i++)
			if (sh->vars[i].exported)
				sh_printf(fds[1], "export %s='%s'\n", sh->vars[i].name,
				          sh->vars[i].value);
		return 0;
	}
	int st = 0;
	for (int i = 1; i < argc; i++) {
		size_t eq;
		if (sh_is_assignment(argv[i], strlen(argv[i]), &eq)) {
			argv[i][eq] = 0;
			sh_setvar(sh, argv[i], argv[i] + eq + 1, true);
			argv[i][eq] = '=';
		} else if (sh_name_char(argv[i][0], true)) {
			const char *v = sh_getvar(sh, argv[i]);
			sh_setvar(sh, argv[i], v ? v : "", true);
		} else {
			sh_error("export: '%s': not a name", argv[i]);
			st = 1;
		}
	}
	return st;
}

/* unset NAME...; unset -f NAME... removes functions */
static int b_unset(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	bool funcs = argc > 1 && strcmp(argv[1], "-f") == 0;
	for (int i = 1 + funcs; i < argc; i++) {
		struct sh_func *f = funcs ? sh_func_find(sh, argv[i]) : NULL;
		if (f) {
			free(f->name);
			free(f->body);
			*f = sh->funcs[--sh->nfuncs];
		} else if (!funcs) {
			sh_unsetvar(sh, argv[i]);
		}
	}
	return 0;
}

int sh_set_positional(struct sh *sh, int n, char **v)
{
	static struct sh_fields saved;
	struct sh_fields next = {0};
	for (int i = 0; i < n; i++)
		if (sh_fields_add(&next, v[i], strlen(v[i]))) {
			sh_fields_free(&next);
			sh_error("out of memory");
			return -1;
		}
	sh_fields_free(&saved);
	saved = next;
	sh->pos = saved.v;
	sh->npos = (int)saved.n;
	sh->pos_set++;
	return 0;
}

static int b_set(struct sh *sh, int argc, char **argv, const int fds[3])
{
	if (argc > 1 && strcmp(argv[1], "--") == 0) /* set -- a b c: the positional parameters */
		return sh_set_positional(sh, argc - 2, argv + 2) ? 1 : 0;
	if (argc > 1) {
		sh_error("set: only 'set' and 'set -- args' are supported");
		return 2;
	}
	for (unsigned i = 0; i < sh->nvars; i++)
		sh_printf(fds[1], "%s='%s'\n", sh->vars[i].name, sh->vars[i].value);
	return 0;
}

static int b_test(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)sh, (void)fds;
	char err[128];
	int st = sh_test_eval(argc, argv, err, sizeof(err));
	if (st == 2)
		sh_error("%s: %s", argv[0], err);
	return st;
}

static int b_caps(struct sh *sh, int argc, char **argv, const int fds[3])
{
	return sh_caps(sh, argc, argv, fds[1]);
}

/* ---- programs of the initrd ---- */

void sh_each_program(void (*fn)(void *ctx, const char *name), void *ctx)
{
	const void *d;
	size_t l;
	uint64_t size;
	handle_t initrd = ch_handle("initrd");
	/* maps the archive (initrd.h), then walk it in place */
	if (ch_initrd_find("bin/sh", &d, &l) != 0 || initrd == HANDLE_INVALID ||
	    ch_mem_info(initrd, &size) != 0)
		return;
	const void *archive = (const void *)CH_INITRD_BASE;
	size_t off = 0;
	struct ustar_entry e;
	while (ustar_next(archive, size, &off, &e) == 0) {
		if (e.type == USTAR_FILE && strncmp(e.path, "bin/", 4) == 0 &&
		    !strchr(e.path + 4, '/') && e.path[4])
			fn(ctx, e.path + 4);
	}
}

struct help_ctx {
	int fd, col;
};

static void help_one(void *ctx, const char *name)
{
	struct help_ctx *h = ctx;
	sh_printf(h->fd, "%-16s%s", name, ++h->col % 5 == 0 ? "\n" : "");
}

static int b_help(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)sh, (void)argc, (void)argv;
	struct help_ctx h = {fds[1], 0};
	sh_printf(fds[1], "Builtins:\n");
	for (unsigned i = 0; sh_builtin_at(i); i++)
		help_one(&h, sh_builtin_at(i));
	if (h.col % 5)
		sh_printf(fds[1], "\n");
	sh_printf(fds[1], "Programs (bin/):\n");
	h.col = 0;
	sh_each_program(help_one, &h);
	if (h.col % 5)
		sh_printf(fds[1], "\n");
	sh_printf(fds[1], "Sandboxing: run --grant <uri>[:rwm] --grant <name> -- prog args\n"
	                  "docs/shell.md has the syntax and the keys.\n");
	return 0;
}

static int b_type(struct sh *sh, int argc, char **argv, const int fds[3])
{
	int st = 0;
	for (int i = 1; i < argc; i++) {
		char path[96];
		const void *d;
		size_t l;
		snprintf(path, sizeof(path), "bin/%s", argv[i]);
		if (sh_func_find(sh, argv[i]))
			sh_printf(fds[1], "%s is a function\n", argv[i]);
		else if (sh_builtin(argv[i]))
			sh_printf(fds[1], "%s is a builtin\n", argv[i]);
		else if (!strchr(argv[i], '/') && ch_initrd_find(path, &d, &l) == 0)
			sh_printf(fds[1], "%s is initrd:%s\n", argv[i], path);
		else {
			sh_printf(fds[2], "%s: not found\n", argv[i]);
			st = 1;
		}
	}
	return st;
}

int sh_builtin_run(struct sh *sh, int argc, char **argv, const int fds[3])
{
	struct sh_grant_set gs;
	uint64_t pool = sh_child_pool(sh);
	int i = 1, st = 0;
	memset(&gs, 0, sizeof(gs));
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--grant") == 0 && i + 1 < argc) {
			if (sh_grants_add_spec(sh, &gs, argv[++i])) {
				st = 2;
				goto out;
			}
		} else if (strcmp(argv[i], "--pool") == 0 && i + 1 < argc) {
			char *end;
			unsigned long long v = strtoull(argv[++i], &end, 10);
			if (*end == 'K' || *end == 'k')
				v <<= 10, end++;
			else if (*end == 'M' || *end == 'm')
				v <<= 20, end++;
			if (*end || v < 64 * 1024) {
				sh_error("run: --pool %s: a size of at least 64K", argv[i]);
				st = 2;
				goto out;
			}
			pool = v;
		} else {
			break;
		}
	}
	if (i >= argc) {
		sh_error("usage: run [--grant <uri>[:rwm] | --grant <name> | --pool <size>]... "
		         "[--] prog [args]");
		st = 2;
		goto out;
	}
	struct sh_job *job = sh_job_new(sh, argv[i]);
	if (!job) {
		st = 1;
		goto out;
	}
	if (!(job->procs = calloc(1, sizeof(struct sh_proc)))) {
		sh_job_free(job);
		st = 1;
		goto out;
	}
	job->last_builtin_status = -1;
	char **env = sh_environ(sh, NULL, 0);
	st = sh_spawn(sh, argv + i, env, fds, &gs, pool, &job->procs[0]);
	sh_free_environ(env);
	if (st) {
		sh_job_free(job);
		goto out;
	}
	job->nprocs = 1;
	sh_grants_release(&gs);
	return sh_job_wait(sh, job);
out:
	sh_grants_release(&gs);
	return st;
}

/* ---- the table ---- */

/* The operators test and [ take before a word (testcmd.c), for completion. */
#define TEST_OPTS                                                                 \
	"  -e F  F exists   -f F  a file   -d F  a directory   -s F  not empty\n" \
	"  -r F  F exists   -w F  F exists   -x F  F exists\n"                    \
	"  -n S  S is not empty   -z S  S is empty\n"

/* name, function, and the options it takes as a --help text would list them
 * (helpopts.h), which Tab completes (interact.c) */
static const struct {
	const char *name;
	sh_builtin_fn fn;
	const char *opts;
} table[] = {
    {":", b_true, ""},
    {"[", b_test, TEST_OPTS},
    {"bg", sh_bg_builtin, ""},
    {"break", sh_break_builtin, ""},
    {"caps", b_caps, ""},
    {"cd", b_cd, ""},
    {"continue", sh_break_builtin, ""},
    {"echo", b_echo, "  -n  no newline after the words\n"},
    {"eval", b_eval, ""},
    {"exit", b_exit, ""},
    {"export", b_export, ""},
    {"false", b_false, ""},
    {"fg", sh_fg_builtin, ""},
    {"help", b_help, ""},
    {"history", sh_history_builtin, ""},
    {"jobs", sh_jobs_builtin, ""},
    {"kill", sh_kill_builtin, ""},
    {"local", sh_local_builtin, ""},
    {"printf", b_printf, "  --help  the conversions and escapes\n"},
    {"pwd", b_pwd, ""},
    {"read", sh_read_builtin, "  -r  backslashes are kept\n"},
    {"return", sh_return_builtin, ""},
    {"run", sh_builtin_run,
     "  --grant URI[:rwm]  a view of URI (r read, w write, m manage) instead of all\n"
     "  --grant NAME       a capability the shell holds, by its name\n"
     "  --pool SIZE        the child's pool (64K at least; K or M)\n"},
    {"set", b_set, ""},
    {"shift", sh_shift_builtin, ""},
    {"test", b_test, TEST_OPTS},
    {"true", b_true, ""},
    {"type", b_type, ""},
    {"unset", b_unset, "  -f  remove functions\n"},
    {"wait", sh_wait_builtin, ""},
};

const char *sh_builtin_at(unsigned i)
{
	return i < sizeof(table) / sizeof(*table) ? table[i].name : NULL;
}

/* The row of builtin name, or -1. */
static int row_of(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(*table); i++)
		if (strcmp(table[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *sh_builtin_opts(const char *name)
{
	int i = row_of(name);
	return i < 0 ? NULL : table[i].opts;
}

sh_builtin_fn sh_builtin(const char *name)
{
	int i = row_of(name);
	return i < 0 ? NULL : table[i].fn;
}
