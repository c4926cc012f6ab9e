/*
 * find.c - `find [path ...] [-name glob] [-type f|d|l]`: every name below the
 * paths that passes the tests.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/fsops.h"
#include "lib/match.h"
#include "lib/tool.h"

static const struct tool find_tool = {
    "find", "find [path ...] [-name glob] [-type f|d|l]",
    "Prints each path (none: the current directory) and every name below it that\n"
    "passes all the tests. Links are not followed.\n"
    "  -name glob  the last name matches: * any run, ? one character, [a-z] a set\n"
    "  -type t     f a file, d a directory, l a link\n"
    "Not supported: -o, !, -exec, -print0, -mtime, -size, -maxdepth.\n"};

static const char *opt_name;
static unsigned char opt_type = DT_UNKNOWN; /* DT_UNKNOWN: any */

#define FIND_DEPTH_MAX 256

static void visit(const char *path, unsigned char type)
{
	if (opt_type != DT_UNKNOWN && type != opt_type)
		return;
	if (opt_name && !glob_match(opt_name, fsops_basename(path)))
		return;
	puts(path);
}

static int walk(const char *path, unsigned depth)
{
	if (depth > FIND_DEPTH_MAX) {
		tool_warn("%s: deeper than %d levels, not searched", path, FIND_DEPTH_MAX);
		return 1;
	}
	struct fsops_entry *e;
	long n = fsops_list(path, true, &e);
	if (n < 0)
		return 1;
	int rc = 0;
	for (long i = 0; i < n; i++) {
		char *p = tool_join(path, e[i].name);
		if (!p) {
			rc = 1;
			continue;
		}
		visit(p, e[i].type);
		if (e[i].type == DT_DIR)
			rc |= walk(p, depth + 1);
		free(p);
	}
	fsops_list_free(e, n);
	return rc;
}

static unsigned char type_of(const char *t)
{
	if (strcmp(t, "f") == 0)
		return DT_REG;
	if (strcmp(t, "d") == 0)
		return DT_DIR;
	if (strcmp(t, "l") == 0)
		return DT_LNK;
	tool_usage_error("-type %s: not f, d or l", t);
}

int main(int argc, char **argv)
{
	tool_start(&find_tool, argc, argv);
	int first_test = 1;
	while (first_test < argc && argv[first_test][0] != '-')
		first_test++;
	for (int i = first_test; i < argc; i += 2) {
		if (i + 1 >= argc)
			tool_usage_error("%s needs an argument", argv[i]);
		if (strcmp(argv[i], "-name") == 0)
			opt_name = argv[i + 1];
		else if (strcmp(argv[i], "-type") == 0)
			opt_type = type_of(argv[i + 1]);
		else
			tool_usage_error("unknown test %s", argv[i]);
	}
	int rc = 0;
	char *dot[] = {".", NULL};
	char **paths = first_test > 1 ? argv + 1 : dot;
	int npaths = first_test > 1 ? first_test - 1 : 1;
	for (int i = 0; i < npaths; i++) {
		struct stat st;
		if (lstat(paths[i], &st) < 0) {
			tool_warn_errno(paths[i]);
			rc = 1;
			continue;
		}
		unsigned char t = S_ISDIR(st.st_mode)   ? DT_DIR
		                  : S_ISLNK(st.st_mode) ? DT_LNK
		                  : S_ISREG(st.st_mode) ? DT_REG
		                                        : DT_UNKNOWN;
		visit(paths[i], t);
		if (t == DT_DIR)
			rc |= walk(paths[i], 1);
	}
	return fflush(stdout) == 0 ? rc : 1;
}
