/*
 * test_libc_pthread.c - host tests of the user-space C library's threads, mutexes,
 * condition variables, once and semaphores (user/lib/libc/pthread.c, semaphore.c),
 * running on the host's futexes and threads (libc_thread_fake.c), so the locking is
 * tested with real concurrency: exact counts under contention, no lost wake-ups.
 *
 * The fake clocks stand still (libc_hooks.c), so deadlines are either in the past or a
 * fixed distance ahead of the frozen "now": a wait for them is one futex wait.
 */
#define _GNU_SOURCE
#include "libc_cl.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define NTHREADS 4
#define INCREMENTS 20000

static cl_pthread_mutex_t mutex;
static long counter;

static void *add_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCREMENTS; i++) {
		cl_pthread_mutex_lock(&mutex);
		long v = counter; /* a plain read-modify-write: only the mutex keeps it exact */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		counter = v + 1;
		cl_pthread_mutex_unlock(&mutex);
	}
	return (void *)(intptr_t)7;
}

static void test_mutex_counter(void **state)
{
	(void)state;
	cl_pthread_t t[NTHREADS];
	assert_int_equal(cl_pthread_mutex_init(&mutex, NULL), 0);
	counter = 0;
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(cl_pthread_create(&t[i], NULL, add_many, NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		assert_int_equal(cl_pthread_join(t[i], &ret), 0);
		assert_int_equal((intptr_t)ret, 7);
	}
	assert_int_equal(counter, NTHREADS * INCREMENTS);
	assert_int_equal(mutex.state, 0);
	assert_int_equal(cl_pthread_mutex_destroy(&mutex), 0);
}

static void test_trylock(void **state)
{
	(void)state;
	cl_pthread_mutex_t m = {0};
	assert_int_equal(cl_pthread_mutex_trylock(&m), 0);
	assert_int_equal(cl_pthread_mutex_trylock(&m), EBUSY);
	assert_int_equal(cl_pthread_mutex_destroy(&m), EBUSY);
	assert_int_equal(cl_pthread_mutex_unlock(&m), 0);
	assert_int_equal(cl_pthread_mutex_destroy(&m), 0);
}

/* A bounded queue: a producer and two consumers. */
#define QCAP 4
#define ITEMS 5000
static struct {
	cl_pthread_mutex_t m;
	cl_pthread_cond_t not_empty, not_full;
	int buf[QCAP];
	unsigned head, count;
	long sum;
	int done;
} q;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= ITEMS; i++) {
		cl_pthread_mutex_lock(&q.m);
		while (q.count == QCAP)
			cl_pthread_cond_wait(&q.not_full, &q.m);
		q.buf[(q.head + q.count++) % QCAP] = i;
		cl_pthread_cond_signal(&q.not_empty);
		cl_pthread_mutex_unlock(&q.m);
	}
	cl_pthread_mutex_lock(&q.m);
	q.done = 1;
	cl_pthread_cond_broadcast(&q.not_empty);
	cl_pthread_mutex_unlock(&q.m);
	return NULL;
}

static void *consumer(void *arg)
{
	long mine = 0;
	(void)arg;
	for (;;) {
		cl_pthread_mutex_lock(&q.m);
		while (q.count == 0 && !q.done)
			cl_pthread_cond_wait(&q.not_empty, &q.m);
		if (q.count == 0) {
			cl_pthread_mutex_unlock(&q.m);
			break;
		}
		int v = q.buf[q.head];
		q.head = (q.head + 1) % QCAP;
		q.count--;
		q.sum += v;
		mine++;
		cl_pthread_cond_signal(&q.not_full);
		cl_pthread_mutex_unlock(&q.m);
	}
	return (void *)(intptr_t)mine;
}

static void test_condvar_queue(void **state)
{
	(void)state;
	cl_pthread_t p, c[2];
	cl_pthread_mutex_init(&q.m, NULL);
	cl_pthread_cond_init(&q.not_empty, NULL);
	cl_pthread_cond_init(&q.not_full, NULL);
	assert_int_equal(cl_pthread_create(&c[0], NULL, consumer, NULL), 0);
	assert_int_equal(cl_pthread_create(&c[1], NULL, consumer, NULL), 0);
	assert_int_equal(cl_pthread_create(&p, NULL, producer, NULL), 0);
	void *n0, *n1;
	assert_int_equal(cl_pthread_join(p, NULL), 0);
	assert_int_equal(cl_pthread_join(c[0], &n0), 0);
	assert_int_equal(cl_pthread_join(c[1], &n1), 0);
	assert_int_equal((intptr_t)n0 + (intptr_t)n1, ITEMS);
	assert_int_equal(q.sum, (long)ITEMS * (ITEMS + 1) / 2);
}

static void test_cond_timedwait(void **state)
{
	(void)state;
	cl_pthread_mutex_t m = {0};
	cl_pthread_cond_t c;
	cl_pthread_cond_init(&c, NULL);
	struct cl_timespec past = {FAKE_REALTIME / 1000000000 - 1, 0};
	struct cl_timespec soon = {FAKE_REALTIME / 1000000000,
	                           FAKE_REALTIME % 1000000000 + 1000000};
	struct cl_timespec bad = {FAKE_REALTIME / 1000000000 + 1, 1000000000};
	cl_pthread_mutex_lock(&m);
	assert_int_equal(cl_pthread_cond_timedwait(&c, &m, &past), ETIMEDOUT);
	assert_int_equal(cl_pthread_cond_timedwait(&c, &m, &bad), EINVAL);
	/* the futex wait times out for real (1 ms); spurious wake-ups are allowed */
	int r;
	do
		r = cl_pthread_cond_timedwait(&c, &m, &soon);
	while (r == 0);
	assert_int_equal(r, ETIMEDOUT);
	assert_int_equal(cl_pthread_mutex_trylock(&m), EBUSY); /* held again */
	cl_pthread_mutex_unlock(&m);
}

static cl_pthread_once_t once = {0};
static int once_runs;
static void once_fn(void)
{
	__atomic_fetch_add(&once_runs, 1, __ATOMIC_RELAXED);
}

static void *call_once(void *arg)
{
	(void)arg;
	cl_pthread_once(&once, once_fn);
	return (void *)(intptr_t)__atomic_load_n(&once_runs, __ATOMIC_RELAXED);
}

static void test_once(void **state)
{
	(void)state;
	cl_pthread_t t[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(cl_pthread_create(&t[i], NULL, call_once, NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		void *seen;
		assert_int_equal(cl_pthread_join(t[i], &seen), 0);
		assert_int_equal((intptr_t)seen, 1); /* it had run when once returned */
	}
	assert_int_equal(once_runs, 1);
}

static cl_pthread_t seen_self;
static void *exit_early(void *arg)
{
	seen_self = cl_pthread_self();
	cl_pthread_exit(arg);
}

static void test_threads(void **state)
{
	(void)state;
	cl_pthread_t t;
	void *ret = NULL;
	assert_int_equal(cl_pthread_create(&t, NULL, exit_early, (void *)(intptr_t)42), 0);
	assert_int_equal(cl_pthread_join(t, &ret), 0);
	assert_int_equal((intptr_t)ret, 42);
	assert_ptr_equal(seen_self, t);
	assert_int_equal(cl_pthread_join(t, NULL), ESRCH);
	assert_int_equal(cl_pthread_join(cl_pthread_self(), NULL), EDEADLK);
	/* detached threads are freed by later creates and joins */
	cl_pthread_attr_t attr;
	cl_pthread_attr_init(&attr);
	assert_int_equal(cl_pthread_attr_setdetachstate(&attr, CL_PTHREAD_CREATE_DETACHED), 0);
	assert_int_equal(cl_pthread_attr_setstacksize(&attr, 1), EINVAL);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(cl_pthread_create(&t, &attr, exit_early, NULL), 0);
		int r = cl_pthread_detach(t); /* EINVAL while it runs, ESRCH once it ended */
		assert_true(r == EINVAL || r == ESRCH);
	}
	assert_int_equal(cl_pthread_create(&t, NULL, exit_early, NULL), 0);
	assert_int_equal(cl_pthread_detach(t), 0);
}

static cl_sem_t sem;
static void *post_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCREMENTS; i++)
		cl_sem_post(&sem);
	return NULL;
}

static void test_semaphore(void **state)
{
	(void)state;
	int v;
	assert_int_equal(cl_sem_init(&sem, 0, 0x80000000u), -1);
	assert_int_equal(cl_errno, EINVAL);
	assert_int_equal(cl_sem_init(&sem, 0, 1), 0);
	assert_int_equal(cl_sem_trywait(&sem), 0);
	assert_int_equal(cl_sem_trywait(&sem), -1);
	assert_int_equal(cl_errno, EAGAIN);
	struct cl_timespec past = {0, 0}, bad = {FAKE_REALTIME / 1000000000 + 1, -1};
	assert_int_equal(cl_sem_timedwait(&sem, &past), -1);
	assert_int_equal(cl_errno, ETIMEDOUT);
	assert_int_equal(cl_sem_timedwait(&sem, &bad), -1);
	assert_int_equal(cl_errno, EINVAL);
	/* NTHREADS posters, one taker: every post is taken, none lost */
	cl_pthread_t t[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(cl_pthread_create(&t[i], NULL, post_many, NULL), 0);
	for (int i = 0; i < NTHREADS * INCREMENTS; i++)
		assert_int_equal(cl_sem_wait(&sem), 0);
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(cl_pthread_join(t[i], NULL), 0);
	assert_int_equal(cl_sem_getvalue(&sem, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cl_sem_post(&sem), 0);
	assert_int_equal(cl_sem_timedwait(&sem, &bad), 0); /* no wait: abstime not checked */
	assert_int_equal(cl_sem_init(&sem, 1, 0x7fffffff), 0);
	assert_int_equal(cl_sem_post(&sem), -1);
	assert_int_equal(cl_errno, EOVERFLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mutex_counter), cmocka_unit_test(test_trylock),
	    cmocka_unit_test(test_condvar_queue), cmocka_unit_test(test_cond_timedwait),
	    cmocka_unit_test(test_once),          cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_semaphore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
