/*
 * waitset.c - waitsets (OBJ_WAITSET): wait on many endpoints, processes and
 * threads, and one timer, at once.
 *
 * Level-triggered: kbus_waitset_wait() reports what is true now (a message
 * queued, room in the peer's queue, the peer closed, the process or thread
 * ended), polling each member. It waits the way poll(2) does: it takes a
 * reference on every member, links one wait-queue entry per wait queue that
 * can signal a change (an endpoint's readable queue and its peer's writable
 * queue, a process's or thread's exit queue), polls, and blocks only if
 * nothing is ready; any wake-up repeats the poll. Linking before polling
 * means no change is missed. Costs O(members) per wait; members are capped
 * at KBUS_WAITSET_MAX. No hooks are needed in the objects watched: they
 * already wake their queues on every change we report.
 *
 * The timer is one absolute deadline per waitset; it is reported once
 * (KBUS_EV_TIMER) when passed, then disarmed.
 *
 * Locking: ws->obj.lock guards the member array and the timer; it is never
 * held while polling or blocking (members are snapshotted with references).
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <obj/process.h>
#include <sched/sched.h>
#include <time/clock.h>

struct ws_member {
	uint64_t key;
	uint32_t events;
	struct kobject *obj; /* reference held */
};

struct kbus_waitset {
	struct kobject obj;
	struct mem_pool *pool; /* reference held */
	uint64_t charged;
	struct ws_member *members;
	uint32_t n, cap;
	uint64_t timer_deadline, timer_key;
};

/* One member during a wait: its wait queues and our entries in them. */
struct ws_poll {
	struct ws_member m;
	struct waitq *wq[2];
	struct waitq_entry e[2];
};

static void waitset_destroy(struct kobject *obj)
{
	struct kbus_waitset *ws = container_of(obj, struct kbus_waitset, obj);
	for (uint32_t i = 0; i < ws->n; i++)
		kobject_put(ws->members[i].obj);
	kfree(ws->members);
	pool_uncharge(ws->pool, ws->charged);
	pool_put(ws->pool);
	kfree(ws);
}

static const struct kobject_ops waitset_ops = {.destroy = waitset_destroy};

struct kbus_waitset *waitset_from(struct kobject *obj)
{
	return obj && obj->ops == &waitset_ops ? container_of(obj, struct kbus_waitset, obj) : NULL;
}

struct kobject *waitset_obj(struct kbus_waitset *ws)
{
	return &ws->obj;
}

int kbus_waitset_create(struct mem_pool *pool, struct kbus_waitset **out)
{
	int err = pool_charge(pool, sizeof(struct kbus_waitset));
	if (err)
		return err;
	struct kbus_waitset *ws = kzalloc(sizeof(*ws));
	if (!ws) {
		pool_uncharge(pool, sizeof(struct kbus_waitset));
		return ERR_NO_MEMORY;
	}
	kobject_init(&ws->obj, OBJ_WAITSET, &waitset_ops);
	pool_get(pool);
	ws->pool = pool;
	ws->charged = sizeof(*ws);
	*out = ws;
	return 0;
}

#define EV_ENDPOINT (KBUS_EV_READABLE | KBUS_EV_WRITABLE | KBUS_EV_PEER_CLOSED)

int kbus_waitset_add(struct kbus_waitset *ws, struct kobject *obj, uint32_t events, uint64_t key)
{
	uint32_t allowed = obj->type == OBJ_ENDPOINT                             ? EV_ENDPOINT
	                   : obj->type == OBJ_PROCESS || obj->type == OBJ_THREAD ? KBUS_EV_EXITED
	                                                                         : 0;
	if (!allowed)
		return ERR_WRONG_TYPE;
	if (!events || (events & ~allowed))
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	for (;;) {
		for (uint32_t i = 0; i < ws->n; i++)
			if (ws->members[i].key == key) {
				spin_unlock_irqrestore(&ws->obj.lock, irq);
				return ERR_ALREADY_EXISTS;
			}
		if (ws->n < ws->cap)
			break;
		if (ws->cap >= KBUS_WAITSET_MAX) {
			spin_unlock_irqrestore(&ws->obj.lock, irq);
			return ERR_NO_RESOURCES;
		}
		uint32_t ncap = ws->cap ? ws->cap * 2 : 8;
		spin_unlock_irqrestore(&ws->obj.lock, irq);
		uint64_t more = (ncap - ws->cap) * sizeof(struct ws_member);
		if (pool_charge(ws->pool, more))
			return ERR_NO_MEMORY;
		struct ws_member *nm = kmalloc(ncap * sizeof(*nm));
		if (!nm) {
			pool_uncharge(ws->pool, more);
			return ERR_NO_MEMORY;
		}
		irq = spin_lock_irqsave(&ws->obj.lock);
		struct ws_member *old = nm;
		if (ws->cap < ncap) {
			memcpy(nm, ws->members, ws->n * sizeof(*nm));
			old = ws->members;
			ws->members = nm;
			ws->charged += more;
			ws->cap = ncap;
			more = 0;
		}
		spin_unlock_irqrestore(&ws->obj.lock, irq);
		kfree(old);
		if (more)
			pool_uncharge(ws->pool, more);
		irq = spin_lock_irqsave(&ws->obj.lock);
	}
	kobject_get(obj);
	ws->members[ws->n++] = (struct ws_member){key, events, obj};
	spin_unlock_irqrestore(&ws->obj.lock, irq);
	return 0;
}

int kbus_waitset_remove(struct kbus_waitset *ws, uint64_t key)
{
	struct kobject *obj = NULL;
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	for (uint32_t i = 0; i < ws->n; i++)
		if (ws->members[i].key == key) {
			obj = ws->members[i].obj;
			ws->members[i] = ws->members[--ws->n];
			break;
		}
	spin_unlock_irqrestore(&ws->obj.lock, irq);
	if (!obj)
		return ERR_NOT_FOUND;
	kobject_put(obj);
	return 0;
}

void kbus_waitset_timer(struct kbus_waitset *ws, uint64_t deadline, uint64_t key)
{
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	ws->timer_deadline = deadline;
	ws->timer_key = key;
	spin_unlock_irqrestore(&ws->obj.lock, irq);
}

/* Events of interest that hold now for one member. */
static uint32_t poll_member(const struct ws_member *m)
{
	uint32_t ev = 0;
	if (m->obj->type == OBJ_ENDPOINT) {
		struct endpoint *ep = container_of(m->obj, struct endpoint, obj);
		uint64_t irq = spin_lock_irqsave(&ep->ch->lock);
		bool gone = kbus_peer_gone(ep);
		if (ep->queued)
			ev |= KBUS_EV_READABLE;
		if (gone)
			ev |= KBUS_EV_PEER_CLOSED;
		else if (ep->peer && ep->peer->queued + ep->peer->reserved < ep->peer->depth)
			ev |= KBUS_EV_WRITABLE;
		spin_unlock_irqrestore(&ep->ch->lock, irq);
	} else if (m->obj->type == OBJ_PROCESS) {
		struct process *p = container_of(m->obj, struct process, obj);
		if (__atomic_load_n(&p->ended, __ATOMIC_ACQUIRE))
			ev |= KBUS_EV_EXITED;
	} else {
		struct uthread *t = container_of(m->obj, struct uthread, obj);
		if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == UT_DEAD)
			ev |= KBUS_EV_EXITED;
	}
	return ev & m->events;
}

static void wait_queues(struct ws_poll *p)
{
	p->wq[0] = p->wq[1] = NULL;
	struct kobject *o = p->m.obj;
	if (o->type == OBJ_ENDPOINT) {
		struct endpoint *ep = container_of(o, struct endpoint, obj);
		p->wq[0] = &ep->readable;
		p->wq[1] = ep->peer ? &ep->peer->writable : NULL;
	} else if (o->type == OBJ_PROCESS) {
		p->wq[0] = &container_of(o, struct process, obj)->waiters;
	} else {
		p->wq[0] = &container_of(o, struct uthread, obj)->exited;
	}
}

static void link_entry(struct waitq *wq, struct waitq_entry *e)
{
	e->thread = sched_current();
	e->woken = false;
	uint64_t irq = spin_lock_irqsave(&wq->lock);
	e->next = wq->head;
	wq->head = e;
	spin_unlock_irqrestore(&wq->lock, irq);
}

static void unlink_entry(struct waitq *wq, struct waitq_entry *e)
{
	uint64_t irq = spin_lock_irqsave(&wq->lock);
	if (!e->woken)
		for (struct waitq_entry **pp = &wq->head; *pp; pp = &(*pp)->next)
			if (*pp == e) {
				*pp = e->next;
				break;
			}
	spin_unlock_irqrestore(&wq->lock, irq);
}

/* Snapshot the members with references. Returns the count or ERR_NO_MEMORY. */
static int snapshot(struct kbus_waitset *ws, struct ws_poll **out)
{
	uint32_t n;
	struct ws_poll *p = NULL;
	for (;;) {
		n = READ_ONCE(ws->n);
		if (n) {
			p = kmalloc(n * sizeof(*p));
			if (!p)
				return ERR_NO_MEMORY;
		}
		uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
		if (ws->n <= n) {
			n = ws->n;
			for (uint32_t i = 0; i < n; i++) {
				p[i].m = ws->members[i];
				kobject_get(p[i].m.obj);
			}
			spin_unlock_irqrestore(&ws->obj.lock, irq);
			break;
		}
		spin_unlock_irqrestore(&ws->obj.lock, irq);
		kfree(p);
	}
	*out = p;
	return (int)n;
}

/* Report the timer if it has passed (once). */
static uint32_t poll_timer(struct kbus_waitset *ws, struct kbus_event *out, uint64_t *until)
{
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	uint64_t d = ws->timer_deadline;
	uint32_t n = 0;
	if (d && clock_monotonic_ns() >= d) {
		out->key = ws->timer_key;
		out->events = KBUS_EV_TIMER;
		out->reserved = 0;
		ws->timer_deadline = 0;
		n = 1;
	} else if (d && d < *until) {
		*until = d;
	}
	spin_unlock_irqrestore(&ws->obj.lock, irq);
	return n;
}

int kbus_waitset_wait(struct kbus_waitset *ws, struct kbus_event *out, uint32_t max,
                      uint64_t timeout)
{
	if (!max)
		return ERR_INVALID_ARGS;
	uint64_t deadline = kbus_deadline(timeout);
	struct ws_poll *p;
	int n = snapshot(ws, &p);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		wait_queues(&p[i]);
	int ret;
	for (;;) {
		for (int i = 0; i < n; i++)
			for (int j = 0; j < 2; j++)
				if (p[i].wq[j])
					link_entry(p[i].wq[j], &p[i].e[j]);
		uint32_t count = 0;
		for (int i = 0; i < n && count < max; i++) {
			uint32_t ev = poll_member(&p[i].m);
			if (ev)
				out[count++] = (struct kbus_event){p[i].m.key, ev, 0};
		}
		uint64_t until = deadline;
		if (count < max)
			count += poll_timer(ws, &out[count], &until);
		ret = count ? (int)count : 0;
		if (!ret)
			ret = kbus_block_until(until);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < 2; j++)
				if (p[i].wq[j])
					unlink_entry(p[i].wq[j], &p[i].e[j]);
		if (ret > 0 || ret == ERR_INTERRUPTED)
			break;
		if (ret == ERR_TIMED_OUT && until == deadline)
			break;
		/* woken, or the waitset's timer passed: poll again */
	}
	for (int i = 0; i < n; i++)
		kobject_put(p[i].m.obj);
	kfree(p);
	return ret;
}
