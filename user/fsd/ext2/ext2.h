/*
 * ext2.h - the ext2 engine of fsd: mount, read and write an ext2 file system
 * (revision 0 and 1, 1, 2 and 4 KiB blocks) over any block device.
 *
 * A pure library: no system calls. The device is a struct of callbacks
 * (struct ext2_dev), so the same code runs over the block class in fsd and
 * over an image file in tests/host/test_ext2.c and tests/fuzz/fuzz_ext2.c.
 * docs/fsd.md has the design, the limits and the list of what is checked.
 *
 * Nodes are named by inode number (the root is EXT2_ROOT_INO, 2); names are
 * one path component each (1..255 bytes, no '/' or NUL, not "." or "..").
 * Directory listings leave out "." and "..". An inode number a caller passes
 * that names no inode in use (a stale one) is ERR_NOT_FOUND; a directory entry
 * that names one is corruption (ERR_MALFORMED).
 *
 * Errors are the ERR_* codes of abi/errors.h:
 *   ERR_MALFORMED      the image is corrupt (a log line names the structure);
 *                      on a read-write mount the file system is then marked
 *                      as having errors at unmount
 *   ERR_NOT_SUPPORTED  a feature or format the engine does not implement
 *   ERR_ACCESS_DENIED  a write on a read-only mount
 *   ERR_NO_RESOURCES   no free block or inode left (a full disk): the operation
 *                      fails and nothing already written is lost; also a
 *                      directory or file at its largest, or 32,000 links
 *   ERR_NOT_FOUND, ERR_ALREADY_EXISTS, ERR_WRONG_TYPE, ERR_BAD_STATE (rmdir of
 *   a non-empty directory), ERR_INVALID_ARGS (a bad name, a rename into its own
 *   subtree), ERR_OUT_OF_RANGE (an offset past the largest file), ERR_NO_MEMORY,
 *   and whatever the device's callbacks return.
 *
 * Not thread-safe: one caller at a time per mount (fsd serves one request at a
 * time).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disk.h"

/*
 * A block device: block_count blocks of block_size bytes (a power of two,
 * 512..4096). Each callback returns 0 or a negative ERR_* code; first + count
 * never passes block_count (the engine checks before it calls).
 */
struct ext2_dev {
	void *ctx;
	uint32_t block_size;
	uint64_t block_count;
	int (*read_blocks)(void *ctx, uint64_t first, uint32_t count, void *buf);
	int (*write_blocks)(void *ctx, uint64_t first, uint32_t count, const void *buf);
	int (*flush)(void *ctx); /* may be NULL */
};

struct ext2_mount_opts {
	bool read_only;
	uint32_t cache_blocks; /* file-system blocks the cache may hold; 0: cache_bytes */
	uint32_t cache_bytes; /* else its size in bytes (whole blocks); both 0: 1024 blocks */
	uint32_t (*now)(void); /* seconds since 1970, for times; NULL: times stay 0 */
	/* One line per problem found (no newline); NULL: silent. */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

struct ext2_fs;

/* What ext2_stat() reports: the inode as stored. */
struct ext2_stat {
	uint32_t ino;
	uint16_t mode; /* type bits (EXT2_S_IF*) and permissions */
	uint16_t links;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t blocks; /* 512-byte units allocated */
	uint32_t atime, mtime, ctime;
	uint32_t generation; /* i_generation: tells a reused inode number apart */
};

/* One entry of a listing. */
struct ext2_dirent_info {
	uint32_t ino;
	uint8_t type; /* EXT2_FT_*; EXT2_FT_UNKNOWN without the filetype feature */
	uint8_t name_len;
	char name[256]; /* NUL-terminated */
};

/* Statistics of a mount (tests and benchmarks). */
struct ext2_info {
	uint32_t block_size;
	uint32_t blocks, free_blocks;
	uint32_t inodes, free_inodes;
	uint32_t groups;
	bool read_only;
	uint64_t cache_hits, cache_misses, dev_reads, dev_writes;
};

/*
 * Mount the file system on dev. Validates the superblock and every group
 * descriptor first; refuses (ERR_MALFORMED, ERR_NOT_SUPPORTED) with a log line.
 * A read-write mount marks the file system not clean on disk and counts the
 * mount. Unknown read-only-compatible features or an error state force
 * read_only (logged). *out is freed by ext2_unmount().
 */
int ext2_mount(const struct ext2_dev *dev, const struct ext2_mount_opts *opts,
               struct ext2_fs **out);
/*
 * Write everything back, mark the file system clean (or as having errors if
 * any were found), flush the device, and free the mount. The mount is freed
 * even when a write fails; the first error is returned.
 */
int ext2_unmount(struct ext2_fs *fs);
/* Write every dirty block, the group descriptors and the superblock; flush. */
int ext2_sync(struct ext2_fs *fs);
/*
 * Make the mount read-only for good (until it is mounted again), leaving the
 * file system as an unmount would: inodes held without links are freed (their
 * holds stay, and read as gone), everything is written back, the superblock is
 * marked clean (or as having errors) and the device flushed. Every change after
 * it is ERR_ACCESS_DENIED; reads go on. On an already read-only mount: 0.
 */
int ext2_make_read_only(struct ext2_fs *fs);
void ext2_info(const struct ext2_fs *fs, struct ext2_info *out);

/* --- Reading --- */
int ext2_stat(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *out);
/* Look name up in directory dir: *ino. ERR_NOT_FOUND, ERR_WRONG_TYPE (dir is not one). */
int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);
/*
 * Resolve a path of names separated by '/' from dir (no link is followed, "."
 * and ".." are names like any other): *ino. Empty path: dir itself.
 */
int ext2_resolve(struct ext2_fs *fs, uint32_t dir, const char *path, uint32_t *ino);
/*
 * The next entry of directory dir after *cookie (0 at the start): 1 with *out
 * filled and *cookie moved on, 0 at the end.
 */
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent_info *out);
/* Read up to len bytes of a regular file at off: the count read (0 at or past the end). */
int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len);
/* A link's target into buf (cap bytes; NUL-terminated when it fits): its length. */
int64_t ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t cap);

/* --- Writing (ERR_ACCESS_DENIED on a read-only mount) --- */
/*
 * Write len bytes at off, allocating blocks as needed: the count written. A
 * full disk stops the write at the last whole block written (that count, or
 * ERR_NO_RESOURCES if none was).
 */
int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);
/* Set a regular file's size: blocks past it are freed; growing leaves a hole. */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size);
/* Create a file (EXT2_S_IFREG) or directory (EXT2_S_IFDIR) in mode: *out. */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
                uint32_t uid, uint32_t gid, uint32_t *out);
/* Create a symbolic link to target (1..block size - 1 bytes, no NUL). */
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, const char *target,
                 size_t tlen, uint32_t uid, uint32_t gid, uint32_t *out);
/* A new name for ino (not a directory: ERR_WRONG_TYPE). */
int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino);
/* Remove a non-directory name; the inode is freed with its last link. */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* Remove an empty directory (ERR_BAD_STATE when it is not empty). */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/*
 * Move sdir/sname to ddir/dname, replacing what is there (a file by a
 * non-directory, an empty directory by a directory). A directory cannot move
 * into its own subtree (ERR_INVALID_ARGS).
 */
int ext2_rename(struct ext2_fs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
                const char *dname, size_t dlen);
/*
 * Hold ino open (fsd does while a capability to the file exists): when its last
 * name goes, the inode and its blocks stay, readable and writable through ino,
 * until the last ext2_release(). Holds nest. ERR_NO_MEMORY. A crash while an
 * unlinked inode is held leaves it for e2fsck to collect, as on Linux's ext2.
 */
int ext2_hold(struct ext2_fs *fs, uint32_t ino);
/* Drop a hold; the last one of an inode without names frees it. ERR_NOT_FOUND if not held. */
int ext2_release(struct ext2_fs *fs, uint32_t ino);
/* ext2_setattr: a field left as it is; a time set to the engine's clock now. */
#define EXT2_ATTR_KEEP UINT32_MAX
#define EXT2_ATTR_NOW (UINT32_MAX - 1)
/*
 * Set mode's permission bits (perm & 07777; the type bits stay), owner, group
 * (32 bits: i_uid/i_uid_high) and times (seconds) as given, each unless
 * EXT2_ATTR_KEEP; a time of EXT2_ATTR_NOW is the clock's now. ctime becomes now.
 */
int ext2_setattr(struct ext2_fs *fs, uint32_t ino, uint32_t perm, uint32_t uid, uint32_t gid,
                 uint32_t atime, uint32_t mtime);
