/*
 * exhaust.c - exhaustion as regression cases: a process that exhausts one resource
 * must get a clean error, must not stop another process's progress, and must stay
 * killable (issue 21, "escape and exhaustion tests").
 *
 * hole_exhaust_<resource>: a victim child ("victim") loops creating and dropping a
 * memory object and a channel and sending us one byte, every 2 ms; an exhauster
 * ("exhaust <resource>") takes <resource> until the kernel refuses, and tells us the
 * error. The exhauster's process is made on a 2 MiB pool of its own, of which its
 * "pool" is 1 MiB: a process's threads, cspace and page tables are charged to the pool
 * it was made on, which ht_spawn (ch_spawn's child_pool) leaves the spawner's, so a
 * child of ht_spawn making threads without end would take them from us. Then, with the resource still held, the victim
 * must get 5 more bytes to us within HT_LONG; the exhauster must end PROC_KILLED when
 * killed; our pool must come back to where it was. Resources: cspace slots
 * (duplicates of one capability), pool memory, kbus queues (channels filled with
 * 64 KiB messages), threads, waitsets (one endpoint watched under ever more keys, in
 * ever more waitsets), groups (subscriptions). Device rings have their session
 * limits (blk_*_session_limit, net_session_limit, input_*_session_limit) and
 * namespace nodes tmpfs's own pool (docs/testing.md's table).
 */
#include "holetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/kbus.h>
#include <charlotte/start.h>
#include <charlotte/thread.h>

#define EXHAUST_PROC_POOL (2u << 20)
#define EXHAUST_POOL (1u << 20)
#define VICTIM_POOL (256u << 10)
#define EXHAUST_STACK 2048
#define EXHAUST_THREADS 256u

static void tell(handle_t ep, int32_t v)
{
	struct kbus_msg m = {.data = &v, .len = sizeof(v)};
	ch_kbus_send(ep, &m, KBUS_NONBLOCK, 0);
}

HOLE_CHILD(victim)
{
	(void)arg;
	handle_t ep = ch_handle("ep");
	for (;;) {
		handle_t m, e[2];
		int32_t ok = 1;
		if (ch_mem_create(ht_pool, 4096, &m) < 0)
			ok = 0;
		else
			ch_cap_drop(m);
		if (ch_channel_create(ht_pool, 4, e) < 0) {
			ok = 0;
		} else {
			ch_cap_drop(e[0]);
			ch_cap_drop(e[1]);
		}
		if (ok)
			tell(ep, 1);
		ch_sleep_ns(2 * HT_MS);
	}
	return 0; /* never reached */
}

static int sleeper(void *arg)
{
	(void)arg;
	for (;;)
		ch_sleep_ns(HT_LONG);
	return 0; /* never reached */
}

/* Takes the resource until the kernel refuses; the refusal's code. */
static long exhaust(const char *what)
{
	static uint8_t big[KBUS_MAX_BYTES];
	handle_t h, e[2], w;
	long r;
	if (strcmp(what, "slots") == 0) {
		if ((r = ch_mem_create(ht_pool, 4096, &h)) < 0)
			return r;
		while ((r = ch_cap_duplicate(h, &w)) >= 0)
			;
		return r;
	}
	if (strcmp(what, "memory") == 0) {
		while ((r = ch_mem_create(ht_pool, 65536, &h)) >= 0)
			;
		return r;
	}
	if (strcmp(what, "queues") == 0) {
		struct kbus_msg m = {.data = big, .len = sizeof(big)};
		for (;;) {
			if ((r = ch_channel_create(ht_pool, 64, e)) < 0)
				return r;
			while ((r = ch_kbus_send(e[0], &m, KBUS_NONBLOCK, 0)) >= 0)
				;
			if (r != ERR_SHOULD_WAIT) /* a full queue is not the end */
				return r;
		}
	}
	if (strcmp(what, "threads") == 0) {
		char *stacks = malloc((size_t)EXHAUST_THREADS * EXHAUST_STACK);
		if (!stacks)
			return ERR_NO_MEMORY;
		for (unsigned i = 0; i < EXHAUST_THREADS; i++)
			if ((r = ch_thread_spawn(sleeper, NULL, stacks + (size_t)i * EXHAUST_STACK,
			                         EXHAUST_STACK, &h)) < 0)
				return r;
		return 0; /* 256 threads in 1 MiB: no limit */
	}
	if (strcmp(what, "waitsets") == 0) {
		if ((r = ch_channel_create(ht_pool, 4, e)) < 0)
			return r;
		for (;;) {
			if ((r = ch_waitset_create(ht_pool, &w)) < 0)
				return r;
			for (uint64_t key = 0; key < 4096; key++)
				if ((r = ch_waitset_add(w, e[1], KBUS_EV_READABLE, key)) < 0)
					break;
			if (r != ERR_NO_RESOURCES && r < 0) /* a full waitset is not the end */
				return r;
		}
	}
	if (strcmp(what, "groups") == 0) {
		for (;;) {
			if ((r = ch_group_create(ht_pool, 16, &h)) < 0)
				return r;
			for (unsigned i = 0; i < 4096; i++)
				if ((r = ch_group_subscribe(h, &w)) < 0)
					break;
			if (r != ERR_NO_RESOURCES && r < 0)
				return r;
		}
	}
	return ERR_INVALID_ARGS;
}

HOLE_CHILD(exhaust)
{
	tell(ch_handle("ep"), (int32_t)exhaust(arg));
	return sleeper(NULL); /* holding everything until killed */
}

/* Receives one 4-byte word on ep within timeout. */
static long hear(handle_t ep, int32_t *v, uint64_t timeout)
{
	uint32_t len = 0;
	long r = ch_kbus_recv_bytes(ep, v, sizeof(*v), &len, 0, timeout);
	return r < 0 ? r : (len == sizeof(*v) ? 0 : ERR_MALFORMED);
}

/* ht_spawn, with the process made on a pool of its own (*pool, to drop after). */
static long spawn_own_pool(const char *what, handle_t ep, handle_t *pool, struct ch_child *c)
{
	const char *argv[] = {"bin/holetest", "child", "exhaust", what, NULL};
	struct ch_grant g[] = {{"log", ht_log, RIGHT_WRITE},
	                       {"ep", ep, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_TRANSFER}};
	long r = ch_pool_split(ht_pool, EXHAUST_PROC_POOL, pool);
	if (r < 0)
		return r;
	struct ch_spawn_args a = {.path = "bin/holetest",
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = 2,
	                          .pool = *pool,
	                          .child_pool = EXHAUST_POOL};
	if ((r = ch_spawn(&a, c)) < 0)
		ch_cap_drop(*pool);
	return r;
}

static void exhaust_test(const char *what)
{
	handle_t ve[2], xe[2], xpool;
	struct ch_child victim, ex;
	struct proc_status st;
	int32_t v = 0, step;
	uint64_t base = ht_pool_used();

	EXPECT_OK(ch_channel_create(ht_pool, 64, ve));
	EXPECT_OK(ch_channel_create(ht_pool, 4, xe));
	EXPECT_OK(ht_spawn("victim", "-", ve[1], VICTIM_POOL, &victim));
	long r = spawn_own_pool(what, xe[1], &xpool, &ex);
	ch_cap_drop(ve[1]);
	ch_cap_drop(xe[1]);
	if (r < 0) {
		ht_reap(&victim, 0, NULL);
		CHECK(0, "spawn exhaust %s: %s", what, ch_error_name(r));
	}
	r = hear(xe[0], &v, HT_LONG);
	long got = 0;
	if (r >= 0) {
		while (hear(ve[0], &step, 0) >= 0) /* before the exhaustion */
			;
		for (int64_t end = ch_clock_ns() + (int64_t)HT_LONG;
		     got < 5 && ch_clock_ns() < end;)
			got += hear(ve[0], &step, HT_LONG) >= 0;
	}
	long killed = ch_proc_kill(ex.process);
	long waited = ch_proc_wait(ex.process, HT_LONG, &st);
	ch_child_release(&ex);
	ch_cap_drop(xpool);
	ht_reap(&victim, 0, NULL);
	ch_cap_drop(ve[0]);
	ch_cap_drop(xe[0]);
	CHECK(r >= 0, "exhaust %s: no word from the exhauster: %s", what, ch_error_name(r));
	CHECK(v == ERR_NO_MEMORY || v == ERR_NO_RESOURCES,
	      "exhaust %s: the kernel's refusal was %s, want ERR_NO_MEMORY or ERR_NO_RESOURCES",
	      what, ch_error_name(v));
	CHECK(got == 5, "exhaust %s: the victim made %ld steps, not 5, while it was exhausted",
	      what, got);
	CHECK(killed >= 0 && waited >= 0 && st.state == PROC_KILLED,
	      "exhaust %s: kill %s, wait %s, state %u", what, ch_error_name(killed),
	      ch_error_name(waited), st.state);
	uint64_t now = ht_pool_settle(base);
	CHECK(now <= base, "exhaust %s: our pool holds %llu bytes more", what,
	      (unsigned long long)(now - base));
}

HOLE_TEST(exhaust_cspace_slots)
{
	exhaust_test("slots");
}
HOLE_TEST(exhaust_pool_memory)
{
	exhaust_test("memory");
}
HOLE_TEST(exhaust_kbus_queues)
{
	exhaust_test("queues");
}
HOLE_TEST(exhaust_threads)
{
	exhaust_test("threads");
}
HOLE_TEST(exhaust_waitsets)
{
	exhaust_test("waitsets");
}
HOLE_TEST(exhaust_groups)
{
	exhaust_test("groups");
}
