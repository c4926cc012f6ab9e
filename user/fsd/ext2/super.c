/*
 * super.c - mounting: the superblock and the group descriptors, checked whole
 * before anything else is read; sync and unmount; the small helpers the other
 * files share (logging, block access, group arithmetic).
 *
 * What mount checks (docs/fsd.md has the list): the device's geometry, the
 * magic, the revision, the block size, every count against the others and
 * against the device's size, the inode size and first inode, the feature
 * flags (unknown incompatible ones refuse the mount and are named; unknown
 * read-only-compatible ones make it read-only), and for every group that its
 * bitmaps and inode table lie inside the group, clear of its superblock copy
 * and descriptor table, and of each other, and that its counts fit.
 *
 * A read-write mount writes the superblock back at once with the file system
 * marked not clean and the mount counted, so a crash leaves it marked for
 * e2fsck; ext2_unmount() marks it clean again (or as having errors).
 */
#include "fs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>

#define EXT2_DEFAULT_CACHE 1024u

static void vlog(struct ext2_fs *fs, const char *prefix, const char *fmt, va_list ap)
{
	if (!fs->opts.log)
		return;
	char line[256];
	int n = snprintf(line, sizeof(line), "ext2: %s", prefix);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fs->opts.log(fs->opts.log_ctx, line);
}

void ext2_log(struct ext2_fs *fs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fs, "", fmt, ap);
	va_end(ap);
}

int ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...)
{
	fs->errors = true;
	va_list ap;
	va_start(ap, fmt);
	vlog(fs, "corrupt: ", fmt, ap);
	va_end(ap);
	return ERR_MALFORMED;
}

uint32_t ext2_now(const struct ext2_fs *fs)
{
	return fs->opts.now ? fs->opts.now() + fs->clock_offset : 0;
}

/*
 * A clock behind the file system's own latest time (its last mount, write or
 * check) is a system without a wall clock counting from its boot (fsd's, for
 * now): from the mount on it counts from that time instead, so times never go
 * back, and a deleted inode's dtime is never a small number, which e2fsck takes
 * for a link of an orphan list once a system with a real clock has written the
 * superblock.
 */
static void set_clock(struct ext2_fs *fs)
{
	uint32_t latest = fs->sb.s_mtime, t = fs->opts.now ? fs->opts.now() : 0;
	latest = fs->sb.s_wtime > latest ? fs->sb.s_wtime : latest;
	latest = fs->sb.s_lastcheck > latest ? fs->sb.s_lastcheck : latest;
	fs->clock_offset = t < latest ? latest - t : 0;
}

int ext2_bread(struct ext2_fs *fs, uint32_t block, struct bcache_buf **out)
{
	if (block >= fs->sb.s_blocks_count)
		return ext2_corrupt(fs, "block %u past the end (%u blocks)", block,
		                    fs->sb.s_blocks_count);
	return bcache_get(&fs->cache, block, true, out);
}

int ext2_bnew(struct ext2_fs *fs, uint32_t block, struct bcache_buf **out)
{
	if (block >= fs->sb.s_blocks_count)
		return ext2_corrupt(fs, "block %u past the end (%u blocks)", block,
		                    fs->sb.s_blocks_count);
	return bcache_get(&fs->cache, block, false, out);
}

void ext2_brelse(struct ext2_fs *fs, struct bcache_buf *b)
{
	bcache_put(&fs->cache, b);
}

uint32_t ext2_block_group(const struct ext2_fs *fs, uint32_t block)
{
	if (block < fs->sb.s_first_data_block)
		return 0;
	return (block - fs->sb.s_first_data_block) / fs->sb.s_blocks_per_group;
}

uint32_t ext2_group_first_block(const struct ext2_fs *fs, uint32_t group)
{
	return fs->sb.s_first_data_block + group * fs->sb.s_blocks_per_group;
}

uint32_t ext2_group_blocks(const struct ext2_fs *fs, uint32_t group)
{
	uint32_t first = ext2_group_first_block(fs, group);
	uint32_t left = fs->sb.s_blocks_count - first;
	return left < fs->sb.s_blocks_per_group ? left : fs->sb.s_blocks_per_group;
}

static bool is_power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

bool ext2_group_has_super(const struct ext2_fs *fs, uint32_t group)
{
	if (!(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	return group <= 1 || is_power_of(group, 3) || is_power_of(group, 5) ||
	       is_power_of(group, 7);
}

/* Blocks at the start of a group with a superblock copy: it, the descriptors, reserved ones. */
static uint32_t super_area(const struct ext2_fs *fs, uint32_t group)
{
	if (!ext2_group_has_super(fs, group))
		return 0;
	uint32_t n = 1 + fs->gdt_blocks;
	if (fs->sb.s_feature_compat & EXT2_FEATURE_COMPAT_RESIZE_INODE)
		n += fs->sb.s_reserved_gdt_blocks;
	return n;
}

bool ext2_block_is_meta(const struct ext2_fs *fs, uint32_t block)
{
	if (block < fs->sb.s_first_data_block || block >= fs->sb.s_blocks_count)
		return true;
	uint32_t g = ext2_block_group(fs, block);
	uint32_t first = ext2_group_first_block(fs, g);
	const struct ext2_group_desc *d = &fs->gd[g];
	if (block - first < super_area(fs, g))
		return true;
	if (block == d->bg_block_bitmap || block == d->bg_inode_bitmap)
		return true;
	return block >= d->bg_inode_table && block - d->bg_inode_table < fs->itable_blocks;
}

/* --- Features --- */

struct feature_name {
	uint32_t bit;
	const char *name;
};

static const struct feature_name incompat_names[] = {
    {0x0001, "compression"}, {0x0002, "filetype"},    {0x0004, "needs_recovery"},
    {0x0008, "journal_dev"}, {0x0010, "meta_bg"},     {0x0040, "extent"},
    {0x0080, "64bit"},       {0x0100, "mmp"},         {0x0200, "flex_bg"},
    {0x0400, "ea_inode"},    {0x1000, "dirdata"},     {0x2000, "metadata_csum_seed"},
    {0x4000, "large_dir"},   {0x8000, "inline_data"}, {0x10000, "encrypt"},
    {0x20000, "casefold"},
};

static const struct feature_name ro_compat_names[] = {
    {0x0001, "sparse_super"}, {0x0002, "large_file"},    {0x0004, "btree_dir"},
    {0x0008, "huge_file"},    {0x0010, "uninit_bg"},     {0x0020, "dir_nlink"},
    {0x0040, "extra_isize"},  {0x0080, "snapshot"},      {0x0100, "quota"},
    {0x0200, "bigalloc"},     {0x0400, "metadata_csum"}, {0x0800, "replica"},
    {0x1000, "read-only"},    {0x2000, "project"},       {0x4000, "shared_blocks"},
    {0x8000, "verity"},
};

/* The first feature of bits, by name (or "0x..." for one without a name). */
static const char *feature_name(const struct feature_name *t, size_t n, uint32_t bits, char *hex,
                                size_t cap)
{
	uint32_t low = bits & -bits;
	for (size_t i = 0; i < n; i++)
		if (t[i].bit == low)
			return t[i].name;
	snprintf(hex, cap, "unknown 0x%x", low);
	return hex;
}

#define SUPPORTED_INCOMPAT EXT2_FEATURE_INCOMPAT_FILETYPE
#define SUPPORTED_RO_COMPAT \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

static int check_features(struct ext2_fs *fs)
{
	char hex[24];
	uint32_t bad = fs->sb.s_feature_incompat & ~SUPPORTED_INCOMPAT;
	if (bad) {
		ext2_log(fs, "refusing to mount: incompatible feature '%s' is not supported",
		         feature_name(incompat_names,
		                      sizeof(incompat_names) / sizeof(incompat_names[0]), bad, hex,
		                      sizeof(hex)));
		return ERR_NOT_SUPPORTED;
	}
	bad = fs->sb.s_feature_ro_compat & ~SUPPORTED_RO_COMPAT;
	if (bad && !fs->read_only) {
		ext2_log(fs,
		         "mounting read-only: read-only-compatible feature '%s' is not supported",
		         feature_name(ro_compat_names,
		                      sizeof(ro_compat_names) / sizeof(ro_compat_names[0]), bad,
		                      hex, sizeof(hex)));
		fs->read_only = true;
	}
	fs->filetype = fs->sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	return 0;
}

/* --- The superblock --- */

static int read_super(struct ext2_fs *fs)
{
	uint32_t dbs = fs->dev.block_size;
	uint64_t first = EXT2_SUPER_OFFSET / dbs;
	uint32_t count = dbs <= EXT2_SUPER_SIZE ? EXT2_SUPER_SIZE / dbs : 1;
	if (first + count > fs->dev.block_count) {
		ext2_log(fs, "device: %llu blocks of %u bytes cannot hold a superblock",
		         (unsigned long long)fs->dev.block_count, dbs);
		return ERR_MALFORMED;
	}
	uint8_t *buf = malloc((size_t)count * dbs);
	if (!buf)
		return ERR_NO_MEMORY;
	int err = fs->dev.read_blocks(fs->dev.ctx, first, count, buf);
	if (err == 0)
		memcpy(&fs->sb, buf + (EXT2_SUPER_OFFSET - first * dbs), sizeof(fs->sb));
	free(buf);
	return err;
}

static int check_super(struct ext2_fs *fs)
{
	struct ext2_super *s = &fs->sb;
	if (s->s_magic != EXT2_MAGIC) {
		ext2_log(fs, "superblock: bad magic 0x%04x (not ext2)", s->s_magic);
		return ERR_MALFORMED;
	}
	if (s->s_rev_level > EXT2_DYNAMIC_REV) {
		ext2_log(fs, "superblock: revision %u not supported", s->s_rev_level);
		return ERR_NOT_SUPPORTED;
	}
	if (s->s_log_block_size > 2) {
		ext2_log(fs, "superblock: block size 2^(10+%u) not supported (1, 2 or 4 KiB)",
		         s->s_log_block_size);
		return ERR_NOT_SUPPORTED;
	}
	fs->log_bs = 10 + s->s_log_block_size;
	fs->bs = 1u << fs->log_bs;
	fs->ptrs = fs->bs / 4;
	if (fs->bs < fs->dev.block_size) {
		ext2_log(fs, "superblock: block size %u below the device's %u", fs->bs,
		         fs->dev.block_size);
		return ERR_NOT_SUPPORTED;
	}
	if (s->s_rev_level == EXT2_GOOD_OLD_REV) {
		/* revision 0 has none of the fields after s_def_resgid: treat them as zero */
		s->s_first_ino = EXT2_GOOD_OLD_FIRST_INO;
		s->s_inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		s->s_feature_compat = s->s_feature_incompat = s->s_feature_ro_compat = 0;
		s->s_reserved_gdt_blocks = 0;
	}
	if (s->s_first_data_block != (fs->bs == 1024 ? 1u : 0u)) {
		ext2_log(fs, "superblock: first data block %u with %u-byte blocks",
		         s->s_first_data_block, fs->bs);
		return ERR_MALFORMED;
	}
	uint64_t dev_blocks = fs->dev.block_count / (fs->bs / fs->dev.block_size);
	if (s->s_blocks_count <= s->s_first_data_block + 1 || s->s_blocks_count > dev_blocks) {
		ext2_log(fs, "superblock: block count %u (the device holds %llu)",
		         s->s_blocks_count, (unsigned long long)dev_blocks);
		return ERR_MALFORMED;
	}
	uint32_t isz = s->s_inode_size;
	if (isz < EXT2_GOOD_OLD_INODE_SIZE || isz > fs->bs || (isz & (isz - 1))) {
		ext2_log(fs, "superblock: inode size %u", isz);
		return ERR_MALFORMED;
	}
	fs->inode_size = isz;
	fs->inodes_per_block = fs->bs / isz;
	if (s->s_blocks_per_group < 8 || s->s_blocks_per_group > 8 * fs->bs ||
	    s->s_blocks_per_group % 8) {
		ext2_log(fs, "superblock: %u blocks per group", s->s_blocks_per_group);
		return ERR_MALFORMED;
	}
	if (s->s_inodes_per_group == 0 || s->s_inodes_per_group > 8 * fs->bs ||
	    s->s_inodes_per_group % fs->inodes_per_block) {
		ext2_log(fs, "superblock: %u inodes per group", s->s_inodes_per_group);
		return ERR_MALFORMED;
	}
	fs->itable_blocks = s->s_inodes_per_group / fs->inodes_per_block;
	fs->groups = (uint32_t)(((uint64_t)s->s_blocks_count - s->s_first_data_block +
	                         s->s_blocks_per_group - 1) /
	                        s->s_blocks_per_group);
	if ((uint64_t)fs->groups * s->s_inodes_per_group != s->s_inodes_count) {
		ext2_log(fs, "superblock: %u inodes, but %u groups of %u", s->s_inodes_count,
		         fs->groups, s->s_inodes_per_group);
		return ERR_MALFORMED;
	}
	fs->first_ino = s->s_first_ino;
	if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO || fs->first_ino > s->s_inodes_count) {
		ext2_log(fs, "superblock: first inode %u", fs->first_ino);
		return ERR_MALFORMED;
	}
	if ((s->s_feature_compat & EXT2_FEATURE_COMPAT_RESIZE_INODE) &&
	    s->s_reserved_gdt_blocks > fs->ptrs) {
		ext2_log(fs, "superblock: %u reserved descriptor blocks", s->s_reserved_gdt_blocks);
		return ERR_MALFORMED;
	}
	fs->gdt_blocks =
	    (uint32_t)(((uint64_t)fs->groups * sizeof(struct ext2_group_desc) + fs->bs - 1) /
	               fs->bs);
	/* the last group must hold at least its own metadata; every group's super area fits */
	uint32_t area =
	    1 + fs->gdt_blocks +
	    ((s->s_feature_compat & EXT2_FEATURE_COMPAT_RESIZE_INODE) ? s->s_reserved_gdt_blocks
	                                                              : 0);
	if (area + 2 + fs->itable_blocks > s->s_blocks_per_group) {
		ext2_log(fs, "superblock: group metadata (%u + %u blocks) exceeds a group of %u",
		         area, 2 + fs->itable_blocks, s->s_blocks_per_group);
		return ERR_MALFORMED;
	}
	fs->sb_block = EXT2_SUPER_OFFSET / fs->bs;
	fs->sb_offset = EXT2_SUPER_OFFSET % fs->bs;
	return 0;
}

/* Is [start, start + n) inside [lo, hi)? */
static bool inside(uint32_t start, uint32_t n, uint32_t lo, uint32_t hi)
{
	return start >= lo && start < hi && n <= hi - start;
}

static int check_group(struct ext2_fs *fs, uint32_t g)
{
	const struct ext2_group_desc *d = &fs->gd[g];
	uint32_t first = ext2_group_first_block(fs, g);
	uint32_t end = first + ext2_group_blocks(fs, g);
	uint32_t lo = first + super_area(fs, g);
	const char *what = NULL;
	if (!inside(d->bg_block_bitmap, 1, lo, end))
		what = "block bitmap";
	else if (!inside(d->bg_inode_bitmap, 1, lo, end) ||
	         d->bg_inode_bitmap == d->bg_block_bitmap)
		what = "inode bitmap";
	else if (!inside(d->bg_inode_table, fs->itable_blocks, lo, end) ||
	         inside(d->bg_block_bitmap, 1, d->bg_inode_table,
	                d->bg_inode_table + fs->itable_blocks) ||
	         inside(d->bg_inode_bitmap, 1, d->bg_inode_table,
	                d->bg_inode_table + fs->itable_blocks))
		what = "inode table";
	else if (d->bg_free_blocks_count > end - first)
		what = "free block count";
	else if (d->bg_free_inodes_count > fs->sb.s_inodes_per_group)
		what = "free inode count";
	else if (d->bg_used_dirs_count > fs->sb.s_inodes_per_group)
		what = "directory count";
	if (what) {
		ext2_log(fs, "group descriptor %u: bad %s (bitmaps %u, %u, table %u; group %u..%u)",
		         g, what, d->bg_block_bitmap, d->bg_inode_bitmap, d->bg_inode_table, first,
		         end - 1);
		return ERR_MALFORMED;
	}
	return 0;
}

static int read_groups(struct ext2_fs *fs)
{
	fs->gd = calloc(fs->gdt_blocks, fs->bs);
	if (!fs->gd)
		return ERR_NO_MEMORY;
	uint32_t gdt = fs->sb.s_first_data_block + 1;
	for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
		struct bcache_buf *b;
		int err = ext2_bread(fs, gdt + i, &b);
		if (err < 0)
			return err;
		memcpy((uint8_t *)fs->gd + (size_t)i * fs->bs, b->data, fs->bs);
		ext2_brelse(fs, b);
	}
	uint64_t free_blocks = 0, free_inodes = 0;
	for (uint32_t g = 0; g < fs->groups; g++) {
		int err = check_group(fs, g);
		if (err < 0)
			return err;
		free_blocks += fs->gd[g].bg_free_blocks_count;
		free_inodes += fs->gd[g].bg_free_inodes_count;
	}
	/* the descriptors are the truth; the superblock's totals are a summary */
	if (free_blocks != fs->sb.s_free_blocks_count ||
	    free_inodes != fs->sb.s_free_inodes_count) {
		fs->sb.s_free_blocks_count = (uint32_t)free_blocks;
		fs->sb.s_free_inodes_count = (uint32_t)free_inodes;
		fs->sb_dirty = true;
	}
	return 0;
}

static int write_super(struct ext2_fs *fs)
{
	struct bcache_buf *b;
	int err = ext2_bread(fs, fs->sb_block, &b);
	if (err < 0)
		return err;
	struct ext2_super *on = (struct ext2_super *)(b->data + fs->sb_offset);
	if (fs->sb.s_rev_level == EXT2_GOOD_OLD_REV) {
		/* keep revision 0's tail as it was: only the fields it has */
		memcpy(on, &fs->sb, offsetof(struct ext2_super, s_first_ino));
	} else {
		memcpy(on, &fs->sb, sizeof(*on));
	}
	bcache_dirty(b);
	ext2_brelse(fs, b);
	fs->sb_dirty = false;
	return 0;
}

static int write_groups(struct ext2_fs *fs)
{
	uint32_t gdt = fs->sb.s_first_data_block + 1;
	for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
		struct bcache_buf *b;
		int err = ext2_bread(fs, gdt + i, &b);
		if (err < 0)
			return err;
		size_t off = (size_t)i * fs->bs;
		size_t total = (size_t)fs->groups * sizeof(struct ext2_group_desc);
		size_t n = total - off < fs->bs ? total - off : fs->bs;
		memcpy(b->data, (uint8_t *)fs->gd + off, n);
		bcache_dirty(b);
		ext2_brelse(fs, b);
	}
	fs->gd_dirty = false;
	return 0;
}

int ext2_sync(struct ext2_fs *fs)
{
	if (fs->read_only)
		return 0;
	int err = 0;
	if (fs->gd_dirty)
		err = write_groups(fs);
	if (err == 0) {
		fs->sb.s_wtime = ext2_now(fs);
		err = write_super(fs);
	}
	int serr = bcache_sync(&fs->cache);
	return err < 0 ? err : serr;
}

static int check_device(struct ext2_fs *fs)
{
	uint32_t dbs = fs->dev.block_size;
	if (dbs < 512 || dbs > 4096 || (dbs & (dbs - 1)) || !fs->dev.read_blocks ||
	    !fs->dev.write_blocks) {
		ext2_log(fs, "device: block size %u or callbacks not usable", dbs);
		return ERR_INVALID_ARGS;
	}
	return 0;
}

int ext2_mount(const struct ext2_dev *dev, const struct ext2_mount_opts *opts, struct ext2_fs **out)
{
	struct ext2_fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return ERR_NO_MEMORY;
	fs->dev = *dev;
	if (opts)
		fs->opts = *opts;
	fs->read_only = fs->opts.read_only;
	int err = check_device(fs);
	if (err == 0)
		err = read_super(fs);
	if (err == 0)
		err = check_super(fs);
	if (err == 0)
		err = check_features(fs);
	if (err < 0)
		goto out_free;
	uint32_t nbufs = fs->opts.cache_blocks  ? fs->opts.cache_blocks
	                 : fs->opts.cache_bytes ? fs->opts.cache_bytes / fs->bs
	                                        : EXT2_DEFAULT_CACHE;
	err = bcache_init(&fs->cache, &fs->dev, fs->bs, nbufs, fs->sb.s_blocks_count);
	if (err < 0)
		goto out_free;
	err = read_groups(fs);
	if (err < 0)
		goto out_cache;
	if (fs->sb.s_state & EXT2_ERROR_FS) {
		ext2_log(fs, "file system has errors (run e2fsck): mounting read-only");
		fs->read_only = true;
	} else if (!(fs->sb.s_state & EXT2_VALID_FS)) {
		ext2_log(fs, "file system was not cleanly unmounted (run e2fsck)");
	} else if (fs->sb.s_max_mnt_count > 0 && fs->sb.s_mnt_count >= fs->sb.s_max_mnt_count) {
		ext2_log(fs, "mounted %u times: a check with e2fsck is due", fs->sb.s_mnt_count);
	}
	struct ext2_inode root;
	err = ext2_iget(fs, EXT2_ROOT_INO, &root);
	if (err == 0 && (root.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		err = ext2_corrupt(fs, "inode 2 (the root) is not a directory");
	if (err < 0) {
		ext2_log(fs, "refusing to mount: no root directory");
		goto out_cache;
	}
	fs->errors = false;
	set_clock(fs);
	if (!fs->read_only) {
		fs->sb.s_state &= (uint16_t)~EXT2_VALID_FS;
		fs->sb.s_mnt_count++;
		fs->sb.s_mtime = ext2_now(fs);
		err = ext2_sync(fs);
		if (err < 0)
			goto out_cache;
	}
	*out = fs;
	return 0;
out_cache:
	bcache_destroy(&fs->cache);
out_free:
	free(fs->gd);
	free(fs);
	return err;
}

/* Mark the file system clean (or as having errors), write everything back: err, or
 * the sync's error. what names the occasion in the log. */
static int write_back_clean(struct ext2_fs *fs, int err, const char *what)
{
	fs->sb.s_state = EXT2_VALID_FS | (fs->errors ? EXT2_ERROR_FS : 0);
	if (fs->errors)
		ext2_log(fs, "%s with errors found: marked for e2fsck", what);
	int serr = ext2_sync(fs);
	return err ? err : serr;
}

int ext2_unmount(struct ext2_fs *fs)
{
	int err = ext2_release_all(fs);
	if (!fs->read_only)
		err = write_back_clean(fs, err, "unmounting");
	ext2_dindex_drop_all(fs);
	bcache_destroy(&fs->cache);
	free(fs->gd);
	free(fs);
	return err;
}

int ext2_make_read_only(struct ext2_fs *fs)
{
	if (fs->read_only)
		return 0;
	int err = write_back_clean(fs, ext2_free_held_unlinked(fs), "made read-only");
	fs->read_only = true; /* even after a failed write: nothing more is changed */
	return err;
}

void ext2_info(const struct ext2_fs *fs, struct ext2_info *out)
{
	memset(out, 0, sizeof(*out));
	out->block_size = fs->bs;
	out->blocks = fs->sb.s_blocks_count;
	out->free_blocks = fs->sb.s_free_blocks_count;
	out->inodes = fs->sb.s_inodes_count;
	out->free_inodes = fs->sb.s_free_inodes_count;
	out->groups = fs->groups;
	out->read_only = fs->read_only;
	out->cache_hits = fs->cache.hits;
	out->cache_misses = fs->cache.misses;
	out->dev_reads = fs->cache.reads;
	out->dev_writes = fs->cache.writes;
}
