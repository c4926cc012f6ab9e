/*
 * kill.c - `kill pid ...`: ends processes, by removing their proc:// entries.
 */
#include <stdio.h>
#include <string.h>

#include <charlotte/ns.h>
#include <charlotte/syscall.h>

#include "lib/tool.h"

static const struct tool kill_tool = {
    "kill", "kill pid ...",
    "Kills each process: removes proc:///<pid>, which needs the right to remove\n"
    "entries of proc:// (REMOVE) in our view.\n"
    "Not supported: signals (-9, -TERM, ...: a process is killed, there are no\n"
    "signals), process groups, names (see ps for the pid).\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&kill_tool, argc, argv, "", &o);
	if (o.ind >= argc)
		tool_usage_error("missing pid");
	int rc = 0;
	handle_t dir;
	const char *last;
	for (int i = o.ind; i < argc; i++) {
		uint64_t pid = tool_number(argv[i], "pid");
		char uri[40];
		snprintf(uri, sizeof(uri), "proc:///%llu", (unsigned long long)pid);
		long r = tool_ns_parent(uri, &dir, &last);
		if (r >= 0) {
			r = ch_ns_unlink(dir, last, strlen(last), 0, 0);
			ch_cap_drop(dir);
		}
		if (r < 0) {
			tool_warn_err(argv[i], r);
			rc = 1;
		}
	}
	return rc;
}
