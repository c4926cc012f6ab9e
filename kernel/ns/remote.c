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
 * call. A release is a plain message sent without waiting; when the
 * provider's queue is full it is dropped and counted (the provider then
 * keeps that node until it restarts: its own memory, not the kernel's).
 */
#include <ns/ns.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <kbus/kbus.h>
#include <lib/compiler.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>

struct ns_remote {
	struct ns_prov prov;
	struct endpoint *ep; /* the kernel's end of the channel (reference) */
	struct mem_pool *pool; /* charged REMOTE_COST (reference) */
	uint64_t lost_releases; /* atomic */
};

#define REMOTE_COST kmalloc_size(sizeof(struct ns_remote))

static struct ns_remote *R(struct ns_prov *p)
{
	return container_of(p, struct ns_remote, prov);
}

/* An error code a provider may answer with, or ERR_MALFORMED for anything else. */
static int provider_error(int32_t status)
{
	return status < 0 && status > -100 ? status : ERR_MALFORMED;
}

static int remote_step(struct ns_prov *p, uint64_t node, const char *path, size_t len, bool follow,
                       struct ns_step *out, char *linkbuf, uint64_t timeout)
{
	size_t qlen = sizeof(struct ns_req) + len, cap = sizeof(struct ns_rep) + NS_PATH_MAX;
	struct ns_req *q = kmalloc(qlen);
	struct ns_rep *rep = kmalloc(cap);
	int r = ERR_NO_MEMORY;
	if (!q || !rep)
		goto out;
	*q = (struct ns_req){.op = NS_OP_WALK,
	                     .flags = follow ? NS_WALK_FOLLOW : 0,
	                     .node = node,
	                     .len1 = (uint32_t)len};
	memcpy(q + 1, path, len);
	long n = kbus_kernel_call(R(p)->ep, q, qlen, rep, cap, timeout);
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	r = ERR_MALFORMED;
	if ((size_t)n < sizeof(*rep) || (size_t)n > cap || rep->len != (size_t)n - sizeof(*rep))
		goto out;
	if (rep->status < 0) {
		r = provider_error(rep->status);
	} else if (rep->status == NS_WALK_NODE) {
		if (rep->type == NS_TYPE_ANY || rep->type >= NS_TYPE_COUNT || rep->len != 0)
			goto release;
		out->at = (struct ns_at){p, rep->node};
		out->type = rep->type;
		out->consumed = (unsigned)MIN(rep->arg, (uint64_t)UINT32_MAX);
		r = NS_STEP_NODE;
	} else if (rep->status == NS_WALK_LINK) {
		if (rep->len == 0 || rep->arg == 0)
			goto out;
		memcpy(linkbuf, rep + 1, rep->len);
		linkbuf[rep->len] = '\0';
		out->link = linkbuf;
		out->link_len = rep->len;
		out->consumed = (unsigned)MIN(rep->arg, (uint64_t)UINT32_MAX);
		r = NS_STEP_LINK;
	}
	goto out;
release: /* a malformed NODE answer: give back the hold it implied */
	p->ops->release(p, rep->node);
out:
	kfree(q);
	kfree(rep);
	return r;
}

static long remote_call(struct ns_prov *p, const struct ns_req *q, void *reply, size_t cap,
                        uint64_t timeout)
{
	return kbus_kernel_call(R(p)->ep, q, sizeof(*q) + q->len1 + q->len2, reply, cap, timeout);
}

static void remote_release(struct ns_prov *p, uint64_t node)
{
	if (node == NS_PROVIDER_ROOT)
		return; /* the root lives as long as the provider */
	struct ns_req q = {.op = NS_OP_RELEASE, .node = node};
	struct kbus_out m = {.data = &q, .len = sizeof(q), .user = false};
	if (kbus_send(R(p)->ep, 0, &m, KBUS_NONBLOCK, 0) < 0)
		__atomic_fetch_add(&R(p)->lost_releases, 1, __ATOMIC_RELAXED);
}

static void remote_destroy(struct ns_prov *p)
{
	struct ns_remote *r = R(p);
	kobject_put(endpoint_obj(r->ep));
	pool_uncharge(r->pool, REMOTE_COST);
	pool_put(r->pool);
	kfree(r);
}

static const struct ns_prov_ops remote_ops = {
    .step = remote_step,
    .call = remote_call,
    .release = remote_release,
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
	r->ep = client;
	pool_get(pool);
	r->pool = pool;
	struct ns_node *root;
	err = ns_node_create(&r->prov, NS_PROVIDER_ROOT, NS_TYPE_DIR, pool, &root);
	if (!err) {
		err = ns_kdir_bind(dir, name, len, root, NULL, 0, pool);
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
