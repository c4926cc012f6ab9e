/*
 * exec.c - running what the parser built: lists, and-or lists, pipelines.
 *
 * A pipeline's commands are connected by pipe()s (or, between two commands the
 * shell runs itself one after the other, a file of fs:///tmp: see struct link).
 * Each command gets three descriptors of ours (stdin, stdout, stderr: the
 * pipeline's ends or sh->io, the shell's own 0-2 but inside a redirected
 * compound command), then its redirections in the order written: `>f` opens f
 * (created, truncated), `>>f` opens it to append, `<f` to read, `n>&m` makes n
 * what m is at that point. A program gets the capabilities behind those three
 * descriptors as "stdin", "stdout", "stderr" (ch_fd_handle), so a file
 * redirection hands it the file itself. Programs are started first, then the
 * pipeline's builtins, functions and compound commands run in the shell with
 * their descriptors, in order, then the shell drops its ends and waits. A
 * background job's stdin is no capability at all (it reads end-of-file) unless
 * redirected.
 *
 * A command name without '/' or "://" is a builtin or bin/<name> of the
 * initrd; otherwise it is a file of the namespace: an ELF image is spawned
 * from its bytes, a file starting "#!" runs its interpreter (a bin/ program:
 * "#!/bin/sh" or "#!bin/sh") with the path as the first argument.
 */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <charlotte/fd.h>
#include <charlotte/kbus.h>
#include <charlotte/initrd.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

void *sh_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	size_t cap = 64 * 1024, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			if (cap >= SH_IMAGE_MAX) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			char *b = realloc(buf, cap * 2 + 1);
			if (!b) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			int e = errno;
			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (r == 0) {
			buf[n] = 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

uint64_t sh_child_pool(struct sh *sh)
{
	struct pool_info pi;
	uint64_t pool = SH_CHILD_POOL_MIN;
	if (sh->pool != HANDLE_INVALID && ch_pool_info(sh->pool, &pi) == 0 && pi.quota > pi.used)
		pool = (pi.quota - pi.used) / 4;
	if (pool > SH_CHILD_POOL_MAX)
		pool = SH_CHILD_POOL_MAX;
	if (pool < SH_CHILD_POOL_MIN)
		pool = SH_CHILD_POOL_MIN;
	return pool & ~(uint64_t)4095;
}

static bool is_path(const char *name)
{
	return strchr(name, '/') != NULL;
}

/* The process's name: the basename of path, for messages. */
static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int sh_spawn_retry(const struct ch_spawn_args *a, struct ch_child *c)
{
	/* a child that just ended returns its pool to ours a moment after it is
	 * waited for (on another CPU): a short shortage is waited out, a bounded
	 * number of times */
	int e;
	for (int tries = 0; (e = ch_spawn(a, c)) == ERR_NO_MEMORY && tries < SH_SPAWN_RETRIES;
	     tries++)
		ch_sleep_ns(1000 * 1000);
	return e;
}

int sh_spawn(struct sh *sh, char **argv, char **env, const int fds[3], struct sh_grant_set *gs,
             uint64_t pool_bytes, struct sh_proc *p)
{
	char initrd_path[96];
	void *image = NULL;
	size_t image_len = 0;
	const char *path = argv[0];
	char **args = argv, **script_args = NULL;
	int err = 0;

	(void)sh;
	memset(p, 0, sizeof(*p));
	if (!is_path(argv[0])) {
		const void *d;
		size_t l;
		snprintf(initrd_path, sizeof(initrd_path), "bin/%s", argv[0]);
		if (strlen(argv[0]) > 64 || ch_initrd_find(initrd_path, &d, &l) != 0) {
			sh_error("%s: not found", argv[0]);
			return 127;
		}
		path = initrd_path;
	} else {
		image = sh_read_file(argv[0], &image_len);
		if (!image) {
			sh_error("%s: %s", argv[0], strerror(errno));
			return errno == ENOENT ? 127 : 126;
		}
		if (image_len >= 2 && memcmp(image, "#!", 2) == 0) {
			/* "#!interp [arg]": interp is a program of the initrd's bin/ */
			char *line = image, *nl = memchr(line, '\n', image_len);
			if (nl)
				*nl = 0;
			char *interp = line + 2, *arg = NULL;
			while (*interp == ' ')
				interp++;
			char *sp = strchr(interp, ' ');
			if (sp) {
				*sp = 0;
				arg = sp + 1;
				while (*arg == ' ')
					arg++;
				if (!*arg)
					arg = NULL;
			}
			unsigned n = 0;
			while (argv[n])
				n++;
			script_args = calloc(n + 3, sizeof(char *));
			const void *d;
			size_t l;
			snprintf(initrd_path, sizeof(initrd_path), "bin/%s", base(interp));
			if (!script_args || ch_initrd_find(initrd_path, &d, &l) != 0) {
				sh_error("%s: interpreter %s not found", argv[0], interp);
				free(image);
				free(script_args);
				return 127;
			}
			unsigned k = 0;
			script_args[k++] = (char *)base(interp);
			if (arg)
				script_args[k++] = arg;
			for (unsigned i = 0; i < n; i++)
				script_args[k++] = argv[i];
			args = script_args;
			path = initrd_path;
			image_len =
			    0; /* the interpreter comes from the initrd; image is freed below */
		} else if (image_len < 4 || memcmp(image,
		                                   "\x7f"
		                                   "ELF",
		                                   4) != 0) {
			sh_error("%s: not a program (neither ELF nor #!)", argv[0]);
			free(image);
			return 126;
		}
	}

	int e = sh_grants_add_stdio(gs, fds);
	if (e == 0) {
		struct ch_spawn_args a = {
		    .path = path,
		    .image = image_len ? image : NULL,
		    .image_len = image_len,
		    .argv = (const char *const *)args,
		    .envp = (const char *const *)env,
		    .grants = gs->g,
		    .ngrants = gs->n,
		    .child_pool = pool_bytes,
		};
		e = sh_spawn_retry(&a, &p->child);
	}
	if (e < 0) {
		sh_error("%s: cannot start: %s", argv[0], ch_error_name(e));
		err = 126;
	} else {
		p->running = true;
		snprintf(p->name, sizeof(p->name), "%s", base(argv[0]));
		p->grants = calloc(gs->n ? gs->n : 1, sizeof(struct sh_grant_rec));
		for (unsigned i = 0; p->grants && i < gs->n; i++) {
			struct cap_info ci = {0};
			ch_cap_inspect(gs->g[i].handle, &ci);
			snprintf(p->grants[i].name, SH_NAME_MAX, "%s", gs->g[i].name);
			p->grants[i].type = ci.type;
			p->grants[i].rights = gs->g[i].rights;
		}
		if (p->grants)
			p->ngrants = gs->n;
	}
	free(image);
	free(script_args);
	return err;
}

/* ---- one pipeline ---- */

enum stage_kind {
	ST_NONE, /* assignments and redirections only, or it failed before running */
	ST_PROGRAM,
	ST_BUILTIN,
	ST_FUNCTION,
	ST_COMPOUND, /* a compound command or a function definition */
};

struct stage {
	enum stage_kind kind;
	struct sh_fields argv;
	char **assign; /* expanded NAME=value */
	unsigned nassign;
	int fd[3];
	int opened[SH_MAX_WORDS]; /* files we opened for it */
	unsigned nopened;
	int status; /* set when it failed before running */
	bool failed;
	bool started; /* a program, running */
};

static void stage_free(struct stage *s)
{
	sh_fields_free(&s->argv);
	for (unsigned i = 0; i < s->nassign; i++)
		free(s->assign[i]);
	free(s->assign);
	for (unsigned i = 0; i < s->nopened; i++)
		close(s->opened[i]);
}

/* An expansion failed: say so unless the expansion did. */
static void expand_failed(struct sh *sh)
{
	if (!sh->expand_error)
		sh_error("out of memory");
}

/*
 * A here-document's text: the body as written when its delimiter was quoted,
 * else expanded as inside double quotes (where a '"' is just a character): $x,
 * ${...}, $(...), `...`, $((...)), and \ before $ ` \ and newline.
 */
static char *heredoc_text(struct sh *sh, const struct sh_redir *r)
{
	if (r->literal)
		return strdup(r->word);
	size_t n = strlen(r->word);
	char *raw = malloc(2 * n + 3);
	if (!raw)
		return NULL;
	size_t k = 0;
	raw[k++] = '"';
	for (size_t i = 0; i < n; i++) {
		char c = r->word[i];
		if (c == '"') {
			raw[k++] = '\\';
		} else if (c == '\\') {
			char d = r->word[i + 1];
			if (d == '\n') { /* a line joined to the next */
				i++;
				continue;
			}
			raw[k++] = '\\';
			if (d == '$' || d == '`' || d == '\\') {
				c = d;
				i++;
			} else {
				c = '\\'; /* a backslash that stays */
			}
		}
		raw[k++] = c;
	}
	raw[k++] = '"';
	raw[k] = 0;
	struct sh_expand_ops ops;
	sh_expand_ops(sh, &ops);
	char *text = sh_expand_one(raw, &ops);
	free(raw);
	if (!text)
		expand_failed(sh);
	return text;
}

/*
 * A here-string's text: the word expanded as a redirection's target is (no
 * field splitting, no globbing), and a newline.
 */
static char *herestring_text(struct sh *sh, const struct sh_redir *r)
{
	struct sh_expand_ops ops;
	sh_expand_ops(sh, &ops);
	char *word = sh_expand_one(r->word, &ops);
	if (!word) {
		expand_failed(sh);
		return NULL;
	}
	size_t n = strlen(word);
	char *text = realloc(word, n + 2);
	if (!text) {
		free(word);
		sh_error("out of memory");
		return NULL;
	}
	text[n] = '\n';
	text[n + 1] = 0;
	return text;
}

/*
 * A here-document or here-string: its text in a file of fs:///tmp, open for
 * reading and unlinked.
 */
static int here_input(struct sh *sh, const struct sh_redir *r, struct stage *s)
{
	static unsigned seq;
	char *text = r->kind == SH_R_HERESTRING ? herestring_text(sh, r) : heredoc_text(sh, r);
	if (!text)
		return -1;
	const char *what = r->kind == SH_R_HERESTRING ? "here-string" : "here-document";
	char path[64];
	snprintf(path, sizeof(path), "fs:///tmp/.sh-%s-h%u", sh->dollar, seq++);
	int w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t len = strlen(text);
	bool ok = w >= 0 && sh_write(w, text, len) == 0;
	free(text);
	if (w >= 0)
		close(w);
	int fd = ok ? open(path, O_RDONLY) : -1;
	if (fd < 0)
		sh_error("%s: %s: %s", what, path, strerror(errno));
	if (w >= 0)
		unlink(path); /* the open file stays readable */
	if (fd < 0)
		return -1;
	s->opened[s->nopened++] = fd;
	s->fd[r->fd] = fd;
	return 0;
}

static int redirect(struct sh *sh, const struct sh_redir *r, struct stage *s)
{
	if (r->fd > 2 || (r->kind == SH_R_DUP && r->dup_fd > 2)) {
		sh_error("only descriptors 0, 1 and 2 can be redirected");
		return -1;
	}
	if (r->kind == SH_R_DUP) {
		s->fd[r->fd] = s->fd[r->dup_fd];
		return 0;
	}
	if (r->kind == SH_R_HEREDOC || r->kind == SH_R_HERESTRING)
		return here_input(sh, r, s);
	struct sh_expand_ops ops;
	sh_expand_ops(sh, &ops);
	char *target = sh_expand_one(r->word, &ops);
	if (!target) {
		expand_failed(sh);
		return -1;
	}
	int flags = r->kind == SH_R_IN       ? O_RDONLY
	            : r->kind == SH_R_APPEND ? O_WRONLY | O_CREAT | O_APPEND
	                                     : O_WRONLY | O_CREAT | O_TRUNC;
	int fd = open(target, flags, 0644);
	if (fd < 0) {
		sh_error("%s: %s", target, strerror(errno));
		free(target);
		return -1;
	}
	free(target);
	s->opened[s->nopened++] = fd;
	s->fd[r->fd] = fd;
	return 0;
}

/* Expand a command's words and assignments into s, and say what it is. */
static int prepare(struct sh *sh, const struct sh_cmd *c, struct stage *s)
{
	struct sh_expand_ops ops;
	sh_expand_ops(sh, &ops);
	sh->expand_error = false;
	sh->subst_ran = false;
	if (c->kind != SH_CMD_SIMPLE) {
		s->kind = ST_COMPOUND;
	} else {
		for (unsigned i = 0; i < c->nwords; i++)
			if (sh_expand_word(c->words[i], &ops, &s->argv)) {
				expand_failed(sh);
				return -1;
			}
		if (c->nassign && !(s->assign = calloc(c->nassign, sizeof(char *)))) {
			sh_error("out of memory");
			return -1;
		}
		for (unsigned i = 0; i < c->nassign; i++) {
			if (!(s->assign[i] = sh_expand_one(c->assign[i], &ops))) {
				expand_failed(sh);
				return -1;
			}
			s->nassign++;
		}
		s->kind = s->argv.n == 0                   ? ST_NONE
		          : sh_func_find(sh, s->argv.v[0]) ? ST_FUNCTION
		          : sh_builtin(s->argv.v[0])       ? ST_BUILTIN
		                                           : ST_PROGRAM;
	}
	return 0;
}

static bool in_shell(const struct stage *s)
{
	return !s->failed &&
	       (s->kind == ST_BUILTIN || s->kind == ST_FUNCTION || s->kind == ST_COMPOUND);
}

static int start_program(struct sh *sh, struct stage *s, struct sh_proc *p)
{
	struct sh_grant_set gs;
	int st;
	if (sh_grants_default(sh, &gs))
		return 126;
	char **env = sh_environ(sh, s->assign, s->nassign);
	if (!env) {
		sh_grants_release(&gs);
		sh_error("out of memory");
		return 126;
	}
	st = sh_spawn(sh, s->argv.v, env, s->fd, &gs, sh_child_pool(sh), p);
	sh_free_environ(env);
	sh_grants_release(&gs);
	return st;
}

/* Run a stage the shell runs itself: a builtin, a function or a compound command. */
static int run_in_shell(struct sh *sh, const struct sh_cmd *c, struct stage *s)
{
	if (s->kind == ST_BUILTIN)
		return sh_builtin(s->argv.v[0])(sh, (int)s->argv.n, s->argv.v, s->fd);
	if (s->kind == ST_FUNCTION)
		return sh_func_call(sh, sh_func_find(sh, s->argv.v[0]), (int)s->argv.n, s->argv.v,
		                    s->fd);
	int io[3];
	memcpy(io, sh->io, sizeof(io));
	memcpy(sh->io, s->fd, sizeof(io));
	int st = sh_run_compound(sh, c);
	memcpy(sh->io, io, sizeof(io));
	return st;
}

static void describe_cmd(const struct sh_pipeline *pl, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < pl->ncmds && n + 1 < cap; i++) {
		const struct sh_cmd *c = &pl->cmds[i];
		if (i)
			n += (size_t)snprintf(buf + n, cap - n, " | ");
		if (c->kind != SH_CMD_SIMPLE)
			n += (size_t)snprintf(buf + n, cap - n, "{...}");
		for (unsigned w = 0; c->kind == SH_CMD_SIMPLE && w < c->nwords && n + 1 < cap; w++)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", w ? " " : "", c->words[w]);
	}
}

/* Start the pipeline's programs as one job (none: *jobp stays NULL). 0 or a status. */
static int start_job(struct sh *sh, const struct sh_pipeline *pl, struct stage *st, bool bg,
                     struct sh_job **jobp)
{
	unsigned n = pl->ncmds, programs = 0;
	for (unsigned i = 0; i < n; i++)
		programs += !st[i].failed && st[i].kind == ST_PROGRAM;
	if (!programs)
		return 0;
	char desc[80];
	describe_cmd(pl, desc, sizeof(desc));
	struct sh_job *job = sh_job_new(sh, desc);
	if (!job)
		return 1;
	job->background = bg;
	if (!(job->procs = calloc(n, sizeof(struct sh_proc)))) {
		sh_error("out of memory");
		sh_job_free(job);
		return 1;
	}
	*jobp = job;
	for (unsigned i = 0; i < n; i++) {
		struct stage *s = &st[i];
		if (s->failed || s->kind != ST_PROGRAM)
			continue;
		struct sh_proc *p = &job->procs[job->nprocs];
		s->status = start_program(sh, s, p);
		if (s->status)
			s->failed = true;
		else
			job->nprocs++;
		s->started = !s->failed;
	}
	return 0;
}

/*
 * How stage i's stdout reaches stage i + 1: a pipe, or, when both run in the
 * shell (one after the other), a file of fs:///tmp the first writes and the
 * second reads, since the shell cannot read a pipe it is still writing.
 */
struct link {
	int r, w;
	bool file;
	char path[64];
};

#define FD_LINK (-2) /* the reader's end of a file link, opened once its writer is done */

/* A file link if asked and fs:///tmp takes one (else a pipe: enough for a short output). */
static int open_link(struct sh *sh, struct link *l, bool file)
{
	static unsigned seq;
	int pfd[2];
	if (file) {
		snprintf(l->path, sizeof(l->path), "fs:///tmp/.sh-%s-%u", sh->dollar, seq++);
		l->w = open(l->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (l->w >= 0) {
			l->file = true;
			return 0;
		}
	}
	if (pipe(pfd) < 0)
		return -1;
	l->r = pfd[0];
	l->w = pfd[1];
	return 0;
}

static void close_link(struct link *l)
{
	if (l->r >= 0)
		close(l->r);
	if (l->w >= 0)
		close(l->w);
	if (l->file)
		unlink(l->path);
}

/* Stage s's FD_LINK descriptors become the file its writer is done with. */
static int link_reader(struct link *l, struct stage *s)
{
	if (!l->file)
		return 0;
	if (l->w >= 0) {
		close(l->w);
		l->w = -1;
	}
	if ((l->r = open(l->path, O_RDONLY)) < 0) {
		sh_error("%s: %s", l->path, strerror(errno));
		return -1;
	}
	for (int k = 0; k < 3; k++)
		if (s->fd[k] == FD_LINK)
			s->fd[k] = l->r;
	return 0;
}

static int run_pipeline(struct sh *sh, const struct sh_pipeline *pl, bool bg)
{
	unsigned n = pl->ncmds;
	struct stage *st = calloc(n, sizeof(*st));
	struct link *links = n > 1 ? calloc(n - 1, sizeof(*links)) : NULL;
	int status = 0;
	struct sh_job *job = NULL;
	if (!st || (n > 1 && !links)) {
		sh_error("out of memory");
		free(st);
		free(links);
		return 1;
	}
	for (unsigned i = 0; i + 1 < n; i++)
		links[i].r = links[i].w = -1;
	/* expand every stage; then connect them; then their redirections */
	for (unsigned i = 0; i < n; i++)
		if (prepare(sh, &pl->cmds[i], &st[i])) {
			st[i].failed = true;
			st[i].status = 1;
		}
	for (unsigned i = 0; i + 1 < n; i++)
		if (open_link(sh, &links[i], in_shell(&st[i]) && in_shell(&st[i + 1]))) {
			sh_error("pipe: %s", strerror(errno));
			status = 1;
			goto out;
		}
	for (unsigned i = 0; i < n; i++) {
		struct stage *s = &st[i];
		const struct sh_cmd *c = &pl->cmds[i];
		s->fd[0] = i == 0              ? (bg ? -1 : sh->io[0])
		           : links[i - 1].file ? FD_LINK
		                               : links[i - 1].r;
		s->fd[1] = i + 1 < n ? links[i].w : sh->io[1];
		s->fd[2] = sh->io[2];
		for (unsigned k = 0; !s->failed && k < c->nredirs; k++)
			if (redirect(sh, &c->redirs[k], s)) {
				s->failed = true;
				s->status = 1;
			}
		if (s->failed)
			continue;
		if (s->kind == ST_NONE && sh->subst_ran) /* x=$(cmd): cmd's status */
			s->status = sh->status;
		if (s->kind == ST_NONE && n == 1 && !bg) /* assignments (and redirections) only */
			for (unsigned k = 0; k < s->nassign; k++) {
				char *eq = strchr(s->assign[k], '=');
				*eq = 0; /* an exported variable stays exported */
				sh_setvar(sh, s->assign[k], eq + 1, false);
				*eq = '=';
			}
	}
	if ((status = start_job(sh, pl, st, bg, &job)))
		goto out;
	/* the shell keeps only the pipe ends its own stages use: a program's end is the
	 * program's, and a reader sees the end once every writer's end is gone */
	for (unsigned i = 0; i + 1 < n; i++) {
		if (!in_shell(&st[i]) && links[i].w >= 0) {
			close(links[i].w);
			links[i].w = -1;
		}
		if (!in_shell(&st[i + 1]) && links[i].r >= 0) {
			close(links[i].r);
			links[i].r = -1;
		}
	}
	/* the builtins, functions and compound commands, in the shell, in order */
	for (unsigned i = 0; i < n; i++) {
		struct stage *s = &st[i];
		if (!in_shell(s))
			continue;
		if (i > 0 && link_reader(&links[i - 1], s)) {
			s->failed = true;
			s->status = 1;
		} else if (!sh_unwinding(sh)) {
			s->status = run_in_shell(sh, &pl->cmds[i], s);
		}
		if (i + 1 < n && links[i].w >= 0) { /* the reader sees the end */
			close(links[i].w);
			links[i].w = -1;
		}
	}
	{
		struct stage *last = &st[n - 1];
		if (last->failed || last->kind != ST_PROGRAM)
			status = last->status;
		if (job)
			job->last_builtin_status =
			    last->failed || last->kind != ST_PROGRAM ? last->status : -1;
	}
out:
	for (unsigned i = 0; i + 1 < n; i++)
		close_link(&links[i]);
	for (unsigned i = 0; i < n; i++)
		stage_free(&st[i]);
	free(st);
	free(links);
	if (!job)
		return status;
	if (bg && job->nprocs) {
		sh_printf(2, "[%d] %s\n", job->id, job->cmd);
		sh_job_started_bg(sh, job);
		return 0;
	}
	if (bg || !job->nprocs) {
		status = job->last_builtin_status < 0 ? 0 : job->last_builtin_status;
		sh_job_free(job);
		return status;
	}
	return sh_job_wait(sh, job);
}

static bool has_compound(const struct sh_andor *ao)
{
	for (unsigned j = 0; j < ao->npipes; j++)
		for (unsigned k = 0; k < ao->pipes[j].ncmds; k++)
			if (ao->pipes[j].cmds[k].kind != SH_CMD_SIMPLE)
				return true;
	return false;
}

/*
 * A command among the andor's that may run in the shell: a function or a
 * builtin, or a name only its expansion tells (quoted, or with $ or `).
 */
static bool has_in_shell(struct sh *sh, const struct sh_andor *ao)
{
	for (unsigned j = 0; j < ao->npipes; j++)
		for (unsigned k = 0; k < ao->pipes[j].ncmds; k++) {
			const struct sh_cmd *c = &ao->pipes[j].cmds[k];
			if (c->kind != SH_CMD_SIMPLE || !c->nwords)
				continue;
			const char *w = c->words[0];
			if (strpbrk(w, "$`'\"\\") || sh_func_find(sh, w) || sh_builtin(w))
				return true;
		}
	return false;
}

/* text, single-quoted for the shell, appended to *b (a malloc'd string of *n bytes). */
static int put_quoted(char **b, size_t *n, size_t *cap, const char *text, bool quote)
{
	size_t need = *n + 4 * strlen(text) + 4;
	if (need > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < need)
			c *= 2;
		char *nb = realloc(*b, c);
		if (!nb)
			return -1;
		*b = nb;
		*cap = c;
	}
	if (quote)
		(*b)[(*n)++] = '\'';
	for (const char *t = text; *t; t++) {
		if (quote && *t == '\'') { /* ' ends the quote, \' is one, ' opens again */
			memcpy(*b + *n, "'\\''", 4);
			*n += 4;
		} else {
			(*b)[(*n)++] = *t;
		}
	}
	if (quote)
		(*b)[(*n)++] = '\'';
	(*b)[*n] = 0;
	return 0;
}

/*
 * A background job that is more than a pipeline of programs (a compound command,
 * a function, a builtin, && or ||): the shell cannot run two things at once, and
 * what runs in the background must not change it (`cd dir &`), so a new bin/sh
 * runs it (`sh -c`), given what this one has that the text may use: the
 * variables that are not exported (exported ones are its environment), the
 * functions, the positional parameters and the current directory.
 */
#define SH_BG_SCRIPT_MAX (32u << 10)
static int run_bg_text(struct sh *sh, const struct sh_andor *ao)
{
	char *b = NULL;
	size_t n = 0, cap = 0;
	int r = put_quoted(&b, &n, &cap, "", false);
	for (unsigned i = 0; !r && i < sh->nvars; i++) {
		if (sh->vars[i].exported)
			continue;
		r = put_quoted(&b, &n, &cap, sh->vars[i].name, false) ||
		    put_quoted(&b, &n, &cap, "=", false) ||
		    put_quoted(&b, &n, &cap, sh->vars[i].value, true) ||
		    put_quoted(&b, &n, &cap, "\n", false);
	}
	for (unsigned i = 0; !r && i < sh->nfuncs; i++)
		r = put_quoted(&b, &n, &cap, sh->funcs[i].name, false) ||
		    put_quoted(&b, &n, &cap, "() ", false) ||
		    put_quoted(&b, &n, &cap, sh->funcs[i].body, false) ||
		    put_quoted(&b, &n, &cap, "\n", false);
	if (!r && sh->npos)
		r = put_quoted(&b, &n, &cap, "set --", false);
	for (int i = 0; !r && i < sh->npos; i++)
		r = put_quoted(&b, &n, &cap, " ", false) ||
		    put_quoted(&b, &n, &cap, sh->pos[i], true);
	char cwd[256];
	sh_cwd_uri(cwd, sizeof(cwd));
	if (!r)
		r = put_quoted(&b, &n, &cap, "\ncd ", false) ||
		    put_quoted(&b, &n, &cap, cwd, true) ||
		    put_quoted(&b, &n, &cap, " || exit 1\n", false) ||
		    put_quoted(&b, &n, &cap, ao->src, false) ||
		    put_quoted(&b, &n, &cap, "\n", false);
	if (r || n > SH_BG_SCRIPT_MAX) {
		sh_error(r ? "out of memory"
		           : "a background job's text and state: more than %u bytes",
		         SH_BG_SCRIPT_MAX);
		free(b);
		return 1;
	}
	int st = 1;
	char shown[sizeof(((struct sh_job *)0)->cmd)]; /* the command, not its here-documents */
	snprintf(shown, sizeof(shown), "%.*s", (int)ao->src_cmd, ao->src);
	struct sh_job *job = sh_job_new(sh, shown);
	struct sh_grant_set gs;
	char **env = NULL;
	if (!job || !(job->procs = calloc(1, sizeof(struct sh_proc)))) {
		if (job)
			sh_job_free(job);
		free(b);
		return 1;
	}
	for (char *c = job->cmd; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	/* said before it starts: what it writes comes after */
	sh_printf(2, "[%d] %s\n", job->id, job->cmd);
	handle_t ep[2] = {HANDLE_INVALID, HANDLE_INVALID};
	if (sh->pool != HANDLE_INVALID && ch_channel_create(sh->pool, 8, ep) < 0)
		ep[0] = ep[1] = HANDLE_INVALID;
	if (sh_grants_default(sh, &gs) == 0 &&
	    (ep[0] == HANDLE_INVALID || sh_grants_add_handle(&gs, "jobctl", ep[0]) == 0)) {
		if ((env = sh_environ(sh, NULL, 0))) {
			char *argv[] = {"sh", "-c", b, NULL};
			int fds[3] = {-1, sh->io[1],
			              sh->io[2]}; /* no stdin, as any background job */
			st = sh_spawn(sh, argv, env, fds, &gs, sh_child_pool(sh), &job->procs[0]);
			sh_free_environ(env);
		}
	}
	sh_grants_release(&gs);
	if (ep[0] != HANDLE_INVALID)
		ch_cap_drop(ep[0]); /* the child's now */
	job->intr = ep[1];
	free(b);
	if (st) {
		sh_job_free(job);
		return st;
	}
	job->nprocs = 1;
	job->background = true;
	sh_job_started_bg(sh, job);
	return 0;
}

int sh_run_list(struct sh *sh, const struct sh_list *l)
{
	for (unsigned i = 0; i < l->n && !sh_unwinding(sh); i++) {
		const struct sh_andor *ao = &l->items[i];
		if (ao->background &&
		    (ao->npipes > 1 || has_compound(ao) || has_in_shell(sh, ao))) {
			sh->status = run_bg_text(sh, ao);
			continue;
		}
		for (unsigned j = 0; j < ao->npipes && !sh_unwinding(sh); j++) {
			if (j > 0 && ao->ops[j] == SH_OP_AND && sh->status != 0)
				continue;
			if (j > 0 && ao->ops[j] == SH_OP_OR && sh->status == 0)
				continue;
			const struct sh_pipeline *pl = &ao->pipes[j];
			int st = run_pipeline(sh, pl, ao->background);
			sh->status = pl->negate ? !st : st;
		}
	}
	return sh->status;
}
