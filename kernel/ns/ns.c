/*
 * ns.c - namespace operations: rights, resolution, and the checked provider call.
 *
 * Every operation starts from a node object and the rights of the caller's
 * capability to it, checks those rights, resolves paths with ns_resolve()
 * (shared/ns_resolve.c: links spliced lexically, never above the start node)
 * and asks the node's provider. Whatever a provider answers is checked here
 * before it is used or copied out: sizes, types, record layouts. A provider
 * can only ever name its own nodes, and the kernel decides what capability
 * comes of them.
 */
#include <ns/ns.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <cap/cap.h>
#include <cap/invoke.h>
#include <kbus/kbus.h>
#include <lib/compiler.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <mm/vmm.h>
#include <obj/memory.h>

/* Scratch of one resolution: two paths and a link target (too big for a kernel stack). */
struct resolve_buf {
	struct ns_path path, scratch;
	char link[NS_PATH_MAX + 1];
	char name[NS_NAME_MAX + 1];
};

/*
 * Resolution buffers are 12 KiB, past the slab caches: the last RB_CACHE freed
 * are kept for the next ones instead of going back to the page allocator, so a
 * lookup does not pay for pages. Bounded: RB_CACHE * sizeof(struct
 * resolve_buf) (~100 KiB) of kernel memory, whoever causes it (docs/kernel.md).
 */
#define RB_CACHE 8
static struct spinlock rb_lock = SPINLOCK_INIT;
static struct resolve_buf *rb_cache[RB_CACHE];
static unsigned rb_cached;

static struct resolve_buf *rb_get(void)
{
	struct resolve_buf *rb = NULL;
	uint64_t irq = spin_lock_irqsave(&rb_lock);
	if (rb_cached)
		rb = rb_cache[--rb_cached];
	spin_unlock_irqrestore(&rb_lock, irq);
	return rb ? rb : kmalloc(sizeof(*rb));
}

static void rb_put(struct resolve_buf *rb)
{
	if (!rb)
		return;
	uint64_t irq = spin_lock_irqsave(&rb_lock);
	bool kept = rb_cached < RB_CACHE;
	if (kept)
		rb_cache[rb_cached++] = rb;
	spin_unlock_irqrestore(&rb_lock, irq);
	if (!kept)
		kfree(rb);
}

struct resolve_ctx {
	struct ns_prov *held; /* the provider the last bind crossing reached (reference) */
	struct ns_walk w;
};

/*
 * A step in a provider that has binds inside it (overlay.c): one name at a
 * time, each checked against the binds first. A name that is not the last
 * becomes a crossing to the node it names in the same provider (its hold given
 * back at once: the walk goes on from its id), so the resolver asks again.
 */
static int step_overlaid(struct resolve_ctx *c, struct ns_prov *p, uint64_t node, const char *path,
                         size_t len, bool follow, struct ns_step *out)
{
	size_t first = 0;
	while (first < len && path[first] != '/')
		first++;
	int r = len ? ns_overlay_find(p, node, path, first, &c->w.mask, out) : 0;
	if (r)
		return r;
	uint32_t flags = c->w.flags;
	bool last = first == len;
	if (!last) /* a name on the way: followed, held, never the stat asked for */
		c->w.flags = (flags & ~NS_WALK_STAT) | NS_WALK_FOLLOW;
	else
		c->w.flags = (flags & ~NS_WALK_FOLLOW) | (follow ? NS_WALK_FOLLOW : 0);
	r = p->ops->step(p, node, path, first, &c->w, out);
	c->w.flags = flags;
	if (r == ERR_PEER_CLOSED)
		ns_overlay_forget(p);
	if (r == NS_STEP_NODE && !last) {
		p->ops->release(p, out->at.node);
		ns_prov_get(p);
		out->at.prov = p;
		r = NS_STEP_CROSS;
	}
	return r;
}

static int step_cb(void *vctx, struct ns_at at, const char *path, size_t len, bool follow,
                   struct ns_step *out)
{
	struct resolve_ctx *c = vctx;
	struct ns_prov *p = at.prov;
	int r;
	if (__atomic_load_n(&p->nbinds, __ATOMIC_RELAXED)) {
		r = step_overlaid(c, p, at.node, path, len, follow, out);
	} else {
		c->w.flags = (c->w.flags & ~NS_WALK_FOLLOW) | (follow ? NS_WALK_FOLLOW : 0);
		r = p->ops->step(p, at.node, path, len, &c->w, out);
	}
	if (r == NS_STEP_CROSS) {
		if (c->held)
			ns_prov_put(c->held);
		c->held = out->at.prov;
	}
	return r;
}

/*
 * Resolve rb->path from dir into *out: a NODE held from its provider, or, when
 * st is not NULL and the provider answered the attributes instead
 * (c->w.stat_done), nothing held and *st filled.
 */
static int resolve(struct ns_node *dir, struct resolve_buf *rb, bool follow, uint64_t timeout,
                   struct ns_stat *st, struct resolve_ctx *c, struct ns_step *out)
{
	c->held = NULL;
	c->w = (struct ns_walk){.flags = st ? NS_WALK_STAT : 0,
	                        .timeout = timeout,
	                        .linkbuf = rb->link,
	                        .st = st,
	                        .mask = RIGHTS_ALL};
	return ns_resolve((struct ns_at){dir->prov, dir->node}, &rb->path, &rb->scratch, follow,
	                  step_cb, c, out);
}

static void resolve_done(struct resolve_ctx *c)
{
	if (c->held)
		ns_prov_put(c->held);
	c->held = NULL;
}

/* Give back the hold a NODE step took on at. */
static void release_at(struct ns_at at)
{
	struct ns_prov *p = at.prov;
	p->ops->release(p, at.node);
}

/* Take the last name off rb->path into rb->name; ERR_INVALID_ARGS for an empty path. */
static int split_last(struct resolve_buf *rb, size_t *len)
{
	struct ns_path *p = &rb->path;
	if (p->depth == 0)
		return ERR_INVALID_ARGS;
	size_t i = p->len;
	while (i > 0 && p->buf[i - 1] != '/')
		i--;
	*len = p->len - i;
	memcpy(rb->name, p->buf + i, *len);
	rb->name[*len] = '\0';
	p->len = i ? i - 1 : 0;
	p->buf[p->len] = '\0';
	p->depth--;
	return 0;
}

/*
 * Ask prov op on node with two strings; the reply (checked: a header whose
 * length adds up, at most cap bytes after it) is returned in *reply (kfree
 * it). Returns the reply's status (>= 0) or an error.
 */
static int prov_call(struct ns_prov *prov, uint32_t op, uint32_t flags, uint64_t node, uint64_t arg,
                     uint64_t arg2, const void *s1, size_t l1, const void *s2, size_t l2,
                     size_t cap, uint64_t timeout, struct ns_rep **reply)
{
	*reply = NULL;
	struct ns_req *q = kmalloc(sizeof(*q) + l1 + l2);
	struct ns_rep *rep = kmalloc(sizeof(*rep) + cap);
	int r = ERR_NO_MEMORY;
	if (!q || !rep)
		goto fail;
	*q = (struct ns_req){.op = op,
	                     .flags = flags,
	                     .node = node,
	                     .arg = arg,
	                     .arg2 = arg2,
	                     .len1 = (uint32_t)l1,
	                     .len2 = (uint32_t)l2};
	if (l1)
		memcpy(q + 1, s1, l1);
	if (l2)
		memcpy((char *)(q + 1) + l1, s2, l2);
	long n = prov->ops->call(prov, q, rep, sizeof(*rep) + cap, timeout);
	kfree(q);
	q = NULL;
	if (n < 0) {
		r = (int)n;
		if (r == ERR_PEER_CLOSED)
			ns_overlay_forget(prov); /* a restarted provider starts without them */
		goto fail;
	}
	if ((size_t)n < sizeof(*rep) || (size_t)n > sizeof(*rep) + cap ||
	    rep->len != (size_t)n - sizeof(*rep)) {
		r = ERR_MALFORMED;
		goto fail;
	}
	if (rep->status < 0) {
		r = ns_provider_error(rep->status);
		goto fail;
	}
	*reply = rep;
	return rep->status;
fail:
	kfree(q);
	kfree(rep);
	return r;
}

static int parse(const char *path, size_t len, struct resolve_buf *rb)
{
	if (len == 0) {
		ns_path_init(&rb->path);
		return 0;
	}
	return ns_path_parse(path, len, &rb->path);
}

/* Create the last name of rb->path below dir; *out is the created (or existing) node. */
static int open_create(struct ns_node *dir, struct resolve_buf *rb, uint32_t ctype, uint32_t flags,
                       uint64_t rights, uint64_t timeout, struct ns_step *out)
{
	size_t nlen;
	int r = split_last(rb, &nlen);
	if (r)
		return r;
	struct resolve_ctx c;
	struct ns_step parent;
	r = resolve(dir, rb, true, timeout, NULL, &c, &parent);
	if (r < 0)
		goto out;
	struct ns_prov *prov = parent.at.prov;
	struct ns_rep *rep = NULL;
	if (parent.type != NS_TYPE_DIR)
		r = ERR_WRONG_TYPE;
	else if ((rights | RIGHT_CREATE) & ~c.w.mask)
		r = ERR_ACCESS_DENIED; /* through a bind whose binder could not */
	else
		r = prov_call(prov, NS_OP_CREATE, flags & NS_OPEN_EXCLUSIVE, parent.at.node, ctype,
		              0, rb->name, nlen, NULL, 0, 0, timeout, &rep);
	if (r >= 0) {
		if (rep->type != ctype) { /* the provider must make what was asked */
			prov->ops->release(prov, rep->node);
			r = ERR_MALFORMED;
		} else {
			ns_prov_get(prov);
			out->at = (struct ns_at){prov, rep->node};
			out->type = rep->type;
			r = 0;
		}
	}
	kfree(rep);
	prov->ops->release(prov, parent.at.node);
out:
	resolve_done(&c);
	return r;
}

int ns_open(struct ns_node *dir, uint64_t dir_rights, const char *path, size_t len, uint32_t type,
            uint32_t flags, uint64_t rights, uint64_t timeout, struct mem_pool *pool,
            struct ns_node **out, struct ns_svc_result *svc)
{
	if ((flags & ~NS_OPEN_FLAGS_ALL) || type >= NS_TYPE_COUNT ||
	    ((flags & NS_OPEN_EXCLUSIVE) && !(flags & NS_OPEN_CREATE)))
		return ERR_INVALID_ARGS;
	if (rights == NS_RIGHTS_SAME)
		rights = dir_rights;
	if (rights & ~dir_rights)
		return ERR_ACCESS_DENIED; /* rights only narrow */
	if ((flags & NS_OPEN_CREATE) && !(dir_rights & RIGHT_CREATE))
		return ERR_ACCESS_DENIED;
	struct resolve_buf *rb = rb_get();
	if (!rb)
		return ERR_NO_MEMORY;
	int r = parse(path, len, rb);
	if (r)
		goto out;
	if (rb->path.depth > 0 && !(dir_rights & RIGHT_LOOKUP)) {
		r = ERR_ACCESS_DENIED;
		goto out;
	}
	bool want_dir = rb->path.dir || (flags & NS_OPEN_DIRECTORY);
	struct ns_step got;
	struct ns_prov *prov = NULL; /* reference for the result */
	if (flags & NS_OPEN_CREATE) {
		uint32_t ctype = type != NS_TYPE_ANY ? type : want_dir ? NS_TYPE_DIR : NS_TYPE_FILE;
		if (ctype != NS_TYPE_FILE && ctype != NS_TYPE_DIR) {
			r = ERR_INVALID_ARGS;
			goto out;
		}
		struct ns_path *whole = kmalloc(sizeof(*whole));
		if (!whole) {
			r = ERR_NO_MEMORY;
			goto out;
		}
		*whole = rb->path;
		r = open_create(dir, rb, ctype, flags, rights, timeout, &got);
		if (r == ERR_WRONG_TYPE && !(flags & NS_OPEN_EXCLUSIVE))
			rb->path = *whole; /* the name exists as a link or another type: open it */
		kfree(whole);
		if (r && (r != ERR_WRONG_TYPE || (flags & NS_OPEN_EXCLUSIVE)))
			goto out;
		if (!r)
			prov = got.at.prov;
	}
	if (!prov) {
		struct resolve_ctx c;
		r = resolve(dir, rb, !(flags & NS_OPEN_NOFOLLOW), timeout, NULL, &c, &got);
		if (r == 0 && (rights & ~c.w.mask)) { /* more than a bind crossed allows */
			release_at(got.at);
			r = ERR_ACCESS_DENIED;
		}
		if (r == 0) {
			prov = got.at.prov;
			ns_prov_get(prov);
		}
		resolve_done(&c);
		if (r)
			goto out;
	}
	if ((type != NS_TYPE_ANY && got.type != type) || (want_dir && got.type != NS_TYPE_DIR)) {
		prov->ops->release(prov, got.at.node);
		r = ERR_WRONG_TYPE;
	} else if (NS_TYPE_IS_ENDPOINT(got.type) && ns_is_kdir(prov)) {
		r = ns_kdir_service_at(got.at.node, svc) ? 1 : ERR_WRONG_TYPE;
		prov->ops->release(prov, got.at.node);
	} else {
		r = ns_node_create(prov, got.at.node, got.type, pool, out);
	}
	ns_prov_put(prov);
out:
	rb_put(rb);
	return r;
}

/* The attributes of node of prov, with type (the kernel's, not what the provider says). */
static int stat_node(struct ns_prov *prov, uint64_t node, uint32_t type, uint64_t timeout,
                     struct ns_stat *out)
{
	struct ns_rep *rep;
	int r = prov_call(prov, NS_OP_STAT, 0, node, 0, 0, NULL, 0, NULL, 0, sizeof(*out), timeout,
	                  &rep);
	if (r < 0)
		return r;
	if (rep->len != sizeof(*out)) {
		r = ERR_MALFORMED;
	} else {
		memcpy(out, rep + 1, sizeof(*out));
		out->type = type;
		r = 0;
	}
	kfree(rep);
	return r;
}

int ns_stat(struct ns_node *n, uint64_t timeout, struct ns_stat *out)
{
	return stat_node(n->prov, n->node, n->type, timeout, out); /* the type fixed at open */
}

static bool has_byte(const char *s, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == c)
			return true;
	return false;
}

int ns_stat_at(struct ns_node *dir, const char *path, size_t len, uint64_t timeout,
               struct ns_stat *out)
{
	struct resolve_buf *rb = rb_get();
	if (!rb)
		return ERR_NO_MEMORY;
	int r = parse(path, len, rb);
	if (r || rb->path.depth == 0) {
		rb_put(rb);
		return r ? r : ns_stat(dir, timeout, out);
	}
	struct resolve_ctx c;
	struct ns_step got;
	r = resolve(dir, rb, true, timeout, out, &c, &got);
	if (r == 0 && !c.w.stat_done) { /* a provider that holds instead: ask, then let go */
		r = stat_node(got.at.prov, got.at.node, got.type, timeout, out);
		release_at(got.at);
	}
	if (r == 0)
		out->type = got.type; /* the type the resolution saw */
	resolve_done(&c);
	rb_put(rb);
	return r;
}

/* Whether len bytes at buf are well-formed struct ns_dirent records. */
static bool dirents_ok(const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		const struct ns_dirent *de = (const struct ns_dirent *)(buf + off);
		if (len - off < sizeof(*de) || de->reclen % 8 || de->reclen > len - off ||
		    de->reclen < sizeof(*de) + de->namelen + 1 || de->namelen == 0 ||
		    de->namelen > NS_NAME_MAX || de->type == NS_TYPE_ANY ||
		    de->type >= NS_TYPE_COUNT || de->name[de->namelen] != '\0' ||
		    has_byte(de->name, de->namelen, '/') || has_byte(de->name, de->namelen, '\0'))
			return false;
		off += de->reclen;
	}
	return true;
}

long ns_list(struct ns_node *n, uint64_t *cookie, void *buf, size_t cap, uint64_t timeout)
{
	if (n->type != NS_TYPE_DIR)
		return ERR_WRONG_TYPE;
	cap = MIN(cap, (size_t)NS_IO_MAX);
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_LIST, 0, n->node, *cookie, cap, NULL, 0, NULL, 0, cap,
	                  timeout, &rep);
	if (r < 0)
		return r;
	long got = ERR_MALFORMED;
	if (dirents_ok((const char *)(rep + 1), rep->len)) {
		memcpy(buf, rep + 1, rep->len);
		*cookie = rep->arg;
		got = rep->len;
	}
	kfree(rep);
	return got;
}

long ns_read(struct ns_node *n, uint64_t off, void *buf, size_t len, uint64_t timeout)
{
	if (n->type != NS_TYPE_FILE && n->type != NS_TYPE_PROC) /* a process reads as its status */
		return ERR_WRONG_TYPE;
	len = MIN(len, (size_t)NS_IO_MAX);
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_READ, 0, n->node, off, len, NULL, 0, NULL, 0, len, timeout,
	                  &rep);
	if (r < 0)
		return r;
	memcpy(buf, rep + 1, rep->len); /* prov_call checked rep->len <= len */
	long got = rep->len;
	kfree(rep);
	return got;
}

long ns_write(struct ns_node *n, uint64_t off, const void *buf, size_t len, uint64_t timeout)
{
	if (n->type != NS_TYPE_FILE)
		return ERR_WRONG_TYPE;
	len = MIN(len, (size_t)NS_IO_MAX);
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_WRITE, 0, n->node, off, 0, buf, len, NULL, 0, 0, timeout,
	                  &rep);
	if (r < 0)
		return r;
	long got = rep->arg <= len ? (long)rep->arg : ERR_MALFORMED;
	kfree(rep);
	return got;
}

int ns_truncate(struct ns_node *n, uint64_t size, uint64_t timeout)
{
	if (n->type != NS_TYPE_FILE)
		return ERR_WRONG_TYPE;
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_TRUNCATE, 0, n->node, size, 0, NULL, 0, NULL, 0, 0,
	                  timeout, &rep);
	kfree(rep);
	return r < 0 ? r : 0;
}

long ns_readlink(struct ns_node *n, char *buf, size_t cap, uint64_t timeout)
{
	if (n->type != NS_TYPE_LINK)
		return ERR_WRONG_TYPE;
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_READLINK, 0, n->node, 0, 0, NULL, 0, NULL, 0, NS_PATH_MAX,
	                  timeout, &rep);
	if (r < 0)
		return r;
	memcpy(buf, rep + 1, MIN((size_t)rep->len, cap));
	long got = rep->len;
	kfree(rep);
	return got;
}

int ns_watch(struct ns_node *n, uint32_t mask, struct cspace *cs, handle_t h, uint64_t timeout)
{
	if (n->type != NS_TYPE_DIR)
		return ERR_WRONG_TYPE;
	if (mask == 0 || (mask & ~NS_EVENTS_ALL))
		return ERR_INVALID_ARGS;
	if (!n->prov->ops->watch)
		return ERR_NOT_SUPPORTED;
	return n->prov->ops->watch(n->prov, n->node, mask, cs, h, timeout);
}

/*
 * Resolve the parent of path below dir and run op on (parent, last name).
 * For rename, the second parent (dir2, path2) and its name go along; for
 * link, the node to link. Both parents must share a provider.
 */
static int parent_op(uint32_t op, uint32_t flags, struct ns_node *dir, const char *path, size_t len,
                     struct ns_node *dir2, const char *path2, size_t len2, const char *target,
                     size_t tlen, struct ns_node *linked, uint64_t timeout)
{
	/* what the operation needs of each parent, which a bind crossed must allow */
	uint64_t need = op == NS_OP_UNLINK || op == NS_OP_RENAME ? RIGHT_REMOVE : RIGHT_CREATE;
	struct resolve_buf *rb = rb_get(), *rb2 = NULL;
	struct resolve_ctx c = {0}, c2 = {0};
	struct ns_step p1 = {0}, p2 = {0};
	size_t nlen, nlen2 = 0;
	bool have1 = false, have2 = false;
	int r = ERR_NO_MEMORY;
	if (!rb || (dir2 && !(rb2 = rb_get())))
		goto out;
	if ((r = parse(path, len, rb)) || (r = split_last(rb, &nlen)))
		goto out;
	if ((r = resolve(dir, rb, true, timeout, NULL, &c, &p1)) < 0)
		goto out;
	have1 = true;
	if (dir2) {
		if ((r = parse(path2, len2, rb2)) || (r = split_last(rb2, &nlen2)))
			goto out;
		if ((r = resolve(dir2, rb2, true, timeout, NULL, &c2, &p2)) < 0)
			goto out;
		have2 = true;
	}
	struct ns_prov *prov = p1.at.prov;
	if (p1.type != NS_TYPE_DIR || (have2 && p2.type != NS_TYPE_DIR)) {
		r = ERR_WRONG_TYPE;
		goto out;
	}
	struct ns_prov *prov2 = p2.at.prov;
	if ((need & ~c.w.mask) || (have2 && (RIGHT_CREATE & ~c2.w.mask))) {
		r = ERR_ACCESS_DENIED;
		goto out;
	}
	if (op == NS_OP_UNLINK && ns_overlay_unbind(prov, p1.at.node, rb->name, nlen) == 0) {
		r = 0; /* the name was a bind inside the provider: the bind goes */
		goto out;
	}
	if ((have2 && prov2->id != prov->id) || (linked && linked->prov->id != prov->id)) {
		r = ERR_CROSS_PROVIDER;
		goto out;
	}
	const char *s2 = have2 ? rb2->name : target;
	size_t l2 = have2 ? nlen2 : tlen;
	uint64_t arg2 = have2 ? p2.at.node : linked ? linked->node : 0;
	struct ns_rep *rep;
	r = prov_call(prov, op, flags, p1.at.node, 0, arg2, rb->name, nlen, s2, l2, 0, timeout,
	              &rep);
	kfree(rep);
	r = r < 0 ? r : 0;
out:
	if (have1)
		release_at(p1.at);
	if (have2)
		release_at(p2.at);
	resolve_done(&c);
	resolve_done(&c2);
	rb_put(rb);
	rb_put(rb2);
	return r;
}

int ns_unlink(struct ns_node *dir, const char *path, size_t len, uint32_t flags, uint64_t timeout)
{
	if (flags & ~NS_UNLINK_DIR)
		return ERR_INVALID_ARGS;
	return parent_op(NS_OP_UNLINK, flags, dir, path, len, NULL, NULL, 0, NULL, 0, NULL,
	                 timeout);
}

int ns_rename(struct ns_node *dir, const char *path, size_t len, struct ns_node *dir2,
              const char *path2, size_t len2, uint64_t timeout)
{
	return parent_op(NS_OP_RENAME, 0, dir, path, len, dir2, path2, len2, NULL, 0, NULL,
	                 timeout);
}

int ns_symlink(struct ns_node *dir, const char *path, size_t len, const char *target, size_t tlen,
               uint64_t timeout)
{
	if (tlen == 0 || tlen > NS_PATH_MAX || has_byte(target, tlen, '\0'))
		return ERR_INVALID_ARGS;
	return parent_op(NS_OP_SYMLINK, 0, dir, path, len, NULL, NULL, 0, target, tlen, NULL,
	                 timeout);
}

int ns_link(struct ns_node *dir, const char *path, size_t len, struct ns_node *node,
            uint64_t timeout)
{
	if (node->type == NS_TYPE_DIR)
		return ERR_WRONG_TYPE;
	return parent_op(NS_OP_LINK, 0, dir, path, len, NULL, NULL, 0, NULL, 0, node, timeout);
}

int ns_sync(struct ns_node *n, uint32_t flags, uint64_t timeout)
{
	if (flags & ~NS_SYNC_FLAGS_ALL)
		return ERR_INVALID_ARGS;
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_SYNC, flags, n->node, 0, 0, NULL, 0, NULL, 0, 0, timeout,
	                  &rep);
	kfree(rep);
	return r < 0 ? r : 0;
}

int ns_setattr(struct ns_node *n, const struct ns_setattr *sa, uint64_t timeout)
{
	if (!ns_setattr_ok(sa))
		return ERR_INVALID_ARGS;
	if (!sa->valid)
		return 0; /* nothing to change (utimensat with both UTIME_OMIT) */
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_SETATTR, 0, n->node, 0, 0, sa, sizeof(*sa), NULL, 0, 0,
	                  timeout, &rep);
	kfree(rep);
	return r < 0 ? r : 0;
}

/* Whether a provider's figures hang together (never trusted: ns.h's rules). */
static bool statfs_ok(const struct ns_statfs *s)
{
	if (s->bsize < 512 || s->bsize > (1u << 20) || (s->bsize & (s->bsize - 1)) ||
	    s->namemax == 0 || s->namemax > NS_NAME_MAX || s->bfree > s->blocks ||
	    s->bavail > s->bfree || s->ffree > s->files || (s->flags & ~NS_STATFS_FLAGS_ALL) ||
	    s->reserved || s->type[0] == '\0')
		return false;
	size_t i = 0;
	for (; i < sizeof(s->type) && s->type[i]; i++) {
		char c = s->type[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return i < sizeof(s->type); /* NUL-terminated */
}

int ns_statfs(struct ns_node *n, uint64_t timeout, struct ns_statfs *out)
{
	struct ns_rep *rep;
	int r = prov_call(n->prov, NS_OP_STATFS, 0, n->node, 0, 0, NULL, 0, NULL, 0, sizeof(*out),
	                  timeout, &rep);
	if (r < 0)
		return r;
	r = ERR_MALFORMED;
	if (rep->len == sizeof(*out)) {
		memcpy(out, rep + 1, sizeof(*out));
		if (statfs_ok(out))
			r = 0;
	}
	kfree(rep);
	return r;
}

/* kc's capability (or object, kc->cs NULL) is gone again */
static void map_untake(struct kbus_kcap *kc)
{
	if (kc->cs && kc->out != HANDLE_INVALID)
		cap_drop(kc->cs, kc->out);
	if (!kc->cs && kc->obj)
		kobject_put(kc->obj);
	kc->out = HANDLE_INVALID;
	kc->obj = NULL;
}

/*
 * NS_OP_MAP of file n for a caller with rights, asking want: 0 with the memory
 * capability derived into kc->cs (or a reference to its object in kc->obj when
 * kc->cs is NULL) with want and what SYS_NS_MAP adds, never RIGHT_MANAGE; else
 * the error, nothing taken.
 */
static int map_call(struct ns_node *n, uint64_t rights, uint64_t want, uint64_t timeout,
                    struct kbus_kcap *kc)
{
	if (n->type != NS_TYPE_FILE)
		return ERR_WRONG_TYPE;
	if (!n->prov->ops->map)
		return ERR_NOT_SUPPORTED;
	struct ns_req q = {.op = NS_OP_MAP, .node = n->node, .rights = rights, .arg = want};
	struct ns_rep rep;
	/* never RIGHT_MANAGE: supplying the pages is the provider's alone */
	kc->type = OBJ_MEMORY;
	kc->mask = want | RIGHT_MAP | RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_TRANSFER;
	long got = n->prov->ops->map(n->prov, &q, &rep, sizeof(rep), timeout, kc);
	bool taken = kc->cs ? kc->out != HANDLE_INVALID : kc->obj != NULL;
	int r = 0;
	if (got < 0) {
		r = (int)got;
		if (r == ERR_PEER_CLOSED)
			ns_overlay_forget(n->prov);
	} else if ((size_t)got != sizeof(rep) || rep.len) {
		r = ERR_MALFORMED;
	} else if (rep.status < 0) {
		r = ns_provider_error(rep.status);
	} else if (!taken) {
		/* a full cspace is the caller's; anything else the provider's fault */
		r = kc->ncaps == 1 && (kc->err == ERR_NO_RESOURCES || kc->err == ERR_NO_MEMORY)
		        ? kc->err
		        : ERR_MALFORMED;
	} else if ((kc->rights & (want | RIGHT_MAP)) != (want | RIGHT_MAP)) {
		r = ERR_MALFORMED;
	}
	if (r)
		map_untake(kc);
	return r;
}

int ns_map(struct ns_node *n, uint64_t rights, uint64_t want, uint64_t timeout, struct cspace *cs,
           handle_t *out, uint64_t *size)
{
	struct kbus_kcap kc = {.cs = cs};
	int r = map_call(n, rights, want, timeout, &kc);
	struct cap_ref ref;
	if (!r && !(r = cap_lookup(cs, kc.out, OBJ_MEMORY, 0, &ref))) {
		*size = memory_size(memory_from(ref.obj));
		cap_ref_put(&ref);
	}
	if (r)
		map_untake(&kc);
	else
		*out = kc.out;
	return r;
}

/*
 * --- Reads from a file's memory (docs/namespace.md) ---
 * A provider that maps a file (fsd) also keeps how many of its object's bytes
 * are the file (SYS_MEM_SET_CONTENT, before it answers a write or truncate that
 * changes that). A read is then a copy from the object's pages to the reader,
 * each absent page asked of the pager first: no provider call, one copy. The
 * node keeps the object for the next read; an object that stopped showing the
 * file (MEM_CONTENT_NONE: the provider retired it) is let go and a new one asked
 * for. A provider that gives none, an object that is neither paged nor owned
 * memory, or a page the pager does not supply: the provider's NS_OP_READ.
 */

/* An error a read must report (the provider cannot answer any call now). */
static bool transport_error(int err)
{
	return err == ERR_PEER_CLOSED || err == ERR_TIMED_OUT || err == ERR_INTERRUPTED;
}

/* n's object (a reference for the caller), asked of the provider when n has none yet;
 * NULL with *err when there is none to read from. */
static struct memory *content_get(struct ns_node *n, uint64_t timeout, int *err)
{
	uint64_t irq = spin_lock_irqsave(&n->lock);
	struct memory *m = n->content;
	if (m)
		kobject_get(&m->obj);
	spin_unlock_irqrestore(&n->lock, irq);
	if (m)
		return m;
	struct kbus_kcap kc = {.cs = NULL};
	*err = map_call(n, RIGHT_READ, RIGHT_READ, timeout, &kc);
	if (*err)
		return NULL;
	m = memory_from(kc.obj);
	if (!(memory_is_paged(m) || memory_is_owned(m)) || memory_content(m) == MEM_CONTENT_NONE) {
		kobject_put(&m->obj);
		*err = ERR_NOT_SUPPORTED;
		return NULL;
	}
	irq = spin_lock_irqsave(&n->lock);
	struct memory *old = n->content;
	n->content = m; /* the node's reference; ours goes to the caller */
	kobject_get(&m->obj);
	spin_unlock_irqrestore(&n->lock, irq);
	if (old) /* another reader's, asked at the same time */
		kobject_put(&old->obj);
	return m;
}

/* m no longer shows n's file: n lets go of it (if it still holds it), and so do we. */
static void content_forget(struct ns_node *n, struct memory *m)
{
	uint64_t irq = spin_lock_irqsave(&n->lock);
	bool held = n->content == m;
	if (held)
		n->content = NULL;
	spin_unlock_irqrestore(&n->lock, irq);
	if (held)
		kobject_put(&m->obj);
	kobject_put(&m->obj);
}

/* [off, off + len) of m (within its content) to uptr; the bytes copied, stopping early
 * at a page the pager did not supply (or an address fault, with nothing copied: the
 * error). */
static long content_copy(struct memory *m, uint64_t off, uint64_t uptr, size_t len,
                         uint64_t timeout)
{
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done, idx = pos / PAGE_SIZE;
		size_t k = MIN(len - done, (size_t)(PAGE_SIZE - pos % PAGE_SIZE));
		uint64_t pa = memory_page_lookup(m, idx);
		if (!pa && memory_is_paged(m) && memory_page_in(m, idx, PROT_READ, timeout))
			pa = memory_page_lookup(m, idx);
		if (!pa)
			break;
		int err =
		    copy_to_user(uptr + done, (uint8_t *)phys_to_virt(pa) + pos % PAGE_SIZE, k);
		if (err)
			return done ? (long)done : err;
		done += k;
	}
	return (long)done;
}

/* The provider's NS_OP_READ into uptr. */
static long read_by_provider(struct ns_node *n, uint64_t off, uint64_t uptr, size_t len,
                             uint64_t timeout)
{
	void *buf = kmalloc(len ? len : 1);
	if (!buf)
		return ERR_NO_MEMORY;
	long got = ns_read(n, off, buf, len, timeout);
	if (got > 0) {
		int err = copy_to_user(uptr, buf, (size_t)got);
		if (err)
			got = err;
	}
	kfree(buf);
	return got;
}

long ns_read_user(struct ns_node *n, uint64_t off, uint64_t uptr, size_t len, uint64_t timeout)
{
	len = MIN(len, (size_t)NS_IO_MAX);
	if (n->type != NS_TYPE_FILE || !n->prov->ops->map ||
	    __atomic_load_n(&n->no_content, __ATOMIC_RELAXED))
		return read_by_provider(n, off, uptr, len, timeout);
	for (int tries = 0; tries < 2; tries++) {
		int err = 0;
		struct memory *m = content_get(n, timeout, &err);
		if (!m) {
			if (transport_error(err))
				return err;
			__atomic_store_n(&n->no_content, true, __ATOMIC_RELAXED);
			break;
		}
		uint64_t size = memory_content(m);
		if (size == MEM_CONTENT_NONE) { /* retired: ask for the file's object again */
			content_forget(n, m);
			continue;
		}
		size_t want = off >= size ? 0 : (size_t)MIN((uint64_t)len, size - off);
		long got = content_copy(m, off, uptr, want, timeout);
		kobject_put(&m->obj);
		if (got < 0 || (size_t)got == want)
			return got;
		/* a page the pager did not give: the rest as the provider reads it */
		long more = read_by_provider(n, off + (uint64_t)got, uptr + (uint64_t)got,
		                             want - (size_t)got, timeout);
		return more < 0 ? (got ? got : more) : got + more;
	}
	return read_by_provider(n, off, uptr, len, timeout);
}
