/*
 * channel.c - channels, endpoints and their message queues; asynchronous
 * send and receive.
 *
 * A channel is one allocation: a lock, the pool that pays, and two endpoints
 * (OBJ_ENDPOINT kobjects), each the other's peer. What is sent on one end is
 * queued on the other, in FIFO order, up to `depth` messages; a sender waits
 * (or gets ERR_SHOULD_WAIT) while the queue is full. Each message is one
 * kmalloc block (header, handle arrays, and the bytes when all fit a slab
 * size class; bigger bytes in pages of their own), charged to the channel's
 * pool what the blocks really take, plus its capabilities in flight, for as
 * long as it exists.
 *
 * Closing. An endpoint is closed when its last capability is freed
 * (kobject_ops.last_cap_dropped, counted by kernel/cap): nobody can receive
 * there any more, so its queue is dropped at once (capabilities in flight go
 * back to nobody: they are destroyed), calls queued or received there fail
 * with ERR_PEER_CLOSED, and the peer's waiters are woken to see
 * ERR_PEER_CLOSED. Threads that still hold a reference (a waiter, a decoded
 * syscall) finish; the memory goes when both endpoints are destroyed.
 * Capabilities to the endpoint itself that sit in a queue keep it open; the
 * cycle rule (transfer.c) keeps such capabilities from ever forming a ring.
 *
 * Ownership: each endpoint's kobject reference count covers its own struct
 * but the memory is freed with the channel, when the second endpoint is
 * destroyed; so ep->peer stays valid for as long as ep is. Every sender holds
 * a reference to its own endpoint, hence to the peer's memory and its
 * transit cspace.
 *
 * Locking: ch->lock (see kbus_internal.h) guards both queues. Waiting uses
 * the endpoint's readable / writable wait queues whose conditions read the
 * queue state without the channel lock (a hint: the waiter re-checks under
 * the lock after waking).
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <cap/cap.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <obj/pool.h>
#include <sched/sched.h>
#include <time/clock.h>

/* A transit table is paid by the channel's pool; the capabilities in it by their messages. */
static const struct cspace_charge transit_payer = {pool_charge_cb, pool_uncharge_cb, .tables = true,
                                                   .caps = false};

static void endpoint_destroy(struct kobject *obj);
static void endpoint_last_cap(struct kobject *obj);
static uint32_t endpoint_poll(struct kobject *obj);
static void endpoint_wait_queues(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES]);
static const struct kobject_ops endpoint_ops = {
    .destroy = endpoint_destroy,
    .last_cap_dropped = endpoint_last_cap,
    .signals = KBUS_EV_READABLE | KBUS_EV_WRITABLE | KBUS_EV_PEER_CLOSED,
    .poll = endpoint_poll,
    .wait_queues = endpoint_wait_queues,
};

struct endpoint *endpoint_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_ENDPOINT, struct endpoint, obj);
}

struct kobject *endpoint_obj(struct endpoint *ep)
{
	return &ep->obj;
}

int kbus_channel_alloc(struct mem_pool *pool, uint32_t depth, unsigned nep,
                       struct kbus_channel **out)
{
	if (depth == 0)
		depth = KBUS_DEFAULT_DEPTH;
	if (depth > KBUS_MAX_DEPTH)
		return ERR_INVALID_ARGS;
	/* + each transit cspace's own structure; their slots and tables are charged as they grow */
	uint64_t charge = kmalloc_size(sizeof(struct kbus_channel)) + 64 * nep;
	int err = pool_charge(pool, charge);
	if (err)
		return err;
	struct kbus_channel *ch = kzalloc(sizeof(*ch));
	if (!ch)
		goto out_uncharge;
	for (unsigned i = 0; i < nep; i++) {
		if (cspace_create(CSPACE_MAX_SLOTS, &ch->ep[i].transit))
			goto out_free;
		cspace_set_charge(ch->ep[i].transit, &transit_payer, pool);
	}
	spin_init(&ch->lock);
	pool_get(pool);
	ch->pool = pool;
	ch->charge = charge;
	ch->alive = ch->nep = nep;
	for (unsigned i = 0; i < nep; i++) {
		struct endpoint *ep = &ch->ep[i];
		kobject_init(&ep->obj, OBJ_ENDPOINT, &endpoint_ops);
		ep->ch = ch;
		ep->depth = depth;
		ep->peer = nep == 2 ? &ch->ep[1 - i] : NULL;
		waitq_init(&ep->readable);
		waitq_init(&ep->writable);
	}
	*out = ch;
	return 0;
out_free:
	for (unsigned i = 0; i < nep; i++)
		if (ch->ep[i].transit)
			cspace_destroy(ch->ep[i].transit);
	kfree(ch);
out_uncharge:
	pool_uncharge(pool, charge);
	return ERR_NO_MEMORY;
}

int kbus_channel_create(struct mem_pool *pool, uint32_t depth, struct endpoint **ep0,
                        struct endpoint **ep1)
{
	return kbus_channel_create_kind(pool, depth, 0, ep0, ep1);
}

int kbus_channel_create_kind(struct mem_pool *pool, uint32_t depth, uint32_t kind,
                             struct endpoint **ep0, struct endpoint **ep1)
{
	struct kbus_channel *ch;
	int err = kbus_channel_alloc(pool, depth, 2, &ch);
	if (err)
		return err;
	ch->kind = kind;
	*ep0 = &ch->ep[0];
	*ep1 = &ch->ep[1];
	return 0;
}

void kbus_wake(struct endpoint *ep)
{
	waitq_wake_all(&ep->readable);
	waitq_wake_all(&ep->writable);
}

void kbus_enqueue(struct endpoint *ep, struct kbus_kmsg *m)
{
	kbus_enqueue_run(ep, m, NULL);
}

void kbus_enqueue_run(struct endpoint *ep, struct kbus_kmsg *m, struct thread **run)
{
	m->next = NULL;
	if (ep->tail)
		ep->tail->next = m;
	else
		ep->head = m;
	ep->tail = m;
	WRITE_ONCE(ep->queued, ep->queued + 1);
	if (ep->fast_waiter)
		sched_wake(ep->fast_waiter->thread); /* it takes the message from the queue */
	if (run)
		*run = waitq_wake_take(&ep->readable);
	else
		waitq_wake_all(&ep->readable);
}

struct kbus_kmsg *kbus_dequeue(struct endpoint *ep)
{
	struct kbus_kmsg *m = ep->head;
	if (!m)
		return NULL;
	ep->head = m->next;
	if (!ep->head)
		ep->tail = NULL;
	WRITE_ONCE(ep->queued, ep->queued - 1);
	waitq_wake_all(&ep->writable);
	return m;
}

void kbus_requeue(struct endpoint *ep, struct kbus_kmsg *m)
{
	m->next = ep->head;
	ep->head = m;
	if (!ep->tail)
		ep->tail = m;
	WRITE_ONCE(ep->queued, ep->queued + 1);
}

/* What a capability in flight takes (cap_alloc_cost(), read once). */
static uint64_t cap_cost(void)
{
	static uint64_t cost;
	if (unlikely(!READ_ONCE(cost)))
		__atomic_store_n(&cost, cap_alloc_cost(), __ATOMIC_RELAXED);
	return READ_ONCE(cost);
}

/* The page order that holds len bytes. */
static unsigned data_order(uint32_t len)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < len)
		order++;
	return order;
}

int kbus_msg_alloc(struct mem_pool *pool, const struct kbus_out *m, struct kbus_kmsg **out)
{
	if (m->len > KBUS_MAX_BYTES || m->nhandles > KBUS_MAX_HANDLES)
		return ERR_INVALID_ARGS;
	size_t head = ALIGN_UP(sizeof(struct kbus_kmsg), 16) +
	              m->nhandles * (sizeof(struct endpoint *) + sizeof(handle_t));
	bool inside = head + m->len <= KMALLOC_MAX_SLAB;
	size_t size = inside ? head + m->len : head;
	int order = inside ? -1 : (int)data_order(m->len);
	/* charged what the blocks and the capabilities in flight take (their transit
	   table is charged by the transit cspace itself) */
	uint64_t charge = kmalloc_size(size) + (inside ? 0 : PAGE_SIZE << order);
	if (m->nhandles)
		charge += m->nhandles * cap_cost();
	int err = pool_charge(pool, charge);
	if (err)
		return err;
	struct kbus_kmsg *k = kmalloc(size);
	uint8_t *pages = inside || !k ? NULL : page_alloc((unsigned)order);
	if (!k || (!inside && !pages)) {
		kfree(k);
		pool_uncharge(pool, charge);
		return ERR_NO_MEMORY;
	}
	memset(k, 0, sizeof(*k));
	k->eps = (struct endpoint **)((char *)k + ALIGN_UP(sizeof(struct kbus_kmsg), 16));
	k->handles = (handle_t *)(k->eps + m->nhandles);
	k->data = inside ? (uint8_t *)(k->handles + m->nhandles) : pages;
	k->data_order = order;
	k->len = m->len;
	if (m->user)
		err = copy_from_user(k->data, (uint64_t)m->data, m->len);
	else if (m->len)
		memcpy(k->data, m->data, m->len);
	pool_get(pool);
	k->pool = pool;
	k->charge = charge;
	if (err) {
		kbus_msg_free(k, NULL);
		return err;
	}
	*out = k;
	return 0;
}

void kbus_msg_free(struct kbus_kmsg *m, struct cspace *transit)
{
	if (m->nhandles)
		kbus_transfer_drop(m, transit);
	if (m->dst)
		kbus_transfer_release(m);
	struct mem_pool *pool = m->pool;
	uint64_t charge = m->charge;
	if (m->data_order >= 0)
		page_free(m->data, (unsigned)m->data_order);
	kfree(m);
	pool_uncharge(pool, charge);
	pool_put(pool);
}

int kbus_msg_deliver(struct endpoint *ep, struct kbus_kmsg *m, struct kbus_in *in)
{
	int err = 0;
	handle_t hs[KBUS_MAX_HANDLES];
	in->len = m->len;
	in->nhandles = m->nhandles;
	in->badge = m->badge;
	in->flags = m->flags;
	if (in->user)
		err = copy_to_user((uint64_t)in->data, m->data, m->len);
	else if (m->len)
		memcpy(in->data, m->data, m->len);
	if (err || !m->nhandles)
		return err;
	handle_t *out = in->user ? hs : in->handles;
	err = kbus_transfer_out(m, ep->transit, in->cs, out);
	if (err)
		return err;
	if (in->user) {
		err = copy_to_user((uint64_t)in->handles, hs, m->nhandles * sizeof(handle_t));
		if (err)
			kbus_transfer_out_undo(m, ep->transit, in->cs, hs);
	}
	return err;
}

static void wake_fired(struct timer_event *ev)
{
	sched_wake(container_of(ev, struct thread, sleep_timer));
}

uint64_t kbus_deadline(uint64_t timeout)
{
	if (timeout == WAIT_FOREVER)
		return UINT64_MAX;
	uint64_t d = clock_monotonic_ns() + timeout;
	return d < timeout ? UINT64_MAX : d;
}

int kbus_block_until(uint64_t deadline)
{
	return kbus_block_until_run(deadline, NULL);
}

int kbus_block_until_run(uint64_t deadline, struct thread *run)
{
	struct thread *self = sched_current();
	int err = 0;
	if (sched_kill_pending(self))
		err = ERR_INTERRUPTED;
	else if (deadline != UINT64_MAX && clock_monotonic_ns() >= deadline)
		err = ERR_TIMED_OUT;
	if (err) {
		sched_wake_unpin(run);
		return err;
	}
	/* the timer is ours, on this CPU: a direct switch leaves it armed here */
	if (deadline != UINT64_MAX)
		timer_event_arm(&self->sleep_timer, deadline, wake_fired);
	sched_block_run(run);
	if (deadline != UINT64_MAX)
		timer_event_cancel(&self->sleep_timer);
	return 0;
}

/* Relative time left until deadline for waitq_wait (0: already passed). */
static uint64_t remaining(uint64_t deadline)
{
	if (deadline == UINT64_MAX)
		return WAIT_FOREVER;
	uint64_t now = clock_monotonic_ns();
	return now >= deadline ? 0 : deadline - now;
}

static bool can_send(void *arg)
{
	struct endpoint *dst = arg;
	return READ_ONCE(dst->queued) + READ_ONCE(dst->reserved) < dst->depth ||
	       READ_ONCE(dst->closed);
}

static bool can_recv(void *arg)
{
	struct endpoint *ep = arg;
	if (READ_ONCE(ep->queued) || READ_ONCE(ep->closed))
		return true;
	return ep->peer ? READ_ONCE(ep->peer->closed) : kbus_group_closed(ep->group);
}

int kbus_reserve(struct endpoint *dst, uint32_t flags, uint64_t deadline)
{
	struct kbus_channel *ch = dst->ch;
	for (;;) {
		uint64_t irq = spin_lock_irqsave(&ch->lock);
		if (dst->closed) {
			spin_unlock_irqrestore(&ch->lock, irq);
			return ERR_PEER_CLOSED;
		}
		if (dst->queued + dst->reserved < dst->depth) {
			WRITE_ONCE(dst->reserved, dst->reserved + 1);
			spin_unlock_irqrestore(&ch->lock, irq);
			return 0;
		}
		spin_unlock_irqrestore(&ch->lock, irq);
		if (flags & KBUS_NONBLOCK)
			return ERR_SHOULD_WAIT;
		int err = waitq_wait(&dst->writable, can_send, dst, remaining(deadline));
		if (err)
			return err;
	}
}

void kbus_unreserve(struct endpoint *dst)
{
	uint64_t irq = spin_lock_irqsave(&dst->ch->lock);
	WRITE_ONCE(dst->reserved, dst->reserved - 1);
	spin_unlock_irqrestore(&dst->ch->lock, irq);
	waitq_wake_all(&dst->writable);
}

int kbus_commit(struct endpoint *dst, struct kbus_kmsg *msg, struct thread **run)
{
	uint64_t irq = spin_lock_irqsave(&dst->ch->lock);
	WRITE_ONCE(dst->reserved, dst->reserved - 1);
	if (dst->closed) {
		spin_unlock_irqrestore(&dst->ch->lock, irq);
		return ERR_PEER_CLOSED;
	}
	if (msg->call)
		msg->call->msg = msg;
	kbus_enqueue_run(dst, msg, run);
	spin_unlock_irqrestore(&dst->ch->lock, irq);
	return 0;
}

int kbus_build(struct endpoint *dst, uint64_t badge, const struct kbus_out *m, bool reply,
               struct kbus_kmsg **out)
{
	struct kbus_kmsg *msg;
	int err = kbus_msg_alloc(dst->ch->pool, m, &msg);
	if (err)
		return err;
	msg->badge = badge;
	if (m->nhandles) {
		err = kbus_transfer_in(m, dst, !reply, msg);
		if (err) {
			msg->nhandles = 0;
			kbus_msg_free(msg, dst->transit);
			return err;
		}
	}
	*out = msg;
	return 0;
}

void kbus_unbuild(struct endpoint *dst, struct kbus_kmsg *msg, const struct kbus_out *m)
{
	if (msg->nhandles)
		kbus_transfer_undo(m, dst->transit, msg);
	msg->nhandles = 0;
	kbus_msg_free(msg, dst->transit);
}

int kbus_post(struct endpoint *dst, uint64_t badge, const struct kbus_out *m,
              struct kbus_call *call, uint32_t flags, uint64_t deadline, struct thread **run)
{
	if (run)
		*run = NULL;
	int err = kbus_reserve(dst, flags, deadline);
	if (err)
		return err;
	struct kbus_kmsg *msg;
	err = kbus_build(dst, badge, m, false, &msg);
	if (err) {
		kbus_unreserve(dst);
		return err;
	}
	msg->flags = call ? KBUS_MSG_CALL : 0;
	msg->call = call;
	err = kbus_commit(dst, msg, run);
	if (err)
		kbus_unbuild(dst, msg, m);
	return err;
}

int kbus_send(struct endpoint *ep, uint64_t badge, const struct kbus_out *m, uint32_t flags,
              uint64_t timeout)
{
	struct endpoint *dst = ep->peer;
	if (!dst)
		return ERR_BAD_STATE;
	if (m->len > KBUS_MAX_BYTES || m->nhandles > KBUS_MAX_HANDLES)
		return ERR_INVALID_ARGS;
	return kbus_post(dst, badge, m, NULL, flags, kbus_deadline(timeout), NULL);
}

/* ch->lock held: drop a message that can no longer be received (ep closed). */
static void orphan(struct kbus_kmsg *m)
{
	if (m->call) {
		m->call->msg = NULL;
		m->call->state = CALL_CLOSED;
		sched_wake(m->call->caller);
		m->call = NULL;
	}
}

int kbus_recv(struct endpoint *ep, struct kbus_in *in, uint32_t flags, uint64_t timeout)
{
	return kbus_recv_run(ep, in, flags, timeout, NULL);
}

/* kbus_recv; *run is consumed (set to NULL) once handed to a wait. */
static int recv(struct endpoint *ep, struct kbus_in *in, uint32_t flags, uint64_t timeout,
                struct thread **run)
{
	struct kbus_channel *ch = ep->ch;
	uint64_t deadline = kbus_deadline(timeout);
	for (;;) {
		uint64_t irq = spin_lock_irqsave(&ch->lock);
		struct kbus_kmsg *m = ep->head;
		if (m && (m->flags & KBUS_MSG_CALL) && sched_current()->kbus.pending) {
			/* one reply slot: the unanswered call fails first (its lock, not ours) */
			spin_unlock_irqrestore(&ch->lock, irq);
			kbus_drop_pending(sched_current());
			continue;
		}
		if (m) {
			if (m->len > in->capacity || m->nhandles > in->handles_capacity ||
			    (m->nhandles && !in->cs)) {
				in->len = m->len;
				in->nhandles = m->nhandles;
				spin_unlock_irqrestore(&ch->lock, irq);
				return ERR_BUFFER_TOO_SMALL;
			}
			kbus_dequeue(ep);
			spin_unlock_irqrestore(&ch->lock, irq);
			int err = kbus_msg_deliver(ep, m, in);
			irq = spin_lock_irqsave(&ch->lock);
			bool drop = false;
			if (err && !ep->closed) {
				kbus_requeue(ep, m);
			} else if (err) {
				orphan(m);
				drop = true;
			} else if (m->flags & KBUS_MSG_CALL) {
				kbus_call_received(ep, m);
			}
			spin_unlock_irqrestore(&ch->lock, irq);
			if (!err || drop) {
				if (err)
					kbus_wake(ep);
				else
					m->nhandles = 0; /* delivered */
				kbus_msg_free(m, ep->transit);
			}
			return err;
		}
		int err = ep->closed ? ERR_INTERRUPTED : kbus_peer_gone(ep) ? ERR_PEER_CLOSED : 0;
		spin_unlock_irqrestore(&ch->lock, irq);
		if (err)
			return err;
		if (flags & KBUS_NONBLOCK)
			return ERR_SHOULD_WAIT;
		err = waitq_wait_run(&ep->readable, can_recv, ep, remaining(deadline), *run);
		*run = NULL;
		if (err)
			return err;
	}
}

int kbus_recv_run(struct endpoint *ep, struct kbus_in *in, uint32_t flags, uint64_t timeout,
                  struct thread *run)
{
	int r = recv(ep, in, flags, timeout, &run);
	sched_wake_unpin(run); /* it did not wait: run is simply woken */
	return r;
}

void kbus_endpoint_info(struct endpoint *ep, struct kbus_endpoint_info *out)
{
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	out->queued = ep->queued;
	out->depth = ep->depth;
	out->peer_closed = kbus_peer_gone(ep);
	out->kind = ep->ch->kind;
	spin_unlock_irqrestore(&ep->ch->lock, irq);
}

/* Close ep: no capability left, so nobody can receive here again. */
static void endpoint_close(struct endpoint *ep)
{
	struct kbus_channel *ch = ep->ch;
	uint64_t irq = spin_lock_irqsave(&ch->lock);
	if (ep->closed) {
		spin_unlock_irqrestore(&ch->lock, irq);
		return;
	}
	ep->closed = true;
	struct kbus_kmsg *drained = ep->head;
	ep->head = ep->tail = NULL;
	WRITE_ONCE(ep->queued, 0);
	for (struct kbus_kmsg *m = drained; m; m = m->next)
		orphan(m);
	kbus_calls_close(ep);
	/* Parked fast receivers: wake the first of each endpoint, which wakes the next
	   (kbus_reply_recv_fast), so the work here does not grow with their number. */
	if (ep->fast_waiter)
		sched_wake(ep->fast_waiter->thread);
	if (ep->peer && ep->peer->fast_waiter)
		sched_wake(ep->peer->fast_waiter->thread); /* they see ERR_PEER_CLOSED */
	spin_unlock_irqrestore(&ch->lock, irq);
	kbus_wake(ep);
	if (ep->peer)
		kbus_wake(ep->peer);
	struct kbus_kmsg *next;
	for (struct kbus_kmsg *m = drained; m; m = next) {
		next = m->next;
		kbus_msg_free(m, ep->transit);
	}
	if (ep->group)
		kbus_group_unsubscribe(ep);
}

static void endpoint_last_cap(struct kobject *obj)
{
	endpoint_close(endpoint_from(obj));
}

/* Waitset hooks: a message queued here, room in the peer's queue, the peer gone. */
static uint32_t endpoint_poll(struct kobject *obj)
{
	struct endpoint *ep = endpoint_from(obj);
	uint32_t ev = 0;
	uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
	if (ep->queued)
		ev |= KBUS_EV_READABLE;
	if (kbus_peer_gone(ep))
		ev |= KBUS_EV_PEER_CLOSED;
	else if (ep->peer && ep->peer->queued + ep->peer->reserved < ep->peer->depth)
		ev |= KBUS_EV_WRITABLE;
	spin_unlock_irqrestore(&ep->ch->lock, irq);
	return ev;
}

/* Woken as poll's answer changes: our readable queue and the peer's writable one. */
static void endpoint_wait_queues(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES])
{
	struct endpoint *ep = endpoint_from(obj);
	wq[0] = &ep->readable;
	if (ep->peer)
		wq[1] = &ep->peer->writable;
}

static void endpoint_destroy(struct kobject *obj)
{
	struct endpoint *ep = endpoint_from(obj);
	struct kbus_channel *ch = ep->ch;
	endpoint_close(ep); /* no-op unless it never had a capability */
	if (ep->group) {
		kbus_group_put(ep->group);
		ep->group = NULL;
	}
	uint64_t irq = spin_lock_irqsave(&ch->lock);
	ep->destroyed = true;
	bool last = --ch->alive == 0;
	spin_unlock_irqrestore(&ch->lock, irq);
	if (!last)
		return;
	for (unsigned i = 0; i < ch->nep; i++) {
		ASSERT(!ch->ep[i].head);
		cspace_destroy(ch->ep[i].transit);
	}
	pool_uncharge(ch->pool, ch->charge);
	pool_put(ch->pool);
	kfree(ch);
}
