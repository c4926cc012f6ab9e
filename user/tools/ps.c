/*
 * ps.c - `ps`: the processes in proc://.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/proclist.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool ps_tool = {
    "ps", "ps",
    "Lists the processes our view of proc:// shows: pid, state, threads,\n"
    "capabilities, the memory their pool has paid for (and its quota), CPU time\n"
    "when the kernel reports it, and the name.\n"
    "Not supported: options (-e, -f, ...), parents, users, terminals.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&ps_tool, argc, argv, "", &o);
	if (o.ind < argc)
		tool_usage_error("no operands");
	struct procinfo *p;
	long n = proclist_read(&p);
	if (n < 0)
		return 1;
	bool cpu = false;
	for (long i = 0; i < n; i++)
		cpu |= p[i].has_cpu;
	printf("%5s %-8s %4s %5s %7s %7s%s %s\n", "PID", "STATE", "THR", "CAPS", "MEM", "QUOTA",
	       cpu ? "      CPU" : "", "NAME");
	for (long i = 0; i < n; i++) {
		char used[16], quota[16];
		text_human_size(p[i].pool_used, used, sizeof(used));
		text_human_size(p[i].pool_quota, quota, sizeof(quota));
		printf("%5u %-8s %4u %5u %7s %7s", p[i].pid, p[i].state, p[i].threads,
		       p[i].capabilities, used, quota);
		if (cpu)
			printf(" %4llu.%03llus", (unsigned long long)(p[i].cpu_ns / 1000000000u),
			       (unsigned long long)(p[i].cpu_ns / 1000000u % 1000));
		printf(" %s\n", p[i].name);
	}
	free(p);
	return fflush(stdout) == 0 ? 0 : 1;
}
