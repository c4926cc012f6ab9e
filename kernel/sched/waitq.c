/*
 * waitq.c - wait queues on top of sched_block()/sched_wake().
 *
 * A waiter links a stack-allocated entry into the queue under the lock,
 * arms its timeout, and blocks; waitq_wake_all() unlinks every entry, marks
 * it woken and wakes its thread. sched_block() remembers a wake that arrives
 * before the block, so the order of unlock and block does not matter.
 */
#include <sched/waitq.h>
#include <sched/sched.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <stddef.h>
#include <time/clock.h>

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock);
	wq->head = NULL;
}

static void unlink(struct waitq *wq, struct waitq_entry *e)
{
	for (struct waitq_entry **pp = &wq->head; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			return;
		}
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
		struct waitq_entry e = {self, NULL, false};
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
			unlink(wq, &e);
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
	spin_unlock_irqrestore(&wq->lock, irq);
}
