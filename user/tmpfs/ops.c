/*
 * ops.c - the tmpfs tree as a namespace provider: each operation of
 * struct ns_provider_ops is the tree function of the same name.
 */
#include "ops.h"

static int op_walk(void *ctx, uint64_t node, const char *path, size_t len, bool follow,
                   struct ns_walk_out *out)
{
	struct tfs_walk w;
	int r = tfs_walk(ctx, node, path, len, follow, &w);
	if (r < 0)
		return r;
	out->node = w.node;
	out->type = w.type;
	out->consumed = w.consumed;
	out->link = w.link;
	out->link_len = w.link_len;
	return r == TFS_WALK_LINK ? NS_WALK_LINK : NS_WALK_NODE;
}

static int op_create(void *ctx, uint64_t dir, const char *name, size_t len, uint32_t type,
                     bool exclusive, uint64_t *node)
{
	return tfs_create(ctx, dir, name, len, type, exclusive, node);
}

static int op_symlink(void *ctx, uint64_t dir, const char *name, size_t len, const char *target,
                      size_t tlen, uint64_t *node)
{
	return tfs_symlink(ctx, dir, name, len, target, tlen, node);
}

static int op_link(void *ctx, uint64_t dir, const char *name, size_t len, uint64_t node)
{
	return tfs_link(ctx, dir, name, len, node);
}

static int op_unlink(void *ctx, uint64_t dir, const char *name, size_t len, unsigned flags)
{
	return tfs_unlink(ctx, dir, name, len, flags);
}

static int op_rename(void *ctx, uint64_t dir1, const char *from, size_t flen, uint64_t dir2,
                     const char *to, size_t tlen)
{
	return tfs_rename(ctx, dir1, from, flen, dir2, to, tlen);
}

static int op_stat(void *ctx, uint64_t node, struct ns_stat *out)
{
	return tfs_stat(ctx, node, out);
}

static long op_list(void *ctx, uint64_t dir, uint64_t *cookie, void *buf, size_t cap)
{
	return tfs_list(ctx, dir, cookie, buf, cap);
}

static long op_read(void *ctx, uint64_t node, uint64_t off, void *buf, size_t len)
{
	return tfs_read(ctx, node, off, buf, len);
}

static long op_write(void *ctx, uint64_t node, uint64_t off, const void *buf, size_t len)
{
	return tfs_write(ctx, node, off, buf, len);
}

static int op_truncate(void *ctx, uint64_t node, uint64_t size)
{
	return tfs_truncate(ctx, node, size);
}

static long op_readlink(void *ctx, uint64_t node, char *buf, size_t cap)
{
	return tfs_readlink(ctx, node, buf, cap);
}

static int op_hold(void *ctx, uint64_t node)
{
	return tfs_hold(ctx, node);
}

static void op_release(void *ctx, uint64_t node)
{
	tfs_release(ctx, node);
}

const struct ns_provider_ops tmpfs_ops = {
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
};
