/*
 * waitset.c - waitsets (OBJ_WAITSET): wait on many waitable objects
 * (endpoints, processes, threads, ...) and one timer, at once.
 *
 * Level-triggered: kbus_waitset_wait() reports what is true now (a message
 * queued, room in the peer's queue, the peer closed, the process or thread
 * ended), polling each member. What a member can signal, what it signals now
 * and which wait queues announce a change are its type's business
 * (kobject_ops signals / poll / wait_queues, obj/object.h): this file names
 * no object type but its own.
 *
 * Design (epoll-like, so that a wait costs no kernel memory and a change in a
 * source costs O(1) per waitset, not O(members x waiters)):
 * - Each member is allocated (and charged to the waitset's pool) when it is
 *   added, and stays linked as a watch (struct waitq_watch) on the wait queues
 *   its type names (an endpoint's readable queue and its peer's writable
 *   queue, a process's or thread's exit queue). A wake-up of such a
 *   queue runs ws_notify(): bump ws->seq and wake the waitset's own queue
 *   ws->wq. That is all a source does for a waitset, however many threads
 *   wait on it. A queue takes at most WAITQ_MAX_WATCHES watches, so a wake-up
 *   does bounded work with interrupts off; the same endpoint added under many
 *   keys is just more watches on its queues, within that bound.
 * - A waiter reads ws->seq, polls the members (interrupts on between batches
 *   of WS_POLL_BATCH, with a kill check), and sleeps on ws->wq until seq
 *   moves. Everything it needs is on its stack: waiting costs O(1) memory,
 *   and any number of threads may wait. Any change that may make a member
 *   ready, or that moves members (add, remove, timer), bumps seq after it is
 *   visible, so a waiter whose poll missed it does not sleep.
 *
 * The timer is one absolute deadline per waitset; it is reported once
 * (KBUS_EV_TIMER) when passed, then disarmed.
 *
 * Locking: ws->obj.lock guards the member array and the timer, and is held
 * while polling a batch of members (it nests outside the members' own locks,
 * such as an endpoint's ch->lock, which their poll hooks take). A source's
 * queue lock nests outside ws->wq.lock (ws_notify runs under it); ws->obj.lock
 * is never taken under either.
 */
#include <kbus/kbus_internal.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <sched/sched.h>
#include <time/clock.h>

#define WS_POLL_BATCH 32u /* members polled per hold of ws->obj.lock */

struct kbus_waitset;

/* One of a member's links into a source's wait queue. */
struct ws_watch {
	struct waitq_watch w;
	struct waitq *wq; /* NULL: not linked */
	struct kbus_waitset *ws;
};

struct ws_member {
	uint64_t key;
	uint32_t events;
	struct kobject *obj; /* reference held; waitable (obj->ops->poll) */
	struct ws_watch watch[KOBJECT_WAIT_QUEUES];
};

struct kbus_waitset {
	struct kobject obj;
	struct mem_pool *pool; /* reference held */
	uint64_t charged; /* for the structure and the member array */
	struct ws_member **members;
	uint32_t n, cap;
	uint64_t timer_deadline, timer_key;
	struct waitq wq; /* threads in kbus_waitset_wait() */
	uint64_t seq; /* atomic: bumped by every change waiters must re-poll for */
};

/* Something changed: waiters poll again. Any lock but ws->wq.lock may be held. */
static void ws_changed(struct kbus_waitset *ws)
{
	__atomic_add_fetch(&ws->seq, 1, __ATOMIC_SEQ_CST);
	waitq_wake_all(&ws->wq);
}

static void ws_notify(struct waitq_watch *w)
{
	ws_changed(container_of(w, struct ws_watch, w)->ws);
}

static void member_unwatch(struct ws_member *m)
{
	for (int i = 0; i < KOBJECT_WAIT_QUEUES; i++)
		if (m->watch[i].wq)
			waitq_unwatch(m->watch[i].wq, &m->watch[i].w);
}

/* Free an unlinked member: no lock held (the put may destroy the object). */
static void member_free(struct kbus_waitset *ws, struct ws_member *m)
{
	member_unwatch(m);
	kobject_put(m->obj);
	kfree(m);
	pool_uncharge(ws->pool, sizeof(*m));
}

static void waitset_destroy(struct kobject *obj)
{
	struct kbus_waitset *ws = waitset_from(obj);
	for (uint32_t i = 0; i < ws->n; i++)
		member_free(ws, ws->members[i]);
	kfree(ws->members);
	pool_uncharge(ws->pool, ws->charged);
	pool_put(ws->pool);
	kfree(ws);
}

static const struct kobject_ops waitset_ops = {.destroy = waitset_destroy};

struct kbus_waitset *waitset_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_WAITSET, struct kbus_waitset, obj);
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
	waitq_init(&ws->wq);
	pool_get(pool);
	ws->pool = pool;
	ws->charged = sizeof(*ws);
	*out = ws;
	return 0;
}

/* A new member watching its sources, charged. ERR_NO_MEMORY, ERR_NO_RESOURCES. */
static int member_new(struct kbus_waitset *ws, struct kobject *obj, uint32_t events, uint64_t key,
                      struct ws_member **out)
{
	int err = pool_charge(ws->pool, sizeof(struct ws_member));
	if (err)
		return err;
	struct ws_member *m = kzalloc(sizeof(*m));
	if (!m) {
		pool_uncharge(ws->pool, sizeof(struct ws_member));
		return ERR_NO_MEMORY;
	}
	kobject_get(obj);
	m->key = key;
	m->events = events;
	m->obj = obj;
	struct waitq *wq[KOBJECT_WAIT_QUEUES] = {0};
	obj->ops->wait_queues(obj, wq);
	for (int i = 0; i < KOBJECT_WAIT_QUEUES; i++) {
		m->watch[i].ws = ws;
		if (wq[i] && (err = waitq_watch(wq[i], &m->watch[i].w, ws_notify)) != 0) {
			member_free(ws, m);
			return err;
		}
		m->watch[i].wq = wq[i];
	}
	*out = m;
	return 0;
}

/* ws->obj.lock held: is key in use? */
static bool key_used(struct kbus_waitset *ws, uint64_t key)
{
	for (uint32_t i = 0; i < ws->n; i++)
		if (ws->members[i]->key == key)
			return true;
	return false;
}

/* Make room for one more member: ERR_NO_RESOURCES, ERR_NO_MEMORY. Takes no lock. */
static int grow(struct kbus_waitset *ws, uint32_t cap)
{
	if (cap >= KBUS_WAITSET_MAX)
		return ERR_NO_RESOURCES;
	uint32_t ncap = cap ? cap * 2 : 8;
	uint64_t more = (ncap - cap) * sizeof(struct ws_member *);
	if (pool_charge(ws->pool, more))
		return ERR_NO_MEMORY;
	struct ws_member **nm = kmalloc(ncap * sizeof(*nm));
	if (!nm) {
		pool_uncharge(ws->pool, more);
		return ERR_NO_MEMORY;
	}
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	struct ws_member **old = nm;
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
	return 0;
}

int kbus_waitset_add(struct kbus_waitset *ws, struct kobject *obj, uint32_t events, uint64_t key)
{
	uint32_t allowed = obj->ops->signals;
	if (!allowed)
		return ERR_WRONG_TYPE; /* not waitable */
	if (!events || (events & ~allowed))
		return ERR_INVALID_ARGS;
	struct ws_member *m;
	int err = member_new(ws, obj, events, key, &m);
	if (err)
		return err;
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	while (!key_used(ws, key) && ws->n == ws->cap) {
		uint32_t cap = ws->cap;
		spin_unlock_irqrestore(&ws->obj.lock, irq);
		err = grow(ws, cap);
		if (err) {
			member_free(ws, m);
			return err;
		}
		irq = spin_lock_irqsave(&ws->obj.lock);
	}
	if (key_used(ws, key)) {
		spin_unlock_irqrestore(&ws->obj.lock, irq);
		member_free(ws, m);
		return ERR_ALREADY_EXISTS;
	}
	ws->members[ws->n++] = m;
	spin_unlock_irqrestore(&ws->obj.lock, irq);
	ws_changed(ws);
	return 0;
}

int kbus_waitset_remove(struct kbus_waitset *ws, uint64_t key)
{
	struct ws_member *m = NULL;
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	for (uint32_t i = 0; i < ws->n; i++)
		if (ws->members[i]->key == key) {
			m = ws->members[i];
			ws->members[i] = ws->members[--ws->n];
			break;
		}
	spin_unlock_irqrestore(&ws->obj.lock, irq);
	if (!m)
		return ERR_NOT_FOUND;
	member_free(ws, m);
	ws_changed(ws); /* a member moved: a poll in progress may have skipped it */
	return 0;
}

void kbus_waitset_timer(struct kbus_waitset *ws, uint64_t deadline, uint64_t key)
{
	uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
	ws->timer_deadline = deadline;
	ws->timer_key = key;
	spin_unlock_irqrestore(&ws->obj.lock, irq);
	ws_changed(ws); /* waiters take the new deadline into account */
}

/* Events of interest that hold now for one member. */
static uint32_t poll_member(const struct ws_member *m)
{
	return m->obj->ops->poll(m->obj) & m->events;
}

/*
 * Poll every member, at most max reported, in batches with interrupts on in
 * between. Returns the count or ERR_INTERRUPTED (the thread is being killed).
 */
static int poll_all(struct kbus_waitset *ws, struct kbus_event *out, uint32_t max)
{
	uint32_t count = 0;
	for (uint32_t i = 0;;) {
		/* also between polls: a storm of changes must not keep a killed thread here */
		if (sched_kill_pending(sched_current()))
			return ERR_INTERRUPTED;
		uint64_t irq = spin_lock_irqsave(&ws->obj.lock);
		uint32_t end = MIN(ws->n, i + WS_POLL_BATCH);
		for (; i < end && count < max; i++) {
			uint32_t ev = poll_member(ws->members[i]);
			if (ev)
				out[count++] = (struct kbus_event){ws->members[i]->key, ev, 0};
		}
		bool done = i >= ws->n || count >= max;
		spin_unlock_irqrestore(&ws->obj.lock, irq);
		if (done)
			return (int)count;
	}
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

struct ws_wait {
	struct kbus_waitset *ws;
	uint64_t seen;
};

static bool changed(void *arg)
{
	struct ws_wait *w = arg;
	return __atomic_load_n(&w->ws->seq, __ATOMIC_SEQ_CST) != w->seen;
}

int kbus_waitset_wait(struct kbus_waitset *ws, struct kbus_event *out, uint32_t max,
                      uint64_t timeout)
{
	if (!max)
		return ERR_INVALID_ARGS;
	uint64_t deadline = kbus_deadline(timeout);
	for (;;) {
		struct ws_wait w = {ws, __atomic_load_n(&ws->seq, __ATOMIC_SEQ_CST)};
		int count = poll_all(ws, out, max);
		if (count < 0)
			return count;
		uint64_t until = deadline;
		if ((uint32_t)count < max)
			count += (int)poll_timer(ws, &out[count], &until);
		if (count)
			return count;
		uint64_t now = clock_monotonic_ns();
		uint64_t left = until == UINT64_MAX ? WAIT_FOREVER : until > now ? until - now : 0;
		int err = waitq_wait(&ws->wq, changed, &w, left);
		if (err == ERR_INTERRUPTED || (err == ERR_TIMED_OUT && until == deadline))
			return err;
		/* changed, or the waitset's timer passed: poll again */
	}
}
