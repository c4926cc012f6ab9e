/*
 * ns.c - namespace actions and URIs against the process's view (ns.h).
 */
#include "ns.h"

#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>
#include <shared/ns_uri.h>
#include "start.h"
#include "syscall.h"

#define U(p) ((uint64_t)(uintptr_t)(p))

long ch_ns_open(handle_t dir, const char *path, size_t len, const struct ns_open_args *a,
                handle_t *out)
{
	return ch_syscall4(SYS_NS_OPEN, dir, U(path), len, U(a), U(out));
}

long ch_ns_stat_at(handle_t node, const char *path, size_t len, struct ns_stat *out,
                   uint64_t timeout)
{
	return ch_syscall4(SYS_NS_STAT, node, U(out), timeout, U(path), len);
}

long ch_ns_list(handle_t dir, uint64_t *cookie, void *buf, size_t cap, uint64_t timeout)
{
	return ch_syscall4(SYS_NS_LIST, dir, U(cookie), U(buf), cap, timeout);
}

long ch_ns_read(handle_t file, uint64_t off, void *buf, size_t len, uint64_t timeout)
{
	return ch_syscall4(SYS_NS_READ, file, off, U(buf), len, timeout);
}

long ch_ns_write(handle_t file, uint64_t off, const void *buf, size_t len, uint64_t timeout)
{
	return ch_syscall4(SYS_NS_WRITE, file, off, U(buf), len, timeout);
}

long ch_ns_truncate(handle_t file, uint64_t size, uint64_t timeout)
{
	return ch_syscall2(SYS_NS_TRUNCATE, file, size, timeout);
}

long ch_ns_unlink(handle_t dir, const char *path, size_t len, uint32_t flags, uint64_t timeout)
{
	return ch_syscall4(SYS_NS_UNLINK, dir, U(path), len, flags, timeout);
}

long ch_ns_rename(handle_t dir, const char *path, size_t len, handle_t dir2,
                  const struct ns_path_arg *path2, uint64_t timeout)
{
	return ch_syscall5(SYS_NS_RENAME, dir, U(path), len, dir2, U(path2), timeout);
}

long ch_ns_symlink(handle_t dir, const char *path, size_t len, const char *target, size_t tlen,
                   uint64_t timeout)
{
	return ch_syscall5(SYS_NS_SYMLINK, dir, U(path), len, U(target), tlen, timeout);
}

long ch_ns_link(handle_t dir, const char *path, size_t len, handle_t node, uint64_t timeout)
{
	return ch_syscall4(SYS_NS_LINK, dir, U(path), len, node, timeout);
}

long ch_ns_readlink(handle_t link, char *buf, size_t cap, uint64_t timeout)
{
	return ch_syscall3(SYS_NS_READLINK, link, U(buf), cap, timeout);
}

long ch_ns_bind(handle_t dir, const char *name, size_t len, handle_t what, uint64_t svc_rights,
                uint32_t type)
{
	return ch_syscall5(SYS_NS_BIND, dir, U(name), len, what, svc_rights, type);
}

long ch_ns_serve(handle_t dir, const char *name, size_t len, handle_t *server)
{
	return ch_syscall3(SYS_NS_SERVE, dir, U(name), len, U(server));
}

long ch_ns_watch(handle_t dir, handle_t ep, uint32_t mask, uint64_t timeout)
{
	return ch_syscall3(SYS_NS_WATCH, dir, ep, mask, timeout);
}

long ch_ns_sync(handle_t node, uint32_t flags, uint64_t timeout)
{
	return ch_syscall2(SYS_NS_SYNC, node, flags, timeout);
}

long ch_ns_statfs(handle_t node, struct ns_statfs *out, uint64_t timeout)
{
	return ch_syscall2(SYS_NS_STATFS, node, U(out), timeout);
}

long ch_ns_setattr(handle_t node, const struct ns_setattr *sa, uint64_t timeout)
{
	return ch_syscall2(SYS_NS_SETATTR, node, U(sa), timeout);
}

long ch_ns_map(handle_t file, uint64_t rights, handle_t *out, uint64_t *size, uint64_t timeout)
{
	return ch_syscall4(SYS_NS_MAP, file, rights, U(out), U(size), timeout);
}

handle_t ch_ns_root(const char *scheme)
{
	static struct {
		char scheme[NS_SCHEME_MAX + 1];
		handle_t h;
	} opened[8]; /* schemes opened below "ns" */
	char name[8 + NS_SCHEME_MAX] = "ns.";
	size_t n = strlen(scheme);
	if (n == 0 || n > NS_SCHEME_MAX)
		return HANDLE_INVALID;
	memcpy(name + 3, scheme, n + 1);
	handle_t h = ch_handle(name), all = ch_handle("ns");
	if (h != HANDLE_INVALID || all == HANDLE_INVALID)
		return h;
	/* a holder of the whole namespace ("ns", as Exec) reaches every scheme below it */
	unsigned i = 0;
	for (; i < 8 && opened[i].h; i++)
		if (!strcmp(opened[i].scheme, scheme))
			return opened[i].h;
	struct ns_open_args a = {.type = NS_TYPE_DIR, .rights = NS_RIGHTS_SAME};
	if (ch_ns_open(all, scheme, n, &a, &h) < 0)
		return HANDLE_INVALID;
	if (i < 8) {
		memcpy(opened[i].scheme, scheme, n + 1);
		opened[i].h = h;
	}
	return h;
}

int ch_uri_parse_local(const char *uri, size_t len, struct ns_uri *u)
{
	int err = ns_uri_parse(uri, len, u);
	if (err)
		return err;
	return ns_uri_is_local(u, NULL) ? 0 : ERR_NO_HOST;
}

long ch_uri_open(const char *uri, uint32_t type, uint32_t flags, uint64_t rights, handle_t *out)
{
	static struct ns_uri *u; /* 4 KiB: allocated on first use (not at every spawn) */
	if (!u && !(u = malloc(sizeof(*u))))
		return ERR_NO_MEMORY;
	size_t len = strlen(uri);
	const char *scheme = "fs", *path = uri;
	if (ns_is_uri(uri, len)) {
		int err = ch_uri_parse_local(uri, len, u);
		if (err)
			return err;
		scheme = u->scheme;
		path = u->path.buf;
		len = u->path.len;
	}
	handle_t root = ch_ns_root(scheme);
	if (root == HANDLE_INVALID)
		return ERR_NOT_FOUND; /* a scheme outside the view looks like a missing name */
	struct ns_open_args a = {.type = type, .flags = flags, .rights = rights};
	return ch_ns_open(root, path, len, &a, out);
}
