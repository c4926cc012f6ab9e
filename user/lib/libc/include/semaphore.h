/*
 * semaphore.h - POSIX unnamed semaphores (semaphore.c) on the system's futexes.
 *
 * A semaphore in memory that several processes map works between them too (pshared
 * may be either value). Named semaphores (sem_open) are not provided. The functions
 * return 0, or -1 with errno set (errno is one per process: pthread.h).
 */
#pragma once

#include <stdint.h>
#include <time.h>

#define SEM_VALUE_MAX 0x7fffffff

typedef struct {
	volatile uint32_t __value; /* the count: the futex word */
	volatile uint32_t __waiters; /* threads that may sleep on it */
} sem_t;

/* EINVAL: value above SEM_VALUE_MAX. */
int sem_init(sem_t *sem, int pshared, unsigned value);
int sem_destroy(sem_t *sem);
/* Take one, waiting while there is none. */
int sem_wait(sem_t *sem);
/* Take one if there is one: EAGAIN otherwise. */
int sem_trywait(sem_t *sem);
/* sem_wait until abstime (CLOCK_REALTIME): ETIMEDOUT; EINVAL for a bad tv_nsec. */
int sem_timedwait(sem_t *sem, const struct timespec *abstime);
/* Give one back, waking a waiter: EOVERFLOW at SEM_VALUE_MAX. */
int sem_post(sem_t *sem);
int sem_getvalue(sem_t *sem, int *value);
