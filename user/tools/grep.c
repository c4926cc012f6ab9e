/*
 * grep.c - `grep [-ivncr] pattern [file ...]`: the lines that match a basic
 * regular expression (lib/match.h).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/match.h"
#include "lib/tool.h"

static const struct tool grep_tool = {
    "grep", "grep [-ivncr] pattern [file ...]",
    "Prints the lines of each file (\"-\" or none: standard input) that match the\n"
    "pattern, prefixed with the file's name when there are several (or -r).\n"
    "Patterns: c itself, . any character, [abc] [a-z] [^...] sets, \\c the character c,\n"
    "x* zero or more of x, ^ the start and $ the end of the line.\n"
    "  -i  ignore case   -v  the lines that do not match   -n  with line numbers\n"
    "  -c  only how many lines match   -r  read directories recursively\n"
    "Exit status: 0 a line was selected, 1 none, 2 an error.\n"
    "Not supported: groups \\( \\), \\{n,m\\}, alternation, -E, -F, -l, -w.\n"};

static struct re re;
static bool opt_v, opt_n, opt_c, opt_r, show_names;
static bool selected_any;

static int grep_buf(const char *name, char *buf, size_t len)
{
	uint64_t count = 0, lineno = 0;
	size_t start = 0;
	while (start < len) {
		char *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - buf) : len;
		lineno++;
		if (re_search(&re, buf + start, end - start) != opt_v) {
			count++;
			if (!opt_c) {
				if (show_names)
					printf("%s:", name);
				if (opt_n)
					printf("%llu:", (unsigned long long)lineno);
				fwrite(buf + start, 1, end - start, stdout);
				putchar('\n');
			}
		}
		start = end + 1;
	}
	if (opt_c) {
		if (show_names)
			printf("%s:", name);
		printf("%llu\n", (unsigned long long)count);
	}
	if (count)
		selected_any = true;
	return 0;
}

static int grep_path(const char *name, bool top);

static int grep_dir(const char *name)
{
	DIR *d = opendir(name);
	if (!d) {
		tool_warn_errno(name);
		return 1;
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *p = tool_join(name, de->d_name);
		rc |= p ? grep_path(p, false) : 1;
		free(p);
	}
	closedir(d);
	return rc;
}

static int grep_path(const char *name, bool top)
{
	if (opt_r && strcmp(name, "-") != 0) {
		struct stat st;
		if (lstat(name, &st) < 0) {
			tool_warn_errno(name);
			return 1;
		}
		if (S_ISDIR(st.st_mode))
			return grep_dir(name);
		if (!top && !S_ISREG(st.st_mode))
			return 0; /* links, devices and services met on the way are not read */
	}
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
	int rc = grep_buf(strcmp(name, "-") ? name : "(standard input)", buf, len);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool icase = false;
	int c;
	while ((c = tool_getopt(&grep_tool, argc, argv, "ivncr", &o)) != -1) {
		icase |= c == 'i';
		opt_v |= c == 'v';
		opt_n |= c == 'n';
		opt_c |= c == 'c';
		opt_r |= c == 'r';
	}
	if (o.ind >= argc)
		tool_usage_error("missing pattern");
	const char *err;
	if (re_compile(&re, argv[o.ind], icase, &err) < 0)
		tool_usage_error("%s: %s", argv[o.ind], err);
	o.ind++;
	show_names = opt_r || argc - o.ind > 1;
	int rc = 0;
	if (o.ind >= argc)
		rc = grep_path(opt_r ? "." : "-", true);
	for (int i = o.ind; i < argc; i++)
		rc |= grep_path(argv[i], true);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc ? TOOL_EXIT_USAGE : selected_any ? 0 : 1;
}
