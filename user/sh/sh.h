/*
 * sh.h - the CharlotteOS shell's state and the parts that use the system
 * (docs/shell.md). The pure parts are parse.h, expand.h, edit.h, hist.h and
 * complete.h; these files build only for CharlotteOS:
 *   sh.c       main, reading commands (a terminal, a script, -c), variables
 *   exec.c     running lists, and-or lists and pipelines; redirections; spawning
 *   grants.c   what a child holds: the default set, run --grant's set, caps
 *   builtins.c the builtins
 *   jobs.c     the job table, waiting, Ctrl-C / Ctrl-Z through the job-control endpoint
 *   interact.c the terminal: raw mode, the line editor, history file, completion
 * The shell is single-threaded; all state is in struct sh.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/handle.h>
#include <abi/syscall.h>
#include <charlotte/spawn.h>

#include "expand.h"
#include "hist.h"
#include "parse.h"

#define SH_MAX_JOBS 16
#define SH_MAX_VARS 256
#define SH_NAME_MAX 24 /* a start_info name, with its NUL */
#define SH_IMAGE_MAX (16u << 20) /* the largest program read from fs:// */
#define SH_CHILD_POOL_MAX (16u << 20) /* a child's default pool, at most */
#define SH_CHILD_POOL_MIN (1u << 20) /* ... and at least */
#define SH_SPAWN_RETRIES 200 /* ERR_NO_MEMORY: tries again after 1 ms, this many times */

struct sh_var {
	char *name, *value;
	bool exported;
};

/* What a child was given, for `caps %job`. */
struct sh_grant_rec {
	char name[SH_NAME_MAX];
	uint32_t type;
	uint64_t rights;
};

struct sh_proc {
	struct ch_child child;
	bool running;
	struct proc_status st;
	unsigned ngrants;
	struct sh_grant_rec *grants;
	char name[32];
};

struct sh_job {
	bool used, stopped, background, reported;
	int id;
	unsigned nprocs;
	struct sh_proc *procs;
	int last_builtin_status; /* -1, or the status of a builtin ending the pipeline */
	char cmd[80];
};

struct sh {
	bool interactive; /* reading a terminal */
	bool errexit_syntax; /* a script: a syntax error ends it */
	int status; /* $? */
	bool exiting;
	int exit_code;
	const char *arg0; /* $0 */
	int npos;
	char **pos; /* $1 ... */
	struct sh_var vars[SH_MAX_VARS];
	unsigned nvars;
	struct sh_job jobs[SH_MAX_JOBS];
	handle_t pool; /* ours ("pool"), HANDLE_INVALID without */
	handle_t waitset; /* processes and the job-control endpoint */
	handle_t jobctl_recv, jobctl_send; /* TERM_SET_JOBCTL events */
	char dollar[24]; /* $$ */
	struct sh_hist hist;
	char *histfile;
};

/* sh.c */
const char *sh_getvar(struct sh *sh, const char *name);
int sh_setvar(struct sh *sh, const char *name, const char *value, bool export);
void sh_unsetvar(struct sh *sh, const char *name);
/* NULL-terminated "NAME=value" of the exported variables plus extra (n of them); malloc'd. */
char **sh_environ(struct sh *sh, char **extra, unsigned n);
void sh_free_environ(char **env);
void sh_expand_ops(struct sh *sh, struct sh_expand_ops *ops);
/* Parse and run src (len bytes); SH_PARSE_* (a syntax error sets $? to 2 and reports it). */
int sh_run_text(struct sh *sh, const char *src, size_t len);
/* Output through write(): printf to descriptor fd. */
void sh_printf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The current directory as a URI ("fs:///tmp"), into buf. */
void sh_cwd_uri(char *buf, size_t cap);

/* glob.c: the expansion hook for patterns (expand.h) over the namespace */
int sh_glob(void *ctx, const char *pattern, const bool *quoted, struct sh_fields *out);

/* exec.c */
/* The pool a child gets: a quarter of what our pool has left, within
 * [SH_CHILD_POOL_MIN, SH_CHILD_POOL_MAX]. */
uint64_t sh_child_pool(struct sh *sh);
int sh_run_list(struct sh *sh, const struct sh_list *l);
/* Read a whole file of fs:// (at most SH_IMAGE_MAX bytes); malloc'd, or NULL with errno. */
void *sh_read_file(const char *path, size_t *len);

/* grants.c */
struct sh_grant_set {
	unsigned n;
	struct ch_grant g[START_MAX_HANDLES];
	char names[START_MAX_HANDLES][SH_NAME_MAX];
	handle_t opened[START_MAX_HANDLES]; /* ours to drop after the spawn */
	unsigned nopened;
};
/* Everything we hold that a child should get (docs/shell.md "What a child holds"). */
int sh_grants_default(struct sh *sh, struct sh_grant_set *gs);
/* Add one `run --grant` spec: a URI[:rights] or a capability name. 0 or an error (reported). */
int sh_grants_add_spec(struct sh *sh, struct sh_grant_set *gs, const char *spec);
/* Add stdin/stdout/stderr from our descriptors (fd -1: none). */
int sh_grants_add_stdio(struct sh_grant_set *gs, const int fds[3]);
void sh_grants_release(struct sh_grant_set *gs);
/* `caps`: what we hold; `caps %job`: what we gave it; `caps <pid>`: what proc:// tells. */
int sh_caps(struct sh *sh, int argc, char **argv, int out);

/* builtins.c */
typedef int (*sh_builtin_fn)(struct sh *sh, int argc, char **argv, const int fds[3]);
sh_builtin_fn sh_builtin(const char *name);
/* The name of builtin i (sorted), NULL past the last. */
const char *sh_builtin_at(unsigned i);
/* Call fn(name) for every program in the initrd's bin/. */
void sh_each_program(void (*fn)(void *ctx, const char *name), void *ctx);
/* run --grant ...: the sandboxed spawn, also used by exec.c */
int sh_builtin_run(struct sh *sh, int argc, char **argv, const int fds[3]);

/* exec.c: start argv as a new process with the given grants and stdio */
int sh_spawn(struct sh *sh, char **argv, char **env, const int fds[3], struct sh_grant_set *gs,
             uint64_t pool_bytes, struct sh_proc *p);

/* jobs.c */
struct sh_job *sh_job_new(struct sh *sh, const char *cmd);
void sh_job_free(struct sh_job *j);
/* Wait for the foreground job; its status (128+ for killed / faulted; see docs). */
int sh_job_wait(struct sh *sh, struct sh_job *j);
/* Report background jobs that ended (interactive: before each prompt). */
void sh_jobs_reap(struct sh *sh, bool report);
struct sh_job *sh_job_find(struct sh *sh, const char *spec);
int sh_jobs_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_fg_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_bg_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_kill_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_wait_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
void sh_jobctl_setup(struct sh *sh);
/* Drop job-control events that came after the last job ended (at a prompt). */
void sh_jobctl_drain(struct sh *sh);

/* interact.c */
/* Read the next line for the parser; prompt2: a continuation. NULL at end of input. */
char *sh_readline(struct sh *sh, bool continuation);
void sh_term_canonical(struct sh *sh); /* before a child runs */
void sh_interactive_init(struct sh *sh);
void sh_interactive_done(struct sh *sh);
int sh_history_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
