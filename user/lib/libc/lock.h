/*
 * lock.h - the libc's own lock: a futex word in three states (0 unlocked, 1 locked,
 * 2 locked and maybe contended), the classic design: an uncontended lock and unlock
 * are one atomic instruction each and make no system call; a thread that finds the
 * lock taken marks it contended (2) and sleeps on the word; an unlock that finds it
 * contended resets it to 0 and wakes one sleeper, which takes it as contended again
 * (it cannot know whether others still sleep). pthread_mutex_t and malloc's lock use
 * it; pthread.c and semaphore.c say how they build on it.
 */
#pragma once

#include <stdint.h>
#include <time.h>

#include "sys_hooks.h"

#define LIBC_LOCK_FREE 0u
#define LIBC_LOCK_HELD 1u
#define LIBC_LOCK_CONTENDED 2u

/* Take *l when another thread may hold it: sleep until it is ours, marked contended. */
static inline void libc_lock_contended(volatile uint32_t *l)
{
	while (__atomic_exchange_n(l, LIBC_LOCK_CONTENDED, __ATOMIC_ACQUIRE) != LIBC_LOCK_FREE)
		__libc_futex_wait(l, LIBC_LOCK_CONTENDED, UINT64_MAX);
}

static inline void libc_lock(volatile uint32_t *l)
{
	uint32_t c = LIBC_LOCK_FREE;
	if (!__atomic_compare_exchange_n(l, &c, LIBC_LOCK_HELD, 0, __ATOMIC_ACQUIRE,
	                                 __ATOMIC_RELAXED))
		libc_lock_contended(l);
}

/* 1 if *l was free and is now ours, 0 if it is held. */
static inline int libc_trylock(volatile uint32_t *l)
{
	uint32_t c = LIBC_LOCK_FREE;
	return __atomic_compare_exchange_n(l, &c, LIBC_LOCK_HELD, 0, __ATOMIC_ACQUIRE,
	                                   __ATOMIC_RELAXED);
}

static inline void libc_unlock(volatile uint32_t *l)
{
	if (__atomic_exchange_n(l, LIBC_LOCK_FREE, __ATOMIC_RELEASE) == LIBC_LOCK_CONTENDED)
		__libc_futex_wake(l, 1);
}

/*
 * The deadline abstime on clock as nanoseconds from now in *out (0 when it has passed,
 * UINT64_MAX when it is beyond any clock): 0, or EINVAL (no abstime, or a tv_nsec
 * outside 0..999,999,999). pthread.c; semaphore.c uses it too.
 */
int __libc_timeout_ns(clockid_t clock, const struct timespec *abstime, uint64_t *out);
