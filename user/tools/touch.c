/*
 * touch.c - `touch file ...`: creates files that do not exist, sets the times of
 * those that do to now.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/tool.h"

static const struct tool touch_tool = {
    "touch", "touch file ...",
    "Creates each file that does not exist (empty) and sets each file's access and\n"
    "modification times to now (its bytes are left as they are).\n"
    "Not supported: -a, -m, -t, -r, -c.\n"};

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
		if (futimens(fd, NULL) < 0) {
			tool_warn_errno(argv[i]);
			rc = 1;
		}
		close(fd);
	}
	return rc;
}
