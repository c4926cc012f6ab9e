/*
 * kdir.c - the kernel tree: the root of the namespace, its scheme directories
 * (fs, dev, proc, svc), and the bind points and services attached in them.
 *
 * It is a provider like any other (struct ns_prov_ops) whose nodes are
 * struct kdir entries; a node id is the entry's address, which only the
 * kernel ever hands back (node objects), and every id in use is held: an
 * entry lives while it has a name or a node object names it. Stat reports a
 * separate counter id, so no kernel address reaches user space.
 *
 * Entries are made only by ns_kdir_bind()/ns_serve() (a bind, a served
 * provider, a service) and removed by unlink; plain directories exist only
 * from boot. A directory holds at most KDIR_MAX_ENTRIES entries, each
 * charged to the pool of whoever made it. One spinlock guards the tree; no
 * reference is put under it (putting a bound node may talk to a provider).
 */
#include <ns/ns.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <kbus/kbus.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <time/clock.h>

/* Entries one kernel directory may hold. */
#define KDIR_MAX_ENTRIES 256

struct kdir {
	struct kdir *parent; /* NULL: the root, or removed */
	struct kdir *children, *next; /* children in listing order */
	uint64_t seq; /* position in the parent's listing (the cookie) */
	uint64_t next_seq;
	uint32_t nchildren;
	uint32_t holds; /* its name + node objects naming it (under kdir_lock) */
	uint32_t type; /* NS_TYPE_DIR, a bound node's type, or NS_TYPE_SVC / DEV_* (svc set) */
	struct ns_node *target; /* a bind: resolution goes on there (reference) */
	struct endpoint *svc; /* a service: what an open of it gives (reference) */
	uint64_t rights;
	struct mem_pool *pool; /* charged `cost` for this entry; NULL: made at boot */
	uint64_t cost;
	uint64_t id; /* reported by stat */
	uint64_t ctime, mtime;
	uint16_t namelen;
	char name[];
};

static struct spinlock kdir_lock;
static struct ns_prov kdir_prov;
static struct kdir *root;
static uint64_t next_id = 1;

static struct kdir *K(uint64_t node)
{
	return (struct kdir *)(uintptr_t)node;
}

static uint64_t node_of(struct kdir *k)
{
	return (uint64_t)(uintptr_t)k;
}

static struct kdir *find(struct kdir *d, const char *name, size_t len)
{
	for (struct kdir *c = d->children; c; c = c->next)
		if (c->namelen == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

/* What an entry being freed still references, put after kdir_lock is dropped. */
struct kdir_garbage {
	struct ns_node *target;
	struct endpoint *svc;
	struct mem_pool *pool;
	uint64_t cost;
	struct kdir *entry;
};

static void garbage_put(struct kdir_garbage *g)
{
	if (g->target)
		kobject_put(&g->target->obj);
	if (g->svc)
		kobject_put(endpoint_obj(g->svc));
	if (g->pool) {
		pool_uncharge(g->pool, g->cost);
		pool_put(g->pool);
	}
	kfree(g->entry);
}

/* Drop one hold on k (under kdir_lock); at zero, k's remains go to *g. */
static bool unhold(struct kdir *k, struct kdir_garbage *g)
{
	if (--k->holds > 0)
		return false;
	*g = (struct kdir_garbage){k->target, k->svc, k->pool, k->cost, k};
	return true;
}

static void detach(struct kdir *d, struct kdir *c)
{
	struct kdir **p = &d->children;
	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	d->nchildren--;
	d->mtime = clock_monotonic_ns();
	c->parent = NULL;
}

static void kdir_stat(struct kdir *k, struct ns_stat *st)
{
	*st = (struct ns_stat){.node = k->id,
	                       .type = k->type,
	                       .nlink = k->parent || k == root,
	                       .size = k->nchildren,
	                       .ctime = k->ctime,
	                       .mtime = k->mtime,
	                       .atime = k->mtime};
}

static int kdir_step(struct ns_prov *p, uint64_t node, const char *path, size_t len,
                     struct ns_walk *w, struct ns_step *out)
{
	(void)p;
	uint64_t irq = spin_lock_irqsave(&kdir_lock);
	struct kdir *cur = K(node);
	int r = 0;
	out->consumed = 0;
	for (size_t i = 0; i < len;) {
		size_t s = i;
		while (i < len && path[i] != '/')
			i++;
		struct kdir *c = cur->type == NS_TYPE_DIR ? find(cur, path + s, i - s) : NULL;
		if (!c) {
			r = cur->type == NS_TYPE_DIR ? ERR_NOT_FOUND : ERR_WRONG_TYPE;
			goto out;
		}
		out->consumed++;
		cur = c;
		if (c->target) { /* a bind point: the resolver goes on in the bound node */
			w->mask &= c->rights; /* never more than its binder could do there */
			ns_prov_get(c->target->prov);
			out->at = (struct ns_at){c->target->prov, c->target->node};
			r = NS_STEP_CROSS;
			goto out;
		}
		i += i < len;
	}
	if (w->flags & NS_WALK_STAT) {
		kdir_stat(cur, w->st);
		w->stat_done = true;
	} else {
		cur->holds++;
	}
	out->at = (struct ns_at){&kdir_prov, node_of(cur)};
	out->type = cur->type;
	r = NS_STEP_NODE;
out:
	spin_unlock_irqrestore(&kdir_lock, irq);
	return r;
}

static void kdir_release(struct ns_prov *p, uint64_t node)
{
	(void)p;
	struct kdir_garbage g;
	uint64_t irq = spin_lock_irqsave(&kdir_lock);
	bool gone = unhold(K(node), &g);
	spin_unlock_irqrestore(&kdir_lock, irq);
	if (gone)
		garbage_put(&g);
}

static long list_into(struct kdir *d, uint64_t *cookie, void *buf, size_t cap)
{
	size_t off = 0;
	for (struct kdir *c = d->children; c; c = c->next) {
		if (c->seq <= *cookie)
			continue;
		size_t rec = ALIGN_UP(sizeof(struct ns_dirent) + c->namelen + 1, 8);
		if (rec > cap - off)
			break;
		struct ns_dirent *de = (struct ns_dirent *)((char *)buf + off);
		memset(de, 0, rec);
		de->node = c->id;
		de->type = c->type;
		de->reclen = (uint16_t)rec;
		de->namelen = c->namelen;
		memcpy(de->name, c->name, c->namelen);
		off += rec;
		*cookie = c->seq;
	}
	return (long)off;
}

static long kdir_call(struct ns_prov *p, const struct ns_req *q, void *reply, size_t cap,
                      uint64_t timeout)
{
	(void)p, (void)timeout;
	struct ns_rep *rep = reply;
	void *data = rep + 1;
	cap -= sizeof(*rep);
	const char *name = (const char *)(q + 1);
	struct kdir_garbage g = {0};
	bool gone = false;
	memset(rep, 0, sizeof(*rep));
	uint64_t irq = spin_lock_irqsave(&kdir_lock);
	struct kdir *k = K(q->node);
	switch (q->op) {
	case NS_OP_STAT: {
		struct ns_stat st;
		kdir_stat(k, &st);
		memcpy(data, &st, sizeof(st));
		rep->len = sizeof(st);
		break;
	}
	case NS_OP_LIST: {
		uint64_t cookie = q->arg;
		long n = k->type == NS_TYPE_DIR ? list_into(k, &cookie, data, cap) : ERR_WRONG_TYPE;
		if (n < 0)
			rep->status = (int32_t)n;
		else if (n == 0 && k->children && k->next_seq > cookie &&
		         cap < sizeof(struct ns_dirent) + NS_NAME_MAX + 8)
			rep->status = ERR_BUFFER_TOO_SMALL;
		else
			rep->len = (uint32_t)n, rep->arg = cookie;
		break;
	}
	case NS_OP_UNLINK: {
		struct kdir *c = k->type == NS_TYPE_DIR ? find(k, name, q->len1) : NULL;
		if (!c)
			rep->status = k->type == NS_TYPE_DIR ? ERR_NOT_FOUND : ERR_WRONG_TYPE;
		else if (!c->target && !c->svc)
			rep->status = ERR_NOT_SUPPORTED; /* the boot directories stay */
		else if ((q->flags & NS_UNLINK_DIR) && c->svc)
			rep->status = ERR_WRONG_TYPE;
		else {
			detach(k, c);
			gone = unhold(c, &g);
		}
		break;
	}
	case NS_OP_READ:
	case NS_OP_WRITE:
	case NS_OP_TRUNCATE:
		rep->status = ERR_WRONG_TYPE;
		break;
	default: /* the tree grows only by bind and serve */
		rep->status = ERR_NOT_SUPPORTED;
		break;
	}
	spin_unlock_irqrestore(&kdir_lock, irq);
	if (gone)
		garbage_put(&g);
	return (long)(sizeof(*rep) + rep->len);
}

static void kdir_destroy(struct ns_prov *p)
{
	(void)p; /* the kernel tree lives as long as the kernel */
}

static const struct ns_prov_ops kdir_ops = {
    .step = kdir_step,
    .call = kdir_call,
    .release = kdir_release,
    .destroy = kdir_destroy,
};

bool ns_is_kdir(const struct ns_prov *prov)
{
	return prov == &kdir_prov;
}

/* A new entry of type under d (kdir_lock held), charged to pool (NULL: boot). */
static struct kdir *entry_new(const char *name, size_t len, uint32_t type, struct mem_pool *pool,
                              int *err)
{
	size_t size = sizeof(struct kdir) + len + 1;
	uint64_t cost = kmalloc_size(size);
	if (pool && pool_charge(pool, cost)) {
		*err = ERR_NO_MEMORY;
		return NULL;
	}
	struct kdir *k = kzalloc(size);
	if (!k) {
		if (pool)
			pool_uncharge(pool, cost);
		*err = ERR_NO_MEMORY;
		return NULL;
	}
	memcpy(k->name, name, len);
	k->namelen = (uint16_t)len;
	k->type = type;
	k->holds = 1; /* its name */
	k->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	k->ctime = k->mtime = clock_monotonic_ns();
	if (pool) {
		pool_get(pool);
		k->pool = pool;
		k->cost = cost;
	}
	return k;
}

static void attach(struct kdir *d, struct kdir *c)
{
	c->parent = d;
	c->seq = ++d->next_seq;
	struct kdir **p = &d->children;
	while (*p)
		p = &(*p)->next;
	*p = c;
	d->nchildren++;
	d->mtime = clock_monotonic_ns();
}

/* A plain directory made at boot (charged to no pool; never removed). */
static struct kdir *boot_dir(const char *name)
{
	int err;
	struct kdir *k = entry_new(name, strlen(name), NS_TYPE_DIR, NULL, &err);
	if (!k)
		panic("ns: no memory for the boot directories");
	return k;
}

void ns_init(void)
{
	static const char *const schemes[] = {"fs", "dev", "proc", "svc"};
	static const char *const classes[] = {"block",  "net",   "input", "display",
	                                      "serial", "clock", "rng"};
	ns_prov_init(&kdir_prov, &kdir_ops);
	root = boot_dir("");
	for (unsigned i = 0; i < ARRAY_SIZE(schemes); i++) {
		struct kdir *k = boot_dir(schemes[i]);
		if (!strcmp(schemes[i], "proc")) { /* served by the kernel: proc.c */
			k->target = ns_proc_root();
			kobject_get(&k->target->obj);
			k->rights = RIGHTS_ALL;
		}
		attach(root, k);
		if (!strcmp(schemes[i], "dev"))
			for (unsigned j = 0; j < ARRAY_SIZE(classes); j++)
				attach(k, boot_dir(classes[j]));
	}
}

int ns_root_node(struct mem_pool *pool, struct ns_node **out)
{
	uint64_t irq = spin_lock_irqsave(&kdir_lock);
	root->holds++;
	spin_unlock_irqrestore(&kdir_lock, irq);
	return ns_node_create(&kdir_prov, node_of(root), NS_TYPE_DIR, pool, out);
}

int ns_kdir_bind(struct ns_node *dir, const char *name, size_t len, struct ns_node *target,
                 struct endpoint *svc, uint32_t type, uint64_t rights, struct mem_pool *pool)
{
	if (!ns_is_kdir(dir->prov))
		return ERR_NOT_SUPPORTED;
	int err = ns_bind_check(dir, name, len);
	if (err)
		return err;
	struct kdir_garbage g = {0};
	struct kdir *fresh = entry_new(name, len,
	                               target ? target->type
	                               : svc  ? type
	                                      : NS_TYPE_DIR,
	                               pool, &err);
	if (!fresh)
		return err;
	if (target)
		kobject_get(&target->obj);
	if (svc)
		kobject_get(endpoint_obj(svc));
	fresh->target = target;
	fresh->svc = svc;
	fresh->rights = rights;
	uint64_t irq = spin_lock_irqsave(&kdir_lock);
	struct kdir *d = K(dir->node), *old = find(d, name, len);
	bool drop_old = false;
	if (!d->parent && d != root)
		err = ERR_NOT_FOUND; /* the directory itself was removed */
	else if (old && !old->target && !old->svc)
		err = ERR_ALREADY_EXISTS;
	else if (!old && d->nchildren >= KDIR_MAX_ENTRIES)
		err = ERR_NO_RESOURCES;
	if (!err) {
		if (old) { /* re-bind: the new entry takes the old one's place in the listing */
			detach(d, old);
			drop_old = unhold(old, &g);
		}
		attach(d, fresh);
		fresh = NULL;
	}
	spin_unlock_irqrestore(&kdir_lock, irq);
	if (drop_old)
		garbage_put(&g);
	if (fresh) { /* refused: give back what the new entry took */
		struct kdir_garbage mine = {fresh->target, fresh->svc, fresh->pool, fresh->cost,
		                            fresh};
		garbage_put(&mine);
	}
	return err;
}

bool ns_kdir_service_at(uint64_t node, struct ns_svc_result *out)
{
	uint64_t irq = spin_lock_irqsave(&kdir_lock);
	struct kdir *k = K(node);
	bool svc = k->svc != NULL;
	if (svc) {
		out->ep = k->svc;
		out->rights = k->rights;
		kobject_get(endpoint_obj(k->svc));
	}
	spin_unlock_irqrestore(&kdir_lock, irq);
	return svc;
}
