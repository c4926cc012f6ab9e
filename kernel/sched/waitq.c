/*
 * waitq.c - wait queues on top of sched_block()/sched_wake().
 *
 * A waiter links a stack-allocated entry into wq->waiting under the lock,
 * arms its timeout, and blocks; a waiter that times out (or is killed)
 * unlinks itself, in O(1) (the lists are circular through their heads).
 * sched_block() remembers a wake that arrives before the block, so the order
 * of unlock and block does not matter.
 *
 * Waking in batches. Any number of threads may wait on one queue, and
 * waitq_wake_all() may be called with other spinlocks held, so it must not
 * walk them all with interrupts off. It moves every waiting entry to
 * wq->waking (a splice, O(1)), wakes the first WAITQ_WAKE_BATCH of them and
 * runs the watches. If more remain, the last entry it woke is marked
 * `relay`: that waiter, when it runs again (it always does: a woken thread
 * returns from sched_block and takes the lock before leaving waitq_wait),
 * wakes the next batch, and so on. wq->relaying says a relay is on its way,
 * so a wake-up meanwhile only splices its waiters behind the others.
 *   - Only waiters present when a wake-up starts are woken by it; one that
 *     arrives later checked its condition under the lock after the waker
 *     changed the state, so it saw the change.
 *   - Entries live on their waiters' stacks. An entry on either list belongs
 *     to a thread blocked in (or about to block in) waitq_wait, which leaves
 *     only after a waker marked it woken (its last touch) or after unlinking
 *     it itself, both under the lock.
 *   - Every entry on waking is woken: by the call that moved it if it is in
 *     the first batch, else by the relay chain, which ends only when waking
 *     is empty (relaying is false exactly when no relay is on its way).
 * Watches stay linked and run once per waitq_wake_all(), under the lock.
 */
#include <abi/errors.h>
#include <sched/waitq.h>
#include <sched/sched.h>
#include <lib/compiler.h>
#include <stddef.h>
#include <time/clock.h>

static void list_init(struct waitq_entry *head)
{
	head->next = head->prev = head;
}

static bool list_empty(const struct waitq_entry *head)
{
	return head->next == head;
}

static void unlink(struct waitq_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

/* Link e right after head (so head->next is the newest). */
static void push(struct waitq_entry *head, struct waitq_entry *e)
{
	e->next = head->next;
	e->prev = head;
	head->next->prev = e;
	head->next = e;
}

/* Move every entry of from to the end of to. */
static void splice_tail(struct waitq_entry *from, struct waitq_entry *to)
{
	if (list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	list_init(from);
}

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock);
	list_init(&wq->waiting);
	list_init(&wq->waking);
	wq->relaying = false;
	wq->watches = NULL;
	wq->nwatches = 0;
}

/* wq->lock held: wake up to WAITQ_WAKE_BATCH entries of waking; the last is the relay if more remain. */
static void wake_batch(struct waitq *wq)
{
	wq->relaying = false;
	for (unsigned n = 0; n < WAITQ_WAKE_BATCH && !list_empty(&wq->waking); n++) {
		struct waitq_entry *e = wq->waking.next;
		struct thread *t = e->thread;
		unlink(e);
		if (n == WAITQ_WAKE_BATCH - 1 && !list_empty(&wq->waking)) {
			e->relay = true;
			wq->relaying = true;
		}
		e->woken = true; /* e lives on the waiter's stack: last touch */
		sched_wake(t);
	}
}

static void timeout_fired(struct timer_event *ev)
{
	sched_wake(container_of(ev, struct thread, sleep_timer));
}

int waitq_wait(struct waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t timeout_ns)
{
	return waitq_wait_run(wq, cond, arg, timeout_ns, NULL);
}

int waitq_wait_run(struct waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t timeout_ns,
                   struct thread *run)
{
	struct thread *self = sched_current();
	uint64_t deadline =
	    timeout_ns == WAIT_FOREVER ? UINT64_MAX : clock_monotonic_ns() + timeout_ns;
	if (deadline < timeout_ns)
		deadline = UINT64_MAX;
	for (;;) {
		struct waitq_entry e = {.thread = self};
		uint64_t irq = spin_lock_irqsave(&wq->lock);
		int err = 1;
		if (cond(arg))
			err = 0;
		else if (sched_kill_pending(self))
			err = ERR_INTERRUPTED;
		else if (deadline != UINT64_MAX && clock_monotonic_ns() >= deadline)
			err = ERR_TIMED_OUT;
		if (err <= 0) {
			spin_unlock_irqrestore(&wq->lock, irq);
			sched_wake_unpin(run);
			return err;
		}
		// cppcheck-suppress autoVariables ; unlinked before this frame returns
		push(&wq->waiting, &e);
		spin_unlock_irqrestore(&wq->lock, irq);
		/* the timer is per CPU and we never migrate: arm and cancel here */
		bool timed = deadline != UINT64_MAX;
		if (timed)
			timer_event_arm(&self->sleep_timer, deadline, timeout_fired);
		sched_block_run(run);
		run = NULL;
		if (timed)
			timer_event_cancel(&self->sleep_timer);
		irq = spin_lock_irqsave(&wq->lock);
		if (!e.woken)
			unlink(&e);
		else if (e.relay)
			wake_batch(wq); /* our turn to wake the next batch */
		spin_unlock_irqrestore(&wq->lock, irq);
	}
}

/*
 * A wake-up (waitq_wake_all()); with take, a lone waiter is taken off as woken
 * and returned pinned instead of made runnable (waitq_wake_take()).
 */
static struct thread *wake(struct waitq *wq, bool take)
{
	struct thread *t = NULL;
	uint64_t irq = spin_lock_irqsave(&wq->lock);
	splice_tail(&wq->waiting, &wq->waking);
	struct waitq_entry *e = wq->waking.next;
	if (wq->relaying) {
		/* a relay is on its way: it wakes what was just spliced behind */
	} else if (take && e != &wq->waking && e->next == &wq->waking) {
		unlink(e);
		t = e->thread;
		sched_pin(t);
		e->woken = true; /* e lives on the waiter's stack: last touch */
	} else {
		wake_batch(wq);
	}
	for (struct waitq_watch *w = wq->watches; w; w = w->next)
		w->notify(w);
	spin_unlock_irqrestore(&wq->lock, irq);
	return t;
}

void waitq_wake_all(struct waitq *wq)
{
	wake(wq, false);
}

struct thread *waitq_wake_take(struct waitq *wq)
{
	return wake(wq, true);
}

int waitq_watch(struct waitq *wq, struct waitq_watch *w, waitq_notify_fn *notify)
{
	w->notify = notify;
	uint64_t irq = spin_lock_irqsave(&wq->lock);
	if (wq->nwatches >= WAITQ_MAX_WATCHES) {
		spin_unlock_irqrestore(&wq->lock, irq);
		return ERR_NO_RESOURCES;
	}
	wq->nwatches++;
	w->next = wq->watches;
	w->pprev = &wq->watches;
	if (w->next)
		w->next->pprev = &w->next;
	wq->watches = w;
	spin_unlock_irqrestore(&wq->lock, irq);
	return 0;
}

void waitq_unwatch(struct waitq *wq, struct waitq_watch *w)
{
	uint64_t irq = spin_lock_irqsave(&wq->lock);
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	wq->nwatches--;
	spin_unlock_irqrestore(&wq->lock, irq);
}
