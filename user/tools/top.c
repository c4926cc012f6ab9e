/*
 * top.c - `top [-t] [-n count] [-d seconds]`: ps, refreshed; -t one line per thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <charlotte/syscall.h>

#include "lib/proclist.h"
#include "lib/term.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool top_tool = {
    "top", "top [-t] [-n count] [-d seconds]",
    "Shows the processes of proc:// as ps does, refreshed every few seconds, busiest\n"
    "first when the kernel reports CPU time (cpu_ns in proc://: the share of one CPU\n"
    "each used since the last refresh), else by pid. On a terminal the screen is\n"
    "redrawn until q (or Ctrl-C) is typed; otherwise it prints count tables.\n"
    "  -t    one line per running thread (up to 16 a process, as proc:// lists them):\n"
    "        its CPU, weight, CPU%, CPU time, switches, wake-ups and their mean\n"
    "        and longest latency (from being woken to running), in microseconds\n"
    "  -n N  stop after N refreshes (default: until q on a terminal, 1 otherwise)\n"
    "  -d S  seconds between refreshes (default 2)\n"
    "Not supported: sorting keys, killing from the screen.\n"};

/* What the last refresh saw of each process (or thread: -t), to take CPU time differences. */
struct seen {
	uint64_t pid; /* a thread's object id with -t */
	uint64_t cpu_ns;
};
static struct seen *last;
static long nlast;
static int64_t last_time;

struct row {
	struct procinfo *p;
	unsigned permille; /* of one CPU since the last refresh */
};

static int by_cpu(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->permille != y->permille)
		return x->permille > y->permille ? -1 : 1;
	return x->p->pid < y->p->pid ? -1 : x->p->pid > y->p->pid;
}

static uint64_t cpu_before(uint64_t pid)
{
	for (long i = 0; i < nlast; i++)
		if (last[i].pid == pid)
			return last[i].cpu_ns;
	return 0;
}

static int refresh(bool screen, unsigned rows)
{
	struct procinfo *p;
	long n = proclist_read(&p);
	if (n < 0)
		return 1;
	int64_t now = ch_clock_ns();
	uint64_t dt = last_time ? (uint64_t)(now - last_time) : 0;
	struct row *r = malloc((size_t)(n ? n : 1) * sizeof(*r));
	struct seen *seen = malloc((size_t)(n ? n : 1) * sizeof(*seen));
	if (!r || !seen) {
		free(p);
		free(r);
		free(seen);
		tool_warn("out of memory");
		return 1;
	}
	bool cpu = false;
	for (long i = 0; i < n; i++) {
		uint64_t before = cpu_before(p[i].pid);
		uint64_t used = p[i].cpu_ns > before ? p[i].cpu_ns - before : 0;
		r[i].p = &p[i];
		r[i].permille = dt ? (unsigned)(used * 1000 / dt) : 0;
		seen[i] = (struct seen){p[i].pid, p[i].cpu_ns};
		cpu |= p[i].has_cpu;
	}
	free(last);
	last = seen;
	nlast = n;
	last_time = now;
	qsort(r, (size_t)n, sizeof(*r), by_cpu);
	uint64_t up = (uint64_t)now / 1000000000u;
	if (screen)
		printf("\033[H\033[2J");
	printf("top - up %llu:%02llu:%02llu, %ld processes%s\n", (unsigned long long)(up / 3600),
	       (unsigned long long)(up / 60 % 60), (unsigned long long)(up % 60), n,
	       cpu ? "" : " (no CPU time in proc://)");
	printf("%5s %-8s %4s %6s %9s %7s %s\n", "PID", "STATE", "THR", "CPU%", "CPU", "MEM",
	       "NAME");
	for (long i = 0; i < n && (!screen || (unsigned)i + 3 < rows); i++) {
		const struct procinfo *q = r[i].p;
		char mem[16], pct[16] = "-", time[24] = "-";
		text_human_size(q->pool_used, mem, sizeof(mem));
		if (q->has_cpu) {
			snprintf(pct, sizeof(pct), "%u.%u", r[i].permille / 10, r[i].permille % 10);
			snprintf(time, sizeof(time), "%llu.%02llus",
			         (unsigned long long)(q->cpu_ns / 1000000000u),
			         (unsigned long long)(q->cpu_ns / 10000000u % 100));
		}
		printf("%5u %-8s %4u %6s %9s %7s %s\n", q->pid, q->state, q->threads, pct, time,
		       mem, q->name);
	}
	free(r);
	free(p);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* -t: one row per running thread. */
struct trow {
	const struct procinfo *p;
	struct procthread t;
	unsigned permille;
};

static int by_thread_cpu(const void *a, const void *b)
{
	const struct trow *x = a, *y = b;
	if (x->permille != y->permille)
		return x->permille > y->permille ? -1 : 1;
	if (x->p->pid != y->p->pid)
		return x->p->pid < y->p->pid ? -1 : 1;
	return x->t.id < y->t.id ? -1 : x->t.id > y->t.id;
}

#define THREADS_A_PROCESS 16 /* what proc:// lists of one process at most */

/* The thread rows of the n processes of p, malloc'd into *out; how many, or -1. */
static long thread_rows(const struct procinfo *p, long n, struct trow **out)
{
	static char text[8192];
	struct procthread th[THREADS_A_PROCESS];
	long cap = 16, k = 0;
	struct trow *r = malloc((size_t)cap * sizeof(*r));
	for (long i = 0; r && i < n; i++) {
		long len = proclist_text(p[i].pid, text, sizeof(text));
		unsigned m =
		    len > 0 ? procinfo_threads(text, (unsigned long)len, th, THREADS_A_PROCESS) : 0;
		for (unsigned j = 0; j < m; j++) {
			if (k == cap) {
				struct trow *nr = realloc(r, 2 * (size_t)cap * sizeof(*r));
				if (!nr) {
					free(r);
					return -1;
				}
				r = nr;
				cap *= 2;
			}
			r[k++] = (struct trow){&p[i], th[j], 0};
		}
	}
	*out = r;
	return r ? k : -1;
}

static int refresh_threads(bool screen, unsigned rows)
{
	struct procinfo *p;
	long n = proclist_read(&p);
	if (n < 0)
		return 1;
	struct trow *r = NULL;
	long k = thread_rows(p, n, &r);
	struct seen *seen = k >= 0 ? malloc((size_t)(k ? k : 1) * sizeof(*seen)) : NULL;
	if (!seen) {
		free(p);
		free(r);
		tool_warn("out of memory");
		return 1;
	}
	int64_t now = ch_clock_ns();
	uint64_t dt = last_time ? (uint64_t)(now - last_time) : 0;
	for (long i = 0; i < k; i++) {
		uint64_t before = cpu_before(r[i].t.id);
		uint64_t used = r[i].t.cpu_ns > before ? r[i].t.cpu_ns - before : 0;
		r[i].permille = dt ? (unsigned)(used * 1000 / dt) : 0;
		seen[i] = (struct seen){r[i].t.id, r[i].t.cpu_ns};
	}
	free(last);
	last = seen;
	nlast = k;
	last_time = now;
	qsort(r, (size_t)k, sizeof(*r), by_thread_cpu);
	if (screen)
		printf("\033[H\033[2J");
	printf("top - %ld processes, %ld threads listed\n", n, k);
	printf("%5s %8s %3s %6s %6s %9s %8s %7s %9s %9s %s\n", "PID", "TID", "CPU", "WEIGHT",
	       "CPU%", "TIME", "SWITCH", "WAKEUPS", "WAKE_US", "WMAX_US", "NAME");
	for (long i = 0; i < k && (!screen || (unsigned)i + 3 < rows); i++) {
		const struct trow *q = &r[i];
		char time[24];
		snprintf(time, sizeof(time), "%llu.%02llus",
		         (unsigned long long)(q->t.cpu_ns / 1000000000u),
		         (unsigned long long)(q->t.cpu_ns / 10000000u % 100));
		printf("%5u %8llu %3u %6u %4u.%u %9s %8llu %7llu %9llu %9llu %s\n", q->p->pid,
		       (unsigned long long)q->t.id, q->t.cpu, q->t.weight, q->permille / 10,
		       q->permille % 10, time, (unsigned long long)q->t.switches,
		       (unsigned long long)q->t.wakeups,
		       (unsigned long long)(q->t.wake_mean_ns / 1000),
		       (unsigned long long)(q->t.wake_max_ns / 1000), q->p->name);
	}
	free(r);
	free(p);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Waits delay_ns (or for a key on a terminal); whether to stop. */
static bool wait_next(bool screen, uint64_t delay_ns)
{
	if (!screen) {
		ch_sleep_ns(delay_ns);
		return false;
	}
	int64_t end = ch_clock_ns() + (int64_t)delay_ns;
	for (int64_t now; (now = ch_clock_ns()) < end;) {
		int w = term_wait_input(STDIN_FILENO, (uint64_t)(end - now));
		if (w < 0)
			return true;
		if (w == 0)
			break;
		char c[64];
		ssize_t k = read(STDIN_FILENO, c, sizeof(c));
		if (k <= 0 || memchr(c, 'q', (size_t)k) || memchr(c, 3, (size_t)k))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	uint64_t count = 0, delay = 2;
	bool threads = false;
	int c;
	while ((c = tool_getopt(&top_tool, argc, argv, "tn:d:", &o)) != -1) {
		if (c == 't')
			threads = true;
		else if (c == 'n')
			count = tool_number(o.arg, "-n");
		else
			delay = tool_number(o.arg, "-d");
	}
	if (o.ind < argc)
		tool_usage_error("no operands");
	if (delay == 0 || delay > 3600)
		tool_usage_error("-d: 1 to 3600 seconds");
	bool screen = tool_isatty(STDOUT_FILENO) && tool_isatty(STDIN_FILENO);
	if (!screen && count == 0)
		count = 1;
	if (screen && term_raw(STDIN_FILENO) < 0)
		screen = false;
	unsigned rows = 24, cols = 80;
	if (screen)
		term_size(STDOUT_FILENO, &rows, &cols);
	int rc = 0;
	for (uint64_t i = 0; count == 0 || i < count; i++) {
		if ((rc = threads ? refresh_threads(screen, rows) : refresh(screen, rows)) != 0)
			break;
		if ((count == 0 || i + 1 < count) && wait_next(screen, delay * 1000000000ull))
			break;
	}
	if (screen)
		term_restore();
	return rc;
}
