/*
 * msg.c - kbus messages between processes: ordered streams, calls on the slow and
 * the fast path, bulk buffers, hostile descriptors, full queues, timeouts, peers
 * that exit and servers that die in the middle of a call.
 */
#include "kbustest.h"

#include <string.h>

#include <charlotte/bulk.h>
#include <charlotte/thread.h>

#define ORDER_MESSAGES 4000u
#define ORDER_WINDOW 32u
#define CALLS 1000u

static uint8_t out_buf[8192], in_buf[8192];

static uint32_t order_len(uint32_t seq)
{
	return sizeof(struct kt_seq_msg) + (seq * 37u) % (sizeof(out_buf) - 64);
}

/* Receives the answer to message seq and checks it. */
static void order_check_answer(handle_t e, uint32_t seq)
{
	struct kt_seq_msg *m = (struct kt_seq_msg *)in_buf;
	uint32_t len;

	EXPECT_OK(ch_kbus_recv_bytes(e, in_buf, sizeof(in_buf), &len, 0, KT_LONG));
	CHECK(len == order_len(seq) && m->len == len, "answer %u: %u bytes, want %u", seq, len,
	      order_len(seq));
	CHECK(m->seq == seq, "answer %u came as %u (lost, duplicated or reordered)", seq, m->seq);
	CHECK(kt_pattern_ok(in_buf, ~seq, len), "answer %u: data corrupted", seq);
}

static void test_order(void)
{
	handle_t e[2];
	struct ch_child c;
	struct kt_seq_msg *m = (struct kt_seq_msg *)out_buf;

	if (kt_channel(ORDER_WINDOW * 2, e))
		return;
	EXPECT_OK(kt_spawn("echo", NULL, e[1], 0, 0, &c));
	ch_cap_drop(e[1]);
	for (uint32_t seq = 0; seq < ORDER_MESSAGES && !kt_failed(); seq++) {
		uint32_t len = order_len(seq);
		*m = (struct kt_seq_msg){.seq = seq, .len = len};
		kt_pattern_fill(out_buf, seq, len);
		long r = ch_kbus_send_bytes(e[0], out_buf, len, 0, KT_LONG);
		if (r < 0) {
			kt_fail("send %u: %s", seq, ch_error_name(r));
			break;
		}
		if (seq >= ORDER_WINDOW)
			order_check_answer(e[0], seq - ORDER_WINDOW);
	}
	for (uint32_t seq = ORDER_MESSAGES - ORDER_WINDOW; seq < ORDER_MESSAGES && !kt_failed();
	     seq++)
		order_check_answer(e[0], seq);
	*m = (struct kt_seq_msg){.seq = KT_SEQ_END, .len = sizeof(*m)};
	if (!kt_failed())
		ch_kbus_send_bytes(e[0], out_buf, sizeof(*m), 0, KT_LONG);
	kt_reap_ok(&c, "echo");
	uint32_t len;
	if (!kt_failed()) /* nothing extra arrived, and the child's exit is seen */
		EXPECT_ERR(ch_kbus_recv_bytes(e[0], in_buf, sizeof(in_buf), &len, 0, KT_LONG),
		           ERR_PEER_CLOSED);
	ch_cap_drop(e[0]);
}

static void test_call_slow(void)
{
	handle_t e[2];
	struct ch_child c;
	static struct kt_req q;
	static struct kt_rep p;

	if (kt_channel(0, e))
		return;
	EXPECT_OK(kt_spawn("server", NULL, e[1], 0, 0, &c));
	ch_cap_drop(e[1]);
	for (uint32_t i = 0; i < CALLS && !kt_failed(); i++) {
		q = (struct kt_req){.op = KT_OP_ADD, .n = i % 200, .a = i, .b = 1000000007ull * i};
		for (uint32_t k = 0; k < q.n; k++)
			q.data[k] = (uint8_t)(i + k);
		struct kbus_msg m = {.data = &q, .len = 24 + q.n};
		struct kbus_buf b = {.data = &p, .capacity = sizeof(p)};
		long r = ch_kbus_call(e[0], &m, &b, KT_LONG);
		if (r < 0) {
			kt_fail("call %u: %s", i, ch_error_name(r));
			break;
		}
		CHECK(b.len == 24 + q.n && p.status == 0 && p.value == q.a + q.b && p.n == q.n,
		      "call %u: reply len %u status %lld value %llu", i, b.len, (long long)p.status,
		      (unsigned long long)p.value);
		for (uint32_t k = 0; k < q.n; k++)
			CHECK(p.data[k] == q.data[q.n - 1 - k], "call %u: byte %u", i, k);
	}
	/* A reply that does not fit is refused with its size reported. */
	q = (struct kt_req){.op = KT_OP_ADD, .n = 100};
	struct kbus_msg m = {.data = &q, .len = 24 + q.n};
	struct kbus_buf small = {.data = &p, .capacity = 8};
	if (!kt_failed()) {
		EXPECT_ERR(ch_kbus_call(e[0], &m, &small, KT_LONG), ERR_BUFFER_TOO_SMALL);
		CHECK(small.len == 124, "too-small reply reported %u bytes, want 124", small.len);
	}
	q.op = KT_OP_QUIT;
	m.len = 24;
	struct kbus_buf b = {.data = &p, .capacity = sizeof(p)};
	if (!kt_failed())
		EXPECT_OK(ch_kbus_call(e[0], &m, &b, KT_LONG));
	kt_reap_ok(&c, "server");
	ch_cap_drop(e[0]);
}

static void test_call_fast(void)
{
	handle_t e[2], badged;
	struct ch_child c;
	uint64_t w[4] = {0}, out[4] = {0};

	if (kt_channel(0, e))
		return;
	EXPECT_OK(kt_spawn("fastserver", NULL, e[1], 0, 0, &c));
	ch_cap_drop(e[1]);
	EXPECT_OK(ch_cap_derive(e[0], RIGHT_SEND | RIGHT_RECV, 0x5a5a, &badged));
	for (uint32_t i = 0; i < CALLS && !kt_failed(); i++) {
		handle_t h = i & 1 ? badged : e[0];
		uint64_t badge = i & 1 ? 0x5a5a : 0;
		w[0] = i + 1;
		w[1] = 0x1111111111111111ull * (i & 15);
		w[2] = (uint64_t)i << 33;
		w[3] = ~(uint64_t)i;
		long r = ch_kbus_call_fast(h, w, out, KT_LONG);
		if (r < 0) {
			kt_fail("fast call %u: %s", i, ch_error_name(r));
			break;
		}
		CHECK(out[0] == w[0] + 1 && out[1] == (w[1] ^ badge) && out[2] == w[2] * 3 &&
		          out[3] == ~w[3],
		      "fast call %u: got %llx %llx %llx %llx", i, (unsigned long long)out[0],
		      (unsigned long long)out[1], (unsigned long long)out[2],
		      (unsigned long long)out[3]);
	}
	/* The slow path reaches a fast server too (a 32-byte call). */
	uint64_t req[4] = {41, 0, 1, 0}, rep[4] = {0};
	struct kbus_msg m = {.data = req, .len = sizeof(req)};
	struct kbus_buf b = {.data = rep, .capacity = sizeof(rep)};
	if (!kt_failed()) {
		EXPECT_OK(ch_kbus_call(e[0], &m, &b, KT_LONG));
		CHECK(b.len == 32 && rep[0] == 42 && rep[2] == 3 && rep[3] == ~UINT64_C(0),
		      "slow call to the fast server: len %u, %llu", b.len,
		      (unsigned long long)rep[0]);
	}
	w[0] = 0;
	if (!kt_failed())
		EXPECT_OK(ch_kbus_call_fast(e[0], w, out, KT_LONG));
	ch_cap_drop(badged);
	ch_cap_drop(e[0]); /* the server's next wait ends with ERR_PEER_CLOSED */
	kt_reap_ok(&c, "fastserver");
}

static void test_bulk(void)
{
	handle_t e[2];
	struct ch_child c;
	static const enum ch_bulk_mode modes[] = {CH_BULK_MOVE, CH_BULK_READONLY, CH_BULK_COPY};
	uint64_t sum, got;
	uint32_t len;

	if (kt_channel(0, e))
		return;
	EXPECT_OK(kt_spawn("bulkrecv", NULL, e[1], 0, 0, &c));
	ch_cap_drop(e[1]);
	for (unsigned k = 0; k < 3 && !kt_failed(); k++) {
		struct ch_bulk b;
		uint64_t size = (256u << 10) + 4096 * k, off = 4096 + k, n = size - 2 * 4096 - k;
		EXPECT_OK(ch_bulk_create(HANDLE_INVALID, size, &b));
		uint8_t *p = (uint8_t *)b.addr + off;
		sum = 0;
		for (uint64_t i = 0; i < n; i++) {
			p[i] = (uint8_t)(i * 13 + k);
			sum += p[i];
		}
		handle_t mine = b.mem;
		EXPECT_OK(ch_bulk_send(e[0], &b, off, n, k, modes[k], 0, KT_LONG));
		EXPECT_OK(ch_kbus_recv_bytes(e[0], &got, sizeof(got), &len, 0, KT_LONG));
		CHECK(len == sizeof(got) && got == sum, "bulk %u: receiver summed %llu, want %llu",
		      k, (unsigned long long)got, (unsigned long long)sum);
		struct cap_info ci;
		if (modes[k] == CH_BULK_MOVE)
			EXPECT_ERR(ch_cap_inspect(mine, &ci), ERR_BAD_HANDLE);
		else
			EXPECT_OK(ch_cap_inspect(mine, &ci));
		ch_bulk_destroy(&b);
	}
	/* Hostile: a range outside the buffer is refused before anything is sent. */
	struct ch_bulk b;
	EXPECT_OK(ch_bulk_create(HANDLE_INVALID, 4096, &b));
	EXPECT_ERR(ch_bulk_send(e[0], &b, 4000, 200, 0, CH_BULK_COPY, 0, 0), ERR_INVALID_ARGS);
	EXPECT_OK(ch_bulk_send(e[0], &b, 0, 0, 0, CH_BULK_MOVE, 0, KT_LONG)); /* len 0: done */
	ch_bulk_destroy(&b);
	kt_reap_ok(&c, "bulkrecv");
	ch_cap_drop(e[0]);
}

/* Descriptors and buffers from a hostile sender or receiver, on a local channel. */
static void test_hostile(void)
{
	handle_t e[2], h[KBUS_MAX_HANDLES + 1], norecv, mem;
	static uint8_t data[KBUS_MAX_BYTES + 1];
	struct kbus_endpoint_info info;
	struct kbus_buf b;

	if (kt_channel(8, e))
		return;
	EXPECT_ERR(ch_channel_create(kt_pool, 4097, h), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_kbus_send_bytes(e[0], data, KBUS_MAX_BYTES + 1, 0, 0), ERR_INVALID_ARGS);
	EXPECT_OK(ch_kbus_send_bytes(e[0], data, KBUS_MAX_BYTES, 0, 0)); /* the limit is fine */
	b = (struct kbus_buf){.data = data, .capacity = sizeof(data)};
	EXPECT_OK(ch_kbus_recv(e[1], &b, 0, 0));
	CHECK(b.len == KBUS_MAX_BYTES, "64 KiB message arrived as %u bytes", b.len);

	for (unsigned i = 0; i <= KBUS_MAX_HANDLES; i++)
		h[i] = e[0];
	struct kbus_msg m = {.data = "x", .len = 1, .handles = h, .nhandles = KBUS_MAX_HANDLES + 1};
	EXPECT_ERR(ch_kbus_send(e[0], &m, 0, 0), ERR_INVALID_ARGS);
	for (unsigned i = 0; i < kt_nbad_ptrs; i++) {
		uint64_t bad = kt_bad_ptrs[i];
		m = (struct kbus_msg){.data = (const void *)(uintptr_t)bad, .len = 16};
		EXPECT_ERR(ch_kbus_send(e[0], &m, 0, 0), ERR_BAD_ADDRESS);
		m = (struct kbus_msg){.data = "x",
		                      .len = 1,
		                      .nhandles = 1,
		                      .handles = (const handle_t *)(uintptr_t)bad};
		EXPECT_ERR(ch_kbus_send(e[0], &m, 0, 0), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_kbus_send(e[0], (const struct kbus_msg *)(uintptr_t)bad, 0, 0),
		           ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_kbus_recv(e[1], (struct kbus_buf *)(uintptr_t)bad, 0, 0),
		           ERR_BAD_ADDRESS);
	}
	EXPECT_OK(ch_kbus_info(e[1], &info));
	CHECK(info.queued == 0, "%u messages queued after refused sends", info.queued);

	/* Receiving into bad memory or too little of it leaves the message queued. */
	EXPECT_OK(ch_mem_create(kt_pool, 4096, &mem));
	handle_t two[2] = {mem, e[0]};
	m = (struct kbus_msg){
	    .data = "0123456789abcdef", .len = 16, .handles = two, .nhandles = 2, .copy_mask = 3};
	EXPECT_OK(ch_kbus_send(e[0], &m, 0, 0));
	for (unsigned i = 0; i < kt_nbad_ptrs; i++) {
		b = (struct kbus_buf){.data = (void *)(uintptr_t)kt_bad_ptrs[i],
		                      .capacity = 64,
		                      .handles = h,
		                      .handles_capacity = 2};
		EXPECT_ERR(ch_kbus_recv(e[1], &b, 0, 0), ERR_BAD_ADDRESS);
		b = (struct kbus_buf){.data = data,
		                      .capacity = 64,
		                      .handles_capacity = 2,
		                      .handles = (handle_t *)(uintptr_t)kt_bad_ptrs[i]};
		EXPECT_ERR(ch_kbus_recv(e[1], &b, 0, 0), ERR_BAD_ADDRESS);
	}
	b = (struct kbus_buf){.data = data, .capacity = 10, .handles = h, .handles_capacity = 2};
	EXPECT_ERR(ch_kbus_recv(e[1], &b, 0, 0), ERR_BUFFER_TOO_SMALL);
	CHECK(b.len == 16 && b.nhandles == 2, "too small: reported %u bytes %u handles", b.len,
	      b.nhandles);
	b = (struct kbus_buf){.data = data, .capacity = 16, .handles = h, .handles_capacity = 1};
	EXPECT_ERR(ch_kbus_recv(e[1], &b, 0, 0), ERR_BUFFER_TOO_SMALL);
	EXPECT_OK(ch_kbus_info(e[1], &info));
	CHECK(info.queued == 1, "%u messages queued after failed receives, want 1", info.queued);
	b = (struct kbus_buf){.data = data, .capacity = 16, .handles = h, .handles_capacity = 2};
	EXPECT_OK(ch_kbus_recv(e[1], &b, 0, 0));
	CHECK(b.len == 16 && !memcmp(data, "0123456789abcdef", 16) && b.nhandles == 2,
	      "message changed by failed receives");
	EXPECT_OK(ch_cap_drop(h[0]));
	EXPECT_OK(ch_cap_drop(h[1]));
	EXPECT_OK(ch_cap_drop(mem));

	/* Handles, types and rights. */
	EXPECT_ERR(ch_kbus_send_bytes(HANDLE_INVALID, "x", 1, 0, 0), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_kbus_send_bytes(kt_pool, "x", 1, 0, 0), ERR_WRONG_TYPE);
	EXPECT_OK(ch_cap_derive(e[1], RIGHT_SEND | RIGHT_INSPECT, 0, &norecv));
	uint32_t len;
	EXPECT_ERR(ch_kbus_recv_bytes(norecv, data, 16, &len, 0, 0), ERR_ACCESS_DENIED);
	uint64_t w[4] = {0};
	EXPECT_ERR(ch_kbus_call_fast(norecv, w, w, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_kbus_reply(e[1], &(struct kbus_msg){.data = "x", .len = 1}), ERR_BAD_STATE);
	/* A revoked endpoint capability stops working at once. */
	EXPECT_OK(ch_cap_revoke(e[1]));
	EXPECT_ERR(ch_kbus_send_bytes(norecv, "x", 1, 0, 0), ERR_BAD_HANDLE);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
}

static void test_full_queue(void)
{
	handle_t e[2];
	uint32_t len;
	char c = 'q';

	if (kt_channel(4, e))
		return;
	for (int i = 0; i < 4; i++)
		EXPECT_OK(ch_kbus_send_bytes(e[0], &c, 1, KBUS_NONBLOCK, 0));
	EXPECT_ERR(ch_kbus_send_bytes(e[0], &c, 1, KBUS_NONBLOCK, KT_LONG), ERR_SHOULD_WAIT);
	int64_t t0 = ch_clock_ns();
	EXPECT_ERR(ch_kbus_send_bytes(e[0], &c, 1, 0, 5 * KT_MS), ERR_TIMED_OUT);
	CHECK(ch_clock_ns() - t0 >= (int64_t)(5 * KT_MS), "send timed out early");
	EXPECT_ERR(ch_kbus_send_bytes(e[0], &c, 1, 0, 0), ERR_TIMED_OUT);
	struct kbus_endpoint_info info;
	EXPECT_OK(ch_kbus_info(e[1], &info));
	CHECK(info.queued == 4 && info.depth == 4, "queued %u depth %u, want 4 4", info.queued,
	      info.depth);
	for (int i = 0; i < 4; i++)
		EXPECT_OK(ch_kbus_recv_bytes(e[1], &c, 1, &len, KBUS_NONBLOCK, 0));
	EXPECT_ERR(ch_kbus_recv_bytes(e[1], &c, 1, &len, KBUS_NONBLOCK, KT_LONG), ERR_SHOULD_WAIT);
	t0 = ch_clock_ns();
	EXPECT_ERR(ch_kbus_recv_bytes(e[1], &c, 1, &len, 0, 5 * KT_MS), ERR_TIMED_OUT);
	CHECK(ch_clock_ns() - t0 >= (int64_t)(5 * KT_MS), "recv timed out early");
	/* A call nobody answers times out too. */
	struct kbus_buf b = {.data = &c, .capacity = 1};
	EXPECT_ERR(ch_kbus_call(e[0], &(struct kbus_msg){.data = &c, .len = 1}, &b, 2 * KT_MS),
	           ERR_TIMED_OUT);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
}

static void test_peer_closed(void)
{
	handle_t e[2];
	struct ch_child c;
	struct proc_status st;
	uint32_t len;
	int v;

	if (kt_channel(0, e))
		return;
	EXPECT_OK(kt_spawn("peerexit", "3", e[1], 0, 0, &c));
	ch_cap_drop(e[1]);
	EXPECT_OK(kt_reap(&c, KT_LONG, &st));
	for (int i = 0; i < 3; i++) { /* what it sent before exiting still arrives */
		EXPECT_OK(ch_kbus_recv_bytes(e[0], &v, sizeof(v), &len, 0, KT_LONG));
		CHECK(v == i, "message %d arrived as %d", i, v);
	}
	EXPECT_ERR(ch_kbus_recv_bytes(e[0], &v, sizeof(v), &len, 0, KT_LONG), ERR_PEER_CLOSED);
	EXPECT_ERR(ch_kbus_send_bytes(e[0], &v, sizeof(v), 0, KT_LONG), ERR_PEER_CLOSED);
	uint64_t w[4] = {1, 2, 3, 4};
	EXPECT_ERR(ch_kbus_call_fast(e[0], w, w, KT_LONG), ERR_PEER_CLOSED);
	struct kbus_endpoint_info info;
	EXPECT_OK(ch_kbus_info(e[0], &info));
	CHECK(info.peer_closed == 1, "peer_closed %u", info.peer_closed);
	ch_cap_drop(e[0]);
}

static uint8_t killer_stack[16384];

static int killer(void *arg)
{
	ch_sleep_ns(30 * KT_MS);
	return (int)ch_proc_kill(*(handle_t *)arg);
}

/* The server dies while we wait in a call: the call ends with ERR_PEER_CLOSED. */
static void call_into_death(const char *role, int kill)
{
	handle_t e[2], t;
	struct ch_child c;
	char buf[16];
	struct kbus_buf b = {.data = buf, .capacity = sizeof(buf)};

	if (kt_channel(0, e))
		return;
	EXPECT_OK(kt_spawn(role, NULL, e[1], 0, 0, &c));
	ch_cap_drop(e[1]);
	if (kill)
		EXPECT_OK(
		    ch_thread_spawn(killer, &c.process, killer_stack, sizeof(killer_stack), &t));
	int64_t t0 = ch_clock_ns();
	EXPECT_ERR(ch_kbus_call(e[0], &(struct kbus_msg){.data = "req", .len = 3}, &b, KT_LONG),
	           ERR_PEER_CLOSED);
	CHECK(ch_clock_ns() - t0 < (int64_t)KT_LONG, "call returned only at its timeout");
	if (kill) {
		int64_t code;
		EXPECT_OK(ch_thread_wait(t, KT_LONG, &code));
		CHECK(code == 0, "kill: %s", ch_error_name(code));
		ch_cap_drop(t);
	}
	struct proc_status st;
	EXPECT_OK(kt_reap(&c, KT_LONG, &st));
	CHECK(st.state == (kill ? PROC_KILLED : PROC_EXITED), "server state %u", st.state);
	ch_cap_drop(e[0]);
}

static void test_call_server_killed(void)
{
	call_into_death("hang", 1);
}

static void test_call_server_exits(void)
{
	call_into_death("exitincall", 0);
}

void kt_run_msg_tests(void)
{
	kt_run("order_no_loss", test_order);
	kt_run("call_slow", test_call_slow);
	kt_run("call_fast", test_call_fast);
	kt_run("bulk", test_bulk);
	kt_run("hostile", test_hostile);
	kt_run("full_queue_timeouts", test_full_queue);
	kt_run("peer_closed", test_peer_closed);
	kt_run("call_server_killed", test_call_server_killed);
	kt_run("call_server_exits", test_call_server_exits);
}
