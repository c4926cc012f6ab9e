/*
 * group.c - multicast groups (OBJ_GROUP): publish once, every subscriber
 * receives.
 *
 * A subscription is an endpoint with no peer (a one-endpoint channel block
 * from kbus_channel_alloc) that only receives; it holds a reference on its
 * group. The group keeps a plain list of its subscriptions (no references:
 * a subscription unlinks itself when it closes, which always happens before
 * its memory goes). Messages carry bytes only, never capabilities.
 *
 * Slow subscribers: publishing never waits. When a subscription's queue is
 * full, its OLDEST queued message is dropped to make room and its `dropped`
 * counter grows (kbus_subscription_dropped); if the pool cannot pay for the
 * copy, the new message is dropped for that subscriber and counted the same
 * way. Publishing returns how many subscribers got the message.
 *
 * Closing: when the group's last capability goes, subscribers see
 * ERR_PEER_CLOSED once their queues are empty.
 *
 * Locking: group->obj.lock guards the list and `closed`; taken before a
 * subscription's channel lock, never after.
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>

struct kbus_group {
	struct kobject obj;
	struct mem_pool *pool; /* reference held: pays for the group and its messages */
	uint32_t depth;
	bool closed;
	struct endpoint *subs;
};

static void group_destroy(struct kobject *obj)
{
	struct kbus_group *g = container_of(obj, struct kbus_group, obj);
	pool_uncharge(g->pool, sizeof(*g));
	pool_put(g->pool);
	kfree(g);
}

static void group_last_cap(struct kobject *obj)
{
	struct kbus_group *g = container_of(obj, struct kbus_group, obj);
	uint64_t irq = spin_lock_irqsave(&g->obj.lock);
	WRITE_ONCE(g->closed, true);
	for (struct endpoint *ep = g->subs; ep; ep = ep->next_sub)
		kbus_wake(ep);
	spin_unlock_irqrestore(&g->obj.lock, irq);
}

static const struct kobject_ops group_ops = {
    .destroy = group_destroy,
    .last_cap_dropped = group_last_cap,
};

struct kbus_group *group_from(struct kobject *obj)
{
	return obj && obj->ops == &group_ops ? container_of(obj, struct kbus_group, obj) : NULL;
}

struct kobject *group_obj(struct kbus_group *g)
{
	return &g->obj;
}

int kbus_group_create(struct mem_pool *pool, uint32_t depth, struct kbus_group **out)
{
	if (depth == 0)
		depth = KBUS_DEFAULT_DEPTH;
	if (depth > KBUS_MAX_DEPTH)
		return ERR_INVALID_ARGS;
	int err = pool_charge(pool, sizeof(struct kbus_group));
	if (err)
		return err;
	struct kbus_group *g = kzalloc(sizeof(*g));
	if (!g) {
		pool_uncharge(pool, sizeof(*g));
		return ERR_NO_MEMORY;
	}
	kobject_init(&g->obj, OBJ_GROUP, &group_ops);
	pool_get(pool);
	g->pool = pool;
	g->depth = depth;
	*out = g;
	return 0;
}

bool kbus_group_closed(struct kbus_group *g)
{
	return READ_ONCE(g->closed);
}

void kbus_group_put(struct kbus_group *g)
{
	kobject_put(&g->obj);
}

int kbus_group_subscribe(struct kbus_group *g, struct endpoint **out)
{
	struct kbus_channel *ch;
	int err = kbus_channel_alloc(g->pool, g->depth, 1, &ch);
	if (err)
		return err;
	struct endpoint *ep = &ch->ep[0];
	kobject_get(&g->obj);
	ep->group = g;
	uint64_t irq = spin_lock_irqsave(&g->obj.lock);
	if (g->closed) {
		spin_unlock_irqrestore(&g->obj.lock, irq);
		kobject_put(&ep->obj); /* closes (unsubscribe finds nothing) and frees */
		return ERR_PEER_CLOSED;
	}
	ep->next_sub = g->subs;
	g->subs = ep;
	spin_unlock_irqrestore(&g->obj.lock, irq);
	*out = ep;
	return 0;
}

void kbus_group_unsubscribe(struct endpoint *ep)
{
	struct kbus_group *g = ep->group;
	uint64_t irq = spin_lock_irqsave(&g->obj.lock);
	for (struct endpoint **pp = &g->subs; *pp; pp = &(*pp)->next_sub)
		if (*pp == ep) {
			*pp = ep->next_sub;
			break;
		}
	spin_unlock_irqrestore(&g->obj.lock, irq);
}

int kbus_group_publish(struct kbus_group *g, const struct kbus_out *m)
{
	if (m->nhandles)
		return ERR_INVALID_ARGS;
	struct kbus_kmsg *tmpl, *dropped = NULL;
	int err = kbus_msg_alloc(g->pool, m, &tmpl); /* the bytes, copied once */
	if (err)
		return err;
	struct kbus_out copy = {.data = tmpl->data, .len = tmpl->len};
	int reached = 0;
	uint64_t irq = spin_lock_irqsave(&g->obj.lock);
	for (struct endpoint *ep = g->subs; ep; ep = ep->next_sub) {
		struct kbus_kmsg *msg;
		int merr = kbus_msg_alloc(g->pool, &copy, &msg);
		spin_lock(&ep->ch->lock);
		if (ep->closed) {
			spin_unlock(&ep->ch->lock);
			if (!merr)
				msg->next = dropped, dropped = msg;
			continue;
		}
		if (merr) {
			ep->dropped++;
		} else {
			if (ep->queued >= ep->depth) {
				struct kbus_kmsg *old = kbus_dequeue(ep);
				old->next = dropped;
				dropped = old;
				ep->dropped++;
			}
			msg->badge = 0;
			kbus_enqueue(ep, msg);
			reached++;
		}
		spin_unlock(&ep->ch->lock);
	}
	spin_unlock_irqrestore(&g->obj.lock, irq);
	tmpl->next = dropped;
	for (struct kbus_kmsg *next; tmpl; tmpl = next) {
		next = tmpl->next;
		kbus_msg_free(tmpl, NULL); /* no capabilities: transit not needed */
	}
	return reached;
}

uint64_t kbus_subscription_dropped(struct endpoint *ep)
{
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	uint64_t n = ep->dropped;
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	return n;
}
