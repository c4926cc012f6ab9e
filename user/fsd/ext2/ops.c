/*
 * ops.c - the operations on names: lookup and resolve, create (files and
 * directories), symlink, link, unlink, rmdir, rename.
 *
 * Each checks everything it can before it changes anything (names, types,
 * existing entries, link counts), then allocates (the step that can fail for
 * want of space), then links. A failure after an allocation gives back what
 * it took, so a full disk or inode table leaves the tree as it was.
 *
 * Link counts follow ext2: a directory counts its entry, its own "." and
 * each subdirectory's "..".
 */
#include "fs.h"

#include <string.h>
#include <abi/errors.h>

static int get_dir(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din)
{
	int err = ext2_iget_node(fs, dir, din);
	if (err < 0)
		return err;
	return (din->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR ? 0 : ERR_WRONG_TYPE;
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	struct ext2_inode din;
	int err = get_dir(fs, dir, &din);
	if (err < 0)
		return err;
	if (len == 0 || len > EXT2_NAME_LEN)
		return ERR_NOT_FOUND;
	err = ext2_dir_lookup(fs, dir, &din, name, len, ino, NULL);
	if (err < 0)
		return err;
	/* an entry naming an unused inode is corruption, not a stale caller */
	struct ext2_inode in;
	return ext2_iget(fs, *ino, &in);
}

int ext2_resolve(struct ext2_fs *fs, uint32_t dir, const char *path, uint32_t *ino)
{
	uint32_t cur = dir;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		if (end > p) {
			int err = ext2_lookup(fs, cur, p, (size_t)(end - p), &cur);
			if (err < 0)
				return err;
		}
		p = end;
	}
	*ino = cur;
	return 0;
}

/* Checks shared by everything that adds name to dir. */
static int prepare_add(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                       struct ext2_inode *din, uint32_t *room)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	int err = ext2_check_name(name, len);
	if (err < 0)
		return err;
	err = get_dir(fs, dir, din);
	if (err < 0)
		return err;
	return ext2_dir_check_new(fs, dir, din, name, len, room);
}

/* Give back a new inode that could not be linked, and its blocks. */
static void undo_new(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	in->i_links_count = 1;
	ext2_drop_link(fs, ino, in);
}

/* A new inode of mode in dir's group, written: *ino, *in. */
static int new_inode(struct ext2_fs *fs, uint32_t dir, uint16_t mode, uint32_t uid, uint32_t gid,
                     uint32_t *ino, struct ext2_inode *in)
{
	bool is_dir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	int err = ext2_alloc_inode(fs, (dir - 1) / fs->sb.s_inodes_per_group, is_dir, ino);
	if (err < 0)
		return err;
	uint32_t now = ext2_now(fs);
	memset(in, 0, sizeof(*in));
	in->i_mode = mode;
	in->i_uid = (uint16_t)uid;
	in->i_uid_high = (uint16_t)(uid >> 16);
	in->i_gid = (uint16_t)gid;
	in->i_gid_high = (uint16_t)(gid >> 16);
	in->i_atime = in->i_ctime = in->i_mtime = now;
	in->i_links_count = is_dir ? 2 : 1;
	err = ext2_inew(fs, *ino, in);
	if (err < 0)
		ext2_free_inode(fs, *ino, is_dir);
	return err;
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
                uint32_t uid, uint32_t gid, uint32_t *out)
{
	struct ext2_inode din, in;
	uint32_t room;
	int err = prepare_add(fs, dir, name, len, &din, &room);
	if (err < 0)
		return err;
	uint16_t type = mode & EXT2_S_IFMT;
	if (type != EXT2_S_IFREG && type != EXT2_S_IFDIR)
		return ERR_INVALID_ARGS;
	bool is_dir = type == EXT2_S_IFDIR;
	if (is_dir && din.i_links_count >= EXT2_LINK_MAX)
		return ERR_NO_RESOURCES;
	uint32_t ino;
	err = new_inode(fs, dir, mode, uid, gid, &ino, &in);
	if (err < 0)
		return err;
	if (is_dir) {
		err = ext2_dir_init(fs, ino, &in, dir);
		if (err == 0)
			err = ext2_iput(fs, ino, &in);
	}
	if (err == 0)
		err = ext2_dir_add(fs, dir, &din, name, len, ino, ext2_mode_to_ft(mode), room);
	if (err < 0) {
		undo_new(fs, ino, &in);
		return err;
	}
	if (is_dir) {
		din.i_links_count++;
		err = ext2_iput(fs, dir, &din);
		if (err < 0)
			return err;
	}
	*out = ino;
	return 0;
}

int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, const char *target,
                 size_t tlen, uint32_t uid, uint32_t gid, uint32_t *out)
{
	struct ext2_inode din, in;
	uint32_t room;
	int err = prepare_add(fs, dir, name, len, &din, &room);
	if (err < 0)
		return err;
	if (tlen == 0 || tlen >= fs->bs || memchr(target, 0, tlen))
		return ERR_INVALID_ARGS;
	uint32_t ino;
	err = new_inode(fs, dir, EXT2_S_IFLNK | 0777, uid, gid, &ino, &in);
	if (err < 0)
		return err;
	in.i_size = (uint32_t)tlen;
	if (tlen <= EXT2_FAST_SYMLINK_MAX) {
		memcpy(in.i_block, target, tlen);
	} else {
		uint32_t phys;
		bool fresh;
		err = ext2_bmap(fs, ino, &in, 0, true, &phys, &fresh);
		struct bcache_buf *b;
		if (err == 0)
			err = ext2_bnew(fs, phys, &b);
		if (err == 0) {
			memset(b->data, 0, fs->bs);
			memcpy(b->data, target, tlen);
			bcache_dirty(b);
			ext2_brelse(fs, b);
		}
	}
	if (err == 0)
		err = ext2_iput(fs, ino, &in);
	if (err == 0)
		err = ext2_dir_add(fs, dir, &din, name, len, ino, EXT2_FT_SYMLINK, room);
	if (err < 0) {
		if (tlen <= EXT2_FAST_SYMLINK_MAX)
			in.i_size = 0; /* text in i_block: nothing to free */
		undo_new(fs, ino, &in);
		return err;
	}
	*out = ino;
	return 0;
}

int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino)
{
	struct ext2_inode din, in;
	uint32_t room;
	int err = prepare_add(fs, dir, name, len, &din, &room);
	if (err < 0)
		return err;
	err = ext2_iget_node(fs, ino, &in);
	if (err < 0)
		return err;
	if ((in.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		return ERR_WRONG_TYPE;
	if (in.i_links_count == 0 || in.i_links_count >= EXT2_LINK_MAX)
		return ERR_NO_RESOURCES;
	err = ext2_dir_add(fs, dir, &din, name, len, ino, ext2_mode_to_ft(in.i_mode), room);
	if (err < 0)
		return err;
	in.i_links_count++;
	in.i_ctime = ext2_now(fs);
	return ext2_iput(fs, ino, &in);
}

/* Look name up in dir for removal: the directory, the entry's inode. */
static int prepare_remove(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                          struct ext2_inode *din, uint32_t *ino, struct ext2_inode *in)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	int err = ext2_check_name(name, len);
	if (err < 0)
		return err;
	err = get_dir(fs, dir, din);
	if (err == 0)
		err = ext2_dir_lookup(fs, dir, din, name, len, ino, NULL);
	if (err == 0)
		err = ext2_iget(fs, *ino, in);
	return err;
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode din, in;
	uint32_t ino;
	int err = prepare_remove(fs, dir, name, len, &din, &ino, &in);
	if (err < 0)
		return err;
	if ((in.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		return ERR_WRONG_TYPE;
	err = ext2_dir_remove(fs, dir, &din, name, len);
	if (err < 0)
		return err;
	return ext2_drop_link(fs, ino, &in);
}

/* Free directory ino, whose entry in parent (din) is already gone. */
static int drop_dir(struct ext2_fs *fs, uint32_t parent, struct ext2_inode *din, uint32_t ino,
                    struct ext2_inode *in)
{
	in->i_links_count = 1;
	int err = ext2_drop_link(fs, ino, in);
	if (din->i_links_count > 1)
		din->i_links_count--;
	int werr = ext2_iput(fs, parent, din);
	return err < 0 ? err : werr;
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode din, in;
	uint32_t ino;
	int err = prepare_remove(fs, dir, name, len, &din, &ino, &in);
	if (err < 0)
		return err;
	if ((in.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		return ERR_WRONG_TYPE;
	if (ino == EXT2_ROOT_INO || ino == dir)
		return ext2_corrupt(fs, "directory %u: entry names the root or itself", dir);
	err = ext2_dir_nonempty(fs, ino, &in);
	if (err != 0)
		return err < 0 ? err : ERR_BAD_STATE;
	err = ext2_dir_remove(fs, dir, &din, name, len);
	if (err < 0)
		return err;
	return drop_dir(fs, dir, &din, ino, &in);
}

/* Is dir src an ancestor of (or) dir? Walks ".." up to the root, bounded. */
static int is_ancestor(struct ext2_fs *fs, uint32_t src, uint32_t dir)
{
	uint32_t cur = dir;
	for (uint32_t steps = 0; steps <= fs->sb.s_inodes_count; steps++) {
		if (cur == src)
			return 1;
		if (cur == EXT2_ROOT_INO)
			return 0;
		struct ext2_inode in;
		int err = get_dir(fs, cur, &in);
		uint32_t up;
		if (err == 0)
			err = ext2_dir_lookup(fs, cur, &in, "..", 2, &up, NULL);
		if (err < 0)
			return err == ERR_NOT_FOUND
			           ? ext2_corrupt(fs, "directory %u has no '..'", cur)
			           : err;
		cur = up;
	}
	return ext2_corrupt(fs, "directory %u: '..' entries loop", dir);
}

int ext2_rename(struct ext2_fs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
                const char *dname, size_t dlen)
{
	struct ext2_inode sdin, ddin, in, old;
	uint32_t ino, old_ino = 0;
	int err = prepare_remove(fs, sdir, sname, slen, &sdin, &ino, &in);
	if (err < 0)
		return err;
	err = ext2_check_name(dname, dlen);
	if (err == 0)
		err = get_dir(fs, ddir, &ddin);
	if (err < 0)
		return err;
	bool is_dir = (in.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	if (sdir == ddir && slen == dlen && memcmp(sname, dname, slen) == 0)
		return 0;
	if (is_dir && sdir != ddir) {
		err = is_ancestor(fs, ino, ddir);
		if (err != 0)
			return err < 0 ? err : ERR_INVALID_ARGS;
		if (ddin.i_links_count >= EXT2_LINK_MAX)
			return ERR_NO_RESOURCES;
	}
	err = ext2_dir_lookup(fs, ddir, &ddin, dname, dlen, &old_ino, NULL);
	if (err == 0) {
		if (old_ino == ino)
			return 0; /* two names of one file: nothing to do (POSIX) */
		err = ext2_iget(fs, old_ino, &old);
		if (err < 0)
			return err;
		bool old_dir = (old.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
		if (old_dir != is_dir)
			return ERR_WRONG_TYPE;
		if (old_dir && (err = ext2_dir_nonempty(fs, old_ino, &old)) != 0)
			return err < 0 ? err : ERR_BAD_STATE;
		err = ext2_dir_retarget(fs, ddir, &ddin, dname, dlen, ino,
		                        ext2_mode_to_ft(in.i_mode));
	} else if (err == ERR_NOT_FOUND) {
		old_ino = 0;
		err = ext2_dir_add(fs, ddir, &ddin, dname, dlen, ino, ext2_mode_to_ft(in.i_mode),
		                   EXT2_ROOM_UNKNOWN);
	}
	if (err < 0)
		return err;
	/* the new name is in place: from here on only removals, which need no space */
	if (sdir == ddir)
		sdin = ddin;
	err = ext2_dir_remove(fs, sdir, &sdin, sname, slen);
	if (err < 0)
		return err;
	if (sdir == ddir)
		ddin = sdin;
	in.i_ctime = ext2_now(fs);
	err = ext2_iput(fs, ino, &in);
	if (err == 0 && is_dir && sdir != ddir) {
		err = ext2_dir_retarget(fs, ino, &in, "..", 2, ddir, EXT2_FT_DIR);
		if (err == 0 && sdin.i_links_count > 1)
			sdin.i_links_count--;
		if (err == 0)
			err = ext2_iput(fs, sdir, &sdin);
		if (err == 0 && !old_ino)
			ddin.i_links_count++;
		if (err == 0)
			err = ext2_iput(fs, ddir, &ddin);
	}
	if (err < 0 || !old_ino)
		return err;
	if (is_dir) {
		/* the replaced directory's ".." no longer counts in ddir: its entry became ino's */
		old.i_links_count = 1;
		err = ext2_drop_link(fs, old_ino, &old);
		if (err == 0 && sdir == ddir && ddin.i_links_count > 1) {
			ddin.i_links_count--;
			err = ext2_iput(fs, ddir, &ddin);
		}
		return err;
	}
	return ext2_drop_link(fs, old_ino, &old);
}
