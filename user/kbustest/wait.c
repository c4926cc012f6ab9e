/*
 * wait.c - waitsets (several endpoints, a child's exit, a timer, with timeouts)
 * and multicast groups (fan-out to subscriber processes, and the slow-subscriber
 * policy: a full subscription loses its OLDEST message, the publisher never
 * waits).
 */
#include "kbustest.h"

#include <string.h>

#define KEY_A 1
#define KEY_B 2
#define KEY_CHILD 3
#define KEY_TIMER 4

static void test_waitset(void)
{
	handle_t ws, a[2], b[2];
	struct ch_child c;
	struct kbus_event ev[8];
	char buf[8];
	uint32_t len, seen = 0;

	if (kt_channel(0, a) || kt_channel(0, b))
		return;
	EXPECT_OK(ch_waitset_create(kt_pool, &ws));
	EXPECT_OK(kt_spawn("sleepexit", "40", HANDLE_INVALID, 0, 0, &c));
	EXPECT_OK(ch_waitset_add(ws, a[1], KBUS_EV_READABLE, KEY_A));
	EXPECT_OK(ch_waitset_add(ws, b[1], KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED, KEY_B));
	EXPECT_OK(ch_waitset_add(ws, c.process, KBUS_EV_EXITED, KEY_CHILD));
	EXPECT_ERR(ch_waitset_add(ws, a[1], KBUS_EV_READABLE, KEY_A), ERR_ALREADY_EXISTS);
	EXPECT_ERR(ch_waitset_add(ws, a[0], 0, 99), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_waitset_wait(ws, ev, 8, 0), ERR_TIMED_OUT); /* nothing ready yet */
	/* Pointers that can never be user memory are refused even with nothing to report. */
	for (unsigned i = 0; i < kt_nbad_ptrs; i++)
		if (kt_bad_ptrs[i] >= UINT64_C(0x0000800000000000))
			EXPECT_ERR(ch_waitset_wait(
			               ws, (struct kbus_event *)(uintptr_t)kt_bad_ptrs[i], 8, 0),
			           ERR_BAD_ADDRESS);

	/* A message makes A readable, and it stays so until received (level-triggered). */
	EXPECT_OK(ch_kbus_send_bytes(a[0], "a", 1, 0, 0));
	for (unsigned i = 0; i < kt_nbad_ptrs; i++)
		EXPECT_ERR(
		    ch_waitset_wait(ws, (struct kbus_event *)(uintptr_t)kt_bad_ptrs[i], 8, 0),
		    ERR_BAD_ADDRESS);
	for (int k = 0; k < 2; k++) {
		long n = ch_waitset_wait(ws, ev, 8, KT_LONG);
		CHECK(n == 1 && ev[0].key == KEY_A && (ev[0].events & KBUS_EV_READABLE),
		      "wait %d: n %ld key %llu events %x", k, n, (unsigned long long)ev[0].key,
		      ev[0].events);
	}
	EXPECT_OK(ch_kbus_recv_bytes(a[1], buf, sizeof(buf), &len, 0, 0));

	/* The timer, the child's exit and B's closed peer, in whatever order they come. */
	int64_t deadline = ch_clock_ns() + (int64_t)(10 * KT_MS);
	EXPECT_OK(ch_waitset_timer(ws, (uint64_t)deadline, KEY_TIMER));
	EXPECT_OK(ch_cap_drop(b[0]));
	while (seen != ((1u << KEY_B) | (1u << KEY_CHILD) | (1u << KEY_TIMER))) {
		long n = ch_waitset_wait(ws, ev, 8, KT_LONG);
		CHECK(n >= 1, "waiting for B, child and timer (seen %x): %s", seen,
		      ch_error_name(n));
		for (long i = 0; i < n; i++) {
			CHECK(ev[i].key >= KEY_B && ev[i].key <= KEY_TIMER, "event for key %llu",
			      (unsigned long long)ev[i].key);
			if (ev[i].key == KEY_TIMER) {
				CHECK(ev[i].events & KBUS_EV_TIMER, "timer events %x",
				      ev[i].events);
				CHECK(ch_clock_ns() >= deadline, "timer fired early");
				EXPECT_OK(
				    ch_waitset_timer(ws, 0, KEY_TIMER)); /* one shot: cancel */
			}
			if (ev[i].key == KEY_CHILD)
				CHECK(ev[i].events & KBUS_EV_EXITED, "child events %x",
				      ev[i].events);
			if (ev[i].key == KEY_B) {
				CHECK(ev[i].events & KBUS_EV_PEER_CLOSED, "B events %x",
				      ev[i].events);
				EXPECT_OK(ch_waitset_remove(ws, KEY_B));
			}
			if (ev[i].key == KEY_CHILD)
				EXPECT_OK(ch_waitset_remove(ws, KEY_CHILD));
			seen |= 1u << ev[i].key;
		}
	}
	EXPECT_ERR(ch_waitset_remove(ws, KEY_B), ERR_NOT_FOUND);
	int64_t t0 = ch_clock_ns();
	EXPECT_ERR(ch_waitset_wait(ws, ev, 8, 5 * KT_MS), ERR_TIMED_OUT);
	CHECK(ch_clock_ns() - t0 >= (int64_t)(5 * KT_MS), "waitset timed out early");
	kt_reap_ok(&c, "sleepexit");
	ch_cap_drop(ws);
	ch_cap_drop(a[0]);
	ch_cap_drop(a[1]);
	ch_cap_drop(b[1]);
}

#define SUBSCRIBERS 3
#define FANOUT_MESSAGES 200u

/* Starts a subscriber child of role; waits for its "ready". */
static int start_subscriber(const char *role, const char *arg, handle_t group, handle_t *ep,
                            struct ch_child *c)
{
	handle_t e[2];
	char buf[8];
	uint32_t len;

	if (kt_channel(0, e))
		return 1;
	long r = kt_spawn(role, arg, e[1], group, RIGHT_RECV | RIGHT_INSPECT, c);
	ch_cap_drop(e[1]);
	if (r < 0) {
		kt_fail("spawn %s: %s", role, ch_error_name(r));
		ch_cap_drop(e[0]);
		return 1;
	}
	r = ch_kbus_recv_bytes(e[0], buf, sizeof(buf), &len, 0, KT_LONG);
	if (r < 0) {
		kt_fail("%s never said ready: %s", role, ch_error_name(r));
		ch_cap_drop(e[0]);
		kt_reap(c, 0, NULL);
		return 1;
	}
	*ep = e[0];
	return 0;
}

static void test_group_fanout(void)
{
	handle_t g, eps[SUBSCRIBERS];
	struct ch_child c[SUBSCRIBERS];
	unsigned started = 0;

	EXPECT_OK(ch_group_create(kt_pool, FANOUT_MESSAGES, &g));
	for (; started < SUBSCRIBERS; started++)
		if (start_subscriber("sub", "200", g, &eps[started], &c[started]))
			break;
	for (uint32_t i = 0; i < FANOUT_MESSAGES && !kt_failed(); i++) {
		struct kbus_msg m = {.data = &i, .len = sizeof(i)};
		long n = ch_group_publish(g, &m);
		CHECK(n == SUBSCRIBERS, "publish %u reached %ld subscribers", i, n);
	}
	/* Handles are refused in group messages. */
	struct kbus_msg withh = {.data = "x", .len = 1, .handles = &g, .nhandles = 1};
	if (!kt_failed())
		EXPECT_ERR(ch_group_publish(g, &withh), ERR_INVALID_ARGS);
	for (unsigned i = 0; i < started; i++) {
		kt_reap_ok(&c[i], "subscriber");
		ch_cap_drop(eps[i]);
	}
	ch_cap_drop(g);
}

static void test_group_slow(void)
{
	handle_t g, ep, mine;
	struct ch_child c;
	uint32_t seq, len;

	EXPECT_OK(ch_group_create(kt_pool, 8, &g));
	EXPECT_OK(ch_group_subscribe(g, &mine)); /* a subscriber that keeps up */
	if (start_subscriber("slowsub", "20", g, &ep, &c))
		return;
	for (uint32_t i = 0; i < 20; i++) {
		struct kbus_msg m = {.data = &i, .len = sizeof(i)};
		long n = ch_group_publish(g, &m); /* never waits, even with one full */
		CHECK(n == 2, "publish %u reached %ld subscribers, want 2", i, n);
		EXPECT_OK(ch_kbus_recv_bytes(mine, &seq, sizeof(seq), &len, KBUS_NONBLOCK, 0));
		CHECK(seq == i, "fast subscriber got %u, want %u", seq, i);
	}
	EXPECT_OK(ch_kbus_send_bytes(ep, "go", 2, 0, KT_LONG));
	kt_reap_ok(&c, "slow subscriber (expects the newest 8 of 20)");
	ch_cap_drop(ep);
	ch_cap_drop(mine);
	ch_cap_drop(g);
}

void kt_run_wait_tests(void)
{
	kt_run("waitset", test_waitset);
	kt_run("group_fanout", test_group_fanout);
	kt_run("group_slow_subscriber_drops_oldest", test_group_slow);
}
