/*
 * cp.c - `cp [-r] from to` and `cp [-r] from ... dir`: copies files (and with -r
 * directories), between any providers.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "lib/fsops.h"
#include "lib/tool.h"

static const struct tool cp_tool = {
    "cp", "cp [-r] from to | cp [-r] from ... dir",
    "Copies a file to a name, or each file into a directory (under its own name).\n"
    "  -r  also directories, with everything below them\n"
    "Not supported: -p (times), -i, -n, links are copied as what they point to.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool recursive = false;
	while (tool_getopt(&cp_tool, argc, argv, "rR", &o) != -1)
		recursive = true;
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
			rc |= fsops_copy(argv[i], dest, recursive);
			continue;
		}
		char *to = tool_join(dest, fsops_basename(argv[i]));
		rc |= to ? fsops_copy(argv[i], to, recursive) : 1;
		free(to);
	}
	return rc;
}
