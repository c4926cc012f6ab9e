/*
 * df.c - `df`: the file systems in fs:// and the block devices in dev:///block
 * with their sizes.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include <abi/dev/block.h>
#include <abi/ns.h>
#include <charlotte/blk.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>

#include "lib/fsops.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool df_tool = {
    "df", "df",
    "Lists the file systems served in fs:// and the block devices in dev:///block\n"
    "with their sizes. The size, use and free space of a file system are not\n"
    "shown: no provider reports them (the namespace protocol has no statfs\n"
    "operation), so df says so and exits 1.\n"
    "Not supported: -h (sizes are always for people), -i, file system types.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&df_tool, argc, argv, "", &o);
	if (o.ind < argc)
		tool_usage_error("no operands");
	struct fsops_entry *e;
	long n = fsops_list("fs:///", true, &e);
	if (n >= 0) {
		printf("%-20s %s\n", "FILE SYSTEM", "SIZE USED FREE");
		for (long i = 0; i < n; i++)
			if (e[i].type == DT_DIR)
				printf("fs:///%-14s (not reported)\n", e[i].name);
		fsops_list_free(e, n);
	}
	n = fsops_list("dev:///block", true, &e);
	if (n >= 0) {
		printf("\n%-20s %s\n", "BLOCK DEVICE", "SIZE");
		for (long i = 0; i < n; i++) {
			char uri[300], size[16];
			snprintf(uri, sizeof(uri), "dev:///block/%s", e[i].name);
			handle_t dev;
			struct blk_info info;
			long r = ch_uri_open(uri, NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &dev);
			if (r == 1) {
				r = ch_blk_query(dev, &info, 5000000000ull);
				ch_cap_drop(dev);
			} else if (r == 0) {
				ch_cap_drop(dev);
				r = ERR_WRONG_TYPE;
			}
			if (r < 0)
				tool_warn_err(uri, r);
			else
				printf("%-20s %s\n", uri,
				       text_human_size(info.size, size, sizeof(size)));
		}
		fsops_list_free(e, n);
	}
	fflush(stdout);
	tool_warn("file system sizes and free space: not reported by any provider (the "
	          "namespace protocol has no statfs operation)");
	return 1;
}
