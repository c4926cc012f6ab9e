/*
 * sh.h - the CharlotteOS shell's state and the parts that use the system
 * (docs/shell.md). The pure parts are parse.h (with lex.h), expand.h (with
 * arith.c), testcmd.h, edit.h, hist.h, complete.h and printfmt.h; these files build only
 * for CharlotteOS:
 *   sh.c       main, reading commands (a terminal, a script, -c), variables
 *   exec.c     running lists, and-or lists and pipelines; redirections, here-documents;
 *              spawning
 *   flow.c     compound commands, subshells, loops, functions; break continue return local
 *              shift read
 *   subst.c    command substitution: $(...) and `...` through a pipe
 *   grants.c   what a child holds: the default set, run --grant's set, caps
 *   builtins.c the builtins
 *   jobs.c     the job table, waiting, Ctrl-C / Ctrl-Z through the job-control endpoint
 *   interact.c the terminal: raw mode, the line editor, history file, completion
 *   compopt.c  the options of a command for completion: builtins', programs' --help
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
#define SH_MAX_FUNCS 64 /* functions defined */
#define SH_MAX_LOCALS 128 /* `local` variables saved by the function calls running */
#define SH_SUBST_MAX (1u << 20) /* what one $(...) keeps of its output; the rest is cut */
#define SH_MAX_CAPTURES SH_MAX_NEST /* $(...) inside $(...) */
/* `kill %N` of a background compound command: how long its shell has to end what
 * it runs once interrupted, before it is killed (a bound on a hang, not a timing) */
#define SH_INTR_GRACE_NS (5ull * 1000 * 1000 * 1000)
/* How much of the stack (CH_STACK_SIZE, 64 KiB) nested compound commands, function
 * calls and substitutions may use: past it a command fails with a message, and
 * what it leaves is enough for the deepest leaf (a spawn, a message). */
#define SH_STACK_BUDGET (36u * 1024)
/* Tab on an option runs `cmd --help` (compopt.c): what it may print, and how long it
 * may run (a bound on a hang, not a timing), before it is killed */
#define SH_HELP_MAX (16u * 1024)
#define SH_HELP_HANG_NS (5ull * 1000 * 1000 * 1000)

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

struct sh_func {
	char *name, *body; /* body: the source of its compound command */
};

/* A variable `local` saved: restored when its function returns. */
struct sh_local {
	char *name, *value; /* value NULL: it was unset */
	bool exported;
	unsigned call; /* the call depth that saved it */
};

/* An open $(...): its pipe, and what was read from it. */
struct sh_capture {
	int rfd, wfd;
	char *buf;
	size_t len, cap;
	bool cut; /* more than SH_SUBST_MAX came */
};

struct sh_job {
	bool used, stopped, background, reported;
	int id;
	unsigned nprocs;
	struct sh_proc *procs;
	int last_builtin_status; /* -1, or the status of a builtin ending the pipeline */
	/* a background compound command's shell: the job-control endpoint we gave it,
	 * to interrupt it (it ends what it runs) before killing it */
	handle_t intr;
	bool intr_sent;
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
	unsigned pos_set; /* `set --` ran this many times (a subshell looks) */
	struct sh_var vars[SH_MAX_VARS];
	unsigned nvars;
	struct sh_job jobs[SH_MAX_JOBS];
	handle_t pool; /* ours ("pool"), HANDLE_INVALID without */
	handle_t waitset; /* processes and the job-control endpoint */
	handle_t jobctl_recv, jobctl_send; /* TERM_SET_JOBCTL events */
	char dollar[24]; /* $$ */
	char bang[24]; /* $!: the last background job's last process's object id; "" before one */
	struct sh_hist hist;
	char *histfile;
	/* control flow (flow.c) */
	int io[3]; /* a command's descriptors before its redirections (a compound's own) */
	unsigned loops; /* loops running (in this function call or substitution) */
	unsigned brk, cont; /* break / continue pending: loops left to leave */
	bool returning; /* `return` pending */
	bool interrupted; /* Ctrl-C: whatever runs stops, up to the prompt */
	bool expand_error; /* an expansion failed and said why */
	bool subst_ran; /* a $(...) ran since prepare() began: its status is $? */
	unsigned calls; /* function calls running */
	uintptr_t stack_base; /* main()'s frame, for SH_STACK_BUDGET */
	struct sh_func funcs[SH_MAX_FUNCS];
	unsigned nfuncs;
	struct sh_local locals[SH_MAX_LOCALS];
	unsigned nlocals;
	struct sh_capture captures[SH_MAX_CAPTURES];
	unsigned ncaptures;
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

/* flow.c */
/* Run a compound command (parse.h) with sh->io as its descriptors; its status. */
int sh_run_compound(struct sh *sh, const struct sh_cmd *c);
/* Define (or redefine) a function; 0 or -1 (reported). */
int sh_func_define(struct sh *sh, const char *name, const char *body);
struct sh_func *sh_func_find(struct sh *sh, const char *name);
/* Call f with argv[1..] as $1...; its status. fds: its descriptors. */
int sh_func_call(struct sh *sh, struct sh_func *f, int argc, char **argv, const int fds[3]);
/* True (and says so) when the shell's stack is too deep to go further. */
bool sh_too_deep(struct sh *sh);
/* break, continue, return, exit or Ctrl-C pending: what runs must stop. */
bool sh_unwinding(const struct sh *sh);
/* Has Ctrl-C (or Ctrl-\) come? Sets sh->interrupted. For loops of builtins. */
bool sh_check_intr(struct sh *sh);
int sh_break_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_return_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_local_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_shift_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_read_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);

/* subst.c */
/* The output of running src (n bytes), trailing newlines removed; malloc'd, NULL on failure
 * (reported). The hook of expand.h. */
char *sh_subst(void *ctx, const char *src, size_t n);
/* Write all of buf to fd, or into the $(...) capturing fd. 0 or -1. */
int sh_write(int fd, const void *buf, size_t n);
/* Read what the captures' pipes hold now (a job being waited for writes into them). */
void sh_capture_pump(struct sh *sh, int rfd);

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
/* Add handle h of ours as name, with the rights we hold. 0 or -1 (reported). */
int sh_grants_add_handle(struct sh_grant_set *gs, const char *name, handle_t h);
/* Add stdin/stdout/stderr from our descriptors (fd -1: none). */
int sh_grants_add_stdio(struct sh_grant_set *gs, const int fds[3]);
void sh_grants_release(struct sh_grant_set *gs);
/* `caps`: what we hold; `caps %job`: what we gave it; `caps <pid>`: what proc:// tells. */
int sh_caps(struct sh *sh, int argc, char **argv, int out);

/* builtins.c */
/* set -- v[0..n): the positional parameters (copied); 0 or -1 (reported). */
int sh_set_positional(struct sh *sh, int n, char **v);
typedef int (*sh_builtin_fn)(struct sh *sh, int argc, char **argv, const int fds[3]);
sh_builtin_fn sh_builtin(const char *name);
/* The options builtin name takes, as a --help text lists them (helpopts.h); NULL: no
 * such builtin. */
const char *sh_builtin_opts(const char *name);
/* The name of builtin i (sorted), NULL past the last. */
const char *sh_builtin_at(unsigned i);
/* Call fn(name) for every program in the initrd's bin/. */
void sh_each_program(void (*fn)(void *ctx, const char *name), void *ctx);
/* run --grant ...: the sandboxed spawn, also used by exec.c */
int sh_builtin_run(struct sh *sh, int argc, char **argv, const int fds[3]);

/* exec.c: ch_spawn(), waiting out a short ERR_NO_MEMORY (SH_SPAWN_RETRIES); its result */
int sh_spawn_retry(const struct ch_spawn_args *a, struct ch_child *c);
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
/* The job spec names: %N or N (a job number) or an object id $! gave; NULL: the newest. */
struct sh_job *sh_job_find(struct sh *sh, const char *spec);
/* Job j was started in the background: $! becomes its last process's object id. */
void sh_job_started_bg(struct sh *sh, const struct sh_job *j);
int sh_jobs_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_fg_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_bg_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_kill_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
int sh_wait_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
void sh_jobctl_setup(struct sh *sh);
/* Drop job-control events that came after the last job ended (at a prompt). */
void sh_jobctl_drain(struct sh *sh);
/* Take pending job-control events without waiting: true if Ctrl-C or Ctrl-\ came. */
bool sh_jobctl_intr(struct sh *sh);

/* compopt.c */
struct sh_opts;
/*
 * The options of the command cmd (a builtin's from its table, a program's from its
 * --help, run sandboxed and bounded; cached per program), in a table valid until the
 * next call; empty when it offers none. *intr: Ctrl-C was typed while its --help ran.
 */
const struct sh_opts *sh_comp_options(struct sh *sh, const char *cmd, bool *intr);

/* interact.c */
/* Keys typed while the shell waits for something else (a --help for Tab) are read
 * into a buffer the editor takes them from, in order: read what has come (call when
 * stdin is readable); true if it held Ctrl-C or the terminal is gone. */
bool sh_typeahead_read(void);
/* Whether that buffer is full (then stdin is not watched). */
bool sh_typeahead_full(void);
/* Read the next line for the parser; prompt2: a continuation. NULL at end of input. */
char *sh_readline(struct sh *sh, bool continuation);
void sh_term_canonical(struct sh *sh); /* before a child runs */
void sh_interactive_init(struct sh *sh);
void sh_interactive_done(struct sh *sh);
int sh_history_builtin(struct sh *sh, int argc, char **argv, const int fds[3]);
