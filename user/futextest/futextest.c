/*
 * futextest - futexes and sleeping to a deadline (abi/sched.h: SYS_SELF_FUTEX_WAIT,
 * SYS_SELF_FUTEX_WAKE, SYS_SELF_SLEEP_UNTIL), and the libc's threads, mutexes,
 * condition variables and semaphores built on them (pthread.c, semaphore.c).
 *
 * No test depends on the host's speed: where a test wants waiters to be queued
 * before it wakes them, it checks what the kernel reports (how many a wake woke)
 * against what the waiters saw, never a delay.
 *
 * The same program is the children of the two-process tests: `futextest child
 * <what> <address>` maps the memory object granted as "shm" at <address>.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/pager.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>
#include <charlotte/thread.h>

#include "futextest.h"

#define PAGE 4096u
#define FOREVER UINT64_MAX
#define PARENT_VA UINT64_C(0x0000540000000000)
#define CHILD_VA UINT64_C(0x0000550000000000) /* not where the parent maps it */
#define CHILD_POOL (2u << 20)
#define PINGPONG_ROUNDS 1000u
#define CROSS_ROUNDS 100u

static uint64_t ld(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Wait until *p == want, sleeping on the futex (the word changes only with a wake). */
static long await(volatile uint32_t *p, uint32_t want)
{
	for (;;) {
		uint32_t v = (uint32_t)ld(p);
		if (v == want)
			return 0;
		long r = ch_futex_wait(p, v, FOREVER);
		if (r < 0 && r != ERR_SHOULD_WAIT)
			return r;
	}
}

static long set_wake(volatile uint32_t *p, uint32_t v)
{
	st(p, v);
	return ch_futex_wake(p, 1);
}

/* ---- threads of the tests ---- */

static char stacks[FT_MAX_THREADS][FT_STACK] __attribute__((aligned(16)));

int ft_spawn(int (*fn)(void *), void *arg, unsigned slot, handle_t *out)
{
	return ch_thread_spawn(fn, arg, stacks[slot], sizeof(stacks[slot]), out);
}

/* Wait for t (60 s at most: a hang is a failure, not a timing threshold); its code. */
long ft_join(handle_t t, int64_t *code)
{
	long r = ch_thread_wait(t, FT_LONG, code);
	ch_cap_drop(t);
	return r;
}

/* ---- one process ---- */

static volatile uint32_t word;

static void test_changed(void)
{
	st(&word, 1);
	EXPECT_ERR(ch_futex_wait(&word, 0, FOREVER), ERR_SHOULD_WAIT);
	EXPECT_ERR(ch_futex_wait(&word, 2, 0), ERR_SHOULD_WAIT);
}

static void test_wake_none(void)
{
	EXPECT_ERR(ch_futex_wake(&word, 1), 0);
	EXPECT_ERR(ch_futex_wake(&word, UINT64_MAX), 0);
	EXPECT_ERR(ch_futex_wake(&word, 0), ERR_INVALID_ARGS);
}

static void test_timeout(void)
{
	st(&word, 7);
	int64_t t0 = ch_clock_ns();
	EXPECT_ERR(ch_futex_wait(&word, 7, 1000000), ERR_TIMED_OUT);
	int64_t t1 = ch_clock_ns();
	CHECK(t1 - t0 >= 1000000, "timed out after %lld ns, before its 1 ms", (long long)(t1 - t0));
	EXPECT_ERR(ch_futex_wait(&word, 7, 0), ERR_TIMED_OUT);
}

static void test_bad_args(void)
{
	uintptr_t w = (uintptr_t)&word;
	for (unsigned off = 1; off < 4; off++) {
		EXPECT_ERR(ch_futex_wait((volatile uint32_t *)(w + off), 0, 0), ERR_INVALID_ARGS);
		EXPECT_ERR(ch_futex_wake((volatile uint32_t *)(w + off), 1), ERR_INVALID_ARGS);
	}
	static const uint64_t bad[] = {0,
	                               4,
	                               0x0000500000000000,
	                               0x00007ffffffff000,
	                               UINT64_C(0x0000800000000000),
	                               UINT64_C(0xffff800000000000),
	                               UINT64_C(0xfffffffffffffffc)};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)bad[i];
		EXPECT_ERR(ch_futex_wait(p, 0, 0), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_futex_wake(p, 1), ERR_BAD_ADDRESS);
	}
}

static volatile uint32_t turn;

static int pong(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < PINGPONG_ROUNDS; i++) {
		if (await(&turn, 1) < 0)
			return 1;
		set_wake(&turn, 0);
	}
	return 0;
}

static void test_pingpong(void)
{
	handle_t t;
	st(&turn, 0);
	EXPECT_OK(ft_spawn(pong, NULL, 0, &t));
	for (unsigned i = 0; i < PINGPONG_ROUNDS; i++) {
		set_wake(&turn, 1);
		EXPECT_OK(await(&turn, 0));
	}
	int64_t code = -1;
	EXPECT_OK(ft_join(t, &code));
	CHECK(code == 0, "pong thread: %lld", (long long)code);
}

#define NWAITERS 3u
static volatile uint32_t gate, ready, returned;
static long results[NWAITERS];

static int gate_waiter(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	__atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
	results[i] = ch_futex_wait(&gate, 0, FOREVER);
	__atomic_fetch_add(&returned, 1, __ATOMIC_ACQ_REL);
	return 0;
}

/*
 * wake(1) with several waiters wakes exactly one: every wake that reports one woken
 * is followed by exactly one waiter's return, and no waiter returns unwoken.
 */
static void test_wake_one(void)
{
	handle_t t[NWAITERS];
	st(&gate, 0);
	st(&ready, 0);
	st(&returned, 0);
	for (unsigned i = 0; i < NWAITERS; i++)
		EXPECT_OK(ft_spawn(gate_waiter, (void *)(uintptr_t)i, i, &t[i]));
	while (ld(&ready) < NWAITERS)
		ch_yield();
	uint64_t woken = 0;
	for (unsigned spins = 0; woken < NWAITERS; spins++) {
		CHECK(spins < 1000000, "only %llu waiters ever queued", (unsigned long long)woken);
		CHECK(ld(&returned) == woken, "%u returned, %llu woken", (unsigned)ld(&returned),
		      (unsigned long long)woken);
		long r = ch_futex_wake(&gate, 1);
		CHECK(r == 0 || r == 1, "wake(1) returned %ld", r);
		if (r == 0) {
			ch_yield(); /* not queued yet */
			continue;
		}
		woken++;
		while (ld(&returned) < woken)
			ch_yield();
	}
	for (unsigned i = 0; i < NWAITERS; i++) {
		EXPECT_OK(ft_join(t[i], NULL));
		CHECK(results[i] == 0, "waiter %u: %s", i, ch_error_name(results[i]));
	}
	EXPECT_ERR(ch_futex_wake(&gate, 1), 0);
}

static int forever_waiter(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
	ch_futex_wait(&gate, 0, FOREVER);
	return 5; /* never: it is killed */
}

/* A waiting thread killed: its wait ends, and it leaves no waiter behind. */
static void test_kill_waiter(void)
{
	handle_t t;
	st(&gate, 0);
	st(&ready, 0);
	EXPECT_OK(ft_spawn(forever_waiter, NULL, 0, &t));
	while (ld(&ready) < 1)
		ch_yield();
	ch_sleep_ns(2000000); /* most likely queued by now (either way is a valid test) */
	EXPECT_OK(ch_thread_kill(t));
	int64_t code = 0;
	EXPECT_OK(ft_join(t, &code));
	CHECK(code != 5, "the waiter returned from its wait");
	EXPECT_ERR(ch_futex_wake(&gate, 10), 0);
}

/* ---- sleeping to a deadline ---- */

static void test_sleep_until(void)
{
	int64_t t0 = ch_clock_ns();
	EXPECT_ERR(ch_sleep_until(0), 0);
	EXPECT_ERR(ch_sleep_until((uint64_t)t0), 0);
	uint64_t deadline = (uint64_t)ch_clock_ns() + 2000000;
	EXPECT_ERR(ch_sleep_until(deadline), 0);
	int64_t t1 = ch_clock_ns();
	CHECK((uint64_t)t1 >= deadline, "woke at %lld, before the deadline %llu", (long long)t1,
	      (unsigned long long)deadline);
}

static int sleeper(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ready, 1, __ATOMIC_ACQ_REL);
	return (int)ch_sleep_until(UINT64_MAX);
}

static void test_sleep_until_kill(void)
{
	handle_t t;
	st(&ready, 0);
	EXPECT_OK(ft_spawn(sleeper, NULL, 0, &t));
	while (ld(&ready) < 1)
		ch_yield();
	EXPECT_OK(ch_thread_kill(t));
	EXPECT_OK(ft_join(t, NULL));
}

/* ---- a word a user pager has not backed yet ---- */

static long pager_results[3];

static int paged(void *arg)
{
	volatile uint32_t *w = arg;
	pager_results[0] = ch_futex_wake(w, 1); /* first touch: through the pager */
	pager_results[1] = ch_futex_wait(w + 1, 0, 1000);
	pager_results[2] = ch_futex_wait(w + 2, 1, 0);
	return 0;
}

static void test_pager_page(void)
{
	EXPECT_OK(ch_pager_start());
	volatile uint32_t *lazy = ch_lazy_alloc(PAGE);
	CHECK(lazy, "lazy_alloc");
	handle_t t;
	void *stack;
	EXPECT_OK(ch_thread_spawn_lazy(paged, (void *)lazy, 16384, &t, &stack));
	EXPECT_OK(ft_join(t, NULL));
	EXPECT_ERR(pager_results[0], 0);
	EXPECT_ERR(pager_results[1], ERR_TIMED_OUT);
	EXPECT_ERR(pager_results[2], ERR_SHOULD_WAIT);
	EXPECT_OK(ch_lazy_release((uint64_t)(uintptr_t)lazy));
	EXPECT_OK(ch_lazy_release((uint64_t)(uintptr_t)stack));
	/* released: the address is no word any more */
	EXPECT_ERR(ch_futex_wake(lazy, 1), ERR_BAD_ADDRESS);
}

/* ---- two processes, one memory object, two addresses ---- */

/* Words of the shared page. */
#define W_PING 0
#define W_PONG 1
#define W_READY 2
#define W_BLOCK 3

static struct ch_grant grant_of(const char *name, handle_t h)
{
	struct cap_info ci = {0};
	ch_cap_inspect(h, &ci);
	return (struct ch_grant){name, h, ci.rights};
}

static long spawn_child(const char *what, handle_t shm, struct ch_child *c)
{
	const char *argv[] = {"bin/futextest", "child", what, NULL};
	struct ch_grant g[] = {grant_of("log", ch_handle("log")), grant_of("shm", shm)};
	struct ch_spawn_args a = {.path = "bin/futextest",
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = 2,
	                          .child_pool = CHILD_POOL};
	return ch_spawn(&a, c);
}

static int child_wait(struct ch_child *c, uint32_t *state)
{
	struct proc_status s;
	long r = ch_proc_wait(c->process, FT_LONG, &s);
	ch_child_release(c);
	if (r < 0)
		return -2000;
	*state = s.state;
	return s.code;
}

static volatile uint32_t *shm_map(handle_t *mem)
{
	if (ch_mem_create(ch_handle("pool"), PAGE, mem) < 0)
		return NULL;
	if (ch_as_map(ch_handle("self.as"), PARENT_VA, *mem, 0, PAGE, PROT_READ | PROT_WRITE) < 0) {
		ch_cap_drop(*mem);
		return NULL;
	}
	return (volatile uint32_t *)(uintptr_t)PARENT_VA;
}

static void shm_unmap(handle_t mem)
{
	ch_as_unmap(ch_handle("self.as"), PARENT_VA, PAGE);
	ch_cap_drop(mem);
}

/* The shared page mapped here, and `futextest child <what>` started with it; NULL on failure. */
static volatile uint32_t *shm_child(const char *what, handle_t *mem, struct ch_child *c)
{
	volatile uint32_t *w = shm_map(mem);
	if (!w)
		return NULL;
	long r = spawn_child(what, *mem, c);
	if (r < 0) {
		ch_test_fail("spawn: %s", ch_error_name(r));
		shm_unmap(*mem);
		return NULL;
	}
	return w;
}

static void test_two_processes(void)
{
	handle_t mem;
	struct ch_child c;
	volatile uint32_t *w = shm_child("pong", &mem, &c);
	CHECK(w, "shared page and child");
	long a = 0;
	for (unsigned i = 1; i <= CROSS_ROUNDS && a >= 0; i++) {
		set_wake(&w[W_PING], i);
		a = await(&w[W_PONG], i);
	}
	if (a < 0)
		ch_proc_kill(c.process);
	uint32_t state = 0;
	int code = child_wait(&c, &state);
	shm_unmap(mem);
	EXPECT_OK(a);
	CHECK(state == PROC_EXITED && code == 0, "child: state %u code %d", state, code);
}

/* A process killed while it waits on a shared word leaves no waiter behind. */
static void test_process_killed(void)
{
	handle_t mem;
	struct ch_child c;
	volatile uint32_t *w = shm_child("block", &mem, &c);
	CHECK(w, "shared page and child");
	long a = await(&w[W_READY], 1);
	ch_sleep_ns(2000000); /* most likely queued by now (either way is a valid test) */
	ch_proc_kill(c.process);
	uint32_t state = 0;
	child_wait(&c, &state);
	long woke = ch_futex_wake(&w[W_BLOCK], 10);
	shm_unmap(mem);
	EXPECT_OK(a);
	CHECK(state == PROC_KILLED, "child state %u", state);
	EXPECT_ERR(woke, 0);
}

static volatile uint32_t *child_map(void)
{
	handle_t mem = ch_handle("shm");
	if (ch_as_map(ch_handle("self.as"), CHILD_VA, mem, 0, PAGE, PROT_READ | PROT_WRITE) < 0)
		return NULL;
	return (volatile uint32_t *)(uintptr_t)CHILD_VA;
}

static int child(const char *what)
{
	volatile uint32_t *w = child_map();
	if (!w)
		return 10;
	if (strcmp(what, "pong") == 0) {
		for (unsigned i = 1; i <= CROSS_ROUNDS; i++) {
			if (await(&w[W_PING], i) < 0)
				return 11;
			set_wake(&w[W_PONG], i);
		}
		return 0;
	}
	if (strcmp(what, "block") == 0) {
		set_wake(&w[W_READY], 1);
		ch_futex_wait(&w[W_BLOCK], 0, FOREVER);
		return 12;
	}
	return 100;
}

static void run_all(void)
{
	ch_test_run("futex_", "changed", test_changed);
	ch_test_run("futex_", "wake_none", test_wake_none);
	ch_test_run("futex_", "timeout", test_timeout);
	ch_test_run("futex_", "bad_args", test_bad_args);
	ch_test_run("futex_", "pingpong", test_pingpong);
	ch_test_run("futex_", "wake_one", test_wake_one);
	ch_test_run("futex_", "kill_waiter", test_kill_waiter);
	ch_test_run("futex_", "pager_page", test_pager_page);
	ch_test_run("futex_", "two_processes", test_two_processes);
	ch_test_run("futex_", "process_killed", test_process_killed);
	ch_test_run("futex_", "sleep_until", test_sleep_until);
	ch_test_run("futex_", "sleep_until_kill", test_sleep_until_kill);
	ft_run_libc_tests();
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "child") == 0)
		return child(argv[2]);
	return ch_test_main(run_all);
}
