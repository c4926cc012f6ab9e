/*
 * mkdir.c - `mkdir [-p] dir ...`: creates directories.
 */
#include <stdbool.h>

#include "lib/fsops.h"
#include "lib/tool.h"

static const struct tool mkdir_tool = {
    "mkdir", "mkdir [-p] dir ...",
    "Creates each directory.\n"
    "  -p  also the missing directories above it; an existing directory is no error\n"
    "Not supported: -m (there are no permission bits: rights live in capabilities).\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool parents = false;
	int c;
	while ((c = tool_getopt(&mkdir_tool, argc, argv, "p", &o)) != -1)
		parents = true;
	if (o.ind >= argc)
		tool_usage_error("missing operand");
	int rc = 0;
	for (int i = o.ind; i < argc; i++)
		rc |= fsops_mkdir(argv[i], parents);
	return rc;
}
