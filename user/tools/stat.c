/*
 * stat.c - `stat name ...`: an entry's attributes: its namespace type, size,
 * links, node id, permission bits, owner, group and times.
 */
#include <stdio.h>
#include <sys/stat.h>

#include <abi/ns.h>
#include <shared/ns_uri.h>

#include "lib/text.h"
#include "lib/tool.h"

static const struct tool stat_tool = {
    "stat", "stat name ...",
    "Prints each entry's attributes: its name, namespace type (dir, file, link,\n"
    "dev.block, svc, proc, ...), size (a directory: entries), links, node id (the\n"
    "provider's), permission bits, owner and group (what the file system keeps: advice,\n"
    "the rights are the capabilities') and times (seconds.nanoseconds on the provider's\n"
    "clock). A link is described itself, not what it points to.\n"
    "Not supported: -c formats.\n"};

static void print_time(const char *what, const struct timespec *t)
{
	printf("%s: %lld.%09ld\n", what, (long long)t->tv_sec, t->tv_nsec);
}

/* The entry's namespace type name, or NULL if the namespace will not say. */
static const char *ns_type(const char *name)
{
	uint32_t t;
	return tool_ns_type(name, &t) < 0 ? NULL : ns_type_name(t);
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&stat_tool, argc, argv, "", &o);
	if (o.ind >= argc)
		tool_usage_error("missing operand");
	int rc = 0;
	for (int i = o.ind; i < argc; i++) {
		struct stat st;
		if (lstat(argv[i], &st) < 0) {
			tool_warn_errno(argv[i]);
			rc = 1;
			continue;
		}
		const char *type = ns_type(argv[i]);
		char perms[10];
		text_mode(st.st_mode, perms);
		printf("name: %s\ntype: %s\nsize: %lld\nlinks: %llu\nnode: %llu\nmode: %04o (%s)\n"
		       "owner: %u\ngroup: %u\n",
		       argv[i], type ? type : "?", (long long)st.st_size,
		       (unsigned long long)st.st_nlink, (unsigned long long)st.st_ino,
		       st.st_mode & 07777, perms, st.st_uid, st.st_gid);
		print_time("modified", &st.st_mtim);
		print_time("changed", &st.st_ctim);
		print_time("accessed", &st.st_atim);
	}
	return fflush(stdout) == 0 ? rc : 1;
}
