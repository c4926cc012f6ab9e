/*
 * mounts.c - the file systems of the view, one call each (mounts.h).
 */
#include "mounts.h"

#include <dirent.h>
#include <stdio.h>

#include <abi/errors.h>
#include <abi/ns.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>

#include "fsops.h"
#include "tool.h"

long mounts_one(const char *name, mounts_fn fn, void *arg)
{
	handle_t h;
	long r = tool_ns_open(name, NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &h);
	if (r == 1) {
		ch_cap_drop(h);
		r = ERR_WRONG_TYPE; /* a service, not a file system */
	}
	if (r < 0) {
		tool_warn_err(name, r);
		return r;
	}
	r = fn(name, h, false, arg);
	ch_cap_drop(h);
	return r;
}

int mounts_each(mounts_fn fn, void *arg)
{
	handle_t root;
	long r = ch_uri_open("fs:///", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &root);
	if (r == 1) {
		ch_cap_drop(root);
		r = ERR_WRONG_TYPE;
	}
	if (r < 0) {
		tool_warn_err("fs:///", r);
		return -1;
	}
	r = fn("fs:///", root, true, arg);
	ch_cap_drop(root);
	if (r != ERR_NOT_SUPPORTED)
		return r < 0;
	struct fsops_entry *e;
	long n = fsops_list("fs:///", true, &e);
	if (n < 0)
		return -1;
	int failed = 0;
	for (long i = 0; i < n; i++) {
		if (e[i].type != DT_DIR)
			continue;
		char uri[8 + NS_NAME_MAX];
		snprintf(uri, sizeof(uri), "fs:///%s", e[i].name);
		if (mounts_one(uri, fn, arg) < 0)
			failed++;
	}
	fsops_list_free(e, n);
	return failed;
}
