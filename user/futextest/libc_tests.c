/*
 * libc_tests.c - futextest's tests of the libc's threads, mutexes, condition variables
 * and semaphores (pthread.h, semaphore.h) on CharlotteOS's futexes and threads: exact
 * counts under contention, a producer/consumer queue, semaphores with deadlines, and
 * malloc from several threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#include "futextest.h"

#define NTHREADS 4
#define INCREMENTS 5000

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_many(void *arg)
{
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&mutex);
		long v = counter; /* a plain read-modify-write: only the mutex keeps it exact */
		if (i % 64 == 0)
			ch_yield(); /* let the others find it held */
		counter = v + 1;
		pthread_mutex_unlock(&mutex);
	}
	return arg;
}

static void test_mutex_counter(void)
{
	pthread_t t[NTHREADS];
	counter = 0;
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, add_many, (void *)(intptr_t)i) == 0, "create %d",
		      i);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		CHECK(pthread_join(t[i], &ret) == 0, "join %d", i);
		CHECK((intptr_t)ret == i, "thread %d returned %ld", i, (long)(intptr_t)ret);
	}
	CHECK(counter == NTHREADS * INCREMENTS, "counter %ld, want %d", counter,
	      NTHREADS * INCREMENTS);
	CHECK(pthread_mutex_trylock(&mutex) == 0, "trylock of a free mutex");
	CHECK(pthread_mutex_trylock(&mutex) == EBUSY, "trylock of a held mutex");
	pthread_mutex_unlock(&mutex);
}

#define QCAP 4
#define ITEMS 2000
static struct {
	pthread_mutex_t m;
	pthread_cond_t not_empty, not_full;
	int buf[QCAP];
	unsigned head, count;
	long sum;
	int done;
} q = {.m = PTHREAD_MUTEX_INITIALIZER,
       .not_empty = PTHREAD_COND_INITIALIZER,
       .not_full = PTHREAD_COND_INITIALIZER};

static void *producer(void *arg)
{
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&q.m);
		while (q.count == QCAP)
			pthread_cond_wait(&q.not_full, &q.m);
		q.buf[(q.head + q.count++) % QCAP] = i;
		pthread_cond_signal(&q.not_empty);
		pthread_mutex_unlock(&q.m);
	}
	pthread_mutex_lock(&q.m);
	q.done = 1;
	pthread_cond_broadcast(&q.not_empty);
	pthread_mutex_unlock(&q.m);
	return arg;
}

static void *consumer(void *arg)
{
	intptr_t mine = 0;
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&q.m);
		while (q.count == 0 && !q.done)
			pthread_cond_wait(&q.not_empty, &q.m);
		if (q.count == 0) {
			pthread_mutex_unlock(&q.m);
			return (void *)mine;
		}
		q.sum += q.buf[q.head];
		q.head = (q.head + 1) % QCAP;
		q.count--;
		mine++;
		pthread_cond_signal(&q.not_full);
		pthread_mutex_unlock(&q.m);
	}
}

static void test_condvar_queue(void)
{
	pthread_t p, c[2];
	CHECK(pthread_create(&c[0], NULL, consumer, NULL) == 0, "consumer 0");
	CHECK(pthread_create(&c[1], NULL, consumer, NULL) == 0, "consumer 1");
	CHECK(pthread_create(&p, NULL, producer, NULL) == 0, "producer");
	void *n0 = NULL, *n1 = NULL;
	CHECK(pthread_join(p, NULL) == 0, "join producer");
	CHECK(pthread_join(c[0], &n0) == 0 && pthread_join(c[1], &n1) == 0, "join consumers");
	CHECK((intptr_t)n0 + (intptr_t)n1 == ITEMS, "consumed %ld",
	      (long)((intptr_t)n0 + (intptr_t)n1));
	CHECK(q.sum == (long)ITEMS * (ITEMS + 1) / 2, "sum %ld", q.sum);
}

/* 2 ms from now on clock. */
static struct timespec in_2ms(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	t.tv_nsec += 2000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

/* Has clock reached t? (An ordering check, not a speed threshold.) */
static int reached(clockid_t clock, const struct timespec *t)
{
	struct timespec now;
	clock_gettime(clock, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void test_cond_timedwait(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c;
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	CHECK(pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0, "setclock");
	pthread_cond_init(&c, &a);
	struct timespec until = in_2ms(CLOCK_MONOTONIC);
	pthread_mutex_lock(&m);
	int r;
	do
		r = pthread_cond_timedwait(&c, &m, &until); /* 0: a spurious wake-up */
	while (r == 0);
	int late = reached(CLOCK_MONOTONIC, &until);
	int held = pthread_mutex_trylock(&m) == EBUSY;
	pthread_mutex_unlock(&m);
	CHECK(r == ETIMEDOUT, "timedwait: %d", r);
	CHECK(held, "the mutex is not held after the timed wait");
	CHECK(late, "timed out before the deadline");
}

static sem_t sem_items, sem_done;

static void *sem_poster(void *arg)
{
	for (int i = 0; i < INCREMENTS; i++)
		sem_post(&sem_items);
	sem_wait(&sem_done); /* the taker says it saw them all */
	return arg;
}

static void test_semaphore(void)
{
	pthread_t t[NTHREADS];
	CHECK(sem_init(&sem_items, 0, 0) == 0 && sem_init(&sem_done, 0, 0) == 0, "init");
	CHECK(sem_trywait(&sem_items) == -1 && errno == EAGAIN, "trywait of 0");
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, sem_poster, NULL) == 0, "create %d", i);
	for (int i = 0; i < NTHREADS * INCREMENTS; i++)
		CHECK(sem_wait(&sem_items) == 0, "wait %d", i);
	int v = -1;
	sem_getvalue(&sem_items, &v);
	CHECK(v == 0, "value %d after taking every post", v);
	for (int i = 0; i < NTHREADS; i++)
		sem_post(&sem_done);
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_join(t[i], NULL) == 0, "join %d", i);
	/* a deadline in the past, then one a little ahead: not before it */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK(sem_timedwait(&sem_items, &now) == -1 && errno == ETIMEDOUT, "past deadline");
	struct timespec until = in_2ms(CLOCK_REALTIME);
	CHECK(sem_timedwait(&sem_items, &until) == -1 && errno == ETIMEDOUT, "future deadline");
	CHECK(reached(CLOCK_REALTIME, &until), "timed out before the deadline");
}

static void *churn(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	void *keep[16] = {0};
	for (unsigned i = 0; i < 2000; i++) {
		unsigned k = (i * 7 + (unsigned)id) % 16;
		if (keep[k]) {
			unsigned char *p = keep[k];
			if (p[0] != (unsigned char)(id + k))
				return (void *)1;
			free(p);
		}
		size_t n = 16 + (i * 37 + id * 11) % 3000;
		unsigned char *p = malloc(n);
		if (!p)
			return (void *)2;
		memset(p, (int)(id + k), n);
		keep[k] = p;
	}
	for (unsigned k = 0; k < 16; k++)
		free(keep[k]);
	return NULL;
}

static void test_malloc_threads(void)
{
	pthread_t t[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i * 40)) == 0,
		      "create");
	for (int i = 0; i < NTHREADS; i++) {
		void *r = (void *)9;
		CHECK(pthread_join(t[i], &r) == 0, "join %d", i);
		CHECK(r == NULL, "thread %d: %s", i,
		      r == (void *)1 ? "block overwritten" : "no memory");
	}
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static volatile int once_runs;

static void once_fn(void)
{
	once_runs++;
}

static void *call_once(void *arg)
{
	pthread_once(&once, once_fn);
	return arg;
}

static void test_once_detach(void)
{
	pthread_t t[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, call_once, NULL) == 0, "create %d", i);
	CHECK(pthread_detach(t[0]) == 0, "detach");
	for (int i = 1; i < NTHREADS; i++)
		CHECK(pthread_join(t[i], NULL) == 0, "join %d", i);
	CHECK(once_runs == 1, "once ran %d times", once_runs);
	CHECK(pthread_join(pthread_self(), NULL) == EDEADLK, "join of oneself");
}

void ft_run_libc_tests(void)
{
	ch_test_run("pthread_", "mutex_counter", test_mutex_counter);
	ch_test_run("pthread_", "condvar_queue", test_condvar_queue);
	ch_test_run("pthread_", "cond_timedwait", test_cond_timedwait);
	ch_test_run("pthread_", "semaphore", test_semaphore);
	ch_test_run("pthread_", "malloc_threads", test_malloc_threads);
	ch_test_run("pthread_", "once_detach", test_once_detach);
}
