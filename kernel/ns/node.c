/*
 * node.c - namespace node objects (OBJ_NS_NODE) and provider references.
 *
 * A node object is what a namespace capability points at: a provider, one of
 * its node ids, and the entry's type, fixed at creation. Creating one takes
 * over the hold the provider gave the kernel (a NODE step or a create);
 * destroying it gives that hold back and uncharges the opener's pool.
 */
#include <ns/ns.h>

#include <abi/errors.h>
#include <lib/compiler.h>
#include <mm/kmalloc.h>
#include <obj/memory.h>
#include <obj/pool.h>

_Static_assert(sizeof(struct ns_node) <= NS_NODE_COST, "NS_NODE_COST must cover the object");

static uint32_t next_prov_id = 1;

void ns_prov_init(struct ns_prov *p, const struct ns_prov_ops *ops)
{
	p->ops = ops;
	p->refs = 1;
	p->id = __atomic_fetch_add(&next_prov_id, 1, __ATOMIC_RELAXED);
}

void ns_prov_get(struct ns_prov *p)
{
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

void ns_prov_put(struct ns_prov *p)
{
	if (__atomic_fetch_sub(&p->refs, 1, __ATOMIC_ACQ_REL) == 1) {
		ns_overlay_forget(p); /* its binds are keyed by its address */
		p->ops->destroy(p);
	}
}

static void ns_node_destroy(struct kobject *obj)
{
	struct ns_node *n = ns_node_from(obj);
	if (n->content)
		kobject_put(&n->content->obj);
	n->prov->ops->release(n->prov, n->node);
	ns_prov_put(n->prov);
	if (n->pool) { /* a static one (no pool) is never freed */
		pool_uncharge(n->pool, NS_NODE_COST);
		pool_put(n->pool);
		kfree(n);
	}
}

static const struct kobject_ops ns_node_ops = {.destroy = ns_node_destroy};

struct ns_node *ns_node_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_NS_NODE, struct ns_node, obj);
}

void ns_node_init_static(struct ns_node *n, struct ns_prov *prov, uint64_t node, uint32_t type)
{
	kobject_init(&n->obj, OBJ_NS_NODE, &ns_node_ops);
	ns_prov_get(prov);
	n->prov = prov;
	n->node = node;
	n->type = type;
	n->pool = NULL;
	spin_init(&n->lock);
}

int ns_node_create(struct ns_prov *prov, uint64_t node, uint32_t type, struct mem_pool *pool,
                   struct ns_node **out)
{
	struct ns_node *n = NULL;
	if (pool_charge(pool, NS_NODE_COST) == 0 && !(n = kzalloc(sizeof(*n))))
		pool_uncharge(pool, NS_NODE_COST);
	if (!n) {
		prov->ops->release(prov, node);
		return ERR_NO_MEMORY;
	}
	kobject_init(&n->obj, OBJ_NS_NODE, &ns_node_ops);
	ns_prov_get(prov);
	n->prov = prov;
	n->node = node;
	n->type = type;
	spin_init(&n->lock);
	pool_get(pool);
	n->pool = pool;
	*out = n;
	return 0;
}
