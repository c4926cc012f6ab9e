/*
 * rm.c - `rm [-rf] name ...`: removes files (and with -r directories with
 * everything in them).
 */
#include <stdbool.h>

#include "lib/fsops.h"
#include "lib/tool.h"

static const struct tool rm_tool = {
    "rm", "rm [-rf] name ...",
    "Removes each file.\n"
    "  -r  also directories, with everything below them\n"
    "  -f  a name that does not exist is no error; no operand is no error\n"
    "Not supported: -i (asking first).\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool recursive = false, force = false;
	int c;
	while ((c = tool_getopt(&rm_tool, argc, argv, "rRf", &o)) != -1) {
		if (c == 'f')
			force = true;
		else
			recursive = true;
	}
	if (o.ind >= argc) {
		if (force)
			return 0;
		tool_usage_error("missing operand");
	}
	int rc = 0;
	for (int i = o.ind; i < argc; i++)
		rc |= fsops_remove(argv[i], recursive, force);
	return rc;
}
