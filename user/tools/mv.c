/*
 * mv.c - `mv from to` and `mv from ... dir`: renames, or across providers copies
 * and then removes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fsops.h"
#include "lib/tool.h"

static const struct tool mv_tool = {
    "mv", "mv from to | mv from ... dir",
    "Renames a file or directory, or moves each into a directory. Between providers\n"
    "(fs:///tmp to fs:///disk) it copies, then removes the original.\n"
    "Not supported: -i, -n, -f (an existing file at the new name is replaced).\n"};

static int move(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return 0;
	if (errno != EXDEV) {
		tool_warn("%s -> %s: %s", from, to, strerror(errno));
		return 1;
	}
	if (fsops_copy(from, to, true))
		return 1;
	return fsops_remove(from, true, false);
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&mv_tool, argc, argv, "", &o);
	int n = argc - o.ind;
	if (n < 2)
		tool_usage_error(n ? "missing destination" : "missing operand");
	const char *dest = argv[argc - 1];
	bool into = fsops_is_dir(dest);
	if (n > 2 && !into) {
		tool_warn("%s: not a directory", dest);
		return 1;
	}
	int rc = 0;
	for (int i = o.ind; i < argc - 1; i++) {
		if (!into) {
			rc |= move(argv[i], dest);
			continue;
		}
		char *to = tool_join(dest, fsops_basename(argv[i]));
		rc |= to ? move(argv[i], to) : 1;
		free(to);
	}
	return rc;
}
