/*
 * overlay.c - binds inside a provider's subtree (SYS_NS_BIND on a directory
 * that a process serves, not the kernel tree).
 *
 * The kernel tree keeps its binds in its own entries (kdir.c); a provider's
 * directories are the provider's, so a bind at (provider, directory node,
 * name) is kept here, beside them, and resolution consults it: while a
 * provider has any binds (ns_prov.nbinds), ns.c walks it one name per step
 * and, before asking the provider about a name, asks ns_overlay_find()
 * whether a bind covers it; a bind is crossed like a kernel-tree bind (the
 * walk goes on in the bound node, with at most its binder's rights). A
 * provider without binds is walked as before, many names a step.
 *
 * A bind hides the provider's own entry of that name from lookups (listings
 * are the provider's and do not show it); unlink of the name removes the bind
 * (RIGHT_REMOVE), and binding a bound name replaces it. Binds are of nodes
 * only (services and devices live in the kernel tree). An entry is charged to
 * the binder's pool; entries of a provider go when its last reference does or
 * when it is found dead (ERR_PEER_CLOSED), so a restarted provider starts
 * without its predecessor's binds.
 *
 * Locking: overlay_lock guards the list; no reference is put under it.
 *
 * FIXME: one list for every provider, scanned once per name walked in a provider
 * that has binds: right for the handful of binds a system makes, linear in them
 * all (each charged to its binder, so bounded by pools); a table keyed by
 * (provider, directory) when many are made.
 */
#include <ns/ns.h>

#include <abi/errors.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>

struct overlay {
	struct overlay *next;
	struct ns_prov *prov; /* not a reference: ns_overlay_forget() runs before it goes */
	uint64_t dir; /* the provider's node id of the directory */
	struct ns_node *target; /* reference */
	uint64_t rights; /* the binder's rights on target: the most a walk through it gets */
	struct mem_pool *pool; /* charged cost; reference */
	uint64_t cost;
	uint16_t namelen;
	char name[];
};

static struct spinlock overlay_lock = SPINLOCK_INIT;
static struct overlay *overlays;

static void overlay_free(struct overlay *o)
{
	kobject_put(&o->target->obj);
	pool_uncharge(o->pool, o->cost);
	pool_put(o->pool);
	kfree(o);
}

/* The entry for (prov, dir, name) and the link that points at it (overlay_lock held). */
static struct overlay **find(struct ns_prov *prov, uint64_t dir, const char *name, size_t len)
{
	struct overlay **p = &overlays;
	for (; *p; p = &(*p)->next)
		if ((*p)->prov == prov && (*p)->dir == dir && (*p)->namelen == len &&
		    !memcmp((*p)->name, name, len))
			return p;
	return p;
}

int ns_bind_check(const struct ns_node *dir, const char *name, size_t len)
{
	if (dir->type != NS_TYPE_DIR)
		return ERR_WRONG_TYPE;
	struct ns_path check;
	ns_path_init(&check);
	if (ns_path_push(&check, name, len) || check.depth != 1)
		return ERR_INVALID_ARGS; /* one valid name, not "." or ".." */
	return 0;
}

int ns_overlay_bind(struct ns_node *dir, const char *name, size_t len, struct ns_node *target,
                    uint64_t rights, struct mem_pool *pool)
{
	int err = ns_bind_check(dir, name, len);
	if (err)
		return err;
	size_t size = sizeof(struct overlay) + len;
	uint64_t cost = kmalloc_size(size);
	if (pool_charge(pool, cost))
		return ERR_NO_MEMORY;
	struct overlay *o = kmalloc(size);
	if (!o) {
		pool_uncharge(pool, cost);
		return ERR_NO_MEMORY;
	}
	kobject_get(&target->obj);
	pool_get(pool);
	*o = (struct overlay){.prov = dir->prov,
	                      .dir = dir->node,
	                      .target = target,
	                      .rights = rights,
	                      .pool = pool,
	                      .cost = cost,
	                      .namelen = (uint16_t)len};
	memcpy(o->name, name, len);
	uint64_t irq = spin_lock_irqsave(&overlay_lock);
	struct overlay **p = find(dir->prov, dir->node, name, len), *old = *p;
	if (old) { /* re-bind: take its place */
		o->next = old->next;
		*p = o;
	} else {
		o->next = overlays;
		overlays = o;
		__atomic_fetch_add(&dir->prov->nbinds, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&overlay_lock, irq);
	if (old)
		overlay_free(old);
	return 0;
}

int ns_overlay_find(struct ns_prov *prov, uint64_t dir, const char *name, size_t len,
                    uint64_t *mask, struct ns_step *out)
{
	uint64_t irq = spin_lock_irqsave(&overlay_lock);
	struct overlay *o = *find(prov, dir, name, len);
	if (o) {
		*mask &= o->rights;
		ns_prov_get(o->target->prov);
		out->at = (struct ns_at){o->target->prov, o->target->node};
		out->consumed = 1;
	}
	spin_unlock_irqrestore(&overlay_lock, irq);
	return o ? NS_STEP_CROSS : 0;
}

int ns_overlay_unbind(struct ns_prov *prov, uint64_t dir, const char *name, size_t len)
{
	if (!__atomic_load_n(&prov->nbinds, __ATOMIC_RELAXED))
		return ERR_NOT_FOUND;
	uint64_t irq = spin_lock_irqsave(&overlay_lock);
	struct overlay **p = find(prov, dir, name, len), *o = *p;
	if (o) {
		*p = o->next;
		__atomic_fetch_sub(&prov->nbinds, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&overlay_lock, irq);
	if (!o)
		return ERR_NOT_FOUND;
	overlay_free(o);
	return 0;
}

void ns_overlay_forget(struct ns_prov *prov)
{
	if (!__atomic_load_n(&prov->nbinds, __ATOMIC_RELAXED))
		return;
	struct overlay *gone = NULL;
	uint64_t irq = spin_lock_irqsave(&overlay_lock);
	for (struct overlay **p = &overlays; *p;) {
		struct overlay *o = *p;
		if (o->prov != prov) {
			p = &o->next;
			continue;
		}
		*p = o->next;
		o->next = gone;
		gone = o;
		__atomic_fetch_sub(&prov->nbinds, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&overlay_lock, irq);
	while (gone) {
		struct overlay *o = gone;
		gone = o->next;
		overlay_free(o);
	}
}
