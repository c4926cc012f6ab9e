/*
 * ns.c - `ns [-r] [uri ...]`: the namespace's entries with their exact types
 * (dir, file, link, dev.block, svc, proc, ...), for any scheme.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>
#include <shared/ns_uri.h>

#include "lib/tool.h"

static const struct tool ns_tool = {
    "ns", "ns [-r] [uri ...]",
    "Lists each directory of the namespace (none: the schemes in our view) with\n"
    "each entry's type as the namespace names it, its size (a directory: entries;\n"
    "a process: its status text) and a link's target.\n"
    "  -r  also everything below (links are not followed)\n"
    "Not supported: watching (see SYS_NS_WATCH), binds inside providers (listings\n"
    "are the provider's and do not show them).\n"};

#define LIST_DEPTH_MAX 32

static bool opt_r;

static void print_entry(handle_t dir, const struct ns_dirent *d, unsigned depth)
{
	struct ns_stat st;
	char size[24] = "-";
	if (d->type != NS_TYPE_LINK && ch_ns_stat_at(dir, d->name, d->namelen, &st, 0) >= 0 &&
	    !NS_TYPE_IS_ENDPOINT(d->type))
		snprintf(size, sizeof(size), "%llu", (unsigned long long)st.size);
	printf("%-11s %10s %*s%s", ns_type_name(d->type), size, (int)(2 * depth), "", d->name);
	if (d->type == NS_TYPE_LINK) {
		static char target[NS_PATH_MAX + 1];
		struct ns_open_args a = {
		    .type = NS_TYPE_LINK, .flags = NS_OPEN_NOFOLLOW, .rights = RIGHT_READ};
		handle_t h;
		long n = -1;
		if (ch_ns_open(dir, d->name, d->namelen, &a, &h) >= 0) {
			n = ch_ns_readlink(h, target, sizeof(target) - 1, 0);
			ch_cap_drop(h);
		}
		if (n >= 0) {
			target[n] = '\0';
			printf(" -> %s", target);
		}
	}
	putchar('\n');
}

static int list(handle_t dir, const char *name, unsigned depth)
{
	static uint8_t buf[NS_IO_MAX] __attribute__((aligned(8)));
	uint64_t cookie = 0;
	long got;
	int rc = 0;
	/* a copy per level: recursing lists into the same static buffer */
	while ((got = ch_ns_list(dir, &cookie, buf, sizeof(buf), 0)) > 0) {
		uint8_t *copy = malloc((size_t)got);
		if (!copy) {
			tool_warn("%s: out of memory", name);
			return 1;
		}
		memcpy(copy, buf, (size_t)got);
		for (long off = 0; off < got;) {
			const struct ns_dirent *d = (const void *)(copy + off);
			off += d->reclen ? d->reclen : got;
			print_entry(dir, d, depth);
			if (!opt_r || d->type != NS_TYPE_DIR)
				continue;
			if (depth >= LIST_DEPTH_MAX) {
				tool_warn("%s/%s: deeper than %d levels, not listed", name, d->name,
				          LIST_DEPTH_MAX);
				rc = 1;
				continue;
			}
			struct ns_open_args a = {.type = NS_TYPE_DIR, .rights = NS_RIGHTS_SAME};
			handle_t sub;
			long r = ch_ns_open(dir, d->name, d->namelen, &a, &sub);
			if (r < 0) {
				tool_warn_err(d->name, r);
				rc = 1;
				continue;
			}
			rc |= list(sub, d->name, depth + 1);
			ch_cap_drop(sub);
		}
		free(copy);
	}
	if (got < 0) {
		tool_warn_err(name, got);
		return 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	while (tool_getopt(&ns_tool, argc, argv, "r", &o) != -1)
		opt_r = true;
	if (o.ind >= argc) {
		static const char *const schemes[] = {"fs", "dev", "proc", "svc"};
		for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (ch_ns_root(schemes[i]) != HANDLE_INVALID)
				printf("%s://\n", schemes[i]);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	int rc = 0;
	for (int i = o.ind; i < argc; i++) {
		handle_t dir;
		long r = tool_ns_open(argv[i], NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &dir);
		if (r < 0) {
			tool_warn_err(argv[i], r);
			rc = 1;
			continue;
		}
		if (argc - o.ind > 1)
			printf("%s%s:\n", i > o.ind ? "\n" : "", argv[i]);
		rc |= list(dir, argv[i], 0);
		ch_cap_drop(dir);
	}
	return fflush(stdout) == 0 ? rc : 1;
}
