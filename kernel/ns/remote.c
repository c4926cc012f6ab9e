/*
 * remote.c - providers that are processes: namespace operations as kbus calls.
 *
 * ns_serve() makes a channel; the process serving the subtree receives on
 * one end (ns_provider_serve in libcharlotte), the kernel keeps the other
 * and calls on it with kbus_kernel_call(): blocking, killable, with a
 * timeout, so a provider that hangs fails its callers with ERR_TIMED_OUT and
 * one that dies with ERR_PEER_CLOSED. Replies are checked field by field
 * before anything in them is used.
 *
 * Memory: the provider record is charged to the serving caller's pool; a
 * request and its reply buffer (at most NS_MSG_MAX each) live only during the
 * call (a walk's fit on the stack). Releases go in batches of RELEASE_BATCH,
 * each a plain message sent without waiting (remote_release()).
 */
#include <ns/ns.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <kbus/kbus.h>
#include <lib/compiler.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>

/* Releases sent to a provider in one message (a close costs the provider no wake-up). */
#define RELEASE_BATCH 32

struct ns_remote {
	struct ns_prov prov;
	struct endpoint *ep; /* the kernel's end of the channel (reference) */
	struct mem_pool *pool; /* charged REMOTE_COST (reference) */
	uint64_t lost_releases; /* atomic */
	struct spinlock lock; /* pending[] */
	uint32_t npending;
	uint64_t pending[RELEASE_BATCH]; /* released nodes not yet told */
};

#define REMOTE_COST kmalloc_size(sizeof(struct ns_remote))

static struct ns_remote *R(struct ns_prov *p)
{
	return container_of(p, struct ns_remote, prov);
}

/* Bytes of a walk's request and reply kept on the stack; longer ones are allocated. */
#define STEP_INLINE 256

static int remote_step(struct ns_prov *p, uint64_t node, const char *path, size_t len,
                       struct ns_walk *w, struct ns_step *out)
{
	uint8_t qbuf[sizeof(struct ns_req) + STEP_INLINE] __attribute__((aligned(8)));
	uint8_t rbuf[sizeof(struct ns_rep) + STEP_INLINE] __attribute__((aligned(8)));
	size_t qlen = sizeof(struct ns_req) + len, cap = sizeof(rbuf);
	struct ns_req *q = len <= STEP_INLINE ? (struct ns_req *)qbuf : kmalloc(qlen);
	struct ns_rep *rep = (struct ns_rep *)rbuf, *big = NULL;
	int r = ERR_NO_MEMORY;
	if (!q)
		return r;
	*q = (struct ns_req){
	    .op = NS_OP_WALK, .flags = w->flags, .node = node, .len1 = (uint32_t)len};
	memcpy(q + 1, path, len);
	long n = kbus_kernel_call(R(p)->ep, q, qlen, rep, cap, w->timeout);
	if (n > (long)cap && n <= (long)(sizeof(*rep) + NS_PATH_MAX) &&
	    rep->status == NS_WALK_LINK) {
		/* a long link target: ask again with room for it (a link stop holds nothing) */
		cap = sizeof(*rep) + NS_PATH_MAX;
		if (!(big = kmalloc(cap)))
			goto out;
		rep = big;
		n = kbus_kernel_call(R(p)->ep, q, qlen, rep, cap, w->timeout);
	}
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	r = ERR_MALFORMED;
	if ((size_t)n < sizeof(*rep) || (size_t)n > cap || rep->len != (size_t)n - sizeof(*rep))
		goto out;
	if (rep->status < 0) {
		r = ns_provider_error(rep->status);
	} else if (rep->status == NS_WALK_NODE) {
		bool stat = (w->flags & NS_WALK_STAT) && rep->len == sizeof(struct ns_stat);
		if (rep->type == NS_TYPE_ANY || rep->type >= NS_TYPE_COUNT || (rep->len && !stat)) {
			if (!(w->flags & NS_WALK_STAT))
				p->ops->release(
				    p, rep->node); /* the hold a malformed answer implied */
			goto out;
		}
		if (stat) {
			memcpy(w->st, rep + 1, sizeof(*w->st));
			w->stat_done = true;
		}
		out->at = (struct ns_at){p, rep->node};
		out->type = rep->type;
		out->consumed = (unsigned)MIN(rep->arg, (uint64_t)UINT32_MAX);
		r = NS_STEP_NODE;
	} else if (rep->status == NS_WALK_LINK) {
		if (rep->len == 0 || rep->arg == 0)
			goto out;
		memcpy(w->linkbuf, rep + 1, rep->len);
		w->linkbuf[rep->len] = '\0';
		out->link = w->linkbuf;
		out->link_len = rep->len;
		out->consumed = (unsigned)MIN(rep->arg, (uint64_t)UINT32_MAX);
		r = NS_STEP_LINK;
	}
out:
	if ((uint8_t *)q != qbuf)
		kfree(q);
	kfree(big);
	return r;
}

static long remote_call(struct ns_prov *p, const struct ns_req *q, void *reply, size_t cap,
                        uint64_t timeout)
{
	return kbus_kernel_call(R(p)->ep, q, sizeof(*q) + q->len1 + q->len2, reply, cap, timeout);
}

/*
 * The kernel let go of node: queue it, and tell the provider a batch at a
 * time, with a plain message sent without waiting. A batch that finds the
 * provider's queue full is dropped and counted; the provider then keeps those
 * nodes until it restarts (its memory, not the kernel's). Pending releases of
 * a provider that goes away are simply forgotten.
 */
static void remote_release(struct ns_prov *p, uint64_t node)
{
	struct ns_remote *r = R(p);
	if (node == NS_PROVIDER_ROOT)
		return; /* the root lives as long as the provider */
	struct {
		struct ns_req q;
		uint64_t ids[RELEASE_BATCH];
	} batch;
	uint64_t irq = spin_lock_irqsave(&r->lock);
	r->pending[r->npending++] = node;
	bool full = r->npending == RELEASE_BATCH;
	if (full) {
		memcpy(batch.ids, r->pending, sizeof(batch.ids));
		r->npending = 0;
	}
	spin_unlock_irqrestore(&r->lock, irq);
	if (!full)
		return;
	batch.q = (struct ns_req){.op = NS_OP_RELEASE, .len1 = sizeof(batch.ids)};
	struct kbus_out m = {.data = &batch, .len = sizeof(batch), .user = false};
	if (kbus_send(r->ep, 0, &m, KBUS_NONBLOCK, 0) < 0)
		__atomic_fetch_add(&r->lost_releases, RELEASE_BATCH, __ATOMIC_RELAXED);
}

static int remote_watch(struct ns_prov *p, uint64_t dir, uint32_t mask, struct cspace *cs,
                        handle_t h, uint64_t timeout)
{
	struct ns_req q = {.op = NS_OP_WATCH, .node = dir, .arg = mask};
	struct ns_rep rep;
	struct kbus_out m = {
	    .data = &q, .len = sizeof(q), .nhandles = 1, .handles = &h, .copy_mask = 1, .cs = cs};
	long n = kbus_kernel_call_msg(R(p)->ep, &m, &rep, sizeof(rep), timeout);
	if (n < 0)
		return (int)n;
	if ((size_t)n != sizeof(rep) || rep.len)
		return ERR_MALFORMED;
	return rep.status < 0 ? ns_provider_error(rep.status) : 0;
}

static void remote_destroy(struct ns_prov *p)
{
	struct ns_remote *r = R(p);
	kobject_put(endpoint_obj(r->ep));
	pool_uncharge(r->pool, REMOTE_COST);
	pool_put(r->pool);
	kfree(r);
}

static long remote_map(struct ns_prov *p, const struct ns_req *q, void *reply, size_t cap,
                       uint64_t timeout, struct kbus_kcap *kc)
{
	struct kbus_out m = {.data = q, .len = sizeof(*q), .user = false};
	return kbus_kernel_call_cap(R(p)->ep, &m, reply, cap, timeout, kc);
}

static const struct ns_prov_ops remote_ops = {
    .step = remote_step,
    .call = remote_call,
    .map = remote_map,
    .release = remote_release,
    .watch = remote_watch,
    .destroy = remote_destroy,
};

int ns_serve(struct ns_node *dir, const char *name, size_t len, struct mem_pool *pool,
             struct endpoint **server)
{
	if (!ns_is_kdir(dir->prov))
		return ERR_NOT_SUPPORTED;
	if (pool_charge(pool, REMOTE_COST))
		return ERR_NO_MEMORY;
	struct ns_remote *r = kzalloc(sizeof(*r));
	struct endpoint *client, *srv;
	int err = ERR_NO_MEMORY;
	if (!r || (err = kbus_channel_create(pool, 0, &client, &srv))) {
		kfree(r);
		pool_uncharge(pool, REMOTE_COST);
		return err;
	}
	ns_prov_init(&r->prov, &remote_ops);
	spin_init(&r->lock);
	r->ep = client;
	pool_get(pool);
	r->pool = pool;
	struct ns_node *root;
	err = ns_node_create(&r->prov, NS_PROVIDER_ROOT, NS_TYPE_DIR, pool, &root);
	if (!err) {
		err = ns_kdir_bind(dir, name, len, root, NULL, 0, RIGHTS_ALL, pool);
		kobject_put(&root->obj); /* the bind holds it now, or it goes */
	}
	ns_prov_put(&r->prov); /* the node object holds the provider, or it goes */
	if (err) {
		kobject_put(endpoint_obj(srv));
		return err;
	}
	*server = srv;
	return 0;
}
