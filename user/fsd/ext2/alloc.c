/*
 * alloc.c - the block and inode bitmaps: allocation near a goal, freeing, and
 * the free counts kept in both the group descriptors and the superblock.
 *
 * A block is looked for from the goal onwards in its group, then in the groups
 * after it (wrapping), then before the goal: files grow contiguously and stay
 * near their inode. An inode is looked for in the parent directory's group
 * first. A group whose descriptor says it has nothing free is skipped
 * without reading its bitmap; a bitmap that disagrees with its descriptor, a
 * free bit on a metadata block, or freeing something already free is
 * corruption (logged; the file system is marked as having errors).
 */
#include "fs.h"

#include <abi/errors.h>

/* The first clear bit in [from, n) of bitmap, or n. */
static uint32_t find_clear(const uint8_t *map, uint32_t from, uint32_t n)
{
	uint32_t i = from;
	while (i < n && (i & 7)) {
		if (!(map[i >> 3] & (1u << (i & 7))))
			return i;
		i++;
	}
	while (i + 8 <= n && map[i >> 3] == 0xff)
		i += 8;
	for (; i < n; i++)
		if (!(map[i >> 3] & (1u << (i & 7))))
			return i;
	return n;
}

static void set_bit(uint8_t *map, uint32_t i)
{
	map[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static void clear_bit(uint8_t *map, uint32_t i)
{
	map[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}

static bool test_bit(const uint8_t *map, uint32_t i)
{
	return map[i >> 3] & (1u << (i & 7));
}

/* Take a clear bit of group g's block bitmap at or after from (but before to). */
static int take_block_in(struct ext2_fs *fs, uint32_t g, uint32_t from, uint32_t to, uint32_t *out)
{
	struct bcache_buf *b;
	int err = ext2_bread(fs, fs->gd[g].bg_block_bitmap, &b);
	if (err < 0)
		return err;
	uint32_t first = ext2_group_first_block(fs, g);
	for (uint32_t bit = find_clear(b->data, from, to); bit < to;
	     bit = find_clear(b->data, bit + 1, to)) {
		if (ext2_block_is_meta(fs, first + bit)) {
			ext2_corrupt(fs, "block bitmap of group %u: metadata block %u marked free",
			             g, first + bit);
			continue;
		}
		set_bit(b->data, bit);
		bcache_dirty(b);
		ext2_brelse(fs, b);
		fs->gd[g].bg_free_blocks_count--;
		fs->sb.s_free_blocks_count--;
		fs->gd_dirty = fs->sb_dirty = true;
		*out = first + bit;
		return 0;
	}
	ext2_brelse(fs, b);
	return ERR_NOT_FOUND;
}

int ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *out)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	if (goal < fs->sb.s_first_data_block || goal >= fs->sb.s_blocks_count)
		goal = fs->sb.s_first_data_block;
	uint32_t g0 = ext2_block_group(fs, goal);
	uint32_t start = goal - ext2_group_first_block(fs, g0);
	for (uint32_t i = 0; i <= fs->groups; i++) {
		uint32_t g = (g0 + i) % fs->groups;
		if (fs->gd[g].bg_free_blocks_count == 0)
			continue;
		uint32_t n = ext2_group_blocks(fs, g);
		uint32_t from = i == 0 ? start : 0, to = i == fs->groups ? start : n;
		int err = take_block_in(fs, g, from, to, out);
		if (err != ERR_NOT_FOUND)
			return err;
		if (from == 0 && to == n)
			ext2_corrupt(fs,
			             "group %u: descriptor counts %u free blocks, bitmap has none",
			             g, fs->gd[g].bg_free_blocks_count);
	}
	ext2_log(fs, "no free block left");
	return ERR_NO_RESOURCES;
}

int ext2_free_block(struct ext2_fs *fs, uint32_t block)
{
	if (ext2_block_is_meta(fs, block))
		return ext2_corrupt(fs, "freeing block %u: metadata or out of range", block);
	uint32_t g = ext2_block_group(fs, block);
	struct bcache_buf *b;
	int err = ext2_bread(fs, fs->gd[g].bg_block_bitmap, &b);
	if (err < 0)
		return err;
	uint32_t bit = block - ext2_group_first_block(fs, g);
	if (!test_bit(b->data, bit)) {
		ext2_brelse(fs, b);
		return ext2_corrupt(fs, "block %u freed twice (block bitmap of group %u)", block,
		                    g);
	}
	clear_bit(b->data, bit);
	bcache_dirty(b);
	ext2_brelse(fs, b);
	fs->gd[g].bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	fs->gd_dirty = fs->sb_dirty = true;
	bcache_forget(&fs->cache, block);
	return 0;
}

static int take_inode_in(struct ext2_fs *fs, uint32_t g, bool is_dir, uint32_t *out)
{
	struct bcache_buf *b;
	int err = ext2_bread(fs, fs->gd[g].bg_inode_bitmap, &b);
	if (err < 0)
		return err;
	uint32_t ipg = fs->sb.s_inodes_per_group;
	for (uint32_t bit = find_clear(b->data, 0, ipg); bit < ipg;
	     bit = find_clear(b->data, bit + 1, ipg)) {
		uint32_t ino = g * ipg + bit + 1;
		if (ino < fs->first_ino)
			continue; /* reserved inodes are never handed out */
		set_bit(b->data, bit);
		bcache_dirty(b);
		ext2_brelse(fs, b);
		fs->gd[g].bg_free_inodes_count--;
		if (is_dir)
			fs->gd[g].bg_used_dirs_count++;
		fs->sb.s_free_inodes_count--;
		fs->gd_dirty = fs->sb_dirty = true;
		*out = ino;
		return 0;
	}
	ext2_brelse(fs, b);
	return ERR_NOT_FOUND;
}

int ext2_alloc_inode(struct ext2_fs *fs, uint32_t dir_group, bool is_dir, uint32_t *out)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	for (uint32_t i = 0; i < fs->groups; i++) {
		uint32_t g = (dir_group + i) % fs->groups;
		if (fs->gd[g].bg_free_inodes_count == 0)
			continue;
		int err = take_inode_in(fs, g, is_dir, out);
		if (err != ERR_NOT_FOUND)
			return err;
		ext2_corrupt(fs, "group %u: descriptor counts %u free inodes, bitmap has none", g,
		             fs->gd[g].bg_free_inodes_count);
	}
	ext2_log(fs, "no free inode left");
	return ERR_NO_RESOURCES;
}

int ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool is_dir)
{
	if (ino < fs->first_ino || ino > fs->sb.s_inodes_count)
		return ext2_corrupt(fs, "freeing reserved or invalid inode %u", ino);
	uint32_t g = (ino - 1) / fs->sb.s_inodes_per_group;
	uint32_t bit = (ino - 1) % fs->sb.s_inodes_per_group;
	struct bcache_buf *b;
	int err = ext2_bread(fs, fs->gd[g].bg_inode_bitmap, &b);
	if (err < 0)
		return err;
	if (!test_bit(b->data, bit)) {
		ext2_brelse(fs, b);
		return ext2_corrupt(fs, "inode %u freed twice (inode bitmap of group %u)", ino, g);
	}
	clear_bit(b->data, bit);
	bcache_dirty(b);
	ext2_brelse(fs, b);
	fs->gd[g].bg_free_inodes_count++;
	if (is_dir && fs->gd[g].bg_used_dirs_count)
		fs->gd[g].bg_used_dirs_count--;
	fs->sb.s_free_inodes_count++;
	fs->gd_dirty = fs->sb_dirty = true;
	return 0;
}

bool ext2_itable_block_free_but(struct ext2_fs *fs, uint32_t ino)
{
	uint32_t g = (ino - 1) / fs->sb.s_inodes_per_group;
	uint32_t idx = (ino - 1) % fs->sb.s_inodes_per_group;
	uint32_t first = idx - idx % fs->inodes_per_block;
	struct bcache_buf *b;
	if (ext2_bread(fs, fs->gd[g].bg_inode_bitmap, &b) < 0)
		return false;
	bool free = true;
	for (uint32_t i = first; free && i < first + fs->inodes_per_block; i++)
		free = i == idx || !test_bit(b->data, i);
	ext2_brelse(fs, b);
	return free;
}
