/*
 * tree.h - the memory-backed file tree behind the tmpfs provider (fs:///tmp).
 *
 * Pure data structure, no system calls: the provider loop (tmpfs.c) turns
 * namespace protocol messages into these calls, and tests/host/test_tmpfs.c
 * runs them on the host under ASan. Entries are dirs, files and links; every
 * node has a 64-bit id that is never reused, which is what the kernel's node
 * capabilities name, so a capability to a removed node fails cleanly
 * (ERR_NOT_FOUND) instead of reaching a recycled one.
 *
 * Paths handed to tfs_walk() are normalized (shared/ns_uri.h: names joined by one
 * '/', no "." or ".."): lexical ".." is the kernel's, so the tree keeps no
 * ".." entries and needs no parent walk except to refuse moving a directory
 * below itself.
 *
 * Memory: every node, name and file page is counted in bytes against the
 * tree's limit; an operation that would pass it fails with ERR_NO_MEMORY and
 * changes nothing. Errors are the ERR_* codes of abi/errors.h.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <abi/ns.h>

struct tfs_node;

struct tfs {
	struct tfs_node **ids; /* open-addressing table of live nodes by id */
	size_t ids_cap, nnodes;
	uint64_t next_id;
	uint64_t root;
	uint64_t used, limit; /* bytes counted against the limit */
	uint64_t (*clock)(void); /* nanoseconds, for times */
};

/* What tfs_walk() found. */
struct tfs_walk {
	uint64_t node; /* the node reached (for a link stop: the link) */
	uint32_t type;
	unsigned consumed; /* names of the path resolved, the link's included */
	const char *link; /* a link stop: its target (not NUL-terminated) */
	size_t link_len;
};

/* tfs_walk() returned at a link the caller must splice and resolve again. */
#define TFS_WALK_LINK 1

/* tfs_unlink() flags */
#define TFS_UNLINK_DIR NS_UNLINK_DIR /* remove an (empty) directory, as rmdir */

/* Make an empty tree (its root directory) allowed limit bytes. ERR_NO_MEMORY. */
int tfs_init(struct tfs *fs, uint64_t limit, uint64_t (*clock)(void));
/* Free everything. */
void tfs_destroy(struct tfs *fs);

/*
 * Resolve the normalized path (len bytes; 0 = start itself) from the
 * directory start. Returns 0 with the node reached, or TFS_WALK_LINK when a
 * link is met before the end (or at the end, when follow_last) with the
 * link's target; ERR_NOT_FOUND (start or a name missing), ERR_WRONG_TYPE (a
 * name before the last is not a directory), ERR_INVALID_ARGS (malformed path).
 */
int tfs_walk(struct tfs *fs, uint64_t start, const char *path, size_t len, bool follow_last,
             struct tfs_walk *out);

/*
 * Create name in dir as an empty file or directory (type). If it exists and
 * !exclusive and it has that type, *out is the existing node and 0 is
 * returned; otherwise ERR_ALREADY_EXISTS (or ERR_WRONG_TYPE for another type).
 */
int tfs_create(struct tfs *fs, uint64_t dir, const char *name, size_t len, uint32_t type,
               bool exclusive, uint64_t *out);
/* Create name in dir as a link to target (1..NS_PATH_MAX bytes, any bytes but NUL). */
int tfs_symlink(struct tfs *fs, uint64_t dir, const char *name, size_t len, const char *target,
                size_t tlen, uint64_t *out);
/* A hard link: name in dir for the file or link node (directories: ERR_WRONG_TYPE). */
int tfs_link(struct tfs *fs, uint64_t dir, const char *name, size_t len, uint64_t node);
/* Remove name from dir; a directory only with TFS_UNLINK_DIR and only empty (ERR_BAD_STATE). */
int tfs_unlink(struct tfs *fs, uint64_t dir, const char *name, size_t len, unsigned flags);
/*
 * Move from/flen in dir1 to to/tlen in dir2, replacing what is there if it is
 * of a compatible kind (a file or link by a file or link, an empty directory
 * by a directory); a directory cannot move below itself (ERR_INVALID_ARGS).
 */
int tfs_rename(struct tfs *fs, uint64_t dir1, const char *from, size_t flen, uint64_t dir2,
               const char *to, size_t tlen);

/* A node's attributes (every field of out set): its mode with NS_MODE_KEPT (made 0755 /
 * 0644 / 0777: dirs, files, links), owner and group (made 0), generation 0 (ids are
 * never reused). */
int tfs_stat(struct tfs *fs, uint64_t node, struct ns_stat *out);
/* Change what sa->valid names (abi/ns.h; ERR_INVALID_ARGS unless ns_setattr_ok), ctime
 * to now. Times are kept in ns as given. */
int tfs_setattr(struct tfs *fs, uint64_t node, const struct ns_setattr *sa);
/*
 * List dir from *cookie (0: the start) into buf as struct ns_dirent records (abi/ns.h): as many whole entries as fit.
 * Returns the bytes written (0: no more entries) and advances *cookie; an
 * entry added or removed meanwhile does not make the listing repeat or skip
 * any other. ERR_BUFFER_TOO_SMALL if not even the next entry fits.
 */
long tfs_list(struct tfs *fs, uint64_t dir, uint64_t *cookie, void *buf, size_t cap);
/* Read up to len bytes at off of a file (holes read as zeros); returns the bytes read. */
long tfs_read(struct tfs *fs, uint64_t node, uint64_t off, void *buf, size_t len);
/* Write len bytes at off, growing the file; returns len. */
long tfs_write(struct tfs *fs, uint64_t node, uint64_t off, const void *buf, size_t len);
/* Set a file's size (shrinking frees its pages past it; growing leaves a hole). */
int tfs_truncate(struct tfs *fs, uint64_t node, uint64_t size);
/* A link's target: copies up to cap bytes, returns its length. */
long tfs_readlink(struct tfs *fs, uint64_t node, char *buf, size_t cap);

/*
 * Open references: a node with no name left stays alive while the kernel
 * holds capabilities to it (POSIX's open-but-unlinked file). The provider
 * calls tfs_hold() when a capability is made and tfs_release() when it goes.
 */
/* The first name of node in directory dir, copied into name (NS_NAME_MAX + 1 bytes):
 * its length, or ERR_NOT_FOUND (for watch events: which entry changed). */
long tfs_name_in(struct tfs *fs, uint64_t dir, uint64_t node, char *name);

int tfs_hold(struct tfs *fs, uint64_t node);
void tfs_release(struct tfs *fs, uint64_t node);
