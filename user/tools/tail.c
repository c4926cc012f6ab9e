/*
 * tail.c - `tail [-n lines] [file ...]`: the last lines of each file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/tool.h"

static const struct tool tail_tool = {
    "tail", "tail [-n lines] [file ...]",
    "Prints the last lines of each file (\"-\" or none: standard input), with a\n"
    "\"==> name <==\" header when there are several.\n"
    "  -n N  the last N lines (default 10)\n"
    "Not supported: -f (following), -c (bytes), +N.\n"};

static int tail_one(const char *name, uint64_t lines)
{
	int fd = tool_open_input(name);
	size_t len;
	char *buf = fd < 0 ? NULL : tool_read_all(fd, &len);
	if (!buf) {
		tool_warn_errno(name);
		if (fd > STDIN_FILENO)
			close(fd);
		return 1;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	/* walk back over lines newlines (a last line without one counts as a line) */
	size_t start = len;
	if (start > 0 && buf[start - 1] == '\n')
		start--;
	uint64_t seen = 0;
	while (start > 0 && lines > 0) {
		if (buf[start - 1] == '\n' && ++seen == lines)
			break;
		start--;
	}
	int rc = lines ? tool_write_out(buf + start, len - start) : 0;
	free(buf);
	return rc < 0;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	uint64_t lines = 10;
	while (tool_getopt(&tail_tool, argc, argv, "n:", &o) != -1)
		lines = tool_number(o.arg, "-n");
	if (o.ind >= argc)
		return tail_one("-", lines);
	int rc = 0;
	for (int i = o.ind; i < argc; i++) {
		if (argc - o.ind > 1)
			printf("%s==> %s <==\n", i > o.ind ? "\n" : "", argv[i]);
		rc |= tail_one(argv[i], lines);
	}
	return fflush(stdout) == 0 ? rc : 1;
}
