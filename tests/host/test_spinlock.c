/*
 * test_spinlock.c - lib/spinlock.h on host threads, both ways of waiting.
 *
 * Mutual exclusion (a plain counter and a two-word invariant under the lock,
 * four threads), in ticket order, test-and-set, and with the mode flipped
 * while threads wait (waiters of both kinds on one lock word); the ticket
 * order itself (first to wait, first served; a trylock fails while tickets
 * queue); and that a test-and-set waiter holds no ticket, so a
 * running thread takes a freed lock at once. No timing: waits are on the lock
 * word's own state.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <cmocka.h>

static bool fair_mode = true;
#define HOST_SPIN_FAIR __atomic_load_n(&fair_mode, __ATOMIC_RELAXED)
#include <lib/spinlock.h>

#define THREADS 4
#define ROUNDS 200000

static struct spinlock lock = SPINLOCK_INIT;
static uint64_t counter; /* only under lock, deliberately not atomic */
static uint64_t pair_a, pair_b; /* equal whenever the lock is free */
static bool broken;
static volatile bool flipping;

static void set_fair(bool fair)
{
	__atomic_store_n(&fair_mode, fair, __ATOMIC_RELAXED);
}

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 7 == 0) {
			while (!spin_trylock(&lock))
				sched_yield();
		} else {
			spin_lock(&lock);
		}
		if (pair_a != pair_b)
			broken = true;
		pair_a++;
		counter++;
		pair_b++;
		spin_unlock(&lock);
	}
	return NULL;
}

static void *flipper(void *arg)
{
	(void)arg;
	bool fair = false;
	while (__atomic_load_n(&flipping, __ATOMIC_RELAXED)) {
		set_fair(fair);
		fair = !fair;
		sched_yield();
	}
	return NULL;
}

static void run_hammer(bool flip)
{
	pthread_t t[THREADS], f;
	counter = pair_a = pair_b = 0;
	broken = false;
	flipping = flip;
	if (flip)
		assert_int_equal(pthread_create(&f, NULL, flipper, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	if (flip) {
		flipping = false;
		pthread_join(f, NULL);
	}
	assert_false(broken);
	assert_int_equal(counter, (uint64_t)THREADS * ROUNDS);
	assert_false(spin_is_locked(&lock));
	assert_int_equal(lock.next, lock.owner);
}

static void test_exclusion_ticket(void **state)
{
	(void)state;
	set_fair(true);
	run_hammer(false);
}

static void test_exclusion_test_and_set(void **state)
{
	(void)state;
	set_fair(false);
	run_hammer(false);
	set_fair(true);
}

static void test_exclusion_mixed(void **state)
{
	(void)state;
	run_hammer(true);
	set_fair(true);
}

/* Waiters record the order they got the lock in. */
static int order[3], norder;

static void *waiter(void *arg)
{
	spin_lock(&lock);
	order[norder++] = (int)(intptr_t)arg;
	spin_unlock(&lock);
	return NULL;
}

static void wait_for_next(uint32_t next)
{
	while (__atomic_load_n(&lock.next, __ATOMIC_RELAXED) != next)
		sched_yield();
}

static void test_ticket_order(void **state)
{
	(void)state;
	set_fair(true);
	norder = 0;
	spin_lock(&lock);
	uint32_t base = lock.next;
	pthread_t t[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pthread_create(&t[i], NULL, waiter, (void *)(intptr_t)i), 0);
		wait_for_next(base + 1 + (uint32_t)i); /* waiter i holds its ticket */
	}
	/* queued waiters: the lock is not free to a trylock even between holders */
	assert_false(spin_trylock(&lock));
	spin_unlock(&lock);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(norder, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(order[i], i);
	assert_false(spin_is_locked(&lock));
}

static void *taker(void *arg)
{
	(void)arg;
	spin_lock(&lock);
	spin_unlock(&lock);
	return NULL;
}

static void test_test_and_set_holds_no_ticket(void **state)
{
	(void)state;
	set_fair(false);
	spin_lock(&lock);
	uint32_t held = lock.next;
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, taker, NULL), 0);
	for (int i = 0; i < 1000; i++)
		sched_yield();
	/* two waiters, and the word still says one holder and nobody queued */
	assert_int_equal(lock.next, held);
	assert_int_equal(lock.owner + 1, held);
	spin_unlock(&lock);
	/* and this thread, running, takes the freed lock whenever it finds it free */
	for (int i = 0; i < 1000; i++) {
		spin_lock(&lock);
		spin_unlock(&lock);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_false(spin_is_locked(&lock));
	set_fair(true);
}

static void test_trylock(void **state)
{
	(void)state;
	for (int fair = 0; fair < 2; fair++) {
		set_fair(fair);
		assert_true(spin_trylock(&lock));
		assert_true(spin_is_locked(&lock));
		assert_false(spin_trylock(&lock));
		spin_unlock(&lock);
		assert_false(spin_is_locked(&lock));
		uint64_t flags = spin_lock_irqsave(&lock);
		assert_false(spin_trylock(&lock));
		spin_unlock_irqrestore(&lock, flags);
	}
	set_fair(true);
}

/* Counters wrap: 2^32 acquisitions later the lock still works. */
static void test_wrap(void **state)
{
	(void)state;
	for (int fair = 0; fair < 2; fair++) {
		set_fair(fair);
		lock.next = lock.owner = UINT32_MAX - 1;
		for (int i = 0; i < 4; i++) {
			spin_lock(&lock);
			assert_true(spin_is_locked(&lock));
			spin_unlock(&lock);
		}
		assert_int_equal(lock.next, 2);
		assert_false(spin_is_locked(&lock));
	}
	set_fair(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exclusion_ticket),
	    cmocka_unit_test(test_exclusion_test_and_set),
	    cmocka_unit_test(test_exclusion_mixed),
	    cmocka_unit_test(test_ticket_order),
	    cmocka_unit_test(test_test_and_set_holds_no_ticket),
	    cmocka_unit_test(test_trylock),
	    cmocka_unit_test(test_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
