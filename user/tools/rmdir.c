/*
 * rmdir.c - `rmdir dir ...`: removes empty directories.
 */
#include <unistd.h>

#include "lib/tool.h"

static const struct tool rmdir_tool = {"rmdir", "rmdir dir ...",
                                       "Removes each directory, which must be empty.\n"
                                       "Not supported: -p.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&rmdir_tool, argc, argv, "", &o);
	if (o.ind >= argc)
		tool_usage_error("missing operand");
	int rc = 0;
	for (int i = o.ind; i < argc; i++) {
		if (rmdir(argv[i]) < 0) {
			tool_warn_errno(argv[i]);
			rc = 1;
		}
	}
	return rc;
}
