/*
 * ln.c - `ln [-s] target name`: another name for an entry (a hard link), or with
 * -s a symbolic link holding the target's path.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>
#include <shared/ns_uri.h>

#include "lib/tool.h"

static const struct tool ln_tool = {
    "ln", "ln [-s] target name",
    "Makes name another name of target (a hard link: both in one provider), or with\n"
    "-s a symbolic link whose contents are target (resolved when used, in the view of\n"
    "whoever uses it: an absolute target starts at the root it is reached from; a URI\n"
    "target of the link's own scheme is stored as its path, another scheme's refused).\n"
    "Not supported: -f, several targets into a directory, links between providers.\n"};

/*
 * A link holds a path, resolved in the scheme it is in: a URI target of the link's own
 * scheme becomes its absolute path ("fs:///tmp/x" -> "/tmp/x"); another scheme's
 * cannot be reached from the link and is refused. Returns the target to store, or NULL.
 */
static const char *link_target(const char *target, const char *name)
{
	static struct ns_uri u;
	static char path[NS_PATH_MAX + 2];
	static char abs[NS_URI_MAX + 1];
	size_t len = strlen(target);
	if (!ns_is_uri(target, len))
		return target;
	long r = ch_uri_parse_local(target, len, &u);
	if (r < 0) {
		tool_warn_err(target, r);
		return NULL;
	}
	const char *scheme = "fs";
	char own[NS_SCHEME_MAX + 1];
	if (tool_absolute(name, abs, sizeof(abs)) == 0 && strstr(abs, "://")) {
		size_t n = (size_t)(strstr(abs, "://") - abs);
		for (size_t i = 0; i < n && i < NS_SCHEME_MAX; i++)
			own[i] = (char)(abs[i] >= 'A' && abs[i] <= 'Z' ? abs[i] + 32 : abs[i]);
		own[n < NS_SCHEME_MAX ? n : NS_SCHEME_MAX] = '\0';
		scheme = own;
	}
	if (strcmp(u.scheme, scheme) != 0) {
		tool_warn("%s: a link holds a path within its own scheme (%s://)", target, scheme);
		return NULL;
	}
	snprintf(path, sizeof(path), "/%s", u.path.buf);
	return path;
}

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
		const char *t = link_target(target, name);
		if (!t) {
			ch_cap_drop(dir);
			return 1;
		}
		r = ch_ns_symlink(dir, last, strlen(last), t, strlen(t), 0);
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
