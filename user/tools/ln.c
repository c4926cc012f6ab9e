/*
 * ln.c - `ln [-s] target name`: another name for an entry (a hard link), or with
 * -s a symbolic link holding the target's path.
 */
#include <stdbool.h>
#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>

#include "lib/tool.h"

static const struct tool ln_tool = {
    "ln", "ln [-s] target name",
    "Makes name another name of target (a hard link: both in one provider), or with\n"
    "-s a symbolic link whose contents are target (resolved when used, in the view of\n"
    "whoever uses it: an absolute target starts at the root it is reached from).\n"
    "Not supported: -f, several targets into a directory, links between providers.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	bool symbolic = false;
	while (tool_getopt(&ln_tool, argc, argv, "s", &o) != -1)
		symbolic = true;
	if (argc - o.ind != 2)
		tool_usage_error(argc - o.ind < 2 ? "missing operand" : "too many operands");
	const char *target = argv[o.ind], *name = argv[o.ind + 1];
	handle_t dir, node = HANDLE_INVALID;
	const char *last;
	long r = tool_ns_parent(name, &dir, &last);
	if (r < 0) {
		tool_warn_err(name, r);
		return 1;
	}
	if (symbolic) {
		r = ch_ns_symlink(dir, last, strlen(last), target, strlen(target), 0);
	} else {
		r = tool_ns_open(target, NS_TYPE_ANY, NS_OPEN_NOFOLLOW, RIGHT_WRITE, &node);
		if (r == 1) {
			r = ERR_WRONG_TYPE; /* a service's open is its endpoint, not a node */
		} else if (r < 0) {
			ch_cap_drop(dir);
			tool_warn_err(target, r);
			return 1;
		}
		if (r >= 0)
			r = ch_ns_link(dir, last, strlen(last), node, 0);
		ch_cap_drop(node);
	}
	ch_cap_drop(dir);
	if (r < 0) {
		tool_warn_err(name, r);
		return 1;
	}
	return 0;
}
