/*
 * tree.c - `tree [-ad] [dir ...]`: the directories below each, drawn as a tree.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/fsops.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool tree_tool = {
    "tree", "tree [-ad] [dir ...]",
    "Draws everything below each directory (none: the current one), sorted by name,\n"
    "then counts the directories and files. Links are shown, not followed.\n"
    "  -a  also names starting with '.'   -d  directories only\n"
    "Not supported: -L (depth), -f, -s, patterns.\n"};

#define TREE_DEPTH_MAX 64

static bool opt_all, opt_dirs;
static bool last[TREE_DEPTH_MAX + 1];
static uint64_t ndirs, nfiles;

static int walk(const char *path, unsigned depth)
{
	struct fsops_entry *e;
	long n = fsops_list(path, opt_all, &e);
	if (n < 0)
		return 1;
	int rc = 0;
	long shown = 0;
	for (long i = 0; i < n; i++)
		shown += !opt_dirs || e[i].type == DT_DIR;
	for (long i = 0, k = 0; i < n; i++) {
		bool dir = e[i].type == DT_DIR;
		if (opt_dirs && !dir)
			continue;
		last[depth] = ++k == shown;
		char prefix[4 * TREE_DEPTH_MAX + 1];
		text_tree_prefix(prefix, sizeof(prefix), last, depth);
		printf("%s%s\n", prefix, e[i].name);
		if (!dir) {
			nfiles++;
			continue;
		}
		ndirs++;
		if (depth == TREE_DEPTH_MAX) {
			tool_warn("%s: deeper than %d levels, not shown", path, TREE_DEPTH_MAX);
			rc = 1;
			continue;
		}
		char *p = tool_join(path, e[i].name);
		rc |= p ? walk(p, depth + 1) : 1;
		free(p);
	}
	fsops_list_free(e, n);
	return rc;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	int c;
	while ((c = tool_getopt(&tree_tool, argc, argv, "ad", &o)) != -1) {
		opt_all |= c == 'a';
		opt_dirs |= c == 'd';
	}
	int rc = 0;
	char *dot[] = {".", NULL};
	char **dirs = o.ind < argc ? argv + o.ind : dot;
	for (; *dirs; dirs++) {
		printf("%s\n", *dirs);
		rc |= walk(*dirs, 1);
	}
	char files[40] = "";
	if (!opt_dirs)
		snprintf(files, sizeof(files), ", %llu file%s", (unsigned long long)nfiles,
		         nfiles == 1 ? "" : "s");
	printf("\n%llu director%s%s\n", (unsigned long long)ndirs, ndirs == 1 ? "y" : "ies", files);
	return fflush(stdout) == 0 ? rc : 1;
}
