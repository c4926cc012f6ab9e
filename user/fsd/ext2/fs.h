/*
 * fs.h - the ext2 engine's insides, shared by its files (not by its users).
 *
 *   super.c   mount, validation of the superblock and group descriptors, sync
 *   alloc.c   block and inode bitmaps: allocating and freeing, free counts
 *   inode.c   inodes: reading, writing, the block map, read, write, truncate
 *   dir.c     directory blocks: lookup, listing, adding and removing entries
 *   ops.c     the operations on names (create, link, unlink, rename, ...)
 *   hold.c    inodes held open: an unlinked one lives until its last release
 *   dindex.c  in-memory indexes of large directories (name -> entry, room per block)
 *
 * Every value read from the image is checked where it is used; a bad one is
 * reported by ext2_corrupt(), which logs the structure and marks the file
 * system as having errors, and the operation fails with ERR_MALFORMED.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "disk.h"
#include "ext2.h"

/* Directory indexes (dindex.c): built for a directory whose linear lookup visited at
 * least EXT2_DINDEX_MIN_ENTRIES entries; at most EXT2_DINDEX_DIRS of them and
 * EXT2_DINDEX_BYTES between them (16 bytes an entry or more: 1 MiB is about 64,000
 * entries), the least recently used dropped first. */
#define EXT2_DINDEX_MIN_ENTRIES 64
#define EXT2_DINDEX_DIRS 16
#define EXT2_DINDEX_BYTES (1024 * 1024)

struct ext2_dslot {
	uint32_t hash; /* ext2_dname_hash() of the name */
	uint32_t loc; /* the entry's byte offset in the directory; UINT32_MAX: empty slot */
};

struct ext2_dindex {
	uint32_t dir; /* the directory's inode */
	uint32_t blocks; /* the directory's size in blocks, as indexed */
	uint32_t live, cap; /* slots in use; slots, a power of two */
	uint32_t room_cap; /* room[] entries allocated */
	uint64_t stamp; /* last use (least recently used is dropped first) */
	struct ext2_dslot *slots;
	uint16_t *room; /* per block: the largest entry (rec_len) a new name can take */
};

struct ext2_fs {
	struct ext2_dev dev;
	struct ext2_mount_opts opts;
	struct bcache cache;
	struct ext2_super sb; /* the primary superblock, written back at sync */
	struct ext2_group_desc *gd;
	uint32_t groups;
	uint32_t gdt_blocks; /* blocks the descriptor table takes */
	uint32_t bs, log_bs; /* block size, log2 of it */
	uint32_t ptrs; /* block numbers per indirect block */
	uint32_t inode_size, inodes_per_block, itable_blocks;
	uint32_t first_ino;
	uint32_t sb_block, sb_offset; /* where the superblock lives */
	bool read_only;
	bool filetype; /* directory entries carry a type */
	bool errors; /* corruption seen: the file system is marked at unmount */
	bool gd_dirty, sb_dirty;
	uint32_t clock_offset; /* added to opts.now(): see ext2_now() */
	struct ext2_hold *holds; /* inodes held open (hold.c) */
	uint32_t nholds, holds_cap;
	struct ext2_dindex *dix[EXT2_DINDEX_DIRS]; /* directory indexes (dindex.c) */
	uint32_t ndix;
	size_t dix_bytes;
	uint64_t dix_clock;
};

struct ext2_hold {
	uint32_t ino;
	uint32_t count;
};

/* Log a line (printf format) through the mount's log callback. */
void ext2_log(struct ext2_fs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log corruption of a structure, remember it, and return ERR_MALFORMED. */
int ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Seconds since 1970 for the times written (0 without a clock): opts.now(), moved on
 * when it was behind the file system's own latest time at mount (super.c). */
uint32_t ext2_now(const struct ext2_fs *fs);

/* A block through the cache, with ERR_MALFORMED logged for one outside the file system. */
int ext2_bread(struct ext2_fs *fs, uint32_t block, struct bcache_buf **out);
/* A block about to be overwritten whole (not read first). */
int ext2_bnew(struct ext2_fs *fs, uint32_t block, struct bcache_buf **out);
void ext2_brelse(struct ext2_fs *fs, struct bcache_buf *b);

/* The group of a block, and its first block. */
uint32_t ext2_block_group(const struct ext2_fs *fs, uint32_t block);
uint32_t ext2_group_first_block(const struct ext2_fs *fs, uint32_t group);
uint32_t ext2_group_blocks(const struct ext2_fs *fs, uint32_t group);
/* Does group hold a copy of the superblock and descriptors (sparse_super)? */
bool ext2_group_has_super(const struct ext2_fs *fs, uint32_t group);
/* Is block file-system metadata (superblock, descriptors, bitmaps, inode table)? */
bool ext2_block_is_meta(const struct ext2_fs *fs, uint32_t block);

/* alloc.c */
/* A free block, as near goal as there is one: *out, marked used. ERR_NO_RESOURCES. */
int ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *out);
int ext2_free_block(struct ext2_fs *fs, uint32_t block);
/* A free inode, in dir_group or after it: *out, marked used. ERR_NO_RESOURCES. */
int ext2_alloc_inode(struct ext2_fs *fs, uint32_t dir_group, bool is_dir, uint32_t *out);
int ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool is_dir);
/* Whether every other inode of ino's inode-table block is free (its bitmap bits are
 * clear): that block holds nothing else to keep (false on a read error). */
bool ext2_itable_block_free_but(struct ext2_fs *fs, uint32_t ino);

/* inode.c */
/* Is ino a number an inode may have (1..s_inodes_count)? */
bool ext2_ino_valid(const struct ext2_fs *fs, uint32_t ino);
/* Read ino's first 128 bytes; ERR_NOT_FOUND for an unused inode (no links, or a dtime). */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);
/* The same for an inode number a caller gave: ERR_NOT_FOUND (not logged) if unused. */
int ext2_iget_node(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);
/* Read any inode, used or not. */
int ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);
int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
/* Zero ino's whole slot and write in (a new inode; sets the extra fields). */
int ext2_inew(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
uint64_t ext2_isize(const struct ext2_inode *in);
void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *in, uint64_t size);
/*
 * The physical block of logical block lbn: *out (0: a hole). With alloc, a
 * hole is filled (indirect blocks too; *fresh says the block is new and
 * zeroed in the cache) and in is updated (the caller writes it back).
 */
int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t lbn, bool alloc,
              uint32_t *out, bool *fresh);
/* Free every block past the first keep logical blocks (indirect ones too). */
int ext2_free_blocks_from(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t keep);
/* Blocks a file can address at most. */
uint64_t ext2_max_blocks(const struct ext2_fs *fs);
/* Drop a link; with the last one gone (and no hold), free the inode and its blocks. */
int ext2_drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);
/* Free an inode without links: its blocks, its attribute block, its bitmap bit. */
int ext2_free_unlinked(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);

/* hold.c */
bool ext2_is_held(const struct ext2_fs *fs, uint32_t ino);
/* Release every hold (unmount): unlinked inodes are freed. The first error. */
int ext2_release_all(struct ext2_fs *fs);
/* Free every held inode that has no links left, keeping the holds. The first error. */
int ext2_free_held_unlinked(struct ext2_fs *fs);
bool ext2_is_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *in);

/* dindex.c: the tables; dir.c builds and keeps them exact. */
uint32_t ext2_dname_hash(const char *name, size_t len);
/* dir's index (its last use noted), or NULL. */
struct ext2_dindex *ext2_dindex_get(struct ext2_fs *fs, uint32_t dir);
/* A new empty index for dir (replacing any) of blocks blocks, sized for entries: NULL
 * if the bounds or memory do not allow one. */
struct ext2_dindex *ext2_dindex_new(struct ext2_fs *fs, uint32_t dir, uint32_t blocks,
                                    uint32_t entries);
void ext2_dindex_drop(struct ext2_fs *fs, uint32_t dir);
void ext2_dindex_drop_all(struct ext2_fs *fs);
/* Add an entry; -1 if the table cannot grow (the caller drops the index). */
int ext2_dindex_insert(struct ext2_fs *fs, struct ext2_dindex *dx, uint32_t hash, uint32_t loc);
/* Remove the entry at loc; false if it is not there. */
bool ext2_dindex_erase(struct ext2_dindex *dx, uint32_t hash, uint32_t loc);
/* The next entry with this hash: its loc, or UINT32_MAX. *pos starts at UINT32_MAX. */
uint32_t ext2_dindex_next(const struct ext2_dindex *dx, uint32_t hash, uint32_t *pos);
/* Block lbn's room (lbn may be the next block past the end); -1 without memory. */
int ext2_dindex_set_room(struct ext2_fs *fs, struct ext2_dindex *dx, uint32_t lbn, uint32_t room);
/* The first block with room for an entry of need bytes, or dx->blocks if none has. */
uint32_t ext2_dindex_find_room(const struct ext2_dindex *dx, uint32_t need);

/* dir.c */
/* Is name a valid new entry name (ERR_INVALID_ARGS if not)? */
int ext2_check_name(const char *name, size_t len);
int ext2_dir_lookup(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                    const char *name, size_t len, uint32_t *ino, uint8_t *type);
/*
 * Is name new in dir? 0 (and *room: the block with room for it, or the directory's
 * block count if it needs a new block), ERR_ALREADY_EXISTS, or an error. One walk
 * (none with an index) serves both the check and ext2_dir_add()'s search for room.
 */
int ext2_dir_check_new(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                       const char *name, size_t len, uint32_t *room);
/* No room known: ext2_dir_add() looks for it. */
#define EXT2_ROOM_UNKNOWN UINT32_MAX
/* Add an entry; room is ext2_dir_check_new()'s answer (nothing changed since) or
 * EXT2_ROOM_UNKNOWN. */
int ext2_dir_add(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
                 size_t len, uint32_t ino, uint8_t type, uint32_t room);
int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
                    size_t len);
/* Point an existing entry at another inode (rename's replace, a dir's ".."). */
int ext2_dir_retarget(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                      const char *name, size_t len, uint32_t ino, uint8_t type);
/* 1 if directory has entries besides "." and "..", 0 if it is empty. */
int ext2_dir_nonempty(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din);
/* Make dir's first block: "." and "..". */
int ext2_dir_init(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, uint32_t parent);
uint8_t ext2_mode_to_ft(uint16_t mode);
/* Compare dir's index (if it has one) with a linear walk: 0 if they agree exactly (every
 * live entry indexed at its place, nothing else, each block's room right), else
 * ERR_BAD_STATE (tests). */
int ext2_dir_check_index(struct ext2_fs *fs, uint32_t dir);
