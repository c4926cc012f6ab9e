/*
 * ops.c - the operations of the provider protocol on an ext2 mount (ops.h).
 *
 * Each is one ext2 call or a few; errors are the engine's ERR_* codes, passed on.
 */
#include "ops.h"

#include <string.h>
#include <abi/errors.h>
#include <abi/rights.h>

#include "pager.h"

#define ROOT_NODE 1 /* the kernel's provider root (NS_PROVIDER_ROOT) */

/* The inode a node id names (0: none). */
static uint32_t ino_of(uint64_t node)
{
	if (node == ROOT_NODE)
		return EXT2_ROOT_INO;
	if (node == EXT2_ROOT_INO || node > UINT32_MAX)
		return 0;
	return (uint32_t)node;
}

static uint64_t node_of(uint32_t ino)
{
	return ino == EXT2_ROOT_INO ? ROOT_NODE : ino;
}

static uint32_t type_of_mode(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFDIR:
		return NS_TYPE_DIR;
	case EXT2_S_IFLNK:
		return NS_TYPE_LINK;
	default:
		return NS_TYPE_FILE; /* devices, fifos and sockets read as files that fail */
	}
}

static uint32_t type_of_ft(uint8_t ft)
{
	return ft == EXT2_FT_DIR       ? NS_TYPE_DIR
	       : ft == EXT2_FT_SYMLINK ? NS_TYPE_LINK
	                               : NS_TYPE_FILE;
}

/* The inode node names, or ERR_NOT_FOUND. */
#define INO_OR_FAIL(var, node)                \
	uint32_t var = ino_of(node);          \
	do {                                  \
		if (!var)                     \
			return ERR_NOT_FOUND; \
	} while (0)

static int changed(struct fsd *d, int r)
{
	if (r >= 0)
		d->dirty = true;
	return r;
}

static int op_walk(void *ctx, uint64_t node, const char *path, size_t len, bool follow,
                   struct ns_walk_out *out)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(cur, node);
	struct ext2_stat st;
	int r = ext2_stat(d->fs, cur, &st);
	if (r < 0)
		return r;
	unsigned consumed = 0;
	size_t i = 0;
	while (i < len) {
		size_t s = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == s || (i < len && i + 1 == len))
			return ERR_INVALID_ARGS; /* not normalized */
		if ((st.mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
			return ERR_WRONG_TYPE;
		uint32_t next;
		if ((r = ext2_lookup(d->fs, cur, path + s, i - s, &next)) < 0)
			return r;
		if (next == 1 || (r = ext2_stat(d->fs, next, &st)) < 0)
			return next == 1 ? ERR_MALFORMED : r;
		cur = next;
		consumed++;
		bool last = i == len;
		if ((st.mode & EXT2_S_IFMT) == EXT2_S_IFLNK && (!last || follow)) {
			int64_t n = ext2_readlink(d->fs, cur, d->link, sizeof(d->link));
			if (n < 0)
				return (int)n;
			if (n == 0 || (size_t)n >= sizeof(d->link) || n > NS_PATH_MAX)
				return ERR_MALFORMED;
			out->node = node_of(cur);
			out->type = NS_TYPE_LINK;
			out->consumed = consumed;
			out->link = d->link;
			out->link_len = (size_t)n;
			return NS_WALK_LINK;
		}
		if (!last)
			i++;
	}
	out->node = node_of(cur);
	out->type = type_of_mode(st.mode);
	out->consumed = consumed;
	out->link = NULL;
	out->link_len = 0;
	return NS_WALK_NODE;
}

static int op_create(void *ctx, uint64_t dir, const char *name, size_t len, uint32_t type,
                     bool exclusive, uint64_t *node)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(di, dir);
	uint16_t mode = type == NS_TYPE_DIR ? EXT2_S_IFDIR | 0755 : EXT2_S_IFREG | 0644;
	uint32_t ino;
	int r = ext2_create(d->fs, di, name, len, mode, 0, 0, &ino);
	if (r == ERR_ALREADY_EXISTS && !exclusive) { /* open-or-create: the one there */
		struct ext2_stat st;
		if ((r = ext2_lookup(d->fs, di, name, len, &ino)) < 0 ||
		    (r = ext2_stat(d->fs, ino, &st)) < 0)
			return r;
		if (type_of_mode(st.mode) != type)
			return ERR_WRONG_TYPE;
		*node = node_of(ino);
		return 0;
	}
	if (r >= 0)
		*node = node_of(ino);
	return changed(d, r);
}

static int op_symlink(void *ctx, uint64_t dir, const char *name, size_t len, const char *target,
                      size_t tlen, uint64_t *node)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(di, dir);
	uint32_t ino;
	int r = ext2_symlink(d->fs, di, name, len, target, tlen, 0, 0, &ino);
	if (r >= 0)
		*node = node_of(ino);
	return changed(d, r);
}

static int op_link(void *ctx, uint64_t dir, const char *name, size_t len, uint64_t node)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(di, dir);
	INO_OR_FAIL(ino, node);
	return changed(d, ext2_link(d->fs, di, name, len, ino));
}

static int op_unlink(void *ctx, uint64_t dir, const char *name, size_t len, unsigned flags)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(di, dir);
	if (flags & NS_UNLINK_DIR)
		return changed(d, ext2_rmdir(d->fs, di, name, len));
	int r = ext2_unlink(d->fs, di, name, len);
	if (r == ERR_WRONG_TYPE) /* a directory without NS_UNLINK_DIR */
		return ERR_WRONG_TYPE;
	return changed(d, r);
}

static int op_rename(void *ctx, uint64_t dir1, const char *from, size_t flen, uint64_t dir2,
                     const char *to, size_t tlen)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(d1, dir1);
	INO_OR_FAIL(d2, dir2);
	return changed(d, ext2_rename(d->fs, d1, from, flen, d2, to, tlen));
}

static int op_stat(void *ctx, uint64_t node, struct ns_stat *out)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(ino, node);
	struct ext2_stat st;
	int r = ext2_stat(d->fs, ino, &st);
	if (r < 0)
		return r;
	out->node = node;
	out->type = type_of_mode(st.mode);
	out->nlink = st.links;
	out->size = st.size;
	out->ctime = (uint64_t)st.ctime * 1000000000u;
	out->mtime = (uint64_t)st.mtime * 1000000000u;
	out->atime = (uint64_t)st.atime * 1000000000u;
	out->mode = NS_MODE_KEPT | (st.mode & NS_MODE_PERMS);
	out->uid = st.uid;
	out->gid = st.gid;
	out->generation = st.generation;
	return 0;
}

static long op_list(void *ctx, uint64_t dir, uint64_t *cookie, void *buf, size_t cap)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(di, dir);
	struct ext2_dirent_info e;
	size_t off = 0;
	for (;;) {
		uint64_t at = *cookie;
		int r = ext2_readdir(d->fs, di, cookie, &e);
		if (r < 0)
			return off ? (long)off
			           : r; /* what was listed stands; the error comes next */
		if (r == 0)
			break;
		size_t rec = (sizeof(struct ns_dirent) + e.name_len + 1 + 7) & ~(size_t)7;
		if (rec > cap - off) {
			*cookie = at; /* this one comes first next time */
			if (off == 0)
				return ERR_BUFFER_TOO_SMALL;
			break;
		}
		struct ns_dirent *de = (struct ns_dirent *)((char *)buf + off);
		memset(de, 0, rec);
		de->node = node_of(e.ino);
		de->type = type_of_ft(e.type);
		if (e.type == EXT2_FT_UNKNOWN) { /* no filetype feature: ask the inode */
			struct ext2_stat st;
			if (ext2_stat(d->fs, e.ino, &st) == 0)
				de->type = type_of_mode(st.mode);
		}
		de->reclen = (uint16_t)rec;
		de->namelen = e.name_len;
		memcpy(de->name, e.name, e.name_len);
		off += rec;
	}
	return (long)off;
}

static long op_read(void *ctx, uint64_t node, uint64_t off, void *buf, size_t len)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(ino, node);
	return (long)ext2_read(d->fs, ino, off, buf, len);
}

static long op_write(void *ctx, uint64_t node, uint64_t off, const void *buf, size_t len)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(ino, node);
	long r = (long)ext2_write(d->fs, ino, off, buf, len);
	if (r > 0) {
		d->dirty = true;
		pager_written(ino, off, (uint64_t)r); /* mappings see it */
	}
	return r;
}

static int op_truncate(void *ctx, uint64_t node, uint64_t size)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(ino, node);
	int r = changed(d, ext2_truncate(d->fs, ino, size));
	if (r >= 0)
		pager_resized(ino);
	return r;
}

/* A time of the protocol (ns since 1970) as ext2 keeps it (seconds, 32 bits, the last
 * two values the engine's KEEP and NOW); ERR_OUT_OF_RANGE past 2106. */
static int ext2_time_of(uint32_t valid, uint32_t given, uint32_t now, uint64_t ns, uint32_t *out)
{
	*out = EXT2_ATTR_KEEP;
	if (valid & now)
		*out = EXT2_ATTR_NOW;
	else if (valid & given) {
		uint64_t s = ns / 1000000000u;
		if (s >= EXT2_ATTR_NOW)
			return ERR_OUT_OF_RANGE;
		*out = (uint32_t)s;
	}
	return 0;
}

/* chmod, chown, utimensat: the inode's mode bits (its type stays), owner, times, ctime. */
static int op_setattr(void *ctx, uint64_t node, const struct ns_setattr *sa)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(ino, node);
	uint32_t at, mt, v = sa->valid;
	int r = ext2_time_of(v, NS_ATTR_ATIME, NS_ATTR_ATIME_NOW, sa->atime, &at);
	if (r < 0 || (r = ext2_time_of(v, NS_ATTR_MTIME, NS_ATTR_MTIME_NOW, sa->mtime, &mt)) < 0)
		return r;
	if (((v & NS_ATTR_UID) && sa->uid == EXT2_ATTR_KEEP) ||
	    ((v & NS_ATTR_GID) && sa->gid == EXT2_ATTR_KEEP))
		return ERR_OUT_OF_RANGE; /* (uid_t)-1: no id, POSIX's "unchanged" */
	return changed(d, ext2_setattr(d->fs, ino, v & NS_ATTR_MODE ? sa->mode : EXT2_ATTR_KEEP,
	                               v & NS_ATTR_UID ? sa->uid : EXT2_ATTR_KEEP,
	                               v & NS_ATTR_GID ? sa->gid : EXT2_ATTR_KEEP, at, mt));
}

static long op_readlink(void *ctx, uint64_t node, char *buf, size_t cap)
{
	struct fsd *d = ctx;
	INO_OR_FAIL(ino, node);
	int64_t n = ext2_readlink(d->fs, ino, d->link, sizeof(d->link));
	if (n < 0)
		return (long)n;
	memcpy(buf, d->link, (size_t)n < cap ? (size_t)n : cap);
	return (long)n;
}

static int op_hold(void *ctx, uint64_t node)
{
	struct fsd *d = ctx;
	if (node == ROOT_NODE)
		return 0; /* the root lives as long as the provider */
	INO_OR_FAIL(ino, node);
	return ext2_hold(d->fs, ino);
}

static void op_release(void *ctx, uint64_t node)
{
	struct fsd *d = ctx;
	uint32_t ino = ino_of(node);
	if (node != ROOT_NODE && ino)
		pager_releasing(ino);
	if (node != ROOT_NODE && ino && ext2_release(d->fs, ino) == 0)
		d->dirty = true; /* the last release of an unlinked inode frees it */
}

/* The whole file system back to the disk (the node does not matter: one mount). */
static int op_sync(void *ctx, uint64_t node, uint32_t flags)
{
	(void)node;
	struct fsd *d = ctx;
	int r = flags & NS_SYNC_READ_ONLY ? ext2_make_read_only(d->fs) : ext2_sync(d->fs);
	if (r == 0)
		d->dirty = false;
	return r;
}

static int op_statfs(void *ctx, uint64_t node, struct ns_statfs *out)
{
	(void)node;
	struct fsd *d = ctx;
	struct ext2_info ei;
	ext2_info(d->fs, &ei);
	out->bsize = ei.block_size;
	out->namemax = NS_NAME_MAX;
	out->blocks = ei.blocks;
	out->bfree = ei.free_blocks <= ei.blocks ? ei.free_blocks : ei.blocks;
	out->bavail = out->bfree; /* reserved blocks are not kept back: fsd is the one writer */
	out->files = ei.inodes;
	out->ffree = ei.free_inodes <= ei.inodes ? ei.free_inodes : ei.inodes;
	out->flags = ei.read_only ? NS_STATFS_READ_ONLY : 0;
	memcpy(out->type, "ext2", 5);
	return 0;
}

/* NS_OP_MAP: the file's paged object, fsd its pager (pager.c); never writable. */
static int op_map(void *ctx, uint64_t node, uint64_t rights, handle_t *out)
{
	(void)ctx;
	INO_OR_FAIL(ino, node);
	uint64_t size;
	long r = pager_map(
	    ino, rights | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE, out, &size);
	return r < 0 ? (int)r : 0;
}

const struct ns_provider_ops fsd_ops = {
    .walk = op_walk,
    .create = op_create,
    .symlink = op_symlink,
    .link = op_link,
    .unlink = op_unlink,
    .rename = op_rename,
    .stat = op_stat,
    .list = op_list,
    .read = op_read,
    .write = op_write,
    .truncate = op_truncate,
    .readlink = op_readlink,
    .hold = op_hold,
    .release = op_release,
    .sync = op_sync,
    .statfs = op_statfs,
    .setattr = op_setattr,
    .map = op_map,
};
