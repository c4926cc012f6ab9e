/*
 * sync.c - `sync [URI ...]`: write file systems back to their disks.
 */
#include <stdbool.h>

#include <abi/errors.h>
#include <charlotte/ns.h>

#include "lib/mounts.h"
#include "lib/tool.h"

static const struct tool sync_tool = {
    "sync", "sync [URI ...]",
    "Asks every file system the view shows (fs:/// itself, or each directory in it:\n"
    "fs:///disk, fs:///tmp) to write back everything it holds and to flush the disk's\n"
    "cache (SYS_NS_SYNC), and returns when each has. With operands, the file systems\n"
    "those name (any file or directory of one). A file system that keeps nothing on a\n"
    "disk (tmpfs) answers at once; one that takes no sync request is named, and is an\n"
    "error only when it was named.\n"
    "Not supported: -d, -f (every sync is of the whole file system).\n"};

static long sync_one(const char *uri, handle_t node, bool probe, void *arg)
{
	bool named = *(bool *)arg;
	long r = ch_ns_sync(node, 0, 0);
	if (r == ERR_NOT_SUPPORTED) {
		if (probe)
			return r;
		tool_warn("%s: takes no sync request (not a file system with storage)", uri);
		return named ? r : 0;
	}
	if (r < 0)
		tool_warn_err(uri, r);
	return r;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&sync_tool, argc, argv, "", &o);
	bool named = o.ind < argc;
	int failed = 0;
	if (!named)
		failed = mounts_each(sync_one, &named) != 0;
	for (int i = o.ind; i < argc; i++)
		if (mounts_one(argv[i], sync_one, &named) < 0)
			failed = 1;
	return failed ? TOOL_EXIT_ERROR : 0;
}
