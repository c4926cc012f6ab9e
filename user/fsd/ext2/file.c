/*
 * file.c - what a node's own operations do: stat, read, write, truncate,
 * readlink, setattr.
 *
 * Reads never write (no access times: fsd mounts as noatime). A write
 * allocates its blocks one at a time as it goes, so a full disk stops it at
 * the last block it could write: the inode is always written back with
 * whatever was allocated, and its size covers exactly the bytes written.
 */
#include "fs.h"

#include <string.h>
#include <abi/errors.h>

/* The largest size a regular file may reach. */
static uint64_t max_size(const struct ext2_fs *fs)
{
	uint64_t m = ext2_max_blocks(fs) << fs->log_bs;
	if (fs->sb.s_rev_level == EXT2_GOOD_OLD_REV && m > INT32_MAX)
		m = INT32_MAX; /* no large_file feature to set */
	return m;
}

/* The piece of the block holding pos that [pos, pos + left) covers: offset and length. */
static size_t piece(const struct ext2_fs *fs, uint64_t pos, size_t left, uint32_t *boff)
{
	*boff = (uint32_t)(pos & (fs->bs - 1));
	return fs->bs - *boff < left ? fs->bs - *boff : left;
}

static int get_type(struct ext2_fs *fs, uint32_t ino, uint16_t type, struct ext2_inode *in)
{
	int err = ext2_iget_node(fs, ino, in);
	if (err < 0)
		return err;
	if ((in->i_mode & EXT2_S_IFMT) != type)
		return ERR_WRONG_TYPE;
	return 0;
}

int ext2_stat(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *out)
{
	struct ext2_inode in;
	int err = ext2_iget_node(fs, ino, &in);
	if (err < 0)
		return err;
	memset(out, 0, sizeof(*out));
	out->ino = ino;
	out->mode = in.i_mode;
	out->links = in.i_links_count;
	out->uid = in.i_uid | (uint32_t)in.i_uid_high << 16;
	out->gid = in.i_gid | (uint32_t)in.i_gid_high << 16;
	out->size = ext2_isize(&in);
	out->blocks = in.i_blocks;
	out->atime = in.i_atime;
	out->mtime = in.i_mtime;
	out->ctime = in.i_ctime;
	out->generation = in.i_generation;
	return 0;
}

int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
	struct ext2_inode in;
	int err = get_type(fs, ino, EXT2_S_IFREG, &in);
	if (err < 0)
		return err;
	uint64_t size = ext2_isize(&in);
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	if (len > INT64_MAX)
		len = INT64_MAX;
	uint8_t *dst = buf;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t boff;
		size_t chunk = piece(fs, pos, len - done, &boff);
		uint32_t phys;
		err = ext2_bmap(fs, ino, &in, pos >> fs->log_bs, false, &phys, NULL);
		if (err == ERR_OUT_OF_RANGE)
			err = ext2_corrupt(fs, "inode %u: size %llu past the largest file", ino,
			                   (unsigned long long)size);
		if (err < 0)
			return done ? (int64_t)done : err;
		if (phys == 0) {
			memset(dst + done, 0, chunk);
		} else {
			struct bcache_buf *b;
			err = ext2_bread(fs, phys, &b);
			if (err < 0)
				return done ? (int64_t)done : err;
			memcpy(dst + done, b->data + boff, chunk);
			ext2_brelse(fs, b);
		}
		done += chunk;
	}
	return (int64_t)done;
}

int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	struct ext2_inode in;
	int err = get_type(fs, ino, EXT2_S_IFREG, &in);
	if (err < 0)
		return err;
	if (len == 0)
		return 0;
	uint64_t max = max_size(fs);
	if (off >= max || len > max - off)
		return ERR_OUT_OF_RANGE;
	if (len > INT64_MAX)
		len = INT64_MAX;
	const uint8_t *src = buf;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t boff;
		size_t chunk = piece(fs, pos, len - done, &boff);
		uint32_t phys;
		bool fresh;
		err = ext2_bmap(fs, ino, &in, pos >> fs->log_bs, true, &phys, &fresh);
		if (err < 0)
			break;
		struct bcache_buf *b;
		if (fresh || chunk == fs->bs) {
			err = ext2_bnew(fs, phys, &b);
			if (err == 0 && fresh)
				memset(b->data, 0, fs->bs);
		} else {
			err = ext2_bread(fs, phys, &b);
		}
		if (err < 0)
			break;
		memcpy(b->data + boff, src + done, chunk);
		bcache_dirty(b);
		ext2_brelse(fs, b);
		done += chunk;
	}
	if (done) {
		if (off + done > ext2_isize(&in))
			ext2_set_isize(fs, &in, off + done);
		in.i_mtime = in.i_ctime = ext2_now(fs);
	}
	int werr = ext2_iput(fs, ino, &in);
	if (done)
		return werr < 0 ? werr : (int64_t)done;
	return err < 0 ? err : werr;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	struct ext2_inode in;
	int err = get_type(fs, ino, EXT2_S_IFREG, &in);
	if (err < 0)
		return err;
	if (size > max_size(fs))
		return ERR_OUT_OF_RANGE;
	uint64_t old = ext2_isize(&in);
	if (size < old) {
		uint64_t keep = (size + fs->bs - 1) >> fs->log_bs;
		err = ext2_free_blocks_from(fs, ino, &in, keep);
		uint32_t tail = (uint32_t)(size & (fs->bs - 1));
		uint32_t phys = 0;
		if (err == 0 && tail)
			err = ext2_bmap(fs, ino, &in, size >> fs->log_bs, false, &phys, NULL);
		if (err == 0 && phys) {
			/* the rest of the last block reads as zeros if the file grows again */
			struct bcache_buf *b;
			err = ext2_bread(fs, phys, &b);
			if (err == 0) {
				memset(b->data + tail, 0, fs->bs - tail);
				bcache_dirty(b);
				ext2_brelse(fs, b);
			}
		}
	}
	if (err == 0)
		ext2_set_isize(fs, &in, size);
	in.i_mtime = in.i_ctime = ext2_now(fs);
	int werr = ext2_iput(fs, ino, &in);
	return err < 0 ? err : werr;
}

int64_t ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t cap)
{
	struct ext2_inode in;
	int err = get_type(fs, ino, EXT2_S_IFLNK, &in);
	if (err < 0)
		return err;
	uint32_t len = in.i_size;
	const char *src;
	struct bcache_buf *b = NULL;
	if (ext2_is_fast_symlink(fs, &in)) {
		if (len == 0 || len > EXT2_FAST_SYMLINK_MAX + 1)
			return ext2_corrupt(fs, "inode %u: fast link of %u bytes", ino, len);
		src = (const char *)in.i_block;
	} else {
		if (len == 0 || len >= fs->bs)
			return ext2_corrupt(fs, "inode %u: link of %u bytes", ino, len);
		uint32_t phys;
		err = ext2_bmap(fs, ino, &in, 0, false, &phys, NULL);
		if (err == 0 && phys == 0)
			err = ext2_corrupt(fs, "inode %u: link without a block", ino);
		if (err == 0)
			err = ext2_bread(fs, phys, &b);
		if (err < 0)
			return err;
		src = (const char *)b->data;
	}
	if (memchr(src, 0, len)) {
		ext2_brelse(fs, b);
		return ext2_corrupt(fs, "inode %u: link target contains NUL", ino);
	}
	size_t n = len < cap ? len : cap;
	memcpy(buf, src, n);
	if (len < cap)
		buf[len] = 0;
	ext2_brelse(fs, b);
	return len;
}

int ext2_setattr(struct ext2_fs *fs, uint32_t ino, uint32_t perm, uint32_t uid, uint32_t gid,
                 uint32_t atime, uint32_t mtime)
{
	if (fs->read_only)
		return ERR_ACCESS_DENIED;
	struct ext2_inode in;
	int err = ext2_iget_node(fs, ino, &in);
	if (err < 0)
		return err;
	uint32_t now = ext2_now(fs);
	if (perm != EXT2_ATTR_KEEP)
		in.i_mode = (uint16_t)((in.i_mode & EXT2_S_IFMT) | (perm & 07777));
	if (uid != EXT2_ATTR_KEEP) {
		in.i_uid = (uint16_t)uid;
		in.i_uid_high = (uint16_t)(uid >> 16);
	}
	if (gid != EXT2_ATTR_KEEP) {
		in.i_gid = (uint16_t)gid;
		in.i_gid_high = (uint16_t)(gid >> 16);
	}
	if (atime != EXT2_ATTR_KEEP)
		in.i_atime = atime == EXT2_ATTR_NOW ? now : atime;
	if (mtime != EXT2_ATTR_KEEP)
		in.i_mtime = mtime == EXT2_ATTR_NOW ? now : mtime;
	in.i_ctime = now;
	return ext2_iput(fs, ino, &in);
}
