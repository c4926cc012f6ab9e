/*
 * uniq.c - `uniq [-c] [file]`: adjacent repeated lines once.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/text.h"
#include "lib/tool.h"

static const struct tool uniq_tool = {
    "uniq", "uniq [-c] [file]",
    "Prints the lines of the file (\"-\" or none: standard input), each run of equal\n"
    "adjacent lines once.\n"
    "  -c  with how many times each occurred\n"
    "Not supported: -d, -u, -i, -f, -s, an output file.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool count = false;
	while (tool_getopt(&uniq_tool, argc, argv, "c", &o) != -1)
		count = true;
	if (argc - o.ind > 1)
		tool_usage_error("one input at most");
	const char *name = o.ind < argc ? argv[o.ind] : "-";
	int fd = tool_open_input(name);
	size_t len;
	char *buf = fd < 0 ? NULL : tool_read_all(fd, &len);
	if (fd > STDIN_FILENO)
		close(fd);
	char **lines;
	size_t n = buf ? text_split_lines(buf, len, &lines) : 0;
	if (!buf || n == (size_t)-1) {
		tool_warn_errno(name);
		return 1;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(lines[j], lines[i]) == 0)
			j++;
		if (count)
			printf("%7llu %s\n", (unsigned long long)(j - i), lines[i]);
		else
			puts(lines[i]);
		i = j;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
