/*
 * libc_ns.c - the libc's namespace hooks (libc/sys_hooks.h, __libc_ns_*) over
 * ns.h: URIs and plain paths parsed with shared/ns_uri.c, roots from our view,
 * and one action per hook with the default timeout. Not thread-safe (one
 * static parse buffer), like the libc above it.
 */
#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>
#include <libc/sys_hooks.h>
#include <shared/ns_uri.h>
#include "ns.h"
#include "syscall.h"

long __libc_ns_parse(const char *s, unsigned long len, char scheme[NS_SCHEME_MAX + 1], char *path)
{
	static struct ns_uri *up; /* 4 KiB: allocated on first use (not at every spawn) */
	if (!up && !(up = malloc(sizeof(*up))))
		return ERR_NO_MEMORY;
	struct ns_uri *u = up;
	int err;
	if (ns_is_uri(s, len)) {
		err = ch_uri_parse_local(s, len, u);
	} else {
		u->scheme[0] = '\0';
		err = ns_path_parse(s, len, &u->path);
	}
	if (err)
		return err;
	memcpy(scheme, u->scheme, strlen(u->scheme) + 1);
	memcpy(path, u->path.buf, u->path.len);
	size_t n = u->path.len;
	if (u->path.dir && n)
		path[n++] = '/';
	path[n] = '\0';
	return (long)n;
}

handle_t __libc_ns_root(const char *scheme)
{
	return ch_ns_root(scheme);
}

long __libc_ns_open(handle_t dir, const char *path, unsigned long len, uint32_t type,
                    uint32_t flags, uint64_t rights, handle_t *out)
{
	struct ns_open_args a = {.type = type, .flags = flags, .rights = rights};
	long r = ch_ns_open(dir, path, len, &a, out);
	if (r == 1) { /* a service: an endpoint, not a file */
		ch_cap_drop(*out);
		r = ERR_WRONG_TYPE;
	}
	return r;
}

long __libc_ns_close(handle_t h)
{
	return ch_cap_drop(h);
}

long __libc_ns_stat(handle_t h, struct ns_stat *out)
{
	return ch_ns_stat(h, out, 0);
}

long __libc_ns_stat_at(handle_t dir, const char *path, unsigned long len, struct ns_stat *out)
{
	return ch_ns_stat_at(dir, path, len, out, 0);
}

long __libc_ns_list(handle_t dir, uint64_t *cookie, void *buf, unsigned long cap)
{
	return ch_ns_list(dir, cookie, buf, cap, 0);
}

long __libc_ns_read(handle_t file, uint64_t off, void *buf, unsigned long len)
{
	return ch_ns_read(file, off, buf, len, 0);
}

long __libc_ns_write(handle_t file, uint64_t off, const void *buf, unsigned long len)
{
	return ch_ns_write(file, off, buf, len, 0);
}

long __libc_ns_truncate(handle_t file, uint64_t size)
{
	return ch_ns_truncate(file, size, 0);
}

long __libc_ns_setattr(handle_t node, const struct ns_setattr *sa)
{
	return ch_ns_setattr(node, sa, 0);
}

long __libc_ns_unlink(handle_t dir, const char *path, unsigned long len, uint32_t flags)
{
	return ch_ns_unlink(dir, path, len, flags, 0);
}

long __libc_ns_rename(handle_t dir, const char *path, unsigned long len, handle_t dir2,
                      const char *path2, unsigned long len2)
{
	struct ns_path_arg to = {(uint64_t)(uintptr_t)path2, len2};
	return ch_ns_rename(dir, path, len, dir2, &to, 0);
}
