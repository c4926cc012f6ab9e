/*
 * chown.c - `chown uid[:gid] name ...`: owner and group, by number.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/tool.h"

static const struct tool chown_tool = {
    "chown", "chown [-h] owner[:group] name ...",
    "Sets each entry's owner and group as the file system keeps them (numbers:\n"
    "1000, 1000:100, 1000: (the group stays), :100 (the owner stays)). Needs WRITE and\n"
    "MANAGE on the entry (giving a file away is the administration of the tree).\n"
    "  -h  change a link itself, not what it points to\n"
    "Not supported: user and group names (there is no user database), -R, --reference.\n"};

/* A number of the operand (decimal, below (uid_t)-1, which means "unchanged"). */
static int id_of(const char *s, size_t len, unsigned *out)
{
	unsigned long long v = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v >= 0xffffffffull)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* owner[:group]: either may be left out ((unsigned)-1), not both. */
static int parse_owner(const char *s, unsigned *uid, unsigned *gid)
{
	const char *colon = s;
	while (*colon && *colon != ':')
		colon++;
	size_t ulen = (size_t)(colon - s);
	*uid = *gid = (unsigned)-1;
	if (ulen && id_of(s, ulen, uid) < 0)
		return -1;
	if (*colon && colon[1] && id_of(colon + 1, strlen(colon + 1), gid) < 0)
		return -1;
	return ulen || (*colon && colon[1]) ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool link_itself = false;
	int c;
	while ((c = tool_getopt(&chown_tool, argc, argv, "h", &o)) != -1)
		link_itself = c == 'h' || link_itself;
	if (argc - o.ind < 2)
		tool_usage_error("missing operand");
	unsigned uid, gid;
	if (parse_owner(argv[o.ind], &uid, &gid) < 0)
		tool_usage_error("invalid owner '%s' (numbers only: uid[:gid])", argv[o.ind]);
	int rc = 0;
	for (int i = o.ind + 1; i < argc; i++) {
		int r = link_itself ? lchown(argv[i], uid, gid) : chown(argv[i], uid, gid);
		if (r < 0) {
			tool_warn_errno(argv[i]);
			rc = 1;
		}
	}
	return rc;
}
