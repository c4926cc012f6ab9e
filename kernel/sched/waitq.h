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
 * WAITQ_MAX_WATCHES of them.
 *
 * waitq_wake_all() does bounded work with interrupts off, whatever the number
 * of waiters (it may be called under other spinlocks): it wakes at most
 * WAITQ_WAKE_BATCH of them and runs the watches; the woken waiters wake the
 * rest, a batch each (waitq.c).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <lib/spinlock.h>

struct thread;

/* A waiting thread (on its stack), or one of a queue's two list heads. */
struct waitq_entry {
	struct thread *thread;
	struct waitq_entry *next, *prev; /* circular through the list head: O(1) unlink */
	bool woken; /* unlinked and woken: the waker's last touch */
	bool relay; /* woken to wake the next batch of wq->waking */
};

struct waitq_watch;
typedef void waitq_notify_fn(struct waitq_watch *w);

struct waitq_watch {
	waitq_notify_fn *notify; /* called under the queue's lock, interrupts off */
	struct waitq_watch *next, **pprev;
};

struct waitq {
	struct spinlock lock;
	struct waitq_entry waiting; /* list head: threads that wait, newest first */
	struct waitq_entry waking; /* list head: waiters a wake-up has yet to wake */
	bool relaying; /* a woken waiter (relay) will wake the next batch of waking */
	struct waitq_watch *watches;
	uint32_t nwatches;
};

#define WAIT_FOREVER UINT64_MAX
#define WAITQ_MAX_WATCHES 64u
/* Waiters one waitq_wake_all(), or one woken waiter, wakes in one hold of the lock. */
#define WAITQ_WAKE_BATCH 16u

void waitq_init(struct waitq *wq);
/*
 * Wait until cond(arg) is true (evaluated with wq->lock held, so it must be
 * cheap and must not take that lock). 0 when true, ERR_TIMED_OUT after
 * timeout_ns, ERR_INTERRUPTED if the thread is killed meanwhile.
 */
int waitq_wait(struct waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t timeout_ns);
/*
 * waitq_wait(), and run (a pinned thread taken off a wait by
 * waitq_wake_take() or kbus_reply_run(), not yet made runnable; or NULL) is
 * woken and unpinned by this call: if we block, the CPU goes straight to it
 * (sched_switch_to()), else it is simply woken.
 */
int waitq_wait_run(struct waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t timeout_ns,
                   struct thread *run);
/*
 * Wake every waiter (they re-check their conditions) and run every watch.
 * Waiters beyond the first WAITQ_WAKE_BATCH are woken by those, so they may
 * run a little later, never not at all. Any lock but wq->lock may be held.
 */
void waitq_wake_all(struct waitq *wq);
/*
 * waitq_wake_all(), but when the wake-up is for exactly one waiter, that
 * waiter is taken off the queue as woken and returned instead of made
 * runnable: the caller, about to block, must hand it the CPU or wake it
 * (sched_switch_to() or sched_wake(), e.g. through waitq_wait_run()) before
 * it blocks or returns to user mode, then sched_unpin() it (it is pinned:
 * sched_pin()). NULL when it woke everyone itself.
 */
struct thread *waitq_wake_take(struct waitq *wq);
/*
 * Link w so that notify(w) runs on each wake-up of wq until waitq_unwatch().
 * notify may take other locks (after wq->lock) but never wq->lock.
 * ERR_NO_RESOURCES when wq already has WAITQ_MAX_WATCHES watches.
 */
int waitq_watch(struct waitq *wq, struct waitq_watch *w, waitq_notify_fn *notify);
/* Unlink w; when this returns, w's notify is not running and will not run. */
void waitq_unwatch(struct waitq *wq, struct waitq_watch *w);
