/*
 * ops.c - the tmpfs tree as a namespace provider: each operation of
 * struct ns_provider_ops is the tree function of the same name.
 */
#include "ops.h"

#include <string.h>
#include <abi/errors.h>

/*
 * Watchers: up to TMPFS_MAX_WATCHERS (dir, mask, endpoint) of this provider. An
 * event goes to every watcher of the directory it happened in, sent by the sink
 * without waiting; one that does not fit is lost and the watcher is owed an
 * NS_EVENT_OVERFLOW; one whose endpoint closed ends its watch.
 */
#define TMPFS_MAX_WATCHERS 64

/* The block size statfs reports: a page, the unit file data is kept in. */
#define TMPFS_BLOCK 4096u

static struct watcher {
	uint64_t dir;
	uint32_t mask;
	bool overflow;
	handle_t ep; /* HANDLE_INVALID: a free slot */
} watchers[TMPFS_MAX_WATCHERS];
static const struct tmpfs_sink *sink;
static unsigned nwatchers; /* live watches: with none, operations skip the events' lookups */

void tmpfs_events_init(const struct tmpfs_sink *s)
{
	sink = s;
}

static void emit_to(struct watcher *w, const struct ns_event *ev, size_t len)
{
	if (w->overflow) {
		struct ns_event o = {.kind = NS_EVENT_OVERFLOW};
		if (sink->send(w->ep, &o, sizeof(o) - sizeof(o.name) + 1) == ERR_SHOULD_WAIT)
			return;
		w->overflow = false;
	}
	long r = sink->send(w->ep, ev, len);
	if (r == ERR_SHOULD_WAIT) {
		w->overflow = true;
	} else if (r < 0) { /* the watcher is gone */
		sink->drop(w->ep);
		w->ep = HANDLE_INVALID;
		nwatchers--;
	}
}

/* Tell dir's watchers that `name` (len bytes; NULL: look node up in dir) had event kind. */
static void emit(struct tfs *fs, uint32_t kind, uint64_t dir, const char *name, size_t len,
                 uint64_t node, uint32_t type)
{
	if (!sink || !nwatchers)
		return;
	struct ns_event ev = {.kind = kind, .type = type, .node = node};
	for (unsigned i = 0; i < TMPFS_MAX_WATCHERS; i++) {
		struct watcher *w = &watchers[i];
		if (w->ep == HANDLE_INVALID || !(w->mask & kind))
			continue;
		if (name ? w->dir != dir : tfs_name_in(fs, w->dir, node, ev.name) < 0)
			continue;
		if (name)
			memcpy(ev.name, name, len);
		ev.namelen = (uint16_t)(name ? len : strlen(ev.name));
		ev.name[ev.namelen] = '\0';
		emit_to(w, &ev, sizeof(ev) - sizeof(ev.name) + ev.namelen + 1);
	}
}

static int op_watch(void *ctx, uint64_t dir, uint32_t mask, handle_t ep)
{
	struct ns_stat st;
	int r = tfs_stat(ctx, dir, &st);
	if (r < 0)
		return r;
	if (st.type != NS_TYPE_DIR)
		return ERR_WRONG_TYPE;
	if (!sink || (mask & ~NS_EVENTS_ALL))
		return sink ? ERR_INVALID_ARGS : ERR_NOT_SUPPORTED;
	for (unsigned i = 0; i < TMPFS_MAX_WATCHERS; i++) {
		if (watchers[i].ep == HANDLE_INVALID) {
			watchers[i] = (struct watcher){.dir = dir, .mask = mask, .ep = ep};
			nwatchers++;
			return 0;
		}
	}
	return ERR_NO_RESOURCES;
}

/* The node and type of name in dir (for REMOVED events, before it goes). */
static uint64_t entry_of(struct tfs *fs, uint64_t dir, const char *name, size_t len, uint32_t *type)
{
	if (!nwatchers)
		return 0; /* nobody to tell */
	struct tfs_walk w;
	if (tfs_walk(fs, dir, name, len, false, &w) != 0)
		return 0;
	*type = w.type;
	return w.node;
}

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
	uint32_t old_type;
	bool existed = entry_of(ctx, dir, name, len, &old_type) != 0;
	int r = tfs_create(ctx, dir, name, len, type, exclusive, node);
	if (r == 0 && !existed)
		emit(ctx, NS_EVENT_ADDED, dir, name, len, *node, type);
	return r;
}

static int op_symlink(void *ctx, uint64_t dir, const char *name, size_t len, const char *target,
                      size_t tlen, uint64_t *node)
{
	int r = tfs_symlink(ctx, dir, name, len, target, tlen, node);
	if (r == 0)
		emit(ctx, NS_EVENT_ADDED, dir, name, len, *node, NS_TYPE_LINK);
	return r;
}

static int op_link(void *ctx, uint64_t dir, const char *name, size_t len, uint64_t node)
{
	int r = tfs_link(ctx, dir, name, len, node);
	struct ns_stat st;
	if (r == 0 && tfs_stat(ctx, node, &st) == 0)
		emit(ctx, NS_EVENT_ADDED, dir, name, len, node, st.type);
	return r;
}

static int op_unlink(void *ctx, uint64_t dir, const char *name, size_t len, unsigned flags)
{
	uint32_t type = 0;
	uint64_t node = entry_of(ctx, dir, name, len, &type);
	int r = tfs_unlink(ctx, dir, name, len, flags);
	if (r == 0)
		emit(ctx, NS_EVENT_REMOVED, dir, name, len, node, type);
	return r;
}

static int op_rename(void *ctx, uint64_t dir1, const char *from, size_t flen, uint64_t dir2,
                     const char *to, size_t tlen)
{
	uint32_t type = 0;
	uint64_t node = entry_of(ctx, dir1, from, flen, &type);
	int r = tfs_rename(ctx, dir1, from, flen, dir2, to, tlen);
	if (r == 0) {
		emit(ctx, NS_EVENT_REMOVED, dir1, from, flen, node, type);
		emit(ctx, NS_EVENT_ADDED, dir2, to, tlen, node, type);
	}
	return r;
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
	long r = tfs_write(ctx, node, off, buf, len);
	if (r > 0)
		emit(ctx, NS_EVENT_CHANGED, 0, NULL, 0, node, NS_TYPE_FILE);
	return r;
}

static int op_truncate(void *ctx, uint64_t node, uint64_t size)
{
	int r = tfs_truncate(ctx, node, size);
	if (r == 0)
		emit(ctx, NS_EVENT_CHANGED, 0, NULL, 0, node, NS_TYPE_FILE);
	return r;
}

static int op_setattr(void *ctx, uint64_t node, const struct ns_setattr *sa)
{
	return tfs_setattr(ctx, node, sa);
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

/* Memory: nothing to write back, nothing that outlives the provider to keep clean. */
static int op_sync(void *ctx, uint64_t node, uint32_t flags)
{
	(void)ctx, (void)node, (void)flags;
	return 0;
}

/* The tree's byte limit in pages: what is used counts as used blocks (names and nodes too). */
static int op_statfs(void *ctx, uint64_t node, struct ns_statfs *out)
{
	(void)node;
	const struct tfs *fs = ctx;
	uint64_t used = fs->used < fs->limit ? fs->used : fs->limit;
	out->bsize = TMPFS_BLOCK;
	out->namemax = NS_NAME_MAX;
	out->blocks = fs->limit / TMPFS_BLOCK;
	out->bfree = (fs->limit - used) / TMPFS_BLOCK;
	out->bavail = out->bfree;
	out->files = 0; /* nodes are limited only by the bytes */
	out->ffree = 0;
	out->flags = NS_STATFS_VOLATILE;
	memcpy(out->type, "tmpfs", 6);
	return 0;
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
    .watch = op_watch,
    .sync = op_sync,
    .statfs = op_statfs,
    .setattr = op_setattr,
};
