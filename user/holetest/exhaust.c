/*
 * exhaust.c - exhaustion as regression cases: a process that exhausts one resource
 * must get a clean error, must not stop another process's progress, and must stay
 * killable (issue 21, "escape and exhaustion tests").
 *
 * hole_exhaust_<resource>: a victim child ("victim") loops creating and dropping a
 * memory object and a channel and sending us one byte, every 2 ms; an exhauster
 * ("exhaust <resource>") takes <resource> until the kernel refuses, and tells us the
 * error. The exhauster gets a 2 MiB sub-pool (ch_spawn's child_pool), which pays for
 * everything it causes: its process, image, stack, threads, cspace and page tables
 * as well as the objects it makes. Then, with the resource still held, our own pool
 * must have grown by no more than that sub-pool (and we must still be able to take
 * 4 MiB of it: before ch_spawn made the process on the child's sub-pool, the thread
 * exhauster took our pool until we got ERR_NO_MEMORY), the victim must get 5 more
 * bytes to us within HT_LONG, the exhauster must end PROC_KILLED when killed, and
 * our pool must come back to where it was. Resources: cspace slots
 * (duplicates of one capability), pool memory, kbus queues (channels filled with
 * 64 KiB messages), threads, waitsets (one endpoint watched under ever more keys, in
 * ever more waitsets), groups (subscriptions), namespace nodes (one tmpfs file
 * opened again and again: each SYS_NS_OPEN makes a node object of NS_NODE_COST
 * charged to the opener). For namespace nodes both children get "tmp", our view of
 * fs:///tmp (the manifest's ns.fs:/tmp:rw) cut to looking up and reading, and the
 * victim also opens, reads, stats and lists through tmpfs at every step. Device
 * rings have their session limits (blk_*_session_limit, net_session_limit,
 * input_*_session_limit); tmpfs's own entries its pool (host test_tmpfs).
 */
#include "holetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/kbus.h>
#include <abi/ns.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/thread.h>

#define EXHAUST_POOL (2u << 20) /* ~250 KiB of it the process, image and stack */
#define VICTIM_POOL (512u << 10)
/* what our pool may grow by besides the exhauster's sub-pool: the sub-pool's header,
   our handles to the child (cspace slots, a table grown) */
#define EXHAUST_SLACK (32u << 10)
#define EXHAUST_STACK 2048
#define EXHAUST_THREADS 256u
#define EXHAUST_MIN_NODES 1024u /* of EXHAUST_POOL / NS_NODE_COST (128) */
#define NS_FILE "hole-exhaust-ns" /* in fs:///tmp, made by the test */
#define NS_DATA "the victim reads this"
#define NS_CHILD_RIGHTS (RIGHT_LOOKUP | RIGHT_READ | RIGHT_ENUMERATE | RIGHT_INSPECT)

static void tell(handle_t ep, int32_t v)
{
	struct kbus_msg m = {.data = &v, .len = sizeof(v)};
	ch_kbus_send(ep, &m, KBUS_NONBLOCK, 0);
}

static long ns_open_file(handle_t dir, uint64_t rights, handle_t *out)
{
	struct ns_open_args a = {.type = NS_TYPE_FILE, .rights = rights, .timeout = HT_LONG};
	return ch_ns_open(dir, NS_FILE, strlen(NS_FILE), &a, out);
}

/* The victim's namespace step: open, read, stat the file and list its directory. */
static bool ns_step(handle_t dir)
{
	char buf[sizeof(NS_DATA)], list[512];
	struct ns_stat st;
	uint64_t cookie = 0;
	handle_t f;
	if (ns_open_file(dir, RIGHT_READ, &f) < 0)
		return false;
	bool ok = ch_ns_read(f, 0, buf, sizeof(buf), HT_LONG) == sizeof(NS_DATA) - 1 &&
	          memcmp(buf, NS_DATA, sizeof(NS_DATA) - 1) == 0 &&
	          ch_ns_stat(f, &st, HT_LONG) >= 0 && st.size == sizeof(NS_DATA) - 1;
	ch_cap_drop(f);
	return ok && ch_ns_list(dir, &cookie, list, sizeof(list), HT_LONG) > 0;
}

/* arg "ns": a namespace step too, in "tmp". */
HOLE_CHILD(victim)
{
	handle_t ep = ch_handle("ep"), dir = ch_handle("tmp");
	bool ns = strcmp(arg, "ns") == 0;
	for (;;) {
		handle_t m, e[2];
		int32_t ok = !ns || ns_step(dir);
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
		return 0; /* 256 threads (6 MiB) in 2 MiB: no limit */
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
	if (strcmp(what, "ns_nodes") == 0) {
		handle_t dir = ch_handle("tmp");
		unsigned n = 0;
		while ((r = ns_open_file(dir, RIGHT_READ, &h)) >= 0)
			n++;
		printf("holetest: exhaust ns_nodes: %u nodes, then %s\n", n, ch_error_name(r));
		/* the ~1.7 MiB left holds thousands of nodes: refused sooner, something else ran out */
		return n < EXHAUST_MIN_NODES && (r == ERR_NO_MEMORY || r == ERR_NO_RESOURCES)
		           ? ERR_BAD_STATE
		           : r;
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

/* ht_spawn of role with arg, and "tmp" (dir, looking up and reading) if dir is not
 * HANDLE_INVALID. */
static long spawn_with(const char *role, const char *arg, handle_t ep, handle_t dir,
                       uint64_t child_pool, struct ch_child *c)
{
	const char *argv[] = {"bin/holetest", "child", role, arg, NULL};
	struct ch_grant g[] = {{"log", ht_log, RIGHT_WRITE},
	                       {"ep", ep, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_TRANSFER},
	                       {"tmp", dir, NS_CHILD_RIGHTS}};
	struct ch_spawn_args a = {.path = "bin/holetest",
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = dir != HANDLE_INVALID ? 3 : 2,
	                          .child_pool = child_pool};
	return ch_spawn(&a, c);
}

/* dir: "tmp" for both children (HANDLE_INVALID: none), the victim then stepping in it too. */
static void exhaust_test(const char *what, handle_t dir)
{
	handle_t ve[2], xe[2], mem = HANDLE_INVALID;
	struct ch_child victim, ex;
	struct proc_status st;
	int32_t v = 0, step;
	uint64_t base = ht_pool_used();

	EXPECT_OK(ch_channel_create(ht_pool, 64, ve));
	EXPECT_OK(ch_channel_create(ht_pool, 4, xe));
	if (dir == HANDLE_INVALID)
		EXPECT_OK(ht_spawn("victim", "-", ve[1], VICTIM_POOL, &victim));
	else
		EXPECT_OK(spawn_with("victim", "ns", ve[1], dir, VICTIM_POOL, &victim));
	/* the victim warmed the segment cache (our pool pays for that): from here on
	   our pool grows by the exhauster's sub-pool only */
	int64_t before = (int64_t)ht_pool_used(), grew = 0;
	long r = spawn_with("exhaust", what, xe[1], dir, EXHAUST_POOL, &ex);
	ch_cap_drop(ve[1]);
	ch_cap_drop(xe[1]);
	if (r < 0) {
		ht_reap(&victim, 0, NULL);
		CHECK(0, "spawn exhaust %s: %s", what, ch_error_name(r));
	}
	r = hear(xe[0], &v, HT_LONG);
	long got = 0, mr = 0;
	if (r >= 0) {
		grew = (int64_t)ht_pool_used() - before;
		mr = ch_mem_create(ht_pool, 4u << 20, &mem);
		while (hear(ve[0], &step, 0) >= 0) /* before the exhaustion */
			;
		for (int64_t end = ch_clock_ns() + (int64_t)HT_LONG;
		     got < 5 && ch_clock_ns() < end;)
			got += hear(ve[0], &step, HT_LONG) >= 0;
	}
	long killed = ch_proc_kill(ex.process);
	long waited = ch_proc_wait(ex.process, HT_LONG, &st);
	ch_child_release(&ex);
	if (mem != HANDLE_INVALID)
		ch_cap_drop(mem);
	ht_reap(&victim, 0, NULL);
	ch_cap_drop(ve[0]);
	ch_cap_drop(xe[0]);
	CHECK(r >= 0, "exhaust %s: no word from the exhauster: %s", what, ch_error_name(r));
	CHECK(v == ERR_NO_MEMORY || v == ERR_NO_RESOURCES,
	      "exhaust %s: the kernel's refusal was %s, want ERR_NO_MEMORY or ERR_NO_RESOURCES",
	      what, ch_error_name(v));
	CHECK(grew <= (int64_t)(EXHAUST_POOL + EXHAUST_SLACK),
	      "exhaust %s: our pool grew by %lld KiB, its sub-pool is %u KiB", what,
	      (long long)(grew >> 10), EXHAUST_POOL >> 10);
	CHECK(mr >= 0, "exhaust %s: we could not take 4 MiB of our pool while it was exhausted: %s",
	      what, ch_error_name(mr));
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
	exhaust_test("slots", HANDLE_INVALID);
}
HOLE_TEST(exhaust_pool_memory)
{
	exhaust_test("memory", HANDLE_INVALID);
}
HOLE_TEST(exhaust_kbus_queues)
{
	exhaust_test("queues", HANDLE_INVALID);
}
HOLE_TEST(exhaust_threads)
{
	exhaust_test("threads", HANDLE_INVALID);
}
HOLE_TEST(exhaust_waitsets)
{
	exhaust_test("waitsets", HANDLE_INVALID);
}
HOLE_TEST(exhaust_groups)
{
	exhaust_test("groups", HANDLE_INVALID);
}

/* The file the children open, in our view of fs:///tmp (ns.fs:/tmp:rw). */
HOLE_TEST(exhaust_ns_nodes)
{
	handle_t dir = ch_ns_root("fs"), f;
	struct ns_open_args a = {.type = NS_TYPE_FILE,
	                         .flags = NS_OPEN_CREATE,
	                         .rights = RIGHT_READ | RIGHT_WRITE,
	                         .timeout = HT_LONG};
	CHECK(dir != HANDLE_INVALID, "no ns.fs in holetest's view");
	long r = ch_ns_open(dir, NS_FILE, strlen(NS_FILE), &a, &f);
	CHECK(r >= 0, "create fs:///tmp/" NS_FILE ": %s", ch_error_name(r));
	r = ch_ns_write(f, 0, NS_DATA, sizeof(NS_DATA) - 1, HT_LONG);
	ch_cap_drop(f);
	CHECK(r == sizeof(NS_DATA) - 1, "write fs:///tmp/" NS_FILE ": %s", ch_error_name(r));
	exhaust_test("ns_nodes", dir);
	r = ch_ns_unlink(dir, NS_FILE, strlen(NS_FILE), 0, HT_LONG);
	CHECK(r >= 0, "unlink fs:///tmp/" NS_FILE ": %s", ch_error_name(r));
}
