/*
 * df.c - `df [-hi] [URI ...]`: size, use and free space of the file systems.
 */
#include <stdbool.h>
#include <stdio.h>

#include <abi/errors.h>
#include <abi/ns.h>
#include <charlotte/ns.h>

#include "lib/mounts.h"
#include "lib/text.h"
#include "lib/tool.h"

static const struct tool df_tool = {
    "df", "df [-hi] [URI ...]",
    "Shows each file system the view shows (fs:/// itself, or each directory in it:\n"
    "fs:///disk, fs:///tmp), or those the operands name, with its type, size, space\n"
    "used and available in 1 KiB blocks, use in per cent and where it is mounted, as\n"
    "the file system reports them (SYS_NS_STATFS: needs the inspect right).\n"
    "  -h  sizes for people (powers of 1024: 12M, 1.5G)\n"
    "  -i  inodes instead of blocks ('-' where the file system does not count them)\n"
    "Not supported: -T (the type is always shown), -a, -l, --output.\n"};

struct df_opts {
	bool human, inodes, named;
};

/* Use in per cent, rounded up as coreutils does; -1 when there is no size. */
static int percent(uint64_t used, uint64_t avail)
{
	uint64_t all = used + avail;
	if (all == 0)
		return -1;
	return (int)((used * 100 + all - 1) / all);
}

static void print_size(uint64_t bytes, bool human, int width)
{
	char buf[24];
	if (human)
		printf(" %*s", width, text_human_size(bytes, buf, sizeof(buf)));
	else
		printf(" %*llu", width, (unsigned long long)(bytes / 1024));
}

static long df_one(const char *uri, handle_t node, bool probe, void *arg)
{
	const struct df_opts *o = arg;
	struct ns_statfs s;
	long r = ch_ns_statfs(node, &s, 0);
	if (r == ERR_NOT_SUPPORTED) {
		if (probe)
			return r;
		tool_warn("%s: reports no figures (not a file system with storage)", uri);
		return o->named ? r : 0;
	}
	if (r < 0) {
		tool_warn_err(uri, r);
		return r;
	}
	printf("%-10s", s.type);
	if (o->inodes) {
		if (s.files == 0) {
			printf(" %9s %9s %9s %4s", "-", "-", "-", "-");
		} else {
			uint64_t used = s.files - s.ffree;
			int p = percent(used, s.ffree);
			printf(" %9llu %9llu %9llu %3d%%", (unsigned long long)s.files,
			       (unsigned long long)used, (unsigned long long)s.ffree, p);
		}
	} else {
		uint64_t used = s.blocks - s.bfree;
		int w = o->human ? 5 : 9;
		print_size(s.blocks * s.bsize, o->human, w);
		print_size(used * s.bsize, o->human, w);
		print_size(s.bavail * s.bsize, o->human, w);
		int p = percent(used, s.bavail);
		if (p < 0)
			printf(" %4s", "-");
		else
			printf(" %3d%%", p);
	}
	printf(" %s\n", uri);
	return 0;
}

int main(int argc, char **argv)
{
	struct tool_opts to = {0};
	struct df_opts o = {0};
	int c;
	while ((c = tool_getopt(&df_tool, argc, argv, "hi", &to)) != -1) {
		if (c == 'h')
			o.human = true;
		else
			o.inodes = true;
	}
	if (o.inodes)
		printf("%-10s %9s %9s %9s %4s %s\n", "Filesystem", "Inodes", "IUsed", "IFree",
		       "IUse%", "Mounted on");
	else if (o.human)
		printf("%-10s %5s %5s %5s %4s %s\n", "Filesystem", "Size", "Used", "Avail", "Use%",
		       "Mounted on");
	else
		printf("%-10s %9s %9s %9s %4s %s\n", "Filesystem", "1K-blocks", "Used", "Available",
		       "Use%", "Mounted on");
	o.named = to.ind < argc;
	int failed = 0;
	if (!o.named)
		failed = mounts_each(df_one, &o) != 0;
	for (int i = to.ind; i < argc; i++)
		if (mounts_one(argv[i], df_one, &o) < 0)
			failed = 1;
	return failed ? TOOL_EXIT_ERROR : 0;
}
