/*
 * jobs.c - the job table, waiting, and job control (docs/shell.md "Jobs").
 *
 * A job is one pipeline's processes. The foreground job is waited for on one
 * waitset with every process of it and, on a terminal, the job-control
 * endpoint the console sends struct term_event on (TERM_SET_JOBCTL): Ctrl-C
 * and Ctrl-\ kill the foreground job, Ctrl-Z suspends it (ch_proc_suspend)
 * and gives the prompt back. Background jobs are checked before each prompt.
 * A job's status is its last command's: the exit code, 128 + 9 when it was
 * killed, 128 + 11 when it faulted (reported as "killed" / "faulted: ...").
 */
#include "sh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <abi/term.h>
#include <charlotte/fd.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/syscall.h>
#include <charlotte/term.h>

#if defined(SYS_PROC_SUSPEND)
#define SH_HAVE_SUSPEND 1
#else
#define SH_HAVE_SUSPEND 0
#endif

#define KEY_JOBCTL 1u
#define KEY_PROC(i) (0x100u + (i))
#define KEY_CAPTURE(i) (0x200u + (i)) /* the pipe of an open $(...) (subst.c) */

struct sh_job *sh_job_new(struct sh *sh, const char *cmd)
{
	for (int i = 0; i < SH_MAX_JOBS; i++) {
		struct sh_job *j = &sh->jobs[i];
		if (j->used)
			continue;
		memset(j, 0, sizeof(*j));
		j->used = true;
		j->id = i + 1;
		j->last_builtin_status = -1;
		j->intr = HANDLE_INVALID;
		snprintf(j->cmd, sizeof(j->cmd), "%s", cmd);
		return j;
	}
	sh_error("too many jobs (%d)", SH_MAX_JOBS);
	return NULL;
}

void sh_job_free(struct sh_job *j)
{
	for (unsigned i = 0; j->procs && i < j->nprocs; i++) {
		ch_child_release(&j->procs[i].child);
		free(j->procs[i].grants);
	}
	free(j->procs);
	if (j->intr != HANDLE_INVALID)
		ch_cap_drop(j->intr);
	memset(j, 0, sizeof(*j));
	j->intr = HANDLE_INVALID;
}

static bool ended(const struct proc_status *st)
{
	return st->state == PROC_EXITED || st->state == PROC_KILLED || st->state == PROC_FAULTED;
}

/* Refresh p->running from the kernel; true if it changed to ended. */
static bool poll_proc(struct sh_proc *p)
{
	if (!p->running)
		return false;
	struct proc_status st;
	if (ch_proc_status(p->child.process, &st) < 0 || !ended(&st))
		return false;
	p->st = st;
	p->running = false;
	return true;
}

static int status_of(const struct sh_proc *p)
{
	switch (p->st.state) {
	case PROC_EXITED:
		return p->st.code & 0xff;
	case PROC_KILLED:
		return 128 + 9;
	default:
		return 128 + 11;
	}
}

/* A job's status, with abnormal ends reported. */
static int job_status(struct sh_job *j, bool report)
{
	for (unsigned i = 0; report && i < j->nprocs; i++) {
		const struct sh_proc *p = &j->procs[i];
		if (p->st.state == PROC_KILLED || p->st.state == PROC_FAULTED) {
			char how[128];
			ch_proc_status_describe(&p->st, how, sizeof(how));
			sh_printf(2, "%s: %s\n", p->name, how);
		}
	}
	if (j->last_builtin_status >= 0)
		return j->last_builtin_status;
	return j->nprocs ? status_of(&j->procs[j->nprocs - 1]) : 0;
}

/*
 * Ctrl-C or `kill`: a background compound command's shell is asked first (as
 * its terminal would: TERM_EV_INTR), so that it ends the programs it started;
 * then, or at once for programs, every process is killed.
 */
static void kill_job(struct sh_job *j)
{
	if (j->intr != HANDLE_INVALID && !j->intr_sent) {
		struct term_event e = {TERM_REQ_MAGIC, TERM_EV_INTR};
		struct kbus_msg m = {.data = &e, .len = sizeof(e)};
		j->intr_sent = true;
		if (ch_kbus_send(j->intr, &m, KBUS_NONBLOCK, 0) == 0)
			return;
	}
	for (unsigned i = 0; i < j->nprocs; i++)
		if (j->procs[i].running)
			ch_proc_kill(j->procs[i].child.process);
}

static int set_suspended(struct sh_job *j, bool suspend)
{
#if SH_HAVE_SUSPEND
	for (unsigned i = 0; i < j->nprocs; i++)
		if (j->procs[i].running) {
			long r = suspend ? ch_proc_suspend(j->procs[i].child.process)
			                 : ch_proc_resume(j->procs[i].child.process);
			if (r < 0 && r != ERR_BAD_STATE)
				return (int)r;
		}
	j->stopped = suspend;
	return 0;
#else
	(void)j, (void)suspend;
	return ERR_NOT_SUPPORTED;
#endif
}

/* Take the pending job-control events; the last that matters. */
static uint32_t take_events(struct sh *sh)
{
	uint32_t got = 0;
	for (;;) {
		struct term_event ev;
		uint32_t len = 0;
		long r =
		    ch_kbus_recv_bytes(sh->jobctl_recv, &ev, sizeof(ev), &len, KBUS_NONBLOCK, 0);
		if (r < 0)
			return got;
		if (len == sizeof(ev) && ev.magic == TERM_REQ_MAGIC)
			got = ev.event;
	}
}

int sh_job_wait(struct sh *sh, struct sh_job *j)
{
	bool ws = sh->waitset != HANDLE_INVALID;
	if (sh->interactive)
		sh_term_canonical(sh);
	for (unsigned i = 0; ws && i < j->nprocs; i++)
		if (ch_waitset_add(sh->waitset, j->procs[i].child.process, KBUS_EV_EXITED,
		                   KEY_PROC(i)) < 0)
			ws = false;
	bool jobctl =
	    ws && sh->jobctl_recv != HANDLE_INVALID &&
	    ch_waitset_add(sh->waitset, sh->jobctl_recv, KBUS_EV_READABLE, KEY_JOBCTL) == 0;
	/* a job writing into a $(...) is read from while it runs (its pipe would fill) */
	unsigned ncap = 0;
	for (unsigned i = 0; ws && i < sh->ncaptures; i++) {
		handle_t h = ch_fd_handle(sh->captures[i].rfd);
		if (h == HANDLE_INVALID ||
		    ch_waitset_add(sh->waitset, h, KBUS_EV_READABLE, KEY_CAPTURE(i)) < 0)
			break;
		ncap++;
	}
	bool stopped = false;
	for (;;) {
		unsigned running = 0;
		for (unsigned i = 0; i < j->nprocs; i++) {
			poll_proc(&j->procs[i]);
			running += j->procs[i].running;
		}
		if (!running)
			break;
		if (!ws) {
			for (unsigned i = 0; i < j->nprocs; i++)
				if (j->procs[i].running)
					ch_proc_wait(j->procs[i].child.process, UINT64_MAX, NULL);
			continue;
		}
		struct kbus_event ev[8];
		long n = ch_waitset_wait(sh->waitset, ev, 8, UINT64_MAX);
		if (n < 0) {
			ws = false;
			continue;
		}
		for (long k = 0; k < n; k++) {
			if (ev[k].key >= KEY_CAPTURE(0) && ev[k].key < KEY_CAPTURE(ncap)) {
				sh_capture_pump(sh, sh->captures[ev[k].key - KEY_CAPTURE(0)].rfd);
				continue;
			}
			if (ev[k].key != KEY_JOBCTL)
				continue;
			uint32_t e = take_events(sh);
			if (e == TERM_EV_INTR || e == TERM_EV_QUIT) {
				kill_job(j);
				sh->interrupted = true; /* the loops around it stop too */
			} else if (e == TERM_EV_SUSP) {
				if (set_suspended(j, true) == 0)
					stopped = true;
				else
					sh_printf(
					    2,
					    "sh: Ctrl-Z: this kernel cannot suspend a process\n");
			}
		}
		if (stopped)
			break;
	}
	for (unsigned i = 0; sh->waitset != HANDLE_INVALID && i < j->nprocs; i++)
		ch_waitset_remove(sh->waitset, KEY_PROC(i));
	if (jobctl)
		ch_waitset_remove(sh->waitset, KEY_JOBCTL);
	for (unsigned i = 0; i < ncap; i++)
		ch_waitset_remove(sh->waitset, KEY_CAPTURE(i));
	if (stopped) {
		j->background = true;
		/* the console echoed "^Z" and a newline (abi/term.h) */
		sh_printf(2, "[%d] stopped  %s\n", j->id, j->cmd);
		return 128 + 20;
	}
	int st = job_status(j, true);
	sh_job_free(j);
	return st;
}

void sh_jobs_reap(struct sh *sh, bool report)
{
	for (int i = 0; i < SH_MAX_JOBS; i++) {
		struct sh_job *j = &sh->jobs[i];
		if (!j->used || !j->background)
			continue;
		unsigned running = 0;
		for (unsigned k = 0; k < j->nprocs; k++) {
			poll_proc(&j->procs[k]);
			running += j->procs[k].running;
		}
		if (running)
			continue;
		/* `jobs` already said it ended (and how) */
		bool say = report && !j->reported;
		int st = job_status(j, say);
		if (say)
			sh_printf(2, "[%d] done (%d)  %s\n", j->id, st, j->cmd);
		sh_job_free(j);
	}
}

/* A process's object id ($$ is the shell's own), or 0. */
static unsigned long long process_id(const struct sh_proc *p)
{
	struct cap_info ci;
	return ch_cap_inspect(p->child.process, &ci) == 0 ? ci.object_id : 0;
}

void sh_job_started_bg(struct sh *sh, const struct sh_job *j)
{
	unsigned long long oid = j->nprocs ? process_id(&j->procs[j->nprocs - 1]) : 0;
	if (oid)
		snprintf(sh->bang, sizeof(sh->bang), "%llu", oid);
}

struct sh_job *sh_job_find(struct sh *sh, const char *spec)
{
	if (!spec) { /* the newest with processes (not the builtin asking) */
		for (int i = SH_MAX_JOBS - 1; i >= 0; i--)
			if (sh->jobs[i].used && sh->jobs[i].nprocs)
				return &sh->jobs[i];
		return NULL;
	}
	bool pct = *spec == '%';
	if (pct)
		spec++;
	char *end;
	unsigned long long oid = strtoull(spec, &end, 10);
	for (int i = 0; !pct && !*end && *spec && i < SH_MAX_JOBS; i++) {
		struct sh_job *j = &sh->jobs[i];
		if (j->used && j->nprocs && process_id(&j->procs[j->nprocs - 1]) == oid)
			return j;
	}
	long id = strtol(spec, &end, 10);
	if (*end || id < 1 || id > SH_MAX_JOBS || !sh->jobs[id - 1].used ||
	    !sh->jobs[id - 1].nprocs)
		return NULL;
	return &sh->jobs[id - 1];
}

int sh_jobs_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)argc, (void)argv;
	for (int i = 0; i < SH_MAX_JOBS; i++) {
		struct sh_job *j = &sh->jobs[i];
		if (!j->used || !j->nprocs) /* not the builtins running now */
			continue;
		unsigned running = 0;
		for (unsigned k = 0; k < j->nprocs; k++) {
			poll_proc(&j->procs[k]);
			running += j->procs[k].running;
		}
		if (!running && j->background) {
			/* told here, with how it ended; not again before the prompt */
			int st = job_status(j, !j->reported);
			if (!j->reported)
				sh_printf(fds[1], "[%d] done (%d)  %s\n", j->id, st, j->cmd);
			j->reported = true;
			continue;
		}
		sh_printf(fds[1], "[%d] %-8s %s\n", j->id,
		          !running     ? "done"
		          : j->stopped ? "stopped"
		                       : "running",
		          j->cmd);
	}
	return 0;
}

static struct sh_job *job_arg(struct sh *sh, int argc, char **argv, const char *who)
{
	struct sh_job *j = sh_job_find(sh, argc > 1 ? argv[1] : NULL);
	if (!j)
		sh_error("%s: %s: no such job", who, argc > 1 ? argv[1] : "current");
	return j;
}

int sh_fg_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	struct sh_job *j = job_arg(sh, argc, argv, "fg");
	if (!j)
		return 1;
	if (j->stopped && set_suspended(j, false) < 0) {
		sh_error("fg: cannot resume %s", j->cmd);
		return 1;
	}
	j->background = false;
	sh_printf(2, "%s\n", j->cmd);
	return sh_job_wait(sh, j);
}

int sh_bg_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	struct sh_job *j = job_arg(sh, argc, argv, "bg");
	if (!j)
		return 1;
	if (!j->stopped) { /* as bash: not an error */
		sh_error("bg: %%%d: already running", j->id);
		return 0;
	}
	if (set_suspended(j, false) < 0) {
		sh_error("bg: cannot resume %s", j->cmd);
		return 1;
	}
	j->background = true;
	sh_printf(2, "[%d] %s &\n", j->id, j->cmd);
	return 0;
}

int sh_wait_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	if (argc > 1) {
		struct sh_job *j = sh_job_find(sh, argv[1]);
		if (!j) {
			sh_error("wait: %s: no such job", argv[1]);
			return 127;
		}
		return sh_job_wait(sh, j);
	}
	int st = 0;
	for (int i = 0; i < SH_MAX_JOBS; i++)
		if (sh->jobs[i].used && sh->jobs[i].background && !sh->jobs[i].stopped)
			st = sh_job_wait(sh, &sh->jobs[i]);
	return st;
}

int sh_kill_builtin(struct sh *sh, int argc, char **argv, const int fds[3])
{
	(void)fds;
	int st = 0;
	if (argc < 2) {
		sh_error("usage: kill %%job | pid ...");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '%') {
			struct sh_job *j = sh_job_find(sh, argv[i]);
			if (!j) {
				sh_error("kill: %s: no such job", argv[i]);
				st = 1;
				continue;
			}
			bool asked = j->intr != HANDLE_INVALID && !j->intr_sent;
			kill_job(j);
			if (j->stopped)
				set_suspended(j, false);
			/* until it has ended: the next prompt reports it, and `jobs`
			 * never shows a job killed a moment ago as running. A shell that
			 * was asked gets SH_INTR_GRACE_NS to end what it runs. */
			for (unsigned k = 0; asked && k < j->nprocs; k++)
				if (j->procs[k].running)
					ch_proc_wait(j->procs[k].child.process, SH_INTR_GRACE_NS,
					             NULL);
			for (unsigned k = 0; asked && k < j->nprocs; k++)
				poll_proc(&j->procs[k]);
			if (asked)
				kill_job(j);
			for (unsigned k = 0; k < j->nprocs; k++)
				if (j->procs[k].running)
					ch_proc_wait(j->procs[k].child.process, UINT64_MAX, NULL);
			continue;
		}
		char uri[48];
		snprintf(uri, sizeof(uri), "proc:///%.20s", argv[i]);
		if (unlink(uri) < 0) { /* unlinking a proc:// entry kills it */
			sh_error("kill: %s: %s", argv[i], strerror(errno));
			st = 1;
		}
	}
	return st;
}

void sh_jobctl_drain(struct sh *sh)
{
	if (sh->jobctl_recv != HANDLE_INVALID)
		take_events(sh);
}

bool sh_jobctl_intr(struct sh *sh)
{
	if (sh->jobctl_recv == HANDLE_INVALID)
		return false;
	uint32_t e = take_events(sh);
	return e == TERM_EV_INTR || e == TERM_EV_QUIT;
}

void sh_jobctl_setup(struct sh *sh)
{
	handle_t ep[2];
	handle_t term = ch_fd_handle(0);
	if (sh->pool == HANDLE_INVALID || term == HANDLE_INVALID || sh->waitset == HANDLE_INVALID)
		return;
	if (ch_channel_create(sh->pool, 8, ep) < 0)
		return;
	if (ch_term_set_jobctl(term, ep[1]) < 0) {
		ch_cap_drop(ep[0]);
		ch_cap_drop(ep[1]);
		return;
	}
	sh->jobctl_recv = ep[0];
	sh->jobctl_send = ep[1];
}
