/*
 * semaphore.c - POSIX unnamed semaphores (semaphore.h) on the futex hooks.
 *
 * The count is the futex word. A taker decrements it with a compare-and-swap while it
 * is above 0; at 0 it counts itself in __waiters and sleeps while the count is still
 * 0. A poster increments the count and wakes one sleeper if __waiters says there may
 * be one. Both sides use sequentially consistent atomics (a waiter's increment of
 * __waiters before its futex reads the count; a poster's increment of the count before
 * it reads __waiters), so either the poster sees the waiter or the waiter's futex sees
 * the new count and does not sleep: no post is lost.
 */
#include <semaphore.h>

#include <errno.h>

#include <abi/errors.h>

#include "lock.h"

static int fail(int err)
{
	errno = err;
	return -1;
}

int sem_init(sem_t *sem, int pshared, unsigned value)
{
	(void)pshared;
	if (value > SEM_VALUE_MAX)
		return fail(EINVAL);
	sem->__value = value;
	sem->__waiters = 0;
	return 0;
}

int sem_destroy(sem_t *sem)
{
	(void)sem;
	return 0;
}

/* Take one if the count is above 0: 1, else 0. */
static int take(sem_t *sem)
{
	uint32_t v = __atomic_load_n(&sem->__value, __ATOMIC_RELAXED);
	while (v > 0)
		if (__atomic_compare_exchange_n(&sem->__value, &v, v - 1, 0, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED))
			return 1;
	return 0;
}

/* Take one, waiting until deadline (CLOCK_MONOTONIC ns; UINT64_MAX: forever). */
static int sem_wait_until(sem_t *sem, uint64_t deadline)
{
	while (!take(sem)) {
		uint64_t timeout = UINT64_MAX;
		if (deadline != UINT64_MAX) {
			uint64_t now = (uint64_t)__libc_clock_ns(CLOCK_MONOTONIC);
			if (now >= deadline)
				return fail(ETIMEDOUT);
			timeout = deadline - now;
		}
		__atomic_fetch_add(&sem->__waiters, 1, __ATOMIC_SEQ_CST);
		long r = __libc_futex_wait(&sem->__value, 0, timeout);
		__atomic_fetch_sub(&sem->__waiters, 1, __ATOMIC_SEQ_CST);
		if (r == ERR_INTERRUPTED)
			return fail(EINTR);
	}
	return 0;
}

int sem_wait(sem_t *sem)
{
	return sem_wait_until(sem, UINT64_MAX);
}

int sem_trywait(sem_t *sem)
{
	return take(sem) ? 0 : fail(EAGAIN);
}

int sem_timedwait(sem_t *sem, const struct timespec *abstime)
{
	if (take(sem))
		return 0; /* POSIX: abstime is not checked when the wait need not block */
	uint64_t ns;
	int err = __libc_timeout_ns(CLOCK_REALTIME, abstime, &ns);
	if (err)
		return fail(err);
	uint64_t now = (uint64_t)__libc_clock_ns(CLOCK_MONOTONIC);
	return sem_wait_until(sem, ns > UINT64_MAX - 1 - now ? UINT64_MAX : now + ns);
}

int sem_post(sem_t *sem)
{
	uint32_t v = __atomic_load_n(&sem->__value, __ATOMIC_RELAXED);
	do {
		if (v >= SEM_VALUE_MAX)
			return fail(EOVERFLOW);
	} while (!__atomic_compare_exchange_n(&sem->__value, &v, v + 1, 0, __ATOMIC_SEQ_CST,
	                                      __ATOMIC_RELAXED));
	if (__atomic_load_n(&sem->__waiters, __ATOMIC_SEQ_CST))
		__libc_futex_wake(&sem->__value, 1);
	return 0;
}

int sem_getvalue(sem_t *sem, int *value)
{
	*value = (int)__atomic_load_n(&sem->__value, __ATOMIC_RELAXED);
	return 0;
}
