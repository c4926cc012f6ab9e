/*
 * latency.c - hole 6: kernel work proportional to what a user asked for, done
 * with interrupts off (a group publish to many subscribers, a revoke of many
 * capabilities, an unmap of many mappings).
 *
 * Each test runs one large operation while a victim thread of ours spins on
 * the same CPU (a thread starts on its creator's CPU and never migrates),
 * writing the clock into a ring of time stamps. The operation is grown until
 * it lasts LAT_SPAN (several 10 ms scheduler ticks); then the victim must
 * have run in the middle half of it. With interrupts off for the whole
 * operation the victim cannot run until it ends (the stamps around the edges
 * are ignored: a tick that arrives during the operation may let the victim in
 * right after it). No threshold depends on the host's speed: a slow host only
 * makes the operation span its ticks sooner. If even the largest size ends
 * sooner, nothing could be measured and the test says so and passes.
 *
 * The revoke and unmap tests also kill a child doing such operations in a
 * loop, and check that it ends.
 */
#include "holetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/thread.h>

#define LAT_SPAN (40 * HT_MS)
#define LAT_STAMPS 4096u /* at one per LAT_STAMP_NS: about 2 s of history */
#define LAT_STAMP_NS (500 * UINT64_C(1000))
#define LAT_STACK 16384

struct victim {
	volatile int64_t stamps[LAT_STAMPS];
	volatile uint32_t n;
	volatile int stop;
};

static int victim_main(void *arg)
{
	struct victim *v = arg;
	int64_t last = 0;
	while (!v->stop) {
		int64_t now = ch_clock_ns();
		if (now - last >= (int64_t)LAT_STAMP_NS) {
			v->stamps[v->n % LAT_STAMPS] = now;
			v->n = v->n + 1;
			last = now;
		}
	}
	return 0;
}

struct lat {
	struct victim *v;
	void *stack;
	handle_t thread;
};

static int lat_start(struct lat *l)
{
	l->v = calloc(1, sizeof(*l->v));
	l->stack = malloc(LAT_STACK);
	if (!l->v || !l->stack)
		return ERR_NO_MEMORY;
	return ch_thread_spawn(victim_main, l->v, l->stack, LAT_STACK, &l->thread);
}

static void lat_stop(struct lat *l)
{
	l->v->stop = 1;
	ch_thread_wait(l->thread, HT_LONG, NULL);
	ch_cap_drop(l->thread);
	free(l->stack);
	free(l->v);
}

/* Did the victim run in the middle half of [t0, t1]? */
static bool victim_ran_inside(struct lat *l, int64_t t0, int64_t t1)
{
	int64_t lo = t0 + (t1 - t0) / 4, hi = t1 - (t1 - t0) / 4;
	for (uint32_t i = 0; i < LAT_STAMPS; i++)
		if (l->v->stamps[i] > lo && l->v->stamps[i] < hi)
			return true;
	return false;
}

/*
 * The verdict on one timed operation: 1 = measured and the victim ran, 0 =
 * too short to tell (grow it), -1 = measured and the victim starved.
 */
static int judge(struct lat *l, int64_t t0, int64_t t1, const char *what, unsigned size)
{
	if (t1 - t0 < (int64_t)LAT_SPAN)
		return 0;
	if (victim_ran_inside(l, t0, t1)) {
		printf("holetest: %s of %u took %lld ms; a thread on the same CPU ran meanwhile\n",
		       what, size, (long long)((t1 - t0) / (int64_t)HT_MS));
		return 1;
	}
	ch_test_fail("%s of %u took %lld ms and a thread on the same CPU never ran in its middle",
	             what, size, (long long)((t1 - t0) / (int64_t)HT_MS));
	return -1;
}

static void not_measured(const char *what, long r)
{
	printf("holetest: %s always ended before %llu ms (last: %s): latency not measured\n", what,
	       (unsigned long long)(LAT_SPAN / HT_MS), r < 0 ? ch_error_name(r) : "ok");
}

/* --- group publish --- */

#define PUB_MAX_SUBS 256u

HOLE_TEST(group_publish_latency)
{
	struct lat l;
	EXPECT_OK(lat_start(&l));
	handle_t g, subs[PUB_MAX_SUBS];
	unsigned nsubs = 0;
	int verdict = 0;
	char *buf = malloc(KBUS_MAX_BYTES);
	long r = buf ? ch_group_create(ht_pool, 1, &g) : ERR_NO_MEMORY;
	if (r < 0)
		goto out_victim;
	memset(buf, 0x5a, KBUS_MAX_BYTES);
	struct kbus_msg m = {.data = buf, .len = KBUS_MAX_BYTES};
	for (unsigned want = 32; want <= PUB_MAX_SUBS && verdict == 0; want *= 2) {
		while (nsubs < want && (r = ch_group_subscribe(g, &subs[nsubs])) >= 0)
			nsubs++;
		if (nsubs < want)
			break; /* out of pool: measure what we have once more */
		int64_t t0 = ch_clock_ns();
		r = ch_group_publish(g, &m);
		int64_t t1 = ch_clock_ns();
		if (r < 0)
			break;
		verdict = judge(&l, t0, t1, "a publish to subscribers", nsubs);
	}
	if (r < 0 && r != ERR_NO_MEMORY)
		ch_test_fail("group: %s", ch_error_name(r));
	else if (verdict == 0)
		not_measured("a publish", r);
	for (unsigned i = 0; i < nsubs; i++)
		ch_cap_drop(subs[i]);
	ch_cap_drop(g);
out_victim:
	free(buf);
	lat_stop(&l);
	CHECK(r >= 0 || r == ERR_NO_MEMORY, "setup: %s", ch_error_name(r));
}

/* --- revoke --- */

/*
 * Put n copies of root in flight: messages of 64 handles, each handle a copy
 * (a child of root), queued on a channel nobody reads.
 */
static long copies_in_flight(handle_t root, handle_t ep, unsigned n)
{
	handle_t hs[KBUS_MAX_HANDLES];
	for (unsigned i = 0; i < KBUS_MAX_HANDLES; i++)
		hs[i] = root;
	struct kbus_msg m = {.nhandles = KBUS_MAX_HANDLES, .handles = hs, .copy_mask = ~0ull};
	for (unsigned i = 0; i < n / KBUS_MAX_HANDLES; i++) {
		long r = ch_kbus_send(ep, &m, 0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

#define REVOKE_MAX (128u * 1024u)

HOLE_TEST(revoke_latency)
{
	struct lat l;
	EXPECT_OK(lat_start(&l));
	int verdict = 0;
	long r = 0;
	for (unsigned n = 8192; n <= REVOKE_MAX && verdict == 0; n *= 2) {
		handle_t mem, ch[2];
		r = ch_mem_create(ht_pool, 4096, &mem);
		if (r < 0)
			break;
		r = ch_channel_create(ht_pool, 4096, ch);
		if (r < 0) {
			ch_cap_drop(mem);
			break;
		}
		r = copies_in_flight(mem, ch[0], n);
		if (r >= 0) {
			int64_t t0 = ch_clock_ns();
			r = ch_cap_revoke(mem);
			int64_t t1 = ch_clock_ns();
			if (r >= 0 && r != (long)n)
				ch_test_fail("revoke of %u copies in flight destroyed %ld", n, r);
			else if (r >= 0)
				verdict = judge(&l, t0, t1, "a revoke of capabilities", n);
		}
		ch_cap_drop(ch[0]);
		ch_cap_drop(ch[1]);
		ch_cap_drop(mem);
		if (r < 0)
			break;
	}
	lat_stop(&l);
	CHECK(r >= 0 || r == ERR_NO_MEMORY || r == ERR_NO_RESOURCES, "revoke: %s",
	      ch_error_name(r));
	if (verdict == 0)
		not_measured("a revoke", r);
}

/* --- unmap --- */

#define UNMAP_BASE UINT64_C(0x200000000000)
#define UNMAP_PIECE (UINT64_C(2) << 20)
#define UNMAP_MAX 2048u

/* Map mem (one piece long) n times, one after another from UNMAP_BASE. */
static long map_many(handle_t mem, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		long r =
		    ch_as_map(ht_as, UNMAP_BASE + i * UNMAP_PIECE, mem, 0, UNMAP_PIECE, PROT_READ);
		if (r < 0) {
			ch_as_unmap(ht_as, UNMAP_BASE, (uint64_t)n * UNMAP_PIECE);
			return r;
		}
	}
	return 0;
}

HOLE_TEST(unmap_latency)
{
	struct lat l;
	EXPECT_OK(lat_start(&l));
	handle_t mem;
	int verdict = 0;
	long r = ch_mem_create(ht_pool, UNMAP_PIECE, &mem);
	for (unsigned n = 64; r >= 0 && n <= UNMAP_MAX && verdict == 0; n *= 2) {
		r = map_many(mem, n);
		if (r < 0)
			break;
		int64_t t0 = ch_clock_ns();
		r = ch_as_unmap(ht_as, UNMAP_BASE, (uint64_t)n * UNMAP_PIECE);
		int64_t t1 = ch_clock_ns();
		if (r >= 0)
			verdict = judge(&l, t0, t1, "an unmap of 2 MiB mappings", n);
	}
	if (r >= 0 || r == ERR_NO_MEMORY)
		ch_cap_drop(mem);
	lat_stop(&l);
	CHECK(r >= 0 || r == ERR_NO_MEMORY, "unmap: %s", ch_error_name(r));
	if (verdict == 0)
		not_measured("an unmap", r);
}

/* --- kills --- */

/* A child that revokes ("revoke") or unmaps ("unmap") big things until killed. */
HOLE_CHILD(lat_churn)
{
	bool revoke = arg && strcmp(arg, "revoke") == 0;
	handle_t mem, ch[2];
	if (ch_mem_create(ht_pool, revoke ? 4096 : UNMAP_PIECE, &mem) < 0)
		return 1;
	if (revoke && ch_channel_create(ht_pool, 4096, ch) < 0)
		return 2;
	ch_log_write(ht_log, "", 0); /* started */
	for (;;) {
		if (revoke) {
			copies_in_flight(mem, ch[0], 32768);
			ch_cap_revoke(mem);
		} else {
			map_many(mem, 1024);
			ch_as_unmap(ht_as, UNMAP_BASE, 1024 * UNMAP_PIECE);
		}
	}
}

static void kill_churner(const char *what)
{
	struct ch_child c;
	int err = ht_spawn("lat_churn", what, HANDLE_INVALID, 12u << 20, &c);
	CHECK(err == 0, "spawn: %s", ch_error_name(err));
	ch_sleep_ns(300 * HT_MS); /* let it get going */
	long r = ch_proc_kill(c.process);
	CHECK(r >= 0, "kill: %s", ch_error_name(r));
	struct proc_status st;
	r = ht_reap(&c, HT_LONG, &st);
	CHECK(r == 0, "a child doing %s did not end within %llu s of its kill", what,
	      (unsigned long long)(HT_LONG / HT_SECOND));
}

HOLE_TEST(revoke_kill)
{
	kill_churner("revoke");
}

HOLE_TEST(unmap_kill)
{
	kill_churner("unmap");
}
