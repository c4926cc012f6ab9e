/*
 * libc_thread_fake.c - the futex and thread hooks of user/lib/libc/sys_hooks.h
 * (renamed cl___libc_futex_*, cl___libc_thread_*) over the host's own: Linux futexes
 * and glibc threads running on the stacks the libc hands over, so the libc's
 * pthread.c and semaphore.c run with real concurrency in the host tests.
 */
#define _GNU_SOURCE
#include "libc_cl.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <abi/errors.h>

long cl___libc_futex_wait(volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	struct timespec ts, *tp = NULL;
	if (timeout_ns != UINT64_MAX) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000u);
		ts.tv_nsec = (long)(timeout_ns % 1000000000u);
		tp = &ts;
	}
	if (syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, tp, NULL, 0) == 0)
		return 0;
	return errno == EAGAIN      ? ERR_SHOULD_WAIT
	       : errno == ETIMEDOUT ? ERR_TIMED_OUT
	       : errno == EINTR     ? 0
	                            : ERR_BAD_ADDRESS;
}

long cl___libc_futex_wake(volatile uint32_t *addr, uint64_t n)
{
	return syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n > INT_MAX ? INT_MAX : (int)n, NULL,
	               NULL, 0);
}

#define MAX_THREADS 64

static struct host_thread {
	pthread_t t;
	int (*fn)(void *);
	void *arg;
	int used, joined;
} host_threads[MAX_THREADS];
static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;

static void *host_start(void *p)
{
	struct host_thread *h = p;
	h->fn(h->arg);
	return NULL;
}

long cl___libc_thread_start(int (*fn)(void *), void *arg, void *stack, unsigned long size,
                            handle_t *out)
{
	pthread_mutex_lock(&host_lock);
	unsigned i = 0;
	while (i < MAX_THREADS && host_threads[i].used)
		i++;
	if (i == MAX_THREADS) {
		pthread_mutex_unlock(&host_lock);
		return ERR_NO_RESOURCES;
	}
	struct host_thread *h = &host_threads[i];
	*h = (struct host_thread){.fn = fn, .arg = arg, .used = 1};
	pthread_mutex_unlock(&host_lock);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	int err = pthread_attr_setstack(&attr, stack, size);
	if (!err)
		err = pthread_create(&h->t, &attr, host_start, h);
	pthread_attr_destroy(&attr);
	if (err) {
		h->used = 0;
		return ERR_INVALID_ARGS;
	}
	*out = i + 1;
	return 0;
}

long cl___libc_thread_wait(handle_t t, uint64_t timeout_ns)
{
	struct host_thread *h = &host_threads[t - 1];
	if (h->joined)
		return 0;
	int err = timeout_ns == 0 ? pthread_tryjoin_np(h->t, NULL) : pthread_join(h->t, NULL);
	if (err)
		return ERR_TIMED_OUT;
	h->joined = 1;
	return 0;
}

void cl___libc_thread_release(handle_t t)
{
	pthread_mutex_lock(&host_lock);
	host_threads[t - 1].used = 0;
	pthread_mutex_unlock(&host_lock);
}

void cl___libc_thread_exit(void)
{
	pthread_exit(NULL);
}
