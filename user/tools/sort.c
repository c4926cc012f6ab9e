/*
 * sort.c - `sort [-rnu] [file ...]`: the lines of all the files, sorted.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/text.h"
#include "lib/tool.h"

static const struct tool sort_tool = {
    "sort", "sort [-rnu] [file ...]",
    "Prints the lines of the files (\"-\" or none: standard input) together, sorted by\n"
    "their bytes.\n"
    "  -n  by the number each line starts with (no number: 0), then by bytes\n"
    "  -r  in reverse   -u  each line once (lines that compare equal)\n"
    "Not supported: keys (-k, -t), -f, -b, -m, -o, locales.\n"};

static bool opt_n, opt_r;

static int compare(const void *a, const void *b)
{
	int r = text_sort_compare(*(char *const *)a, *(char *const *)b, opt_n);
	return opt_r ? -r : r;
}

/* Appends the lines of name to the growing array *lines (the buffers are kept). */
static int read_lines(const char *name, char ***lines, size_t *n)
{
	int fd = tool_open_input(name);
	size_t len;
	char *buf = fd < 0 ? NULL : tool_read_all(fd, &len);
	if (fd > STDIN_FILENO)
		close(fd);
	if (!buf) {
		tool_warn_errno(name);
		return 1;
	}
	char **add;
	size_t k = text_split_lines(buf, len, &add);
	char **all = k == (size_t)-1 ? NULL : realloc(*lines, (*n + k + 1) * sizeof(**lines));
	if (!all) {
		tool_warn("%s: out of memory", name);
		return 1;
	}
	memcpy(all + *n, add, k * sizeof(*add));
	free(add);
	*lines = all;
	*n += k;
	return 0;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool unique = false;
	int c;
	while ((c = tool_getopt(&sort_tool, argc, argv, "rnu", &o)) != -1) {
		opt_r |= c == 'r';
		opt_n |= c == 'n';
		unique |= c == 'u';
	}
	char **lines = NULL;
	size_t n = 0;
	int rc = 0;
	if (o.ind >= argc)
		rc = read_lines("-", &lines, &n);
	for (int i = o.ind; i < argc; i++)
		rc |= read_lines(argv[i], &lines, &n);
	if (rc)
		return TOOL_EXIT_ERROR;
	qsort(lines, n, sizeof(*lines), compare);
	for (size_t i = 0; i < n; i++) {
		if (unique && i > 0 && compare(&lines[i - 1], &lines[i]) == 0)
			continue;
		puts(lines[i]);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
