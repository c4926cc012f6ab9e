/*
 * waitq.h - wait queues: block until a condition holds, with a timeout.
 *
 * The waker changes the state its waiters test, then calls waitq_wake_all().
 * A waiter checks its condition under the queue lock before blocking, so a
 * wake-up can never slip between the check and the block. Waits end early
 * with ERR_INTERRUPTED when the thread is being killed (sched_kill_pending()).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <lib/spinlock.h>

struct thread;

struct waitq_entry {
	struct thread *thread;
	struct waitq_entry *next;
	bool woken;
};

struct waitq {
	struct spinlock lock;
	struct waitq_entry *head;
};

#define WAIT_FOREVER UINT64_MAX

void waitq_init(struct waitq *wq);
/*
 * Wait until cond(arg) is true (evaluated with wq->lock held, so it must be
 * cheap and must not take that lock). 0 when true, ERR_TIMED_OUT after
 * timeout_ns, ERR_INTERRUPTED if the thread is killed meanwhile.
 */
int waitq_wait(struct waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t timeout_ns);
/* Wake every waiter (they re-check their conditions). */
void waitq_wake_all(struct waitq *wq);
