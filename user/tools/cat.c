/*
 * cat.c - `cat [file ...]`: the files one after the other on stdout ("-" or no
 * file: standard input).
 */
#include <stdio.h>
#include <unistd.h>

#include "lib/tool.h"

static const struct tool cat_tool = {"cat", "cat [file ...]",
                                     "Copies each file (\"-\" or none: standard input) to "
                                     "standard output.\n"
                                     "Not supported: options (-n, -v, ...).\n"};

static int cat_one(const char *name)
{
	static char buf[32768];
	int fd = tool_open_input(name);
	if (fd < 0) {
		tool_warn_errno(name);
		return 1;
	}
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			tool_warn_errno(name);
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		if (tool_write_out(buf, (size_t)n) < 0) {
			rc = 1;
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&cat_tool, argc, argv, "", &o);
	int rc = 0;
	if (o.ind >= argc)
		return cat_one("-");
	for (int i = o.ind; i < argc; i++)
		rc |= cat_one(argv[i]);
	return fflush(stdout) == 0 ? rc : 1;
}
