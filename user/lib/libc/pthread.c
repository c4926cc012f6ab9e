/*
 * pthread.c - POSIX threads, mutexes, condition variables and once (pthread.h) on the
 * futex and thread hooks of sys_hooks.h.
 *
 * Threads. Each thread we start has a struct __pthread and a stack, both from malloc,
 * on the list `threads` (under threads_lock) from before it starts until it is joined
 * or reaped. pthread_self() finds the caller by its stack: the thread whose stack holds
 * the address of a local variable, or the main thread (which has no entry). A thread
 * that ends records its result and, if detached, moves itself to `reap`; it cannot free
 * the stack it still runs on, so a later pthread_create() or pthread_join() frees those
 * the system says have ended. A joiner waits for the system thread to end before it
 * frees anything.
 *
 * Mutexes are lock.h's three-state futex word. Condition variables are a sequence
 * number: a waiter reads it, lets the mutex go and sleeps while it is unchanged; signal
 * and broadcast bump it and wake one / all. A woken waiter retakes the mutex as
 * contended (others may sleep on it after a broadcast). Wake-ups may be spurious, as
 * POSIX allows: callers re-check their predicate.
 */
#include <pthread.h>

#include <errno.h>
#include <stdlib.h>

#include <abi/errors.h>

#include "lock.h"

struct __pthread {
	void *(*fn)(void *);
	void *arg;
	void *ret; /* fn's result or pthread_exit's argument */
	char *stack;
	size_t stack_size;
	handle_t handle; /* HANDLE_INVALID until the start returned (threads_lock) */
	int detached; /* threads_lock */
	int exited; /* threads_lock: ret is final; the system thread is ending */
	int joining; /* threads_lock: a pthread_join() owns it */
	struct __pthread *next, **pprev; /* on threads or reap (threads_lock) */
};

static volatile uint32_t threads_lock;
static struct __pthread *threads; /* started, not yet joined or reaped */
static struct __pthread *reap; /* detached and exited: freed once the system says ended */
static struct __pthread main_thread; /* pthread_self() of the thread that ran main */

static void list_add(struct __pthread **head, struct __pthread *t)
{
	t->next = *head;
	t->pprev = head;
	if (t->next)
		t->next->pprev = &t->next;
	*head = t;
}

static void list_del(struct __pthread *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
}

static void thread_free(struct __pthread *t)
{
	__libc_thread_release(t->handle);
	free(t->stack);
	free(t);
}

/* Free the detached threads that have ended. */
static void reap_ended(void)
{
	struct __pthread *done = NULL;
	libc_lock(&threads_lock);
	for (struct __pthread *t = reap, *next; t; t = next) {
		next = t->next;
		if (t->handle != HANDLE_INVALID && __libc_thread_wait(t->handle, 0) == 0) {
			list_del(t);
			t->next = done;
			done = t;
		}
	}
	libc_unlock(&threads_lock);
	while (done) {
		struct __pthread *t = done;
		done = t->next;
		thread_free(t);
	}
}

/* threads_lock held: nobody will join t (detached, or detach came after its end). */
static void to_reap(struct __pthread *t)
{
	list_del(t);
	list_add(&reap, t);
}

static void finish(struct __pthread *t, void *ret) __attribute__((noreturn));
static void finish(struct __pthread *t, void *ret)
{
	libc_lock(&threads_lock);
	t->ret = ret;
	t->exited = 1;
	if (t->detached)
		to_reap(t);
	libc_unlock(&threads_lock);
	__libc_thread_exit();
}

static int trampoline(void *arg)
{
	struct __pthread *t = arg;
	finish(t, t->fn(t->arg));
}

int pthread_attr_init(pthread_attr_t *attr)
{
	attr->stacksize = PTHREAD_STACK_DEFAULT;
	attr->detachstate = PTHREAD_CREATE_JOINABLE;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	attr->stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	*size = attr->stacksize;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	attr->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
	*state = attr->detachstate;
	return 0;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	pthread_attr_t def;
	if (!attr) {
		pthread_attr_init(&def);
		attr = &def;
	}
	if (!thread || !fn)
		return EINVAL;
	reap_ended();
	struct __pthread *t = calloc(1, sizeof(*t));
	char *stack = t ? malloc(attr->stacksize) : NULL;
	if (!stack) {
		free(t);
		return EAGAIN;
	}
	t->fn = fn;
	t->arg = arg;
	t->stack = stack;
	t->stack_size = attr->stacksize;
	t->detached = attr->detachstate == PTHREAD_CREATE_DETACHED;
	libc_lock(&threads_lock);
	list_add(&threads, t); /* before it runs: its pthread_self() looks here */
	libc_unlock(&threads_lock);
	handle_t h;
	long r = __libc_thread_start(trampoline, t, stack, attr->stacksize, &h);
	libc_lock(&threads_lock);
	if (r < 0)
		list_del(t);
	else
		t->handle = h;
	libc_unlock(&threads_lock);
	if (r < 0) {
		free(stack);
		free(t);
		return r == ERR_INVALID_ARGS ? EINVAL : EAGAIN;
	}
	*thread = t;
	return 0;
}

pthread_t pthread_self(void)
{
	char here;
	uintptr_t sp = (uintptr_t)&here;
	struct __pthread *me = &main_thread;
	libc_lock(&threads_lock);
	for (struct __pthread *t = threads; t; t = t->next)
		if (sp >= (uintptr_t)t->stack && sp < (uintptr_t)t->stack + t->stack_size) {
			me = t;
			break;
		}
	libc_unlock(&threads_lock);
	return me;
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

void pthread_exit(void *ret)
{
	struct __pthread *t = pthread_self();
	if (t == &main_thread)
		__libc_thread_exit(); /* the others run on; the last one ends the process */
	finish(t, ret);
}

/* threads_lock held: is t a thread of ours that nobody joined or reaped yet? */
static int live(struct __pthread *t)
{
	for (struct __pthread *u = threads; u; u = u->next)
		if (u == t)
			return 1;
	return 0;
}

int pthread_join(pthread_t t, void **ret)
{
	if (t == pthread_self())
		return EDEADLK;
	libc_lock(&threads_lock);
	int err = !live(t) ? ESRCH : t->detached || t->joining ? EINVAL : 0;
	if (!err)
		t->joining = 1;
	libc_unlock(&threads_lock);
	if (err)
		return err;
	long r;
	do
		r = __libc_thread_wait(t->handle, UINT64_MAX);
	while (r == ERR_TIMED_OUT);
	libc_lock(&threads_lock);
	list_del(t);
	libc_unlock(&threads_lock);
	if (ret)
		*ret = t->ret;
	thread_free(t);
	reap_ended();
	return 0;
}

int pthread_detach(pthread_t t)
{
	libc_lock(&threads_lock);
	int err = !live(t) ? ESRCH : t->detached || t->joining ? EINVAL : 0;
	if (!err) {
		t->detached = 1;
		if (t->exited)
			to_reap(t);
	}
	libc_unlock(&threads_lock);
	return err;
}

/* ---- mutexes ---- */

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->__type = PTHREAD_MUTEX_NORMAL;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL)
		return EINVAL;
	attr->__type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
	*type = attr->__type;
	return 0;
}

static int pshared_ok(int pshared)
{
	return pshared == PTHREAD_PROCESS_PRIVATE || pshared == PTHREAD_PROCESS_SHARED ? 0 : EINVAL;
}

int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared)
{
	(void)attr;
	return pshared_ok(pshared);
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	if (attr && attr->__type != PTHREAD_MUTEX_NORMAL)
		return EINVAL;
	m->__state = LIBC_LOCK_FREE;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__state, __ATOMIC_RELAXED) == LIBC_LOCK_FREE ? 0 : EBUSY;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	libc_lock(&m->__state);
	return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	return libc_trylock(&m->__state) ? 0 : EBUSY;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	libc_unlock(&m->__state);
	return 0;
}

/* ---- condition variables ---- */

int pthread_condattr_init(pthread_condattr_t *attr)
{
	attr->__clock = CLOCK_REALTIME;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	attr->__clock = clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clock)
{
	*clock = attr->__clock;
	return 0;
}

int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared)
{
	(void)attr;
	return pshared_ok(pshared);
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	c->__seq = 0;
	c->__clock = attr ? attr->__clock : CLOCK_REALTIME;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	(void)c;
	return 0;
}

/* Sleep on c until a signal (or for timeout_ns), the mutex let go meanwhile. */
static int cond_sleep(pthread_cond_t *c, pthread_mutex_t *m, uint64_t timeout_ns)
{
	uint32_t seq = __atomic_load_n(&c->__seq, __ATOMIC_ACQUIRE);
	libc_unlock(&m->__state);
	long r = __libc_futex_wait(&c->__seq, seq, timeout_ns);
	libc_lock_contended(&m->__state);
	return r == ERR_TIMED_OUT ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return cond_sleep(c, m, UINT64_MAX);
}

int __libc_timeout_ns(clockid_t clock, const struct timespec *abstime, uint64_t *out)
{
	if (!abstime || abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000l)
		return EINVAL;
	long long now = __libc_clock_ns(clock);
	if (now < 0)
		return EINVAL;
	if (abstime->tv_sec < 0) {
		*out = 0;
		return 0;
	}
	uint64_t sec = (uint64_t)abstime->tv_sec;
	if (sec > UINT64_MAX / 1000000000u - 1) {
		*out = UINT64_MAX; /* beyond any clock: forever */
		return 0;
	}
	uint64_t deadline = sec * 1000000000u + (uint64_t)abstime->tv_nsec;
	*out = deadline > (uint64_t)now ? deadline - (uint64_t)now : 0;
	return 0;
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	uint64_t ns;
	int err = __libc_timeout_ns(c->__clock, abstime, &ns);
	if (err)
		return err;
	return ns ? cond_sleep(c, m, ns) : ETIMEDOUT;
}

int pthread_cond_signal(pthread_cond_t *c)
{
	__atomic_fetch_add(&c->__seq, 1, __ATOMIC_RELEASE);
	__libc_futex_wake(&c->__seq, 1);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	__atomic_fetch_add(&c->__seq, 1, __ATOMIC_RELEASE);
	__libc_futex_wake(&c->__seq, UINT32_MAX);
	return 0;
}

/* ---- once ---- */

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	if (__atomic_load_n(&once->__state, __ATOMIC_ACQUIRE) == 2)
		return 0;
	uint32_t c = 0;
	if (__atomic_compare_exchange_n(&once->__state, &c, 1, 0, __ATOMIC_ACQUIRE,
	                                __ATOMIC_ACQUIRE)) {
		fn();
		__atomic_store_n(&once->__state, 2, __ATOMIC_RELEASE);
		__libc_futex_wake(&once->__state, UINT32_MAX);
		return 0;
	}
	while (__atomic_load_n(&once->__state, __ATOMIC_ACQUIRE) != 2)
		__libc_futex_wait(&once->__state, 1, UINT64_MAX);
	return 0;
}
