/*
 * hold.c - inodes held open, so that unlinking a file fsd still serves keeps
 * its inode and blocks until the last capability to it is gone (POSIX's
 * unlink-while-open).
 *
 * A small array of (inode, count): fsd holds what is open, a few hundred at
 * most. ext2_drop_link() leaves a held inode with no names in place (links 0,
 * still allocated); the last ext2_release() frees it, and ext2_unmount()
 * releases everything. A held inode without links is still in use for ext2_iget().
 */
#include "fs.h"

#include <stdlib.h>
#include <abi/errors.h>

static struct ext2_hold *find_hold(const struct ext2_fs *fs, uint32_t ino)
{
	for (uint32_t i = 0; i < fs->nholds; i++)
		if (fs->holds[i].ino == ino)
			return &fs->holds[i];
	return NULL;
}

bool ext2_is_held(const struct ext2_fs *fs, uint32_t ino)
{
	return find_hold(fs, ino) != NULL;
}

int ext2_hold(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_hold *h = find_hold(fs, ino);
	if (h) {
		if (h->count == UINT32_MAX)
			return ERR_NO_RESOURCES;
		h->count++;
		return 0;
	}
	struct ext2_inode in;
	int err = ext2_iget_node(fs, ino, &in);
	if (err < 0)
		return err;
	if (fs->nholds == fs->holds_cap) {
		uint32_t cap = fs->holds_cap ? fs->holds_cap * 2 : 16;
		struct ext2_hold *n = realloc(fs->holds, cap * sizeof(*n));
		if (!n)
			return ERR_NO_MEMORY;
		fs->holds = n;
		fs->holds_cap = cap;
	}
	fs->holds[fs->nholds++] = (struct ext2_hold){.ino = ino, .count = 1};
	return 0;
}

/* Free ino if it has no names left (and is not freed yet). */
static int free_if_unlinked(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode in;
	int err = ext2_iread(fs, ino, &in);
	if (err < 0 || in.i_links_count != 0 || in.i_mode == 0 || in.i_dtime != 0)
		return err;
	return ext2_free_unlinked(fs, ino, &in);
}

/* Forget hold h; free its inode if it has no names left. */
static int drop_hold(struct ext2_fs *fs, struct ext2_hold *h)
{
	uint32_t ino = h->ino;
	*h = fs->holds[--fs->nholds];
	if (fs->read_only)
		return 0;
	return free_if_unlinked(fs, ino);
}

int ext2_free_held_unlinked(struct ext2_fs *fs)
{
	int first = 0;
	for (uint32_t i = 0; i < fs->nholds && !fs->read_only; i++) {
		int err = free_if_unlinked(fs, fs->holds[i].ino);
		if (err < 0 && !first)
			first = err;
	}
	return first;
}

int ext2_release(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_hold *h = find_hold(fs, ino);
	if (!h)
		return ERR_NOT_FOUND;
	if (--h->count > 0)
		return 0;
	return drop_hold(fs, h);
}

int ext2_release_all(struct ext2_fs *fs)
{
	int first = 0;
	while (fs->nholds) {
		int err = drop_hold(fs, &fs->holds[fs->nholds - 1]);
		if (err < 0 && !first)
			first = err;
	}
	free(fs->holds);
	fs->holds = NULL;
	fs->holds_cap = 0;
	return first;
}
