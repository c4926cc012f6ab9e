/*
 * waitset.c - holes in waitsets (issue 13, items 4 and 5).
 *
 * waitset_wait_memory: each thread in SYS_WAITSET_WAIT used to allocate
 * members x 88 bytes of kernel heap (a 128 KiB block for 1,024 members),
 * uncharged, for the whole wait: a child whose pool pays only for its threads
 * parks hundreds of waiters and the kernel heap runs dry for everyone. Now a
 * wait allocates nothing; a bystander must still be able to create kernel
 * objects, and no waiter may fail with ERR_NO_MEMORY.
 *
 * waitset_storm: one endpoint added under 1,024 keys and 500 waiting threads
 * made every 1-byte send walk 512,000 wait-queue entries with interrupts off,
 * and each waiter then unlink its entries one list walk (interrupts off) at a
 * time: quadratic work that a kill had to wait out (over a minute on
 * pvh-q35-smp1-128M; with 250 waiters, 33-40 s). Now the
 * endpoint wakes the waitset once per watch (at most WAITQ_MAX_WATCHES per
 * queue). The attacker times its own sends against victim threads spinning
 * in the same process (one per CPU, so one shares the sender's CPU: threads
 * are placed round-robin and do not migrate): a send that spans many
 * scheduler ticks while no victim made progress is starvation. Then the
 * parent kills the attacker mid-storm, and the kill must complete.
 */
#include "holetest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <charlotte/start.h>
#include <charlotte/thread.h>

struct ws_report {
	long waiters; /* threads parked (memory) / waiting (storm) */
	long errors; /* waits that failed */
	long first_error;
	long keys; /* storm: keys added for the one endpoint */
	long sends;
	long starved; /* storm: long sends during which a victim never ran */
	long max_send_ns;
};

static long report(const struct ws_report *r)
{
	handle_t ep = ch_handle("ep");
	struct kbus_msg m = {.data = r, .len = sizeof(*r)};
	return ch_kbus_send(ep, &m, 0, HT_LONG);
}

static long get_report(handle_t ep, struct ws_report *r)
{
	struct kbus_buf b = {.data = r, .capacity = sizeof(*r)};
	long n = ch_kbus_recv(ep, &b, 0, HT_LONG);
	if (n >= 0 && b.len != sizeof(*r))
		return ERR_INVALID_ARGS;
	return n;
}

/* --- shared by both children --- */

static handle_t ws_handle;
static volatile long ws_started, ws_errors, ws_first_error;
static volatile int ws_loop; /* storm: waiters wait again after each wake-up */

static int waiter(void *arg)
{
	(void)arg;
	struct kbus_event ev[1];
	__atomic_add_fetch(&ws_started, 1, __ATOMIC_SEQ_CST);
	do {
		long r = ch_waitset_wait(ws_handle, ev, 1, HT_LONG);
		if (r < 0 && r != ERR_TIMED_OUT) {
			if (__atomic_add_fetch(&ws_errors, 1, __ATOMIC_SEQ_CST) == 1)
				ws_first_error = r;
			return 1;
		}
	} while (ws_loop);
	return 0;
}

#define STACK 1024u

/* Start up to max waiters; returns how many (stops at the first failure). */
static long start_waiters(long max)
{
	long n = 0;
	for (; n < max; n++) {
		handle_t t;
		void *stack = malloc(STACK); /* only this thread mallocs */
		if (!stack || ch_thread_spawn(waiter, NULL, stack, STACK, &t) < 0)
			break;
		ch_cap_drop(t);
	}
	while (ws_started < n)
		ch_sleep_ns(HT_MS);
	ch_sleep_ns(300 * HT_MS); /* let every one of them get into its wait */
	return n;
}

/* --- waitset_wait_memory --- */

#define MEM_CHANNELS 8 /* x 128 keys = 1,024 members */
#define MEM_MAX_WAITERS 2000

HOLE_CHILD(ws_parkers)
{
	(void)arg;
	handle_t pool = ch_handle("pool");
	if (ch_waitset_create(pool, &ws_handle) < 0)
		return 2;
	uint64_t key = 0;
	for (int c = 0; c < MEM_CHANNELS; c++) {
		handle_t e[2];
		if (ch_channel_create(pool, 0, e) < 0)
			return 3;
		/* 64 keys per endpoint: within the kernel's 64 watches per wait queue */
		for (int i = 0; i < 128; i++)
			if (ch_waitset_add(ws_handle, e[i & 1], KBUS_EV_PEER_CLOSED, key++) < 0)
				return 4;
	}
	struct ws_report r = {0};
	r.waiters = start_waiters(MEM_MAX_WAITERS);
	r.errors = ws_errors;
	r.first_error = ws_first_error;
	r.keys = (long)key;
	if (report(&r) < 0)
		return 5;
	ch_sleep_ns(HT_LONG); /* keep waiting until killed */
	return 0;
}

HOLE_TEST(waitset_wait_memory)
{
	handle_t e[2];
	EXPECT_OK(ch_channel_create(ht_pool, 0, e));
	/* the bystander's memory, set aside first */
	handle_t bpool;
	EXPECT_OK(ch_pool_split(ht_pool, 1u << 20, &bpool));
	struct ch_child c;
	/* the waiters' threads (24 KiB each, and a 1 KiB stack) are charged to the child's
	   sub-pool, which ch_spawn made its process on: 6 MiB is some 230 of them */
	long r = ht_spawn("ws_parkers", "", e[1], 6u << 20, &c);
	CHECK(r >= 0, "spawn: %s", ch_error_name(r));
	struct ws_report rep;
	r = get_report(e[0], &rep);
	if (r < 0) {
		ht_reap(&c, 0, NULL);
		ch_cap_drop(bpool);
		CHECK(0, "no report from the waiters: %s", ch_error_name(r));
	}
	printf("holetest: %ld threads waiting on a waitset of %ld members\n", rep.waiters,
	       rep.keys);
	struct pool_info pi = {0};
	ch_pool_info(bpool, &pi);
	/* the bystander: new kernel objects its own pool pays for (kernel heap) */
	long sr = 0;
	handle_t objs[64];
	int nobj = 0;
	for (int i = 0; i < 16 && sr >= 0; i++) {
		sr = ch_channel_create(bpool, 0, &objs[nobj]);
		if (sr >= 0)
			nobj += 2;
	}
	if (sr >= 0 && (sr = ch_waitset_create(bpool, &objs[nobj])) >= 0)
		nobj++;
	if (sr >= 0 && (sr = ch_mem_create(bpool, 256u << 10, &objs[nobj])) >= 0)
		nobj++;
	for (int i = 0; i < nobj; i++)
		ch_cap_drop(objs[i]);
	ch_cap_drop(bpool);
	long kr = ch_proc_kill(c.process);
	long cr = ht_reap(&c, HT_LONG, NULL);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
	CHECK(rep.keys == 1024, "only %ld members", rep.keys);
	CHECK(rep.waiters >= 100, "only %ld waiters started", rep.waiters);
	CHECK(rep.errors == 0, "%ld of %ld waits failed (first: %s)", rep.errors, rep.waiters,
	      ch_error_name(rep.first_error));
	CHECK(sr >= 0,
	      "bystander could not create objects with %ld waiters parked: %s (its pool: %lu "
	      "of %lu KiB used)",
	      rep.waiters, ch_error_name(sr), (unsigned long)(pi.used >> 10),
	      (unsigned long)(pi.quota >> 10));
	CHECK(kr >= 0 && cr >= 0, "kill of the waiters: %s / %s", ch_error_name(kr),
	      ch_error_name(cr));
}

/* --- waitset_storm --- */

#define STORM_KEYS 1024
#define STORM_WAITERS 500
#define STORM_VICTIMS 8 /* >= the CPU count of any test configuration */
#define STORM_SENDS 200
/* A send spanning this many scheduler ticks while a victim never ran is
   starvation: had interrupts been on, the timer would have preempted the sender
   and the round-robin would have run the victim sharing its CPU before the
   sender's turn came again (the victims never block). Host speed does not
   matter: a slow send is preempted, not starving. */
#define STORM_STARVE_NS (5 * 10 * HT_MS) /* 5 ticks of SCHED_TICK_NS */

static volatile uint64_t victim_count[STORM_VICTIMS];

static int victim(void *arg)
{
	volatile uint64_t *n = arg;
	for (;;)
		__atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Did any victim make progress since snap? Not "every": the host may stall
 * another virtual CPU for a while; the victim on the sender's CPU cannot be
 * stalled that way while the sender's clock advances (its timer would preempt
 * the sender), and on one CPU every victim shares the sender's.
 */
static bool victims_ran(const uint64_t snap[STORM_VICTIMS])
{
	for (int i = 0; i < STORM_VICTIMS; i++)
		if (victim_count[i] != snap[i])
			return true;
	return false;
}

static uint8_t victim_stacks[STORM_VICTIMS][4096];

HOLE_CHILD(ws_storm)
{
	(void)arg;
	handle_t pool = ch_handle("pool");
	handle_t e[2];
	if (ch_waitset_create(pool, &ws_handle) < 0 || ch_channel_create(pool, 0, e) < 0)
		return 2;
	struct ws_report r = {0};
	/* the same endpoint under many keys, for an event that never comes */
	while (r.keys < STORM_KEYS &&
	       ch_waitset_add(ws_handle, e[1], KBUS_EV_PEER_CLOSED, (uint64_t)r.keys) >= 0)
		r.keys++;
	for (int i = 0; i < STORM_VICTIMS; i++) {
		handle_t t;
		if (ch_thread_spawn(victim, (void *)&victim_count[i], victim_stacks[i],
		                    sizeof(victim_stacks[i]), &t) < 0)
			return 3;
		ch_cap_drop(t);
	}
	ws_loop = 1;
	r.waiters = start_waiters(STORM_WAITERS);
	uint8_t byte = 1, in[8];
	struct kbus_msg m = {.data = &byte, .len = 1};
	struct kbus_buf b = {.data = in, .capacity = sizeof(in)};
	for (long i = 0;; i++) {
		uint64_t snap[STORM_VICTIMS];
		for (int v = 0; v < STORM_VICTIMS; v++)
			snap[v] = victim_count[v];
		int64_t t0 = ch_clock_ns();
		if (ch_kbus_send(e[0], &m, 0, HT_LONG) < 0)
			return 4;
		int64_t dt = ch_clock_ns() - t0;
		if (dt >= (int64_t)STORM_STARVE_NS && !victims_ran(snap))
			r.starved++;
		if (dt > r.max_send_ns)
			r.max_send_ns = dt;
		if (ch_kbus_recv(e[1], &b, 0, HT_LONG) < 0)
			return 5;
		if (i == STORM_SENDS) {
			r.sends = i;
			r.errors = ws_errors;
			r.first_error = ws_first_error;
			if (report(&r) < 0)
				return 6;
		}
		/* then storm on until killed */
	}
}

HOLE_TEST(waitset_storm)
{
	handle_t e[2];
	EXPECT_OK(ch_channel_create(ht_pool, 0, e));
	struct ch_child c;
	/* STORM_WAITERS threads of 24 KiB and their 1 KiB stacks (12.5 MiB), the victims,
	   the process and image: all the child's sub-pool's */
	long r = ht_spawn("ws_storm", "", e[1], 16u << 20, &c);
	CHECK(r >= 0, "spawn: %s", ch_error_name(r));
	struct ws_report rep;
	r = get_report(e[0], &rep);
	int64_t t0 = ch_clock_ns();
	long kr = ch_proc_kill(c.process);
	long wr = ch_proc_wait(c.process, HT_LONG, NULL);
	int64_t kill_ns = ch_clock_ns() - t0;
	if (wr < 0)
		ht_reap(&c, 0, NULL);
	else
		ch_child_release(&c);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
	CHECK(r >= 0, "no report from the attacker: %s", ch_error_name(r));
	printf("holetest: storm: %ld keys, %ld waiters, %ld sends, longest %ld us, kill %ld ms\n",
	       rep.keys, rep.waiters, rep.sends, rep.max_send_ns / 1000, (long)(kill_ns / HT_MS));
	CHECK(rep.waiters == STORM_WAITERS, "only %ld waiters started", rep.waiters);
	CHECK(rep.errors == 0, "%ld waits failed (first: %s)", rep.errors,
	      ch_error_name(rep.first_error));
	CHECK(rep.starved == 0, "%ld sends of over 5 ticks starved the victims (longest %ld ms)",
	      rep.starved, rep.max_send_ns / (long)HT_MS);
	CHECK(kr >= 0 && wr >= 0, "kill of the attacker did not complete: %s / %s",
	      ch_error_name(kr), ch_error_name(wr));
}
