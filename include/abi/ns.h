/*
 * ns.h - the typed namespace as user space sees it (shared with the kernel).
 *
 * One hierarchy of typed entries addressed by URIs
 * `<scheme>://<host>/<path>` (docs/namespace.md has the grammar). This header
 * holds what every side must agree on: the entry types, the limits of names,
 * paths and URIs, and the flags of an open. Values never change once
 * published.
 */
#pragma once
#include <stdint.h>
#include <abi/rights.h>

/*
 * Entry types. A lookup names the type it expects (NS_TYPE_ANY: any); an
 * entry of another type is ERR_WRONG_TYPE, never a surprise object. Names as
 * written in URIs, manifests and by tools are in ns_type_name() (lib).
 */
enum ns_type {
	NS_TYPE_ANY = 0, /* "any": only as an expected type */
	NS_TYPE_DIR = 1, /* "dir": a directory of named entries */
	NS_TYPE_FILE = 2, /* "file": bytes */
	NS_TYPE_LINK = 3, /* "link": a symbolic link (a path, resolved in the same view) */
	NS_TYPE_DEV_BLOCK = 4, /* "dev.block" */
	NS_TYPE_DEV_NET = 5, /* "dev.net" */
	NS_TYPE_DEV_INPUT = 6, /* "dev.input" */
	NS_TYPE_DEV_DISPLAY = 7, /* "dev.display" */
	NS_TYPE_DEV_SERIAL = 8, /* "dev.serial" */
	NS_TYPE_DEV_CLOCK = 9, /* "dev.clock" */
	NS_TYPE_DEV_RNG = 10, /* "dev.rng" */
	NS_TYPE_SVC = 11, /* "svc": a kbus service */
	NS_TYPE_PROC = 12, /* "proc": a process */
	NS_TYPE_THREAD = 13, /* "thread": a thread */
	NS_TYPE_MEM = 14, /* "mem": a memory object */
	NS_TYPE_COUNT
};

/* Types an endpoint bound with SYS_NS_BIND may have: a service or a device. */
#define NS_TYPE_IS_ENDPOINT(t) \
	((t) == NS_TYPE_SVC || ((t) >= NS_TYPE_DEV_BLOCK && (t) <= NS_TYPE_DEV_RNG))

/* --- Limits (bytes; none counts a terminating NUL) --- */
/* One path component after percent-decoding (as ext2 and Linux NAME_MAX). */
#define NS_NAME_MAX 255
/* A normalized path: components joined by '/' (as Linux PATH_MAX, less its NUL). */
#define NS_PATH_MAX 4095
/* Components in one path. */
#define NS_DEPTH_MAX 256
/* A whole URI as written (percent-encoding may triple a path's bytes). */
#define NS_URI_MAX 8191
/* A scheme ("fs", "dev", ...). */
#define NS_SCHEME_MAX 31
/* A host name (as DNS: labels of 1-63 letters, digits and '-'). */
#define NS_HOST_MAX 253
#define NS_HOST_LABEL_MAX 63

/* --- Rights of namespace capabilities (abi/rights.h), after fuchsia.io ---
 *   traverse   RIGHT_LOOKUP    resolve names below the node
 *   enumerate  RIGHT_ENUMERATE list a directory
 *   read       RIGHT_READ      read a file, a link's target, an entry's attributes
 *   write      RIGHT_WRITE     write or truncate a file
 *   create     RIGHT_CREATE    make entries (files, directories, links)
 *   remove     RIGHT_REMOVE    unlink and rename away
 *   manage     RIGHT_MANAGE    bind, serve
 * The rights of a directory capability govern everything opened through it. */

/* Flags of an open. */
#define NS_OPEN_CREATE (1u << 0) /* make the last name if it does not exist (needs CREATE) */
#define NS_OPEN_EXCLUSIVE (1u << 1) /* with CREATE: fail with ERR_ALREADY_EXISTS if it does */
#define NS_OPEN_DIRECTORY (1u << 2) /* the entry must be a directory */
#define NS_OPEN_NOFOLLOW (1u << 3) /* a link as the last name is opened itself */
#define NS_OPEN_FLAGS_ALL \
	(NS_OPEN_CREATE | NS_OPEN_EXCLUSIVE | NS_OPEN_DIRECTORY | NS_OPEN_NOFOLLOW)

/* Links followed in one resolution before it fails with ERR_LOOP (as Linux's 40). */
#define NS_LINKS_MAX 40

/* What a stat reports. */
struct ns_stat {
	uint64_t node; /* stable while the entry exists: the provider's node id */
	uint32_t type; /* enum ns_type */
	uint32_t nlink;
	uint64_t size; /* bytes (a directory: its entries) */
	uint64_t ctime, mtime, atime; /* ns since the epoch of the provider's clock */
	/* Added for issue 17. Advice for POSIX programs and tools (ls -l), never a check:
	 * what a holder may do is its capability's rights. Entries the kernel makes
	 * (its own directories, proc://) and providers that keep none report 0. */
	uint32_t mode; /* NS_MODE_KEPT | POSIX permission bits (07777), or 0 */
	uint32_t uid, gid; /* owner and group as the file system keeps them, or 0 */
	uint32_t generation; /* with node, names one node for the file system's life: a
	                      * provider that reuses node ids (ext2 inodes) gives a reused
	                      * one a new generation; 0 where ids are never reused */
};

/* ns_stat.mode: the provider keeps permission bits (mode & 07777 are they). */
#define NS_MODE_KEPT (1u << 31)
#define NS_MODE_PERMS 07777u

/* One entry of a listing; entries are packed at 8-byte alignment. */
struct ns_dirent {
	uint64_t node;
	uint32_t type;
	uint16_t reclen; /* bytes from this entry to the next */
	uint16_t namelen;
	char name[]; /* namelen bytes, then a NUL */
};

/*
 * --- The provider protocol ---
 * Every operation on a node below a served node reaches its provider as one
 * kbus call from the kernel on the provider's endpoint (docs/namespace.md):
 * a struct ns_req, then len1 bytes, then len2 bytes. The kernel has already
 * checked the caller's handle, type and rights, and normalized every path
 * and name; the provider answers with a struct ns_rep and rep.len bytes.
 * NS_OP_RELEASE arrives as a plain message (no reply).
 */
enum ns_op {
	NS_OP_WALK = 1, /* node, path (len1), flags NS_WALK_FOLLOW: resolve (NS_STEP_*) */
	NS_OP_CREATE = 2, /* dir, name (len1), arg = type, flags NS_OPEN_EXCLUSIVE */
	NS_OP_SYMLINK = 3, /* dir, name (len1), target (len2) */
	NS_OP_LINK = 4, /* dir, name (len1), arg2 = the node to link */
	NS_OP_UNLINK = 5, /* dir, name (len1), flags NS_UNLINK_DIR */
	NS_OP_RENAME = 6, /* dir, name (len1), arg2 = dir2, new name (len2) */
	NS_OP_STAT = 7, /* node -> struct ns_stat */
	NS_OP_LIST = 8, /* dir, arg = cookie, arg2 = bytes at most -> ns_dirents, arg = cookie */
	NS_OP_READ = 9, /* node, arg = offset, arg2 = bytes at most -> data */
	NS_OP_WRITE = 10, /* node, arg = offset, data (len1) -> arg = bytes written */
	NS_OP_TRUNCATE = 11, /* node, arg = size */
	NS_OP_READLINK = 12, /* node -> target */
	NS_OP_RELEASE = 13, /* len1 / 8 node ids (or node, when len1 is 0): the kernel dropped
	                     * what walks and creates held for it (sent in batches) */
	NS_OP_WATCH = 14, /* dir, arg = NS_EVENT_* mask, one capability: the endpoint to tell */
	NS_OP_SYNC = 15, /* node (any of the file system), flags NS_SYNC_*: write back (no data) */
	NS_OP_STATFS = 16, /* node (any of the file system) -> struct ns_statfs */
	NS_OP_SETATTR = 17, /* node, struct ns_setattr (len1, checked by the kernel): change */
	NS_OP_MAP = 18, /* file node, arg = rights wanted (RIGHT_READ, RIGHT_WRITE, RIGHT_EXEC)
	                 * -> one capability: a memory object showing the file (SYS_NS_MAP) */
	NS_OP_COUNT
};

/*
 * Watch events: a provider sends one message per event to each watcher's
 * endpoint, without waiting; a watcher that does not keep up loses events and
 * gets NS_EVENT_OVERFLOW when there is room again. A watch ends when the
 * watcher's endpoint closes.
 */
#define NS_EVENT_ADDED (1u << 0) /* an entry appeared (create, link, rename to) */
#define NS_EVENT_REMOVED (1u << 1) /* an entry went (unlink, rename from) */
#define NS_EVENT_CHANGED (1u << 2) /* an entry's contents changed (write, truncate) */
#define NS_EVENT_OVERFLOW (1u << 3) /* events were lost (always sent; no name) */
#define NS_EVENTS_ALL (NS_EVENT_ADDED | NS_EVENT_REMOVED | NS_EVENT_CHANGED)

struct ns_event {
	uint32_t kind; /* one NS_EVENT_* */
	uint32_t type; /* the entry's type */
	uint64_t node;
	uint16_t namelen;
	char name[NS_NAME_MAX + 1]; /* namelen bytes and a NUL; the message ends after it */
};

/* NS_OP_WALK flags */
#define NS_WALK_FOLLOW (1u << 0) /* follow a link that is the last name */
#define NS_WALK_STAT \
	(1u << 1) /* at the end, answer the node's struct ns_stat instead of holding it */
/* NS_OP_UNLINK flags */
#define NS_UNLINK_DIR (1u << 0) /* remove an empty directory (rmdir) */

/* NS_OP_WALK results (ns_rep.status >= 0) */
#define NS_WALK_NODE \
	0 /* reached the end: node, type; the provider now holds node for the kernel
                        * (with NS_WALK_STAT: holds nothing, and its struct ns_stat follows) */
#define NS_WALK_LINK 1 /* a link at name arg (counted from 1): its target follows */

struct ns_req {
	uint32_t op; /* enum ns_op */
	uint32_t flags;
	uint64_t node;
	uint64_t rights; /* the caller's capability (already checked) */
	uint64_t arg;
	uint64_t arg2; /* a second node (link, rename) or a byte count (list, read) */
	uint32_t len1, len2; /* bytes of the two strings after the header */
};

struct ns_rep {
	int32_t status; /* >= 0, or an ERR_* */
	uint32_t type;
	uint64_t node;
	uint64_t arg;
	uint32_t len; /* bytes after this header */
	uint32_t reserved; /* 0 */
};

/* The largest request or reply: a header and NS_IO_MAX bytes (or two paths). */
#define NS_IO_MAX 32768
#define NS_MSG_MAX (sizeof(struct ns_req) + NS_IO_MAX + 2 * (NS_PATH_MAX + 1))

/*
 * --- Actions on namespace capabilities (target: an OBJ_NS_NODE handle) ---
 * SYS_ACTION comes from abi/syscall.h. Every timeout is in ns: 0 means
 * NS_TIMEOUT_DEFAULT (30 s), UINT64_MAX waits for as long as the provider
 * takes (the thread stays killable). Paths are plain paths (shared/ns_uri.h)
 * below the target, at most NS_PATH_MAX bytes; libcharlotte turns URIs into
 * a root and such a path. Node objects an open makes are charged to the
 * caller's process pool.
 */
/* a0 = path, a1 = its length, a2 = const struct ns_open_args *, a3 = handle_t *out.
 * Returns 0 (a namespace capability) or 1 (a service: an endpoint capability). */
#define SYS_NS_OPEN SYS_ACTION(OBJ_NS_NODE, 0)
/* a0 = struct ns_stat *out, a1 = timeout, a2 = path, a3 = its length: the attributes of
 * the target (a3 = 0) or of what path names below it (RIGHT_LOOKUP; a link at the end
 * is followed), as fstatat(). */
#define SYS_NS_STAT SYS_ACTION(OBJ_NS_NODE, 1)
/* a0 = uint64_t *cookie (0 first; advanced), a1 = buffer, a2 = its size, a3 = timeout.
 * Returns the bytes of struct ns_dirent records written; 0 at the end. RIGHT_ENUMERATE */
#define SYS_NS_LIST SYS_ACTION(OBJ_NS_NODE, 2)
/* a0 = offset, a1 = buffer, a2 = bytes (at most NS_IO_MAX a call), a3 = timeout.
 * Returns the bytes read (0: end of file). RIGHT_READ */
#define SYS_NS_READ SYS_ACTION(OBJ_NS_NODE, 3)
/* a0 = offset, a1 = buffer, a2 = bytes (at most NS_IO_MAX), a3 = timeout. RIGHT_WRITE */
#define SYS_NS_WRITE SYS_ACTION(OBJ_NS_NODE, 4)
/* a0 = new size, a1 = timeout. RIGHT_WRITE */
#define SYS_NS_TRUNCATE SYS_ACTION(OBJ_NS_NODE, 5)
/* a0 = path, a1 = length, a2 = NS_UNLINK_* flags, a3 = timeout. RIGHT_REMOVE */
#define SYS_NS_UNLINK SYS_ACTION(OBJ_NS_NODE, 6)
/* a0 = path, a1 = length, a2 = target directory handle (RIGHT_CREATE),
 * a3 = const struct ns_path_arg * (the new path below it), a4 = timeout. RIGHT_REMOVE */
#define SYS_NS_RENAME SYS_ACTION(OBJ_NS_NODE, 7)
/* a0 = path, a1 = length, a2 = link target, a3 = its length, a4 = timeout. RIGHT_CREATE */
#define SYS_NS_SYMLINK SYS_ACTION(OBJ_NS_NODE, 8)
/* a0 = path, a1 = length, a2 = node handle to name (RIGHT_WRITE), a3 = timeout. RIGHT_CREATE */
#define SYS_NS_LINK SYS_ACTION(OBJ_NS_NODE, 9)
/* a0 = buffer, a1 = its size, a2 = timeout. Returns the target's length. RIGHT_READ */
#define SYS_NS_READLINK SYS_ACTION(OBJ_NS_NODE, 10)
/* a0 = name, a1 = length, a2 = handle of a node (attach it) or an endpoint (a service),
 * a3 = rights a lookup of the service gets, a4 = the entry's type for an endpoint: 0 or
 * NS_TYPE_SVC (a service), or one of NS_TYPE_DEV_* (a device: an open expecting that type,
 * or NS_TYPE_ANY, gives the endpoint as for a service); a4 must be 0 for a node. Other
 * types are ERR_INVALID_ARGS. Kernel-tree directories only. RIGHT_MANAGE */
#define SYS_NS_BIND SYS_ACTION(OBJ_NS_NODE, 11)
/* a0 = name, a1 = length, a2 = handle_t *server_out: serve name by the caller, who
 * receives the provider protocol on the returned endpoint. RIGHT_MANAGE */
#define SYS_NS_SERVE SYS_ACTION(OBJ_NS_NODE, 12)

/* ns_open_args.rights: the rights of the directory capability, whatever they are. */
#define NS_RIGHTS_SAME UINT64_MAX

/* a0 = endpoint handle (RIGHT_SEND, RIGHT_TRANSFER, RIGHT_DUPLICATE: a copy goes to the
 * provider), a1 = NS_EVENT_* mask, a2 = timeout: send the directory's events there.
 * RIGHT_ENUMERATE */
#define SYS_NS_WATCH SYS_ACTION(OBJ_NS_NODE, 13)

struct ns_open_args {
	uint32_t type; /* enum ns_type expected (NS_TYPE_ANY: any) */
	uint32_t flags; /* NS_OPEN_* */
	uint64_t rights; /* wanted: a subset of the directory capability's, or NS_RIGHTS_SAME */
	uint64_t timeout;
};

struct ns_path_arg {
	uint64_t path; /* user address */
	uint64_t len;
};

/*
 * --- File-system sync and statistics (issue 17) ---
 * Both act on the whole file system (the provider) that the target node is
 * part of, whichever node of it that is. A provider that has nothing to do
 * for them (the kernel tree, proc://) answers ERR_NOT_SUPPORTED.
 *
 * a0 = NS_SYNC_* flags, a1 = timeout: write everything the provider holds
 * back to its storage and flush the device's cache; returns once that is
 * done. RIGHT_WRITE (a holder who cannot change anything through the node has
 * nothing to write back and may not make the disk busy); NS_SYNC_READ_ONLY
 * needs RIGHT_MANAGE too. docs/namespace.md "Sync and statfs".
 */
#define SYS_NS_SYNC SYS_ACTION(OBJ_NS_NODE, 14)
/* a0 = struct ns_statfs *out, a1 = timeout: the file system's figures. RIGHT_INSPECT
 * (they describe the whole file system, more than the subtree the node names). */
#define SYS_NS_STATFS SYS_ACTION(OBJ_NS_NODE, 15)

/* SYS_NS_SYNC flags */
/* Then keep the storage as it is now until the provider restarts: mark it clean (ext2:
 * s_state valid, as an unmount does) and refuse every change with ERR_ACCESS_DENIED,
 * reads still served. What shutdown asks before the power goes. RIGHT_MANAGE. A
 * provider whose storage does not outlive it (NS_STATFS_VOLATILE) has nothing to keep
 * and answers 0. */
#define NS_SYNC_READ_ONLY (1u << 0)
#define NS_SYNC_FLAGS_ALL NS_SYNC_READ_ONLY

/* struct ns_statfs.flags */
#define NS_STATFS_READ_ONLY (1u << 0) /* changes are refused (mounted read-only) */
#define NS_STATFS_VOLATILE (1u << 1) /* memory: nothing survives the provider */
#define NS_STATFS_FLAGS_ALL (NS_STATFS_READ_ONLY | NS_STATFS_VOLATILE)

/* Longest file-system type name ("ext2", "tmpfs"), without its NUL. */
#define NS_FSTYPE_MAX 15

/* What SYS_NS_STATFS reports (checked by the kernel: free <= total, available <= free,
 * block size a power of two 512..1 MiB, a NUL-terminated type of letters and digits). */
struct ns_statfs {
	uint32_t bsize; /* bytes a block */
	uint32_t namemax; /* longest name, 1..NS_NAME_MAX */
	uint64_t blocks; /* blocks in all */
	uint64_t bfree; /* free blocks */
	uint64_t bavail; /* free blocks an unprivileged writer may use */
	uint64_t files; /* inodes in all (0: not limited, not counted) */
	uint64_t ffree; /* free inodes */
	uint32_t flags; /* NS_STATFS_* */
	uint32_t reserved; /* 0 */
	char type[NS_FSTYPE_MAX + 1]; /* NUL-terminated */
};

/*
 * --- Changing attributes: chmod, chown, utimensat (issue 17) ---
 * a0 = const struct ns_setattr *, a1 = timeout: change what `valid` names of
 * the target node, any type the provider keeps (a link too, when opened with
 * NS_OPEN_NOFOLLOW). The provider also sets ctime to its clock's now, and keeps
 * the entry's type. RIGHT_WRITE (after fuchsia.io, where updating attributes
 * is part of the writable rights: whoever may change a file may change its
 * permission bits and times); NS_ATTR_UID and NS_ATTR_GID also need
 * RIGHT_MANAGE (giving a file away is the administration of the tree, as
 * binding is; POSIX keeps chown to the privileged). A mode outside 07777,
 * unknown bits, or a time both given and NOW is ERR_INVALID_ARGS; nothing to
 * change is 0 without asking the provider. Providers that keep no attributes
 * (the kernel tree, proc://) answer ERR_NOT_SUPPORTED; a read-only file
 * system ERR_ACCESS_DENIED. docs/namespace.md "Attributes".
 */
#define SYS_NS_SETATTR SYS_ACTION(OBJ_NS_NODE, 16)

/*
 * --- Mapping a file (issue 17) ---
 * a0 = rights wanted on the memory: RIGHT_READ (0 means it), plus RIGHT_WRITE
 * for a writable shared mapping and RIGHT_EXEC to run it, each needing the
 * same right on the file's capability (ERR_ACCESS_DENIED); a1 = handle_t *out;
 * a2 = uint64_t *size_out (optional: the memory object's bytes); a3 = timeout.
 * RIGHT_READ. Files only (ERR_WRONG_TYPE). The provider answers NS_OP_MAP
 * with one capability to a memory object that shows the file (fsd: a paged
 * object it is the pager of, docs/fsd.md "Mapped files"); the caller gets a
 * capability derived from it, so the provider can revoke it, with the rights
 * asked plus RIGHT_MAP and RIGHT_INSPECT, and RIGHT_DUPLICATE and
 * RIGHT_TRANSFER where the provider's had them; never RIGHT_MANAGE (the
 * pager's). The object may be longer than the file: bytes past its end read
 * as 0. A provider that cannot: ERR_NOT_SUPPORTED (fsd refuses RIGHT_WRITE:
 * it keeps no write-back of mapped pages); one that answers anything but one
 * memory capability with those rights: ERR_MALFORMED. Map it with SYS_AS_MAP;
 * libc's mmap() does both. docs/namespace.md "Mapping files".
 */
#define SYS_NS_MAP SYS_ACTION(OBJ_NS_NODE, 17)
/* The rights SYS_NS_MAP may ask for. */
#define NS_MAP_RIGHTS (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC)

/* struct ns_setattr.valid */
#define NS_ATTR_MODE (1u << 0) /* mode: permission bits (07777) */
#define NS_ATTR_UID (1u << 1) /* uid (RIGHT_MANAGE) */
#define NS_ATTR_GID (1u << 2) /* gid (RIGHT_MANAGE) */
#define NS_ATTR_ATIME (1u << 3) /* atime as given */
#define NS_ATTR_MTIME (1u << 4) /* mtime as given */
#define NS_ATTR_ATIME_NOW (1u << 5) /* atime: the provider's clock now */
#define NS_ATTR_MTIME_NOW (1u << 6) /* mtime: the provider's clock now */
#define NS_ATTR_ALL                                                                 \
	(NS_ATTR_MODE | NS_ATTR_UID | NS_ATTR_GID | NS_ATTR_ATIME | NS_ATTR_MTIME | \
	 NS_ATTR_ATIME_NOW | NS_ATTR_MTIME_NOW)

struct ns_setattr {
	uint32_t valid; /* NS_ATTR_* */
	uint32_t mode; /* permission bits only: the type is the entry's */
	uint32_t uid, gid;
	uint64_t atime, mtime; /* ns since 1970-01-01 UTC (a provider may keep less) */
};

/* Whether sa is well-formed (the kernel's and the provider framework's one check):
 * known bits, a mode within 07777, neither time both given and NOW. */
static inline int ns_setattr_ok(const struct ns_setattr *sa)
{
	const uint32_t a = NS_ATTR_ATIME | NS_ATTR_ATIME_NOW, m = NS_ATTR_MTIME | NS_ATTR_MTIME_NOW;
	return !(sa->valid & ~NS_ATTR_ALL) && !(sa->mode & ~NS_MODE_PERMS) &&
	       (sa->valid & a) != a && (sa->valid & m) != m;
}
