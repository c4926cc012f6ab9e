/*
 * inode.c - inodes in the inode tables, and the block map of a file: twelve
 * direct blocks, then a single, a double and a triple indirect block.
 *
 * The map is walked top-down with a fixed depth, so a pointer loop through
 * indirect blocks cannot make a walk go on forever; every pointer is checked
 * before it is followed (inside the file system, not metadata). Freeing a
 * tree frees each block through its bitmap bit, so a block reached twice (a
 * loop, or a block shared with another file) is caught as freed twice and
 * stops the operation before anything is freed twice.
 */
#include "fs.h"

#include <string.h>
#include <abi/errors.h>

bool ext2_ino_valid(const struct ext2_fs *fs, uint32_t ino)
{
	return ino >= 1 && ino <= fs->sb.s_inodes_count;
}

/*
 * Pin the inode-table block holding ino's slot: *b, and the slot's offset in it. With
 * fresh (a new inode), a block whose other inodes are all free is not read from the
 * disk when it is not cached: it starts zeroed, as nothing in it is in use (Linux's
 * ext4 does the same), so creating files in a new part of the table reads nothing.
 */
static int slot_of(struct ext2_fs *fs, uint32_t ino, bool fresh, struct bcache_buf **b,
                   uint32_t *off)
{
	if (!ext2_ino_valid(fs, ino))
		return ext2_corrupt(fs, "inode number %u out of range (1..%u)", ino,
		                    fs->sb.s_inodes_count);
	uint32_t g = (ino - 1) / fs->sb.s_inodes_per_group;
	uint32_t idx = (ino - 1) % fs->sb.s_inodes_per_group;
	uint32_t block = fs->gd[g].bg_inode_table + idx / fs->inodes_per_block;
	*off = (idx % fs->inodes_per_block) * fs->inode_size;
	if (fresh && ext2_itable_block_free_but(fs, ino))
		return ext2_bnew(fs, block, b);
	return ext2_bread(fs, block, b);
}

int ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	struct bcache_buf *b;
	uint32_t off;
	int err = slot_of(fs, ino, false, &b, &off);
	if (err < 0)
		return err;
	memcpy(out, b->data + off, sizeof(*out));
	ext2_brelse(fs, b);
	return 0;
}

int ext2_iget_node(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	if (!ext2_ino_valid(fs, ino))
		return ERR_NOT_FOUND;
	int err = ext2_iread(fs, ino, out);
	if (err < 0)
		return err;
	/* a held inode without links lives until it is freed (a dtime: ext2_make_read_only) */
	if ((out->i_links_count == 0 && (out->i_dtime != 0 || !ext2_is_held(fs, ino))) ||
	    out->i_mode == 0)
		return ERR_NOT_FOUND;
	return 0;
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	int err = ext2_iget_node(fs, ino, out);
	if (err == ERR_NOT_FOUND)
		return ext2_corrupt(fs, "inode %u is referenced but not in use (or out of range)",
		                    ino);
	return err;
}

static int iwrite(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in, bool fresh)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	struct bcache_buf *b;
	uint32_t off;
	int err = slot_of(fs, ino, fresh, &b, &off);
	if (err < 0)
		return err;
	uint8_t *slot = b->data + off;
	if (fresh) {
		memset(slot, 0, fs->inode_size);
		if (fs->inode_size > EXT2_GOOD_OLD_INODE_SIZE) {
			/* the extra space Linux and e2fsprogs expect: its size, and a creation time */
			uint16_t want = fs->sb.s_want_extra_isize;
			uint32_t room = fs->inode_size - EXT2_GOOD_OLD_INODE_SIZE;
			if (want < 4 || want > room || (want & 3))
				want = EXT2_INODE_EXTRA_ISIZE_DEFAULT <= room
				           ? EXT2_INODE_EXTRA_ISIZE_DEFAULT
				           : 4;
			memcpy(slot + EXT2_INODE_EXTRA_ISIZE_OFF, &want, sizeof(want));
			if (want >= EXT2_INODE_CRTIME_OFF + 4 - EXT2_GOOD_OLD_INODE_SIZE)
				memcpy(slot + EXT2_INODE_CRTIME_OFF, &in->i_ctime, 4);
		}
	}
	memcpy(slot, in, sizeof(*in));
	bcache_dirty(b);
	ext2_brelse(fs, b);
	return 0;
}

int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	return iwrite(fs, ino, in, false);
}

int ext2_inew(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	return iwrite(fs, ino, in, true);
}

uint64_t ext2_isize(const struct ext2_inode *in)
{
	uint64_t size = in->i_size;
	if ((in->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		size |= (uint64_t)in->i_size_high << 32;
	return size;
}

void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *in, uint64_t size)
{
	in->i_size = (uint32_t)size;
	if ((in->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG) {
		in->i_size_high = (uint32_t)(size >> 32);
		if (size > INT32_MAX &&
		    !(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
			fs->sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
			fs->sb_dirty = true;
		}
	}
}

bool ext2_is_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *in)
{
	if ((in->i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
		return false;
	uint32_t acl = in->i_file_acl ? fs->bs / 512 : 0;
	return in->i_blocks == acl;
}

uint64_t ext2_max_blocks(const struct ext2_fs *fs)
{
	uint64_t p = fs->ptrs;
	return EXT2_NDIR_BLOCKS + p + p * p + p * p * p;
}

/* A pointer found in inode ino's map: inside the file system and not metadata. */
static int check_ptr(struct ext2_fs *fs, uint32_t ino, uint32_t block, const char *what)
{
	if (ext2_block_is_meta(fs, block))
		return ext2_corrupt(fs, "inode %u: %s pointer %u out of range or on metadata", ino,
		                    what, block);
	return 0;
}

/* A new zeroed block for inode ino near goal, counted in in->i_blocks. */
static int new_block(struct ext2_fs *fs, struct ext2_inode *in, uint32_t goal, bool zero,
                     uint32_t *out)
{
	uint32_t units = fs->bs / 512;
	if (in->i_blocks > UINT32_MAX - units)
		return ERR_NO_RESOURCES;
	int err = ext2_alloc_block(fs, goal, out);
	if (err < 0)
		return err;
	in->i_blocks += units;
	if (!zero)
		return 0;
	struct bcache_buf *b;
	err = ext2_bnew(fs, *out, &b);
	if (err < 0)
		return err;
	memset(b->data, 0, fs->bs);
	bcache_dirty(b);
	ext2_brelse(fs, b);
	return 0;
}

/* The group-start goal for inode ino's first block. */
static uint32_t inode_goal(const struct ext2_fs *fs, uint32_t ino)
{
	return ext2_group_first_block(fs, (ino - 1) / fs->sb.s_inodes_per_group);
}

int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t lbn, bool alloc,
              uint32_t *out, bool *fresh)
{
	uint64_t p = fs->ptrs;
	uint32_t idx[3];
	unsigned depth;
	uint32_t *slot;
	if (fresh)
		*fresh = false;
	if (lbn < EXT2_NDIR_BLOCKS) {
		depth = 0;
		slot = &in->i_block[lbn];
	} else if ((lbn -= EXT2_NDIR_BLOCKS) < p) {
		depth = 1;
		slot = &in->i_block[EXT2_IND_BLOCK];
		idx[0] = (uint32_t)lbn;
	} else if ((lbn -= p) < p * p) {
		depth = 2;
		slot = &in->i_block[EXT2_DIND_BLOCK];
		idx[0] = (uint32_t)(lbn / p);
		idx[1] = (uint32_t)(lbn % p);
	} else if ((lbn -= p * p) < p * p * p) {
		depth = 3;
		slot = &in->i_block[EXT2_TIND_BLOCK];
		idx[0] = (uint32_t)(lbn / (p * p));
		idx[1] = (uint32_t)(lbn / p % p);
		idx[2] = (uint32_t)(lbn % p);
	} else {
		return ERR_OUT_OF_RANGE;
	}
	uint32_t cur = *slot;
	if (cur == 0) {
		if (!alloc) {
			*out = 0;
			return 0;
		}
		uint32_t goal = inode_goal(fs, ino);
		if (depth == 0 && slot != &in->i_block[0] && slot[-1])
			goal = slot[-1] + 1;
		int err = new_block(fs, in, goal, depth > 0, &cur);
		if (err < 0)
			return err;
		*slot = cur;
		if (depth == 0 && fresh)
			*fresh = true;
	} else {
		int err = check_ptr(fs, ino, cur, depth ? "indirect block" : "block");
		if (err < 0)
			return err;
	}
	for (unsigned level = 0; level < depth; level++) {
		struct bcache_buf *b;
		int err = ext2_bread(fs, cur, &b);
		if (err < 0)
			return err;
		uint32_t *ptrs = (uint32_t *)b->data;
		uint32_t i = idx[level];
		uint32_t next = ptrs[i];
		bool leaf = level + 1 == depth;
		if (next == 0 && alloc) {
			uint32_t goal = i > 0 && ptrs[i - 1] ? ptrs[i - 1] + 1 : cur + 1;
			err = new_block(fs, in, goal, !leaf, &next);
			if (err == 0) {
				ptrs[i] = next;
				bcache_dirty(b);
				if (leaf && fresh)
					*fresh = true;
			}
		} else if (next) {
			err = check_ptr(fs, ino, next, leaf ? "block" : "indirect block");
		}
		ext2_brelse(fs, b);
		if (err < 0)
			return err;
		if (next == 0) {
			*out = 0;
			return 0;
		}
		cur = next;
	}
	*out = cur;
	return 0;
}

/*
 * Free the tree under blk (an indirect block of the given level, or a data
 * block at level 0) but its first keep logical blocks; *gone when blk itself
 * was freed.
 */
static int trim(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t blk,
                unsigned level, uint64_t keep, bool *gone)
{
	*gone = false;
	int err = check_ptr(fs, ino, blk, level ? "indirect block" : "block");
	if (err < 0)
		return err;
	if (level > 0) {
		uint64_t span = 1;
		for (unsigned i = 1; i < level; i++)
			span *= fs->ptrs;
		struct bcache_buf *b;
		err = ext2_bread(fs, blk, &b);
		if (err < 0)
			return err;
		uint32_t *ptrs = (uint32_t *)b->data;
		for (uint64_t i = keep / span; i < fs->ptrs && err == 0; i++) {
			if (!ptrs[i])
				continue;
			uint64_t child_keep = keep > i * span ? keep - i * span : 0;
			bool child_gone;
			err = trim(fs, ino, in, ptrs[i], level - 1, child_keep, &child_gone);
			if (child_gone) {
				ptrs[i] = 0;
				bcache_dirty(b);
			}
		}
		ext2_brelse(fs, b);
		if (err < 0 || keep > 0)
			return err;
	} else if (keep > 0) {
		return 0;
	}
	err = ext2_free_block(fs, blk);
	if (err < 0)
		return err;
	in->i_blocks -= in->i_blocks >= fs->bs / 512 ? fs->bs / 512 : in->i_blocks;
	*gone = true;
	return 0;
}

int ext2_free_blocks_from(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t keep)
{
	int err = 0;
	bool gone;
	for (uint32_t i = 0; i < EXT2_NDIR_BLOCKS && err == 0; i++) {
		if (i < keep || !in->i_block[i])
			continue;
		err = trim(fs, ino, in, in->i_block[i], 0, 0, &gone);
		if (gone)
			in->i_block[i] = 0;
	}
	uint64_t base = EXT2_NDIR_BLOCKS, span = fs->ptrs;
	for (unsigned level = 1; level <= 3 && err == 0; level++, base += span, span *= fs->ptrs) {
		uint32_t *slot = &in->i_block[EXT2_IND_BLOCK + level - 1];
		uint64_t k = keep > base ? keep - base : 0;
		if (!*slot || k >= span)
			continue;
		err = trim(fs, ino, in, *slot, level, k, &gone);
		if (gone)
			*slot = 0;
	}
	return err;
}

/* Drop inode ino's extended-attribute block reference. */
static int free_xattr(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	uint32_t blk = in->i_file_acl;
	int err = check_ptr(fs, ino, blk, "extended attribute block");
	if (err < 0)
		return err;
	struct bcache_buf *b;
	err = ext2_bread(fs, blk, &b);
	if (err < 0)
		return err;
	uint32_t *hdr = (uint32_t *)b->data;
	if (hdr[0] != EXT2_XATTR_MAGIC) {
		ext2_brelse(fs, b);
		return ext2_corrupt(fs, "inode %u: extended attribute block %u: bad magic", ino,
		                    blk);
	}
	bool last = hdr[1] <= 1;
	if (!last) {
		hdr[1]--;
		bcache_dirty(b);
	}
	ext2_brelse(fs, b);
	if (last && (err = ext2_free_block(fs, blk)) < 0)
		return err;
	in->i_file_acl = 0;
	in->i_blocks -= in->i_blocks >= fs->bs / 512 ? fs->bs / 512 : in->i_blocks;
	return 0;
}

int ext2_free_unlinked(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	uint32_t now = ext2_now(fs);
	bool is_dir = (in->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	int err = 0;
	if (is_dir)
		ext2_dindex_drop(fs, ino);
	if (!ext2_is_fast_symlink(fs, in))
		err = ext2_free_blocks_from(fs, ino, in, 0);
	if (err == 0 && in->i_file_acl)
		err = free_xattr(fs, ino, in);
	in->i_links_count = 0;
	/* e2fsck reads a dtime below the inode count as a link of an orphan list */
	in->i_dtime = now > fs->sb.s_inodes_count ? now : fs->sb.s_inodes_count;
	in->i_ctime = now;
	if (err == 0) {
		in->i_size = in->i_size_high = 0;
		memset(in->i_block, 0, sizeof(in->i_block));
	}
	int werr = ext2_iput(fs, ino, in);
	if (err < 0)
		return err;
	if (werr < 0)
		return werr;
	return ext2_free_inode(fs, ino, is_dir);
}

int ext2_drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	if (in->i_links_count > 1 || ext2_is_held(fs, ino)) {
		/* a held inode with no names left is freed at its last release */
		in->i_links_count = in->i_links_count ? in->i_links_count - 1 : 0;
		in->i_ctime = ext2_now(fs);
		return ext2_iput(fs, ino, in);
	}
	return ext2_free_unlinked(fs, ino, in);
}
