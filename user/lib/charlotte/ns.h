/*
 * ns.h - libcharlotte's namespace client: the actions on namespace
 * capabilities (abi/ns.h), and URIs resolved against the process's view.
 *
 * A process's view is its root set: one capability per scheme, found in its
 * start info under "ns.<scheme>" ("ns.fs", "ns.dev", "ns.proc", "ns.svc"),
 * each possibly narrowed by whoever started it. ch_uri_open() parses a URI
 * (shared/ns_uri.h), refuses other hosts (ERR_NO_HOST until remote kbus),
 * picks the scheme's root (none: ERR_NOT_FOUND, the same as a missing name)
 * and opens the normalized path below it. Plain paths start at the fs root.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <abi/handle.h>
#include <abi/ns.h>

long ch_ns_open(handle_t dir, const char *path, size_t len, const struct ns_open_args *a,
                handle_t *out);
/* The attributes of node (path NULL) or of path below it (as fstatat). */
long ch_ns_stat_at(handle_t node, const char *path, size_t len, struct ns_stat *out,
                   uint64_t timeout);
static inline long ch_ns_stat(handle_t node, struct ns_stat *out, uint64_t timeout)
{
	return ch_ns_stat_at(node, NULL, 0, out, timeout);
}
long ch_ns_list(handle_t dir, uint64_t *cookie, void *buf, size_t cap, uint64_t timeout);
long ch_ns_read(handle_t file, uint64_t off, void *buf, size_t len, uint64_t timeout);
long ch_ns_write(handle_t file, uint64_t off, const void *buf, size_t len, uint64_t timeout);
long ch_ns_truncate(handle_t file, uint64_t size, uint64_t timeout);
long ch_ns_unlink(handle_t dir, const char *path, size_t len, uint32_t flags, uint64_t timeout);
long ch_ns_rename(handle_t dir, const char *path, size_t len, handle_t dir2,
                  const struct ns_path_arg *path2, uint64_t timeout);
long ch_ns_symlink(handle_t dir, const char *path, size_t len, const char *target, size_t tlen,
                   uint64_t timeout);
long ch_ns_link(handle_t dir, const char *path, size_t len, handle_t node, uint64_t timeout);
long ch_ns_readlink(handle_t link, char *buf, size_t cap, uint64_t timeout);
/* Bind what at name in kernel-tree directory dir: a node (svc_rights and type 0), or an
 * endpoint opened as type (0 or NS_TYPE_SVC: a service; NS_TYPE_DEV_*: a device) with
 * svc_rights. */
long ch_ns_bind(handle_t dir, const char *name, size_t len, handle_t what, uint64_t svc_rights,
                uint32_t type);
long ch_ns_serve(handle_t dir, const char *name, size_t len, handle_t *server);
/* Send dir's NS_EVENT_* (mask) events to endpoint ep, as struct ns_event messages. */
long ch_ns_watch(handle_t dir, handle_t ep, uint32_t mask, uint64_t timeout);

/* Write back everything of node's file system (NS_SYNC_* flags; RIGHT_WRITE, and
 * RIGHT_MANAGE for NS_SYNC_READ_ONLY). ERR_NOT_SUPPORTED: a provider with no storage. */
long ch_ns_sync(handle_t node, uint32_t flags, uint64_t timeout);
/* The figures of node's file system (RIGHT_INSPECT). */
long ch_ns_statfs(handle_t node, struct ns_statfs *out, uint64_t timeout);
/* Change node's mode, owner or times (struct ns_setattr; RIGHT_WRITE, and RIGHT_MANAGE
 * for the owner). ERR_NOT_SUPPORTED: a provider that keeps no attributes. */
long ch_ns_setattr(handle_t node, const struct ns_setattr *sa, uint64_t timeout);

/* A memory capability showing file (SYS_NS_MAP): rights RIGHT_READ (0 means it), with
 * RIGHT_WRITE / RIGHT_EXEC if file's capability has them and the provider allows; the
 * object's bytes in *size (may be NULL). Map it with ch_as_map; libc's mmap() does both. */
long ch_ns_map(handle_t file, uint64_t rights, handle_t *out, uint64_t *size, uint64_t timeout);

/* The root of scheme in this process's view (HANDLE_INVALID: none). */
handle_t ch_ns_root(const char *scheme);

struct ns_uri;
/* Parse uri (len bytes) into *u (shared/ns_uri.h); a URI of another host is ERR_NO_HOST. */
int ch_uri_parse_local(const char *uri, size_t len, struct ns_uri *u);

/*
 * Open what uri (a URI, or a plain path below the fs root) names, expecting
 * type, with rights (NS_RIGHTS_SAME: all the root allows) and NS_OPEN_* flags.
 * Returns 0 or 1 (a service: *out is an endpoint) as SYS_NS_OPEN, or an error.
 */
long ch_uri_open(const char *uri, uint32_t type, uint32_t flags, uint64_t rights, handle_t *out);
