/*
 * map.c - the remaining paths of hole 6: a map of a large memory object and
 * the creation of one were work proportional to a user's size with no kill
 * check (the map with interrupts off); a kill of a process walked all its
 * threads under one lock hold.
 *
 * Each test kills a child that does such operations in a loop and checks
 * that it ends and gives back its pool. Within the 24 MiB this program gets,
 * no single operation lasts long enough for a kill to be measurably late on
 * the old kernel (it ended each one first, then died); the in-kernel tests
 * aspace_map_latency, aspace_map_kill and memobj_create_kill show that
 * difference with sizes a user program cannot reach here. These tests show
 * that the new paths (a kill between map steps, undone; a create stopped
 * midway, freed; a kill walking threads in batches) end cleanly, with a
 * second thread of the child querying and protecting the range being mapped.
 */
#include "holetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/start.h>
#include <charlotte/thread.h>

#define MAP_BASE UINT64_C(0x300000000000)
#define MAP_SIZE (UINT64_C(8) << 20) /* 2,048 pages: four steps of a map */
#define CHILD_POOL (UINT64_C(12) << 20)
#define PROBE_STACK 16384

void ht_say_started(void)
{
	handle_t ep = ch_handle("ep");
	uint8_t b = 1;
	struct kbus_msg m = {.data = &b, .len = 1};
	if (ep)
		ch_kbus_send(ep, &m, 0, 0);
}

/*
 * Another thread of the child, to meet the fills: queries and protects of
 * the range being mapped wait for them. What a query finds must be a part
 * of the one mapping (a long protect or unmap shows its steps' cuts).
 */
static int prober_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct as_region r;
		if (ch_as_query(ht_as, MAP_BASE + MAP_SIZE - 4096, &r) == 0 &&
		    (r.base < MAP_BASE || r.base + r.length != MAP_BASE + MAP_SIZE ||
		     r.offset != r.base - MAP_BASE))
			ch_exit(3);
		ch_as_protect(ht_as, MAP_BASE, MAP_SIZE, PROT_READ);
	}
	return 0; /* never reached */
}

HOLE_CHILD(map_churn)
{
	(void)arg;
	handle_t mem, th;
	if (ch_mem_create(ht_pool, MAP_SIZE, &mem) < 0)
		return 1;
	void *stack = malloc(PROBE_STACK);
	if (!stack || ch_thread_spawn(prober_main, NULL, stack, PROBE_STACK, &th) < 0)
		return 2;
	ht_say_started();
	for (;;) {
		ch_as_map(ht_as, MAP_BASE, mem, 0, MAP_SIZE, PROT_READ);
		ch_as_unmap(ht_as, MAP_BASE, MAP_SIZE);
	}
}

HOLE_CHILD(create_churn)
{
	bool fill = arg && strcmp(arg, "fill") == 0;
	/* the source of a fill: what the program image has, then zeroes */
	struct mem_fill f = {.offset = 0, .len = 4096, .src = (uint64_t)(uintptr_t)&ht_say_started};
	ht_say_started();
	for (;;) {
		handle_t mem;
		long r = fill ? ch_mem_create_filled(ht_pool, MAP_SIZE, &f, &mem)
		              : ch_mem_create(ht_pool, MAP_SIZE, &mem);
		if (r >= 0)
			ch_cap_drop(mem);
	}
	return 0; /* never reached */
}

/*
 * Wait for a killed child to end, for as long as it makes progress: its pool's
 * charge going down (threads and objects freed) restarts the wait, so a kill that
 * works through many threads on a slow host is not mistaken for one that hangs;
 * HT_LONG without progress is a hang. Returns the wait's result.
 */
static long wait_killed(struct ch_child *c, struct proc_status *st)
{
	struct pool_info pi;
	uint64_t low = UINT64_MAX;
	int64_t quiet_since = ch_clock_ns();
	for (;;) {
		long r = ch_proc_wait(c->process, HT_SECOND, st);
		if (r != ERR_TIMED_OUT)
			return r;
		if (c->pool != HANDLE_INVALID && ch_pool_info(c->pool, &pi) == 0 && pi.used < low) {
			low = pi.used;
			quiet_since = ch_clock_ns();
		} else if (ch_clock_ns() - quiet_since > (int64_t)HT_LONG) {
			return ERR_TIMED_OUT;
		}
	}
}

void ht_kill_child(const char *role, const char *arg)
{
	struct pool_info before;
	EXPECT_OK(ch_pool_info(ht_pool, &before));
	handle_t ch[2];
	EXPECT_OK(ch_channel_create(ht_pool, 4, ch));
	struct ch_child c;
	int err = ht_spawn(role, arg, ch[1], CHILD_POOL, &c);
	ch_cap_drop(ch[1]);
	CHECK(err == 0, "spawn %s: %s", role, ch_error_name(err));
	uint8_t b;
	struct kbus_buf buf = {.data = &b, .capacity = 1};
	long r = ch_kbus_recv(ch[0], &buf, 0, HT_LONG);
	ch_cap_drop(ch[0]);
	if (r < 0) {
		ht_reap(&c, HT_LONG, NULL);
		CHECK(false, "%s did not start: %s", role, ch_error_name(r));
	}
	ch_sleep_ns(300 * HT_MS); /* let it get going */
	r = ch_proc_kill(c.process);
	CHECK(r >= 0, "kill: %s", ch_error_name(r));
	struct proc_status st;
	r = wait_killed(&c, &st);
	if (r != 0)
		ht_reap(&c, HT_LONG, NULL);
	else
		ch_child_release(&c);
	CHECK(r == 0, "a child doing %s did not end: %s after %llu s without progress", role,
	      ch_error_name(r), (unsigned long long)(HT_LONG / HT_SECOND));
	CHECK(st.state == PROC_KILLED,
	      "%s ended with state %u code %d (3: a query saw a broken mapping)", role,
	      (unsigned)st.state, (int)st.code);
	/* the first spawn of a program caches its read-only segments in our pool:
	   not the child's leak, whichever test spawns first */
	ch_spawn_cache_drop();
	uint64_t after = ht_pool_settle(before.used);
	CHECK(after <= before.used, "%s gave back %lld bytes less than it took", role,
	      (long long)(after - before.used));
}

HOLE_TEST(map_kill)
{
	ht_kill_child("map_churn", NULL);
}

HOLE_TEST(mem_create_kill)
{
	ht_kill_child("create_churn", NULL);
	ht_kill_child("create_churn", "fill");
}

/*
 * A child with many threads, asleep (spinning ones would starve this CPU,
 * where they all start): a kill ends every one.
 */
#define MANY_THREADS 128u
#define MANY_STACK 4096

static int sleep_main(void *arg)
{
	(void)arg;
	for (;;)
		ch_sleep_ns(HT_LONG);
	return 0; /* never reached */
}

HOLE_CHILD(many_threads)
{
	(void)arg;
	char *stacks = malloc((size_t)MANY_THREADS * MANY_STACK);
	if (!stacks)
		return 1;
	for (unsigned i = 0; i < MANY_THREADS; i++) {
		handle_t th;
		if (ch_thread_spawn(sleep_main, NULL, stacks + (size_t)i * MANY_STACK, MANY_STACK,
		                    &th) < 0)
			break; /* out of pool: kill what we have */
	}
	ht_say_started();
	return sleep_main(NULL);
}

HOLE_TEST(kill_many_threads)
{
	ht_kill_child("many_threads", NULL);
}
