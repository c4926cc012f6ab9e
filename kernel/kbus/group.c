/*
 * group.c - multicast groups (OBJ_GROUP): publish once, every subscriber
 * receives.
 *
 * A subscription is an endpoint with no peer (a one-endpoint channel block
 * from kbus_channel_alloc) that only receives; it holds a reference on its
 * group. The group keeps a circular doubly linked list of its subscriptions
 * (no references: a subscription unlinks itself when it closes, which always
 * happens before its memory goes, so a subscription found in the list under
 * the group lock is alive). Messages carry bytes only, never capabilities.
 *
 * Slow subscribers: publishing never waits for subscribers. When a
 * subscription's queue is full, its OLDEST queued message is dropped to make
 * room and its `dropped` counter grows (kbus_subscription_dropped); if the
 * pool cannot pay for the copy, the new message is dropped for that
 * subscriber and counted the same way. Publishing returns how many
 * subscribers got the message.
 *
 * Long walks: a publish copies the message for each subscriber, which is
 * work proportional to (subscribers x bytes). It runs in batches of at most
 * GROUP_BATCH subscribers and GROUP_BATCH_BYTES of copies: a cursor node in the list marks where it is; with
 * the group lock free (interrupts on, preemptible) it allocates and fills the
 * batch's copies, then takes the lock only to queue them. Between batches a
 * kill ends it (ERR_INTERRUPTED; subscribers already reached keep the
 * message). Publishes to one group take turns (`publishing`, waiting
 * killably on pub_wait), so every subscriber sees the messages in the same
 * order. Closing wakes subscribers in batches the same way.
 *
 * Closing: when the group's last capability goes, subscribers see
 * ERR_PEER_CLOSED once their queues are empty.
 *
 * Locking: group->obj.lock guards the list, `closed` and `publishing`;
 * taken before a subscription's channel lock, never after; held for at most
 * GROUP_BATCH subscribers at a time.
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <sched/sched.h>

/* Subscribers served per hold of the group lock, and bytes copied per batch. */
#define GROUP_BATCH 16
#define GROUP_BATCH_BYTES (256u * 1024u)

struct kbus_group {
	struct kobject obj;
	struct mem_pool *pool; /* reference held: pays for the group and its messages */
	uint32_t depth;
	bool closed;
	bool publishing; /* a publish is walking the list */
	struct kbus_sub_link subs; /* list head */
	struct waitq pub_wait; /* publishers waiting for their turn */
};

/* Group lock held: put link l after at. */
static void link_after(struct kbus_sub_link *at, struct kbus_sub_link *l)
{
	l->prev = at;
	l->next = at->next;
	at->next->prev = l;
	at->next = l;
}

/* Group lock held: take l out of its list. */
static void link_remove(struct kbus_sub_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = NULL;
}

/*
 * Group lock held: the next n (at most) subscriptions after cursor, which
 * moves past them; fewer at the end of the list.
 */
static unsigned take_batch(struct kbus_group *g, struct kbus_sub_link *cursor,
                           struct endpoint **eps, unsigned n)
{
	unsigned got = 0;
	struct kbus_sub_link *l = cursor->next;
	while (got < n && l != &g->subs) {
		if (l->is_sub)
			eps[got++] = container_of(l, struct endpoint, sub);
		l = l->next;
	}
	link_remove(cursor);
	link_after(l->prev, cursor);
	return got;
}

/* Group lock held: subscriptions after cursor, counting at most n. */
static unsigned count_ahead(struct kbus_group *g, struct kbus_sub_link *cursor, unsigned n)
{
	unsigned got = 0;
	for (struct kbus_sub_link *l = cursor->next; got < n && l != &g->subs; l = l->next)
		got += l->is_sub;
	return got;
}

static void group_destroy(struct kobject *obj)
{
	struct kbus_group *g = group_from(obj);
	pool_uncharge(g->pool, sizeof(*g));
	pool_put(g->pool);
	kfree(g);
}

static void group_last_cap(struct kobject *obj)
{
	struct kbus_group *g = group_from(obj);
	struct kbus_sub_link cursor = {0};
	struct endpoint *eps[GROUP_BATCH];
	uint64_t irq = spin_lock_irqsave(&g->obj.lock);
	WRITE_ONCE(g->closed, true); /* no subscription joins from now on */
	link_after(&g->subs, &cursor);
	for (;;) {
		unsigned n = take_batch(g, &cursor, eps, GROUP_BATCH);
		for (unsigned i = 0; i < n; i++)
			kbus_wake(eps[i]);
		if (n < GROUP_BATCH)
			break;
		spin_unlock_irqrestore(&g->obj.lock, irq);
		irq = spin_lock_irqsave(&g->obj.lock);
	}
	link_remove(&cursor);
	spin_unlock_irqrestore(&g->obj.lock, irq);
}

static const struct kobject_ops group_ops = {
    .destroy = group_destroy,
    .last_cap_dropped = group_last_cap,
};

struct kbus_group *group_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_GROUP, struct kbus_group, obj);
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
	g->subs.next = g->subs.prev = &g->subs;
	waitq_init(&g->pub_wait);
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
	ep->sub.is_sub = true;
	link_after(&g->subs, &ep->sub);
	spin_unlock_irqrestore(&g->obj.lock, irq);
	*out = ep;
	return 0;
}

void kbus_group_unsubscribe(struct endpoint *ep)
{
	struct kbus_group *g = ep->group;
	uint64_t irq = spin_lock_irqsave(&g->obj.lock);
	if (ep->sub.next) /* closing twice, or never subscribed: not in the list */
		link_remove(&ep->sub);
	spin_unlock_irqrestore(&g->obj.lock, irq);
}

static bool publish_turn_free(void *arg)
{
	return !READ_ONCE(((struct kbus_group *)arg)->publishing);
}

/* Wait (killably) until no other publish walks g, then claim the walk; returns with the lock held. */
static int publish_begin(struct kbus_group *g, uint64_t *irq)
{
	for (;;) {
		*irq = spin_lock_irqsave(&g->obj.lock);
		if (!g->publishing) {
			g->publishing = true;
			return 0;
		}
		spin_unlock_irqrestore(&g->obj.lock, *irq);
		int err = waitq_wait(&g->pub_wait, publish_turn_free, g, WAIT_FOREVER);
		if (err)
			return err;
	}
}

/*
 * Group lock held: queue msg on ep (NULL: its copy could not be paid for).
 * Returns whether ep got it; messages it displaced go on *dropped.
 */
static bool deliver(struct endpoint *ep, struct kbus_kmsg *msg, struct kbus_kmsg **dropped)
{
	bool got = false;
	spin_lock(&ep->ch->lock);
	if (ep->closed) {
		if (msg)
			msg->next = *dropped, *dropped = msg;
	} else if (!msg) {
		ep->dropped++;
	} else {
		if (ep->queued >= ep->depth) {
			struct kbus_kmsg *old = kbus_dequeue(ep);
			old->next = *dropped;
			*dropped = old;
			ep->dropped++;
		}
		msg->badge = 0;
		kbus_enqueue(ep, msg);
		got = true;
	}
	spin_unlock(&ep->ch->lock);
	return got;
}

static void free_msgs(struct kbus_kmsg *m)
{
	for (struct kbus_kmsg *next; m; m = next) {
		next = m->next;
		kbus_msg_free(m, NULL); /* no capabilities: transit not needed */
	}
}

int kbus_group_publish(struct kbus_group *g, const struct kbus_out *m)
{
	if (m->nhandles)
		return ERR_INVALID_ARGS;
	struct kbus_kmsg *tmpl, *dropped = NULL;
	int err = kbus_msg_alloc(g->pool, m, &tmpl); /* the bytes, copied from the user once */
	if (err)
		return err;
	uint64_t irq;
	err = publish_begin(g, &irq);
	if (err) {
		kbus_msg_free(tmpl, NULL);
		return err;
	}
	struct kbus_out copy = {.data = tmpl->data, .len = tmpl->len};
	struct kbus_sub_link cursor = {0};
	int reached = 0;
	link_after(&g->subs, &cursor); /* later subscriptions go before it: they miss this one */
	unsigned batch = MAX(1u, MIN(GROUP_BATCH, GROUP_BATCH_BYTES / MAX(1u, tmpl->len)));
	for (;;) {
		unsigned want = count_ahead(g, &cursor, batch);
		if (!want)
			break;
		if (sched_kill_pending(sched_current())) {
			reached = ERR_INTERRUPTED;
			break;
		}
		spin_unlock_irqrestore(&g->obj.lock, irq);
		/* With no lock held: freeing, allocating and copying are the long part. */
		free_msgs(dropped);
		dropped = NULL;
		struct kbus_kmsg *msgs[GROUP_BATCH];
		for (unsigned i = 0; i < want; i++)
			if (kbus_msg_alloc(g->pool, &copy, &msgs[i]))
				msgs[i] = NULL;
		struct endpoint *eps[GROUP_BATCH];
		irq = spin_lock_irqsave(&g->obj.lock);
		unsigned n = take_batch(g, &cursor, eps, want);
		for (unsigned i = 0; i < n; i++)
			reached += deliver(eps[i], msgs[i], &dropped);
		for (unsigned i = n; i < want; i++) /* subscriptions gone meanwhile */
			if (msgs[i])
				msgs[i]->next = dropped, dropped = msgs[i];
	}
	link_remove(&cursor);
	WRITE_ONCE(g->publishing, false);
	spin_unlock_irqrestore(&g->obj.lock, irq);
	waitq_wake_all(&g->pub_wait);
	free_msgs(dropped);
	kbus_msg_free(tmpl, NULL);
	return reached;
}

uint64_t kbus_subscription_dropped(struct endpoint *ep)
{
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	uint64_t n = ep->dropped;
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	return n;
}
