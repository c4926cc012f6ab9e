/*
 * touch.c - `touch file ...`: creates files that do not exist.
 */
#include <fcntl.h>
#include <unistd.h>

#include "lib/tool.h"

static const struct tool touch_tool = {
    "touch", "touch file ...",
    "Creates each file that does not exist (empty); an existing file is left as it is.\n"
    "Not supported: changing an existing file's times (the namespace has no utimes), "
    "-a, -m, -t, -r.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&touch_tool, argc, argv, "", &o);
	if (o.ind >= argc)
		tool_usage_error("missing operand");
	int rc = 0;
	for (int i = o.ind; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_CREAT);
		if (fd < 0) {
			tool_warn_errno(argv[i]);
			rc = 1;
			continue;
		}
		close(fd);
	}
	return rc;
}
