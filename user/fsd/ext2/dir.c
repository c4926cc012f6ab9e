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
 * since the engine does not maintain the on-disk index.
 *
 * A large directory gets an index in memory instead (dindex.c): the first
 * linear lookup that visits EXT2_DINDEX_MIN_ENTRIES entries builds it, and
 * from then on lookups go through it and every add and remove here keeps it
 * exact (the entry's place, each block's room). A create is one search:
 * ext2_dir_check_new() learns both that the name is new and where it fits
 * (from the index, or from the same walk), and ext2_dir_add() goes there.
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
 * offset in that block (UINT32_MAX: it is the first; PREV_UNKNOWN: found
 * through the index, see prev_of()), and the entry.
 */
struct found {
	struct bcache_buf *b;
	uint32_t lbn, off, prev;
	struct dent e;
};

#define PREV_UNKNOWN (UINT32_MAX - 1)

/* What a linear walk learnt besides the entry: the first block with room for need
 * bytes (the block count if none; need 0: not looked for), and entries visited. */
struct walk {
	uint32_t need, room, visited;
};

/* Which entry find() looks for: a live one named name, or (name NULL) any live one but "." and "..". */
static bool wanted(const struct dent *e, const char *name, size_t len)
{
	if (name)
		return e->ino && e->name_len == len && memcmp(e->name, name, len) == 0;
	return e->ino && !is_dot(e);
}

/* What an entry leaves for a new one: a free entry all of it, a live one its unused tail. */
static uint32_t entry_room(const struct dent *e)
{
	return e->ino ? e->rec_len - EXT2_DIR_REC_LEN(e->name_len) : e->rec_len;
}

/* The largest new entry block blk can take. */
static int block_room(struct ext2_fs *fs, uint32_t dir, uint32_t lbn, const uint8_t *blk,
                      uint32_t *room)
{
	struct dent e;
	uint32_t best = 0;
	for (uint32_t off = 0; off < fs->bs; off += e.rec_len) {
		int err = parse(fs, dir, lbn, blk, off, &e);
		if (err < 0)
			return err;
		if (entry_room(&e) > best)
			best = entry_room(&e);
	}
	*room = best;
	return 0;
}

/* dir's index if it covers the directory as it is (else it is dropped). */
static struct ext2_dindex *index_of(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din)
{
	struct ext2_dindex *dx = ext2_dindex_get(fs, dir);
	if (dx && dx->blocks != din->i_size >> fs->log_bs) {
		ext2_dindex_drop(fs, dir);
		return NULL;
	}
	return dx;
}

/* Index directory dir from one walk (sized for entries); no index if it cannot be had. */
static int build_index(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                       uint32_t entries)
{
	uint32_t n;
	int err = dir_blocks(fs, dir, din, &n);
	if (err < 0)
		return err;
	struct ext2_dindex *dx = ext2_dindex_new(fs, dir, n, entries);
	if (!dx)
		return 0;
	for (uint32_t lbn = 0; lbn < n && err == 0; lbn++) {
		struct bcache_buf *b;
		err = dir_block(fs, dir, din, lbn, &b);
		if (err < 0)
			break;
		struct dent e;
		uint32_t room = 0;
		for (uint32_t off = 0; off < fs->bs && err == 0; off += e.rec_len) {
			err = parse(fs, dir, lbn, b->data, off, &e);
			if (err < 0)
				break;
			if (entry_room(&e) > room)
				room = entry_room(&e);
			if (e.ino && ext2_dindex_insert(fs, dx, ext2_dname_hash(e.name, e.name_len),
			                                (lbn << fs->log_bs) + off) < 0)
				err = 1;
		}
		if (err == 0 && ext2_dindex_set_room(fs, dx, lbn, room) < 0)
			err = 1;
		ext2_brelse(fs, b);
	}
	if (err != 0)
		ext2_dindex_drop(fs, dir);
	return err < 0 ? err : 0;
}

/* find() through dir's index: ERR_BAD_STATE if the index is wrong (it is dropped). */
static int find_indexed(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                        const struct ext2_dindex *dx, const char *name, size_t len, struct found *f)
{
	uint32_t hash = ext2_dname_hash(name, len), pos = UINT32_MAX, loc;
	while ((loc = ext2_dindex_next(dx, hash, &pos)) != UINT32_MAX) {
		uint32_t lbn = loc >> fs->log_bs, off = loc & (fs->bs - 1);
		struct bcache_buf *b;
		int err = dir_block(fs, dir, din, lbn, &b);
		if (err < 0)
			return err;
		err = parse(fs, dir, lbn, b->data, off, &f->e);
		if (err == 0 && !f->e.ino)
			err = ERR_BAD_STATE; /* an index entry for no entry: cannot happen */
		if (err == 0 && wanted(&f->e, name, len)) {
			*f = (struct found){
			    .b = b, .lbn = lbn, .off = off, .prev = PREV_UNKNOWN, .e = f->e};
			return 0;
		}
		ext2_brelse(fs, b);
		if (err == ERR_BAD_STATE)
			ext2_dindex_drop(fs, dir);
		if (err < 0)
			return err;
	}
	return ERR_NOT_FOUND;
}

static int find_linear(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                       const char *name, size_t len, struct found *f, struct walk *w)
{
	uint32_t n;
	int err = dir_blocks(fs, dir, din, &n);
	if (err < 0)
		return err;
	w->room = w->need ? UINT32_MAX : n;
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
			w->visited++;
			if (wanted(&f->e, name, len)) {
				f->b = b;
				f->lbn = lbn;
				f->off = off;
				f->prev = prev;
				return 0;
			}
			if (w->room == UINT32_MAX && entry_room(&f->e) >= w->need)
				w->room = lbn;
			prev = off;
		}
		ext2_brelse(fs, b);
		if (err < 0)
			return err;
	}
	if (w->room == UINT32_MAX)
		w->room = n;
	return ERR_NOT_FOUND;
}

/*
 * Find an entry of dir (see wanted()): through its index when it has one; else by
 * a walk, after which a directory found large gets an index. w may be NULL.
 */
static int find(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din, const char *name,
                size_t len, struct found *f, struct walk *w)
{
	struct walk mine = {0};
	if (!w)
		w = &mine;
	if (name) {
		struct ext2_dindex *dx = index_of(fs, dir, din);
		int err = dx ? find_indexed(fs, dir, din, dx, name, len, f) : ERR_BAD_STATE;
		if (err != ERR_BAD_STATE)
			return err;
	}
	int err = find_linear(fs, dir, din, name, len, f, w);
	if (name && w->visited >= EXT2_DINDEX_MIN_ENTRIES && (err == 0 || err == ERR_NOT_FOUND)) {
		/* a failure leaves the directory unindexed; corruption was logged */
		build_index(fs, dir, din, w->visited);
	}
	return err;
}

/* The offset of the entry before the one at off in block blk (UINT32_MAX: none). */
static int prev_of(struct ext2_fs *fs, uint32_t dir, uint32_t lbn, const uint8_t *blk, uint32_t off,
                   uint32_t *prev)
{
	struct dent e;
	*prev = UINT32_MAX;
	for (uint32_t at = 0; at < off; at += e.rec_len) {
		int err = parse(fs, dir, lbn, blk, at, &e);
		if (err < 0)
			return err;
		*prev = at;
	}
	return 0;
}

int ext2_dir_lookup(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                    const char *name, size_t len, uint32_t *ino, uint8_t *type)
{
	struct found f;
	int err = find(fs, dir, din, name, len, &f, NULL);
	if (err < 0)
		return err;
	*ino = f.e.ino;
	if (type)
		*type = f.e.type;
	ext2_brelse(fs, f.b);
	return 0;
}

int ext2_dir_check_new(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                       const char *name, size_t len, uint32_t *room)
{
	struct found f;
	struct walk w = {.need = EXT2_DIR_REC_LEN(len)};
	int err = find(fs, dir, din, name, len, &f, &w);
	if (err == 0) {
		ext2_brelse(fs, f.b);
		return ERR_ALREADY_EXISTS;
	}
	if (err != ERR_NOT_FOUND)
		return err;
	struct ext2_dindex *dx = index_of(fs, dir, din);
	*room = dx ? ext2_dindex_find_room(dx, w.need) : w.room;
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

/*
 * Put the entry in block lbn if it has room (*done): the index, if any, learns the
 * entry and the block's new room.
 */
static int add_in_block(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                        uint32_t lbn, const char *name, size_t len, uint32_t ino, uint8_t type,
                        bool *done)
{
	struct bcache_buf *b;
	int err = dir_block(fs, dir, din, lbn, &b);
	if (err < 0)
		return err;
	uint32_t at, room;
	err = room_in(fs, dir, lbn, b, EXT2_DIR_REC_LEN(len), &at);
	*done = err == 0 && at != UINT32_MAX;
	if (*done) {
		struct ext2_dirent d;
		memcpy(&d, b->data + at, sizeof(d));
		put_entry(fs, b->data + at, ino, d.rec_len, name, len, type);
		bcache_dirty(b);
		struct ext2_dindex *dx = ext2_dindex_get(fs, dir);
		if (dx && (block_room(fs, dir, lbn, b->data, &room) < 0 ||
		           ext2_dindex_insert(fs, dx, ext2_dname_hash(name, len),
		                              (lbn << fs->log_bs) + at) < 0 ||
		           ext2_dindex_set_room(fs, dx, lbn, room) < 0))
			ext2_dindex_drop(fs, dir);
	}
	ext2_brelse(fs, b);
	return err;
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
                 size_t len, uint32_t ino, uint8_t type, uint32_t room)
{
	uint32_t n;
	int err = dir_blocks(fs, dir, din, &n);
	if (err < 0)
		return err;
	uint32_t need = EXT2_DIR_REC_LEN(len);
	struct ext2_dindex *dx = index_of(fs, dir, din);
	if (room == EXT2_ROOM_UNKNOWN && dx)
		room = ext2_dindex_find_room(dx, need);
	bool done = false;
	if (room < n) {
		err = add_in_block(fs, dir, din, room, name, len, ino, type, &done);
		if (err < 0)
			return err;
		if (!done) /* the room was not where it was said to be: look everywhere */
			ext2_dindex_drop(fs, dir);
	}
	for (uint32_t lbn = 0; lbn < n && !done && room != n; lbn++) {
		err = add_in_block(fs, dir, din, lbn, name, len, ino, type, &done);
		if (err < 0)
			return err;
	}
	if (done)
		return touch(fs, dir, din);
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
		ext2_dindex_drop(fs, dir);
		return err;
	}
	struct bcache_buf *b;
	err = ext2_bnew(fs, phys, &b);
	if (err < 0) {
		ext2_dindex_drop(fs, dir);
		return err;
	}
	memset(b->data, 0, fs->bs);
	put_entry(fs, b->data, ino, fs->bs, name, len, type);
	bcache_dirty(b);
	ext2_brelse(fs, b);
	*din = grown;
	din->i_size += fs->bs;
	dx = ext2_dindex_get(fs, dir);
	if (dx && (ext2_dindex_set_room(fs, dx, n, fs->bs - need) < 0 ||
	           ext2_dindex_insert(fs, dx, ext2_dname_hash(name, len), n << fs->log_bs) < 0))
		ext2_dindex_drop(fs, dir);
	return touch(fs, dir, din);
}

int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
                    size_t len)
{
	struct found f;
	int err = find(fs, dir, din, name, len, &f, NULL);
	if (err < 0)
		return err;
	if (f.prev == PREV_UNKNOWN &&
	    (err = prev_of(fs, dir, f.lbn, f.b->data, f.off, &f.prev)) < 0) {
		ext2_brelse(fs, f.b);
		return err;
	}
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
	struct ext2_dindex *dx = ext2_dindex_get(fs, dir);
	uint32_t room;
	if (dx &&
	    (!ext2_dindex_erase(dx, ext2_dname_hash(name, len), (f.lbn << fs->log_bs) + f.off) ||
	     block_room(fs, dir, f.lbn, f.b->data, &room) < 0 ||
	     ext2_dindex_set_room(fs, dx, f.lbn, room) < 0))
		ext2_dindex_drop(fs, dir);
	ext2_brelse(fs, f.b);
	return touch(fs, dir, din);
}

int ext2_dir_retarget(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din,
                      const char *name, size_t len, uint32_t ino, uint8_t type)
{
	struct found f;
	int err = find(fs, dir, din, name, len, &f, NULL);
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
	int err = find(fs, dir, din, NULL, 0, &f, NULL);
	if (err == ERR_NOT_FOUND)
		return 0;
	if (err < 0)
		return err;
	ext2_brelse(fs, f.b);
	return 1;
}

int ext2_dir_init(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, uint32_t parent)
{
	ext2_dindex_drop(fs, dir); /* an earlier directory of this number's, if any */
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

int ext2_dir_check_index(struct ext2_fs *fs, uint32_t dir)
{
	struct ext2_inode din;
	int err = ext2_iget_node(fs, dir, &din);
	uint32_t n;
	if (err == 0)
		err = dir_blocks(fs, dir, &din, &n);
	if (err < 0)
		return err;
	struct ext2_dindex *dx = ext2_dindex_get(fs, dir);
	if (!dx)
		return 0;
	if (dx->blocks != n)
		return ERR_BAD_STATE;
	uint32_t live = 0;
	for (uint32_t lbn = 0; lbn < n && err == 0; lbn++) {
		struct bcache_buf *b;
		err = dir_block(fs, dir, &din, lbn, &b);
		if (err < 0)
			return err;
		struct dent e;
		uint32_t room = 0;
		for (uint32_t off = 0; off < fs->bs && err == 0; off += e.rec_len) {
			err = parse(fs, dir, lbn, b->data, off, &e);
			if (err < 0)
				break;
			if (entry_room(&e) > room)
				room = entry_room(&e);
			if (!e.ino)
				continue;
			live++;
			uint32_t loc = (lbn << fs->log_bs) + off, pos = UINT32_MAX, at;
			uint32_t hash = ext2_dname_hash(e.name, e.name_len);
			while ((at = ext2_dindex_next(dx, hash, &pos)) != UINT32_MAX && at != loc)
				;
			if (at != loc)
				err = ERR_BAD_STATE;
		}
		if (err == 0 && dx->room[lbn] != room)
			err = ERR_BAD_STATE;
		ext2_brelse(fs, b);
	}
	if (err == 0 && live != dx->live)
		err = ERR_BAD_STATE;
	return err;
}
