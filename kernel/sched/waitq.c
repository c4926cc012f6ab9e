/*
 * waitq.c - wait queues on top of sched_block()/sched_wake().
 *
 * A waiter links a stack-allocated entry into the queue under the lock,
 * arms its timeout, and blocks; waitq_wake_all() unlinks every entry, marks
 * it woken and wakes its thread, then runs the queue's watches (which stay
 * linked). sched_block() remembers a wake that arrives before the block, so
 * the order of unlock and block does not matter. Entries and watches are
 * doubly linked (pprev), so a waiter that timed out or a removed watch
 * leaves in O(1) with the lock held: no walk of other waiters.
 */
#include <abi/errors.h>
#include <sched/waitq.h>
#include <sched/sched.h>
#include <lib/compiler.h>
#include <stddef.h>
#include <time/clock.h>

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock);
	wq->head = NULL;
	wq->watches = NULL;
	wq->nwatches = 0;
}

static void unlink(struct waitq_entry *e)
{
	*e->pprev = e->next;
	if (e->next)
		e->next->pprev = e->pprev;
}

static void timeout_fired(struct timer_event *ev)
{
	sched_wake(container_of(ev, struct thread, sleep_timer));
}

int waitq_wait(struct waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t timeout_ns)
{
	struct thread *self = sched_current();
	uint64_t deadline =
	    timeout_ns == WAIT_FOREVER ? UINT64_MAX : clock_monotonic_ns() + timeout_ns;
	if (deadline < timeout_ns)
		deadline = UINT64_MAX;
	for (;;) {
		struct waitq_entry e = {self, NULL, NULL, false};
		uint64_t irq = spin_lock_irqsave(&wq->lock);
		if (cond(arg)) {
			spin_unlock_irqrestore(&wq->lock, irq);
			return 0;
		}
		if (sched_kill_pending(self)) {
			spin_unlock_irqrestore(&wq->lock, irq);
			return ERR_INTERRUPTED;
		}
		uint64_t now = clock_monotonic_ns();
		if (now >= deadline) {
			spin_unlock_irqrestore(&wq->lock, irq);
			return ERR_TIMED_OUT;
		}
		e.next = wq->head;
		e.pprev = &wq->head;
		if (e.next)
			e.next->pprev = &e.next;
		// cppcheck-suppress autoVariables ; unlinked before this frame returns
		wq->head = &e;
		spin_unlock_irqrestore(&wq->lock, irq);
		/* the timer is per CPU and we never migrate: arm and cancel here */
		bool timed = deadline != UINT64_MAX;
		if (timed)
			timer_event_arm(&self->sleep_timer, deadline, timeout_fired);
		sched_block();
		if (timed)
			timer_event_cancel(&self->sleep_timer);
		irq = spin_lock_irqsave(&wq->lock);
		if (!e.woken)
			unlink(&e);
		spin_unlock_irqrestore(&wq->lock, irq);
	}
}

void waitq_wake_all(struct waitq *wq)
{
	uint64_t irq = spin_lock_irqsave(&wq->lock);
	struct waitq_entry *e = wq->head;
	wq->head = NULL;
	while (e) {
		struct waitq_entry *next = e->next;
		struct thread *t = e->thread;
		e->woken = true; /* e lives on the waiter's stack: last touch */
		sched_wake(t);
		e = next;
	}
	for (struct waitq_watch *w = wq->watches; w; w = w->next)
		w->notify(w);
	spin_unlock_irqrestore(&wq->lock, irq);
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
