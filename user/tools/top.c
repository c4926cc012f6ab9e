/*
 * top.c - `top [-n count] [-d seconds]`: ps, refreshed.
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
    "top", "top [-n count] [-d seconds]",
    "Shows the processes of proc:// as ps does, refreshed every few seconds, busiest\n"
    "first when the kernel reports CPU time (cpu_ns in proc://: the share of one CPU\n"
    "each used since the last refresh), else by pid. On a terminal the screen is\n"
    "redrawn until q (or Ctrl-C) is typed; otherwise it prints count tables.\n"
    "  -n N  stop after N refreshes (default: until q on a terminal, 1 otherwise)\n"
    "  -d S  seconds between refreshes (default 2)\n"
    "Not supported: sorting keys, killing from the screen, per-thread lines.\n"};

/* What the last refresh saw of each process, to take CPU time differences. */
struct seen {
	uint32_t pid;
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

static uint64_t cpu_before(uint32_t pid)
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
	int c;
	while ((c = tool_getopt(&top_tool, argc, argv, "n:d:", &o)) != -1) {
		if (c == 'n')
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
		if ((rc = refresh(screen, rows)) != 0)
			break;
		if ((count == 0 || i + 1 < count) && wait_next(screen, delay * 1000000000ull))
			break;
	}
	if (screen)
		term_restore();
	return rc;
}
