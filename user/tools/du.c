/*
 * du.c - `du [-sh] [path ...]`: how many bytes the files below each path hold.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/fsops.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool du_tool = {
    "du", "du [-sh] [path ...]",
    "Prints the bytes of the files below each directory (none: the current one), each\n"
    "directory below it too, and each file given. Sizes are the files' lengths in\n"
    "bytes (providers report no blocks in use); links are not followed.\n"
    "  -s  only a total for each path   -h  sizes for people (1.5K, 12M)\n"
    "Not supported: -a, -c, -d, block counts.\n"};

static bool opt_s, opt_h;

#define DU_DEPTH_MAX 256

static void report(uint64_t bytes, const char *path)
{
	char buf[32];
	if (opt_h)
		text_human_size(bytes, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)bytes);
	printf("%s\t%s\n", buf, path);
}

static int walk(const char *path, unsigned depth, uint64_t *total)
{
	struct fsops_entry *e;
	long n = depth > DU_DEPTH_MAX ? -1 : fsops_list(path, true, &e);
	if (n < 0)
		return 1;
	int rc = 0;
	uint64_t sum = 0;
	for (long i = 0; i < n; i++) {
		char *p = tool_join(path, e[i].name);
		if (!p) {
			rc = 1;
			continue;
		}
		if (e[i].type == DT_DIR) {
			rc |= walk(p, depth + 1, &sum);
		} else if (e[i].type == DT_REG) {
			struct stat st;
			if (lstat(p, &st) == 0) {
				sum += (uint64_t)st.st_size;
			} else {
				tool_warn_errno(p);
				rc = 1;
			}
		}
		free(p);
	}
	fsops_list_free(e, n);
	if (!opt_s || depth == 0)
		report(sum, path);
	*total += sum;
	return rc;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	int c;
	while ((c = tool_getopt(&du_tool, argc, argv, "sh", &o)) != -1) {
		opt_s |= c == 's';
		opt_h |= c == 'h';
	}
	int rc = 0;
	char *dot[] = {".", NULL};
	char **paths = o.ind < argc ? argv + o.ind : dot;
	for (; *paths; paths++) {
		struct stat st;
		uint64_t total = 0;
		if (lstat(*paths, &st) < 0) {
			tool_warn_errno(*paths);
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			rc |= walk(*paths, 0, &total);
		} else {
			report((uint64_t)st.st_size, *paths);
		}
	}
	return fflush(stdout) == 0 ? rc : 1;
}
