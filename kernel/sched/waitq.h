/*
 * waitq.h - wait queues: block until a condition holds, with a timeout.
 *
 * The waker changes the state its waiters test, then calls waitq_wake_all().
 * A waiter checks its condition under the queue lock before blocking, so a
 * wake-up can never slip between the check and the block. Waits end early
 * with ERR_INTERRUPTED when the thread is being killed (sched_kill_pending()).
 *
 * A queue can also carry watches: callbacks (a waitset's members) run by
 * every waitq_wake_all() and left in place. A queue holds at most
 * WAITQ_MAX_WATCHES of them, so the work a wake-up does with interrupts off
 * is bounded: its sleeping threads plus that many callbacks.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <lib/spinlock.h>

struct thread;

struct waitq_entry {
	struct thread *thread;
	struct waitq_entry *next, **pprev; /* pprev: the pointer to us (O(1) unlink) */
	bool woken;
};

struct waitq_watch;
typedef void waitq_notify_fn(struct waitq_watch *w);

struct waitq_watch {
	waitq_notify_fn *notify; /* called under the queue's lock, interrupts off */
	struct waitq_watch *next, **pprev;
};

struct waitq {
	struct spinlock lock;
	struct waitq_entry *head;
	struct waitq_watch *watches;
	uint32_t nwatches;
};

#define WAIT_FOREVER UINT64_MAX
#define WAITQ_MAX_WATCHES 64u

void waitq_init(struct waitq *wq);
/*
 * Wait until cond(arg) is true (evaluated with wq->lock held, so it must be
 * cheap and must not take that lock). 0 when true, ERR_TIMED_OUT after
 * timeout_ns, ERR_INTERRUPTED if the thread is killed meanwhile.
 */
int waitq_wait(struct waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t timeout_ns);
/* Wake every waiter (they re-check their conditions) and run every watch. */
void waitq_wake_all(struct waitq *wq);
/*
 * Link w so that notify(w) runs on each wake-up of wq until waitq_unwatch().
 * notify may take other locks (after wq->lock) but never wq->lock.
 * ERR_NO_RESOURCES when wq already has WAITQ_MAX_WATCHES watches.
 */
int waitq_watch(struct waitq *wq, struct waitq_watch *w, waitq_notify_fn *notify);
/* Unlink w; when this returns, w's notify is not running and will not run. */
void waitq_unwatch(struct waitq *wq, struct waitq_watch *w);
