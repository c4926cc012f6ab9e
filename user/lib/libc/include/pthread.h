/*
 * pthread.h - POSIX threads, mutexes, condition variables and once (pthread.c).
 *
 * Built on the system's futexes (abi/sched.h) and its threads. What there is:
 *   - threads: create (attributes: stack size, detached), join, detach, self, equal,
 *     exit. A thread's stack comes from malloc (PTHREAD_STACK_DEFAULT bytes unless the
 *     attribute says otherwise).
 *   - mutexes: the normal kind only (no recursive or error-checking kinds: their
 *     attributes are refused with EINVAL); lock, trylock, unlock. Unlocking a mutex one
 *     does not hold is undefined, as POSIX says for the normal kind.
 *   - condition variables: wait, timedwait (CLOCK_REALTIME, or CLOCK_MONOTONIC chosen
 *     with pthread_condattr_setclock), signal, broadcast.
 *   - pthread_once.
 * Mutexes, condition variables and semaphores also work between processes that map the
 * same memory (the futex is keyed by the memory object), whatever the pshared
 * attribute says.
 * errno is one per process, not per thread; the pthread_* functions return their error
 * numbers and never touch it. stdio is not thread-safe (one thread at a time per
 * stream); malloc is.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PTHREAD_STACK_MIN 4096u
#define PTHREAD_STACK_DEFAULT (64u * 1024u)

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1

#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL

#define PTHREAD_PROCESS_PRIVATE 0
#define PTHREAD_PROCESS_SHARED 1

typedef struct __pthread *pthread_t;

typedef struct {
	size_t stacksize;
	int detachstate;
} pthread_attr_t;

typedef struct {
	volatile uint32_t __state; /* lock.h's three states */
} pthread_mutex_t;

typedef struct {
	int __type;
} pthread_mutexattr_t;

typedef struct {
	volatile uint32_t __seq; /* bumped by every signal and broadcast: the futex word */
	int __clock; /* CLOCK_* of timedwait's deadline */
} pthread_cond_t;

typedef struct {
	int __clock;
} pthread_condattr_t;

typedef struct {
	volatile uint32_t __state; /* 0 not run, 1 running, 2 done */
} pthread_once_t;

#define PTHREAD_MUTEX_INITIALIZER \
	{                         \
		0                 \
	}
#define PTHREAD_COND_INITIALIZER  \
	{                         \
		0, CLOCK_REALTIME \
	}
#define PTHREAD_ONCE_INIT \
	{                 \
		0         \
	}

/* Threads. Each returns 0 or an error number (EAGAIN: no memory or no thread; EINVAL:
 * a bad argument, or join/detach of a detached thread or one being joined; ESRCH: not a
 * thread of ours, or one already joined; EDEADLK: joining oneself). */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int pthread_join(pthread_t thread, void **ret);
int pthread_detach(pthread_t thread);
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);
void pthread_exit(void *ret) __attribute__((noreturn));

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);

/* Mutexes. trylock: EBUSY when held; destroy: EBUSY when held. */
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);
int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared);

/* Condition variables. timedwait: ETIMEDOUT at the deadline (the mutex held again);
 * EINVAL for a tv_nsec outside 0..999,999,999. */
int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);
int pthread_condattr_init(pthread_condattr_t *attr);
int pthread_condattr_destroy(pthread_condattr_t *attr);
int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock);
int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clock);
int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared);

/* Run fn once, however many threads call this at once; all return after it ran. */
int pthread_once(pthread_once_t *once, void (*fn)(void));
