/*
 * dmesg.c - `dmesg`: the kernel log's history.
 */
#include <stdio.h>

#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "lib/tool.h"

static const struct tool dmesg_tool = {
    "dmesg", "dmesg",
    "Prints what the kernel log still holds (its last 64 KiB), oldest first. Needs\n"
    "the log granted as \"dmesg\" (or \"console\"): the right to read it.\n"
    "Not supported: following (-w), clearing (-c), levels and facilities.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&dmesg_tool, argc, argv, "", &o);
	if (o.ind < argc)
		tool_usage_error("no operands");
	handle_t log = ch_handle("dmesg");
	if (log == HANDLE_INVALID)
		log = ch_handle("console");
	if (log == HANDLE_INVALID) {
		tool_warn("no capability to read the kernel log (the grant \"dmesg\")");
		return 1;
	}
	static char buf[4096];
	uint64_t pos = 0;
	for (;;) {
		long n = ch_log_history(log, &pos, buf, sizeof(buf));
		if (n < 0) {
			tool_warn_err("kernel log", n);
			return 1;
		}
		if (n == 0)
			break;
		if (tool_write_out(buf, (size_t)n) < 0)
			return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
