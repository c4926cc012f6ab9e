/*
 * futex.c - wait and wake on a word of user memory, keyed by memory object
 * and offset (futex.h).
 *
 * Protocol. A waiter links an entry on its own stack into its key's bucket,
 * under the bucket's lock, and only then reads the word (with no lock held:
 * the read may fault into a user pager). A waker changes the word first and
 * then takes the bucket's lock. So either the waker's walk finds the entry,
 * or the waker took the lock before the waiter did and its change of the
 * word is visible to the waiter's read (the lock orders both): a wake-up
 * that follows a change is never lost. A waiter that finds the word changed
 * unlinks itself and returns ERR_SHOULD_WAIT, unless a waker took it
 * meanwhile: then it returns 0, so the wake-up it consumed counts.
 *
 * Sleeping. Each entry carries a wait queue of its own; the waiter sleeps
 * on it with waitq_wait() (which brings the timeout and the kill check),
 * until `woken` is set. A waker unlinks the entry, sets woken and wakes the
 * entry's queue, all under the bucket's lock; the waiter takes that lock
 * once more before it returns (to unlink itself if nobody woke it), so no
 * waker can touch an entry whose frame is gone. A killed or timed-out
 * waiter leaves nothing behind.
 *
 * Bounded work: futex_wake() wakes at most FUTEX_WAKE_BATCH waiters per hold
 * of the lock and lets it go (interrupts on, preemptible) between batches.
 * A bucket holds only threads blocked in futex_wait(), each paid for by its
 * process, and the table is static: nothing here allocates.
 */
#include <sched/futex.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/spinlock.h>
#include <mm/uaccess.h>
#include <sched/waitq.h>
#include <stdbool.h>

struct futex_link {
	struct futex_link *next, *prev; /* circular through the bucket's head */
};

struct futex_waiter {
	struct futex_link link; /* in its bucket while queued */
	struct futex_key key;
	bool woken; /* a waker unlinked it (under the bucket lock) */
	struct waitq wq; /* where the waiter sleeps */
};

struct futex_bucket {
	struct spinlock lock;
	struct futex_link head; /* zero until first used: set up under the lock */
	uint64_t pad;
};

static struct futex_bucket futex_table[FUTEX_BUCKETS];

static struct futex_bucket *bucket_of(struct futex_key key)
{
	uint64_t h = key.object * UINT64_C(0x9e3779b97f4a7c15) ^ (key.offset >> 2);
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return &futex_table[(h >> 32) % FUTEX_BUCKETS];
}

static uint64_t bucket_lock(struct futex_bucket *b)
{
	uint64_t irq = spin_lock_irqsave(&b->lock);
	if (!b->head.next)
		b->head.next = b->head.prev = &b->head;
	return irq;
}

static bool same_key(struct futex_key a, struct futex_key b)
{
	return a.object == b.object && a.offset == b.offset;
}

static void unlink(struct futex_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
}

static bool waiter_woken(void *arg)
{
	struct futex_waiter *w = arg;
	return __atomic_load_n(&w->woken, __ATOMIC_ACQUIRE);
}

int futex_wait(struct futex_key key, uint64_t uaddr, uint32_t expected, uint64_t timeout_ns)
{
	struct futex_bucket *b = bucket_of(key);
	struct futex_waiter w = {.key = key};
	waitq_init(&w.wq);

	uint64_t irq = bucket_lock(b);
	// cppcheck-suppress autoVariables ; unlinked before this frame returns
	w.link.prev = b->head.prev; /* at the tail: wakes go oldest first */
	w.link.next = &b->head;
	b->head.prev->next = &w.link;
	b->head.prev = &w.link;
	spin_unlock_irqrestore(&b->lock, irq);

	uint32_t val;
	int r = copy_from_user(&val, uaddr, sizeof(val));
	if (!r && val != expected)
		r = ERR_SHOULD_WAIT;
	if (!r)
		r = waitq_wait(&w.wq, waiter_woken, &w, timeout_ns);

	irq = bucket_lock(b);
	if (w.woken)
		r = 0; /* a waker took us: its wake-up is ours, whatever else happened */
	else
		unlink(&w.link);
	spin_unlock_irqrestore(&b->lock, irq);
	return r;
}

uint64_t futex_wake(struct futex_key key, uint64_t n)
{
	struct futex_bucket *b = bucket_of(key);
	uint64_t done = 0;
	bool more = true;
	while (more && done < n) {
		more = false;
		unsigned batch = 0;
		uint64_t irq = bucket_lock(b);
		for (struct futex_link *l = b->head.next, *next; l != &b->head; l = next) {
			next = l->next;
			struct futex_waiter *w = container_of(l, struct futex_waiter, link);
			if (!same_key(w->key, key))
				continue;
			if (done == n)
				break;
			if (batch == FUTEX_WAKE_BATCH) {
				more = true; /* let the lock go, then go on */
				break;
			}
			unlink(l);
			__atomic_store_n(&w->woken, true, __ATOMIC_RELEASE);
			waitq_wake_all(&w->wq); /* the waiter retakes our lock before it leaves */
			done++;
			batch++;
		}
		spin_unlock_irqrestore(&b->lock, irq);
	}
	return done;
}
