/*
 * head.c - `head [-n lines] [file ...]`: the first lines of each file.
 */
#include <stdio.h>
#include <unistd.h>

#include "lib/tool.h"

static const struct tool head_tool = {
    "head", "head [-n lines] [file ...]",
    "Prints the first lines of each file (\"-\" or none: standard input), with a\n"
    "\"==> name <==\" header when there are several.\n"
    "  -n N  the first N lines (default 10)\n"
    "Not supported: -c (bytes), negative counts.\n"};

static int head_one(const char *name, uint64_t lines)
{
	static char buf[4096];
	int fd = tool_open_input(name);
	if (fd < 0) {
		tool_warn_errno(name);
		return 1;
	}
	int rc = 0;
	while (lines > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			tool_warn_errno(name);
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		size_t k = 0;
		while (k < (size_t)n && lines > 0)
			if (buf[k++] == '\n')
				lines--;
		if (tool_write_out(buf, k) < 0) {
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
	uint64_t lines = 10;
	while (tool_getopt(&head_tool, argc, argv, "n:", &o) != -1)
		lines = tool_number(o.arg, "-n");
	if (o.ind >= argc)
		return head_one("-", lines);
	int rc = 0;
	for (int i = o.ind; i < argc; i++) {
		if (argc - o.ind > 1)
			printf("%s==> %s <==\n", i > o.ind ? "\n" : "", argv[i]);
		rc |= head_one(argv[i], lines);
	}
	return fflush(stdout) == 0 ? rc : 1;
}
