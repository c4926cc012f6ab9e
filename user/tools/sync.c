/*
 * sync.c - `sync`: what can be said about writing file systems back.
 */
#include "lib/tool.h"

static const struct tool sync_tool = {
    "sync", "sync",
    "Would ask every file system to write back what it holds. None takes such a\n"
    "request from the namespace yet: fsd writes everything back by itself 2 s after\n"
    "the last change (at the latest 10 s after the first one under constant load,\n"
    "docs/fsd.md) and its control endpoint (FSD_CTL_SYNC) is held only by whoever\n"
    "started it; fs:///tmp is memory. So sync says so and exits 1.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&sync_tool, argc, argv, "", &o);
	if (o.ind < argc)
		tool_usage_error("no operands");
	tool_warn("no file system takes a sync request here: fsd writes back by itself 2 s "
	          "after the last change");
	return 1;
}
