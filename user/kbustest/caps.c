/*
 * caps.c - capabilities crossing processes in kbus messages: move (the sender
 * loses it), copy (both hold it), all-or-nothing refusal of a message with one bad
 * handle, TRANSFER and DUPLICATE rights, an endpoint sent to a child and used
 * there, and a revoke by the original owner reaching a capability the child got.
 *
 * The child plays "caps": each call is a struct kt_req, and it answers with a
 * struct kt_rep of cap_inspect reports on the handles that came with the call
 * (INSPECT) or that it kept (RECHECK).
 */
#include "kbustest.h"

#include <stdio.h>
#include <string.h>

static handle_t ep;
static struct ch_child child;
static struct kt_rep rep;

static long caps_call(uint32_t op, const handle_t *hs, uint32_t n, uint64_t copy_mask)
{
	struct kt_req q = {.op = op};
	struct kbus_msg m = {
	    .data = &q, .len = 24, .handles = hs, .nhandles = n, .copy_mask = copy_mask};
	struct kbus_buf b = {.data = &rep, .capacity = sizeof(rep)};
	memset(&rep, 0, sizeof(rep));
	return ch_kbus_call(ep, &m, &b, KT_LONG);
}

static uint64_t object_id(handle_t h)
{
	struct cap_info ci;
	return ch_cap_inspect(h, &ci) < 0 ? 0 : ci.object_id;
}

static void test_move_copy(void)
{
	handle_t m1, m2;
	struct cap_info ci;

	EXPECT_OK(ch_mem_create(kt_pool, 4096, &m1));
	EXPECT_OK(ch_mem_create(kt_pool, 4096, &m2));
	uint64_t id1 = object_id(m1), id2 = object_id(m2);
	handle_t hs[2] = {m1, m2};
	EXPECT_OK(caps_call(KT_OP_INSPECT, hs, 2, 2)); /* m1 moved, m2 copied */
	CHECK(rep.n == 2, "child got %u handles", rep.n);
	CHECK(rep.caps[0].r == 0 && rep.caps[0].type == OBJ_MEMORY && rep.caps[0].object_id == id1,
	      "moved: child sees r %d type %u id %llu", rep.caps[0].r, rep.caps[0].type,
	      (unsigned long long)rep.caps[0].object_id);
	CHECK(rep.caps[1].r == 0 && rep.caps[1].object_id == id2, "copied: child sees r %d",
	      rep.caps[1].r);
	CHECK(rep.caps[0].rights ==
	          (RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC | RIGHT_MAP | RIGHT_DUPLICATE |
	           RIGHT_TRANSFER | RIGHT_INSPECT | RIGHT_REVOKE),
	      "moved capability has rights %llx", (unsigned long long)rep.caps[0].rights);
	EXPECT_ERR(ch_cap_inspect(m1, &ci), ERR_BAD_HANDLE); /* moved away */
	EXPECT_OK(ch_cap_inspect(m2, &ci)); /* copied: still ours */
	EXPECT_OK(caps_call(KT_OP_DROP, NULL, 0, 0));
	EXPECT_OK(ch_cap_drop(m2));
}

static void test_refused_whole(void)
{
	handle_t m1, m2, noxfer, nodup;
	struct cap_info ci;

	EXPECT_OK(caps_call(KT_OP_COUNT, NULL, 0, 0));
	uint64_t before = rep.value;
	EXPECT_OK(ch_mem_create(kt_pool, 4096, &m1));
	EXPECT_OK(ch_mem_create(kt_pool, 4096, &m2));
	handle_t bad[3] = {m1, HANDLE_MAKE(777, 3), m2};
	EXPECT_ERR(caps_call(KT_OP_INSPECT, bad, 3, 0), ERR_BAD_HANDLE);
	bad[1] = m1; /* the same handle moved twice */
	EXPECT_ERR(caps_call(KT_OP_INSPECT, bad, 2, 0), ERR_INVALID_ARGS);
	EXPECT_OK(ch_cap_derive(m1, RIGHT_READ | RIGHT_DUPLICATE | RIGHT_INSPECT, 0, &noxfer));
	handle_t hs[2] = {m2, noxfer};
	EXPECT_ERR(caps_call(KT_OP_INSPECT, hs, 2, 0), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_cap_derive(m1, RIGHT_READ | RIGHT_TRANSFER | RIGHT_INSPECT, 0, &nodup));
	hs[1] = nodup;
	EXPECT_ERR(caps_call(KT_OP_INSPECT, hs, 2, 2), ERR_ACCESS_DENIED); /* copy needs DUP */
	/* Nothing was delivered and we kept everything. */
	EXPECT_OK(ch_cap_inspect(m1, &ci));
	EXPECT_OK(ch_cap_inspect(m2, &ci));
	EXPECT_OK(ch_cap_inspect(noxfer, &ci));
	EXPECT_OK(ch_cap_inspect(nodup, &ci));
	EXPECT_OK(caps_call(KT_OP_COUNT, NULL, 0, 0));
	CHECK(rep.value == before + 1, "child received %llu messages, want %llu",
	      (unsigned long long)rep.value, (unsigned long long)before + 1);
	/* Moving without DUPLICATE is fine. */
	EXPECT_OK(caps_call(KT_OP_INSPECT, &nodup, 1, 0));
	CHECK(rep.n == 1 && rep.caps[0].r == 0 &&
	          rep.caps[0].rights == (RIGHT_READ | RIGHT_TRANSFER | RIGHT_INSPECT),
	      "moved derived capability: r %d rights %llx", rep.caps[0].r,
	      (unsigned long long)rep.caps[0].rights);
	EXPECT_OK(caps_call(KT_OP_DROP, NULL, 0, 0));
	ch_cap_drop(noxfer);
	ch_cap_drop(m1);
	ch_cap_drop(m2);
}

static void test_revoke_reaches(void)
{
	handle_t root, d;

	EXPECT_OK(ch_mem_create(kt_pool, 4096, &root));
	EXPECT_OK(
	    ch_cap_derive(root, RIGHT_READ | RIGHT_MAP | RIGHT_TRANSFER | RIGHT_INSPECT, 0, &d));
	EXPECT_OK(caps_call(KT_OP_INSPECT, &d, 1, 0));
	CHECK(rep.n == 1 && rep.caps[0].r == 0, "child could not inspect: %d", rep.caps[0].r);
	EXPECT_OK(ch_cap_revoke(root));
	EXPECT_OK(caps_call(KT_OP_RECHECK, NULL, 0, 0));
	CHECK(rep.n == 1 && rep.caps[0].r == ERR_BAD_HANDLE,
	      "after revoke the child's capability gives %s", ch_error_name(rep.caps[0].r));
	EXPECT_OK(caps_call(KT_OP_DROP, NULL, 0, 0));
	EXPECT_OK(ch_cap_drop(root));
}

static void test_endpoint_travels(void)
{
	handle_t e[2];
	char buf[8];
	uint32_t len;

	if (kt_channel(0, e))
		return;
	EXPECT_OK(caps_call(KT_OP_USE_EP, &e[1], 1, 0));
	CHECK(rep.status == 0, "child's send on the endpoint: %s", ch_error_name(rep.status));
	EXPECT_OK(ch_kbus_recv_bytes(e[0], buf, sizeof(buf), &len, 0, KT_LONG));
	CHECK(len == 5 && !memcmp(buf, "hello", 5), "got %u bytes", len);
	/* The child dropped it: the only capability to e[1] is gone. */
	EXPECT_ERR(ch_kbus_recv_bytes(e[0], buf, sizeof(buf), &len, 0, KT_LONG), ERR_PEER_CLOSED);
	ch_cap_drop(e[0]);
}

static void test_caps_start(void)
{
	handle_t e[2];

	ep = HANDLE_INVALID;
	if (kt_channel(0, e))
		return;
	long r = kt_spawn("caps", NULL, e[1], 0, 0, &child);
	ch_cap_drop(e[1]);
	if (r < 0) {
		ch_cap_drop(e[0]);
		kt_fail("spawn: %s", ch_error_name(r));
		return;
	}
	ep = e[0];
}

static void test_caps_exit(void)
{
	EXPECT_OK(caps_call(KT_OP_QUIT, NULL, 0, 0));
	kt_reap_ok(&child, "caps");
}

void kt_run_cap_tests(void)
{
	kt_run("caps_child_start", test_caps_start);
	if (ep == HANDLE_INVALID && !ch_test_planning())
		return; /* the rest did not run: the harness names them */
	kt_run("cap_move_copy", test_move_copy);
	kt_run("cap_refused_whole", test_refused_whole);
	kt_run("cap_revoke_reaches_child", test_revoke_reaches);
	kt_run("cap_endpoint_travels", test_endpoint_travels);
	kt_run("caps_child_exit", test_caps_exit);
	if (ep != HANDLE_INVALID)
		ch_cap_drop(ep);
}
