/*
 * proclist.c - reading proc:// (proclist.h): one entry per live process, named
 * by its pid; reading an entry gives its status text.
 */
#include "proclist.h"

#include <abi/errors.h>
#include <abi/ns.h>
#include <abi/rights.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

long proclist_text(uint32_t pid, char *buf, size_t cap)
{
	char uri[32];
	snprintf(uri, sizeof(uri), "proc:///%u", pid);
	handle_t h;
	long r = ch_uri_open(uri, NS_TYPE_PROC, 0, RIGHT_READ, &h);
	if (r < 0)
		return r;
	size_t len = 0;
	while (len < cap && (r = ch_ns_read(h, len, buf + len, cap - len, 0)) > 0)
		len += (size_t)r;
	ch_cap_drop(h);
	return r < 0 ? r : (long)len;
}

long proclist_one(uint32_t pid, struct procinfo *out)
{
	char text[512]; /* the process's own keys come first: the thread lines may be cut */
	long r = proclist_text(pid, text, sizeof(text));
	if (r < 0)
		return r;
	return procinfo_parse(text, (unsigned long)r, out) < 0 ? ERR_MALFORMED : 0;
}

static int by_pid(const void *a, const void *b)
{
	uint32_t x = ((const struct procinfo *)a)->pid, y = ((const struct procinfo *)b)->pid;
	return x < y ? -1 : x > y;
}

long proclist_read(struct procinfo **out)
{
	handle_t dir;
	long r = ch_uri_open("proc://", NS_TYPE_DIR, 0, RIGHT_ENUMERATE | RIGHT_LOOKUP, &dir);
	if (r < 0) {
		tool_warn_err("proc://", r);
		return -1;
	}
	static uint8_t buf[4096] __attribute__((aligned(8)));
	uint64_t cookie = 0;
	long n = 0, cap = 16;
	struct procinfo *p = malloc((size_t)cap * sizeof(*p));
	while (p) {
		long got = ch_ns_list(dir, &cookie, buf, sizeof(buf), 0);
		if (got <= 0) {
			r = got;
			break;
		}
		for (long off = 0; off < got;) {
			const struct ns_dirent *d = (const void *)(buf + off);
			off += d->reclen ? d->reclen : got;
			uint32_t pid = (uint32_t)strtoul(d->name, NULL, 10);
			if (n == cap) {
				struct procinfo *np = realloc(p, 2 * (size_t)cap * sizeof(*p));
				if (!np)
					break;
				p = np;
				cap *= 2;
			}
			if (proclist_one(pid, &p[n]) == 0)
				n++; /* one that ended meanwhile is left out */
		}
	}
	ch_cap_drop(dir);
	if (!p || r < 0) {
		tool_warn_err("proc://", p ? r : ERR_NO_MEMORY);
		free(p);
		return -1;
	}
	qsort(p, (size_t)n, sizeof(*p), by_pid);
	*out = p;
	return n;
}
