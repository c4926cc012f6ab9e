/*
 * dir.c - directories: blocks of variable-length entries (inode, rec_len,
 * name_len, file type, name), each block's entries chaining to its end.
 *
 * Every entry is checked before it is used: rec_len at least the size its
 * name needs, a multiple of 4, inside the block; the inode number in range;
 * the name non-empty without NUL or '/'. A directory's size is a whole
 * number of blocks, none of them a hole, and no more blocks than the file
 * system has: a listing or lookup is a bounded walk.
 *
 * Hashed (htree) directories read as plain ones (their index blocks look
 * like empty entries); changing one drops its index flag, as e2fsck allows,
 * since the engine does not maintain the index.
 */
#include "fs.h"

#include <string.h>
#include <abi/errors.h>

/* One parsed entry. */
struct dent {
	uint32_t ino;
	uint32_t rec_len;
	uint32_t name_len;
	uint8_t type;
	const char *name;
};

int ext2_check_name(const char *name, size_t len)
{
	if (len == 0 || len > EXT2_NAME_LEN || memchr(name, 0, len) || memchr(name, '/', len))
		return ERR_INVALID_ARGS;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return ERR_INVALID_ARGS;
	return 0;
}

uint8_t ext2_mode_to_ft(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
		return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR:
		return EXT2_FT_DIR;
	case EXT2_S_IFLNK:
		return EXT2_FT_SYMLINK;
	case EXT2_S_IFCHR:
		return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK:
		return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO:
		return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK:
		return EXT2_FT_SOCK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

/* Directory dir's block count, checked. */
static int dir_blocks(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din, uint32_t *out)
{
	if ((din->i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		return ERR_WRONG_TYPE;
	if (din->i_size & (fs->bs - 1) || din->i_size == 0 ||
	    (din->i_size >> fs->log_bs) > fs->sb.s_blocks_count)
		return ext2_corrupt(fs, "directory %u: size %u", dir, din->i_size);
	*out = din->i_size >> fs->log_bs;
	return 0;
}

/* Block lbn of directory dir, read. */
static int dir_block(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din, uint32_t lbn,
                     struct bcache_buf **out)
{
	struct ext2_inode copy = *din;
	uint32_t phys;
	int err = ext2_bmap(fs, dir, &copy, lbn, false, &phys, NULL);
	if (err < 0)
		return err;
	if (phys == 0)
		return ext2_corrupt(fs, "directory %u: hole at block %u", dir, lbn);
	return ext2_bread(fs, phys, out);
}

/* Parse and check the entry at off of directory dir's block lbn. */
static int parse(struct ext2_fs *fs, uint32_t dir, uint32_t lbn, const uint8_t *blk, uint32_t off,
                 struct dent *e)
{
	const char *what = NULL;
	struct ext2_dirent d;
	if (off > fs->bs - sizeof(d)) {
		what = "entry header past the block";
		goto bad;
	}
	memcpy(&d, blk + off, sizeof(d));
	e->ino = d.inode;
	e->rec_len = d.rec_len;
	e->name_len = d.name_len;
	e->type = d.file_type;
	if (!fs->filetype) {
		e->name_len |= (uint32_t)d.file_type << 8;
		e->type = EXT2_FT_UNKNOWN;
	}
	e->name = (const char *)blk + off + sizeof(d);
	if (e->rec_len < EXT2_DIR_REC_LEN(1) || (e->rec_len & 3))
		what = "rec_len";
	else if (e->rec_len > fs->bs - off)
		what = "rec_len past the block";
	else if (e->name_len > EXT2_NAME_LEN || EXT2_DIR_REC_LEN(e->name_len) > e->rec_len)
		what = "name_len";
	else if (e->ino > fs->sb.s_inodes_count)
		what = "inode number";
	else if (e->ino && e->name_len == 0)
		what = "empty name";
	else if (e->ino && (memchr(e->name, 0, e->name_len) || memchr(e->name, '/', e->name_len)))
		what = "name with NUL or '/'";
	if (!what)
		return 0;
bad:
	return ext2_corrupt(fs, "directory %u, block %u, offset %u: bad %s", dir, lbn, off, what);
}

static bool is_dot(const struct dent *e)
{
	return (e->name_len == 1 && e->name[0] == '.') ||
	       (e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.');
}

/*
 * An entry find() found: its block (pinned), offset, the previous entry's
 * offset in that block (UINT32_MAX: it is the first), and the entry.
 */
struct found {
	struct bcache_buf *b;
	uint32_t lbn, off, prev;
	struct dent e;
};

/* Which entry find() looks for: a live one named name, or (name NULL) any live one but "." and "..". */
static bool wanted(const struct dent *e, const char *name, size_t len)
{
	if (name)
		return e->ino && e->name_len == len && memcmp(e->name, name, len) == 0;
	return e->ino && !is_dot(e);
}

static int find(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din, const char *name,
                size_t len, struct found *f)
{
	uint32_t n;
	int err = dir_blocks(fs, dir, din, &n);
	if (err < 0)
		return err;
	for (uint32_t lbn = 0; lbn < n; lbn++) {
		struct bcache_buf *b;
		err = dir_block(fs, dir, din, lbn, &b);
		if (err < 0)
			return err;
		uint32_t prev = UINT32_MAX;
		for (uint32_t off = 0; off < fs->bs; off += f->e.rec_len) {
			err = parse(fs, dir, lbn, b->data, off, &f->e);
			if (err < 0)
				break;
			if (wanted(&f->e, name, len)) {
				f->b = b;
				f->lbn = lbn;
				f->off = off;
				f->prev = prev;
				return 0;
			}
			prev = off;
		}
		ext2_brelse(fs, b);
		if (err < 0)
			return err;
	}
	return ERR_NOT_FOUND;
}

int ext2_dir_lookup(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                    const char *name, size_t len, uint32_t *ino, uint8_t *type)
{
	struct found f;
	int err = find(fs, dir, din, name, len, &f);
	if (err < 0)
		return err;
	*ino = f.e.ino;
	if (type)
		*type = f.e.type;
	ext2_brelse(fs, f.b);
	return 0;
}

/* A changed directory: times, no htree index, written back. */
static int touch(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din)
{
	din->i_mtime = din->i_ctime = ext2_now(fs);
	din->i_flags &= ~(uint32_t)EXT2_INDEX_FL;
	return ext2_iput(fs, dir, din);
}

static void put_entry(struct ext2_fs *fs, uint8_t *at, uint32_t ino, uint32_t rec_len,
                      const char *name, size_t len, uint8_t type)
{
	struct ext2_dirent d = {
	    .inode = ino, .rec_len = (uint16_t)rec_len, .name_len = (uint8_t)len};
	d.file_type = fs->filetype ? type : 0;
	memcpy(at, &d, sizeof(d));
	memcpy(at + sizeof(d), name, len);
	/* zero the padding: e2fsck reads nothing there, but images stay reproducible */
	memset(at + sizeof(d) + len, 0, EXT2_DIR_REC_LEN(len) - sizeof(d) - len);
}

/* Room for an entry of need bytes in block b: its offset, or UINT32_MAX. */
static int room_in(struct ext2_fs *fs, uint32_t dir, uint32_t lbn, struct bcache_buf *b,
                   uint32_t need, uint32_t *at)
{
	struct dent e;
	for (uint32_t off = 0; off < fs->bs; off += e.rec_len) {
		int err = parse(fs, dir, lbn, b->data, off, &e);
		if (err < 0)
			return err;
		if (!e.ino && e.rec_len >= need) {
			*at = off;
			return 0;
		}
		uint32_t used = EXT2_DIR_REC_LEN(e.name_len);
		if (e.ino && e.rec_len - used >= need) {
			/* shrink this entry to what it uses; the new one takes the rest */
			struct ext2_dirent d;
			memcpy(&d, b->data + off, sizeof(d));
			uint32_t rest = e.rec_len - used;
			d.rec_len = (uint16_t)used;
			memcpy(b->data + off, &d, sizeof(d));
			d = (struct ext2_dirent){.inode = 0, .rec_len = (uint16_t)rest};
			memcpy(b->data + off + used, &d, sizeof(d));
			*at = off + used;
			return 0;
		}
	}
	*at = UINT32_MAX;
	return 0;
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
                 size_t len, uint32_t ino, uint8_t type)
{
	uint32_t n;
	int err = dir_blocks(fs, dir, din, &n);
	if (err < 0)
		return err;
	uint32_t need = EXT2_DIR_REC_LEN(len);
	for (uint32_t lbn = 0; lbn < n; lbn++) {
		struct bcache_buf *b;
		err = dir_block(fs, dir, din, lbn, &b);
		if (err < 0)
			return err;
		uint32_t at;
		err = room_in(fs, dir, lbn, b, need, &at);
		if (err == 0 && at != UINT32_MAX) {
			struct ext2_dirent d;
			memcpy(&d, b->data + at, sizeof(d));
			put_entry(fs, b->data + at, ino, d.rec_len, name, len, type);
			bcache_dirty(b);
			ext2_brelse(fs, b);
			return touch(fs, dir, din);
		}
		ext2_brelse(fs, b);
		if (err < 0)
			return err;
	}
	/* no room: a new block, all of it the new entry */
	if ((uint64_t)(n + 1) << fs->log_bs > UINT32_MAX)
		return ERR_NO_RESOURCES;
	uint32_t phys;
	bool fresh;
	struct ext2_inode grown = *din;
	err = ext2_bmap(fs, dir, &grown, n, true, &phys, &fresh);
	if (err == 0 && !fresh)
		err = ext2_corrupt(fs, "directory %u: block %u past its size is mapped", dir, n);
	if (err < 0) {
		/* whatever was allocated stays counted in the inode */
		ext2_iput(fs, dir, &grown);
		*din = grown;
		return err;
	}
	struct bcache_buf *b;
	err = ext2_bnew(fs, phys, &b);
	if (err < 0)
		return err;
	memset(b->data, 0, fs->bs);
	put_entry(fs, b->data, ino, fs->bs, name, len, type);
	bcache_dirty(b);
	ext2_brelse(fs, b);
	*din = grown;
	din->i_size += fs->bs;
	return touch(fs, dir, din);
}

int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
                    size_t len)
{
	struct found f;
	int err = find(fs, dir, din, name, len, &f);
	if (err < 0)
		return err;
	if (f.prev == UINT32_MAX) {
		struct ext2_dirent d;
		memcpy(&d, f.b->data + f.off, sizeof(d));
		d.inode = 0;
		memcpy(f.b->data + f.off, &d, sizeof(d));
	} else {
		struct ext2_dirent p;
		memcpy(&p, f.b->data + f.prev, sizeof(p));
		p.rec_len = (uint16_t)(p.rec_len + f.e.rec_len);
		memcpy(f.b->data + f.prev, &p, sizeof(p));
	}
	bcache_dirty(f.b);
	ext2_brelse(fs, f.b);
	return touch(fs, dir, din);
}

int ext2_dir_retarget(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                      const char *name, size_t len, uint32_t ino, uint8_t type)
{
	struct found f;
	int err = find(fs, dir, din, name, len, &f);
	if (err < 0)
		return err;
	struct ext2_dirent d;
	memcpy(&d, f.b->data + f.off, sizeof(d));
	d.inode = ino;
	if (fs->filetype)
		d.file_type = type;
	memcpy(f.b->data + f.off, &d, sizeof(d));
	bcache_dirty(f.b);
	ext2_brelse(fs, f.b);
	return 0;
}

int ext2_dir_nonempty(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din)
{
	struct found f;
	int err = find(fs, dir, din, NULL, 0, &f);
	if (err == ERR_NOT_FOUND)
		return 0;
	if (err < 0)
		return err;
	ext2_brelse(fs, f.b);
	return 1;
}

int ext2_dir_init(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, uint32_t parent)
{
	uint32_t phys;
	int err = ext2_bmap(fs, dir, din, 0, true, &phys, NULL);
	if (err < 0)
		return err;
	struct bcache_buf *b;
	err = ext2_bnew(fs, phys, &b);
	if (err < 0)
		return err;
	memset(b->data, 0, fs->bs);
	uint32_t dot = EXT2_DIR_REC_LEN(1);
	put_entry(fs, b->data, dir, dot, ".", 1, EXT2_FT_DIR);
	put_entry(fs, b->data + dot, parent, fs->bs - dot, "..", 2, EXT2_FT_DIR);
	bcache_dirty(b);
	ext2_brelse(fs, b);
	din->i_size = fs->bs;
	return 0;
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent_info *out)
{
	struct ext2_inode din;
	int err = ext2_iget_node(fs, dir, &din);
	if (err < 0)
		return err;
	uint32_t n;
	err = dir_blocks(fs, dir, &din, &n);
	if (err < 0)
		return err;
	for (uint64_t lbn = *cookie >> fs->log_bs; lbn < n; lbn++) {
		uint32_t start =
		    lbn == *cookie >> fs->log_bs ? (uint32_t)(*cookie & (fs->bs - 1)) : 0;
		struct bcache_buf *b;
		err = dir_block(fs, dir, &din, (uint32_t)lbn, &b);
		if (err < 0)
			return err;
		struct dent e;
		/* walk from the block's start: a cookie names an entry boundary or the next one */
		for (uint32_t off = 0; off < fs->bs; off += e.rec_len) {
			err = parse(fs, dir, (uint32_t)lbn, b->data, off, &e);
			if (err < 0)
				break;
			if (off < start || !e.ino || is_dot(&e))
				continue;
			out->ino = e.ino;
			out->type = e.type;
			out->name_len = (uint8_t)e.name_len;
			memcpy(out->name, e.name, e.name_len);
			out->name[e.name_len] = 0;
			*cookie = (lbn << fs->log_bs) + off + e.rec_len;
			ext2_brelse(fs, b);
			return 1;
		}
		ext2_brelse(fs, b);
		if (err < 0)
			return err;
	}
	*cookie = (uint64_t)n << fs->log_bs;
	return 0;
}
