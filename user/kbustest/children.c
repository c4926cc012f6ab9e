/*
 * children.c - the roles bin/kbustest plays as a child process (argv[2]), each
 * talking to its parent through the endpoint granted as "ep":
 *
 *   echo            receive the ordered stream, check every message (sequence and
 *                   data), answer each with the same sequence number and its own
 *                   pattern; exit 0 at KT_SEQ_END
 *   server          slow-path call server (struct kt_req -> struct kt_rep)
 *   fastserver      fast-path server: (a, b, c, d) -> (a + 1, b ^ badge, c * 3, ~d);
 *                   a == 0 ends it
 *   caps            inspects, keeps, re-inspects and uses capabilities it is sent
 *   peerexit <n>    send n messages, then exit
 *   hang            receive one call and never answer (sleep until killed)
 *   exitincall      receive one call and exit without answering
 *   sleepexit <ms>  sleep, then exit 0
 *   sub <n>         subscribe to the group granted as "extra", say "ready", expect
 *                   messages 0 .. n-1 in order
 *   slowsub <n>     subscribe, say "ready", wait for "go", then expect exactly the
 *                   newest `depth` (8) of n messages: the oldest were dropped
 *   bulkrecv        receive bulk buffers, check their pattern, answer with the sum
 *   pagerhang       a thread of ours faults on a pager that never answers; tell the
 *                   parent, then wait to be killed
 *   threadkill      kill our own thread while it waits for a pager that never answers
 *   verdict         refuse a fault of our own thread (nonzero answer)
 *   lazy <mib>      pager.h: lazy thread stack + lazy heap (or a lazy region when
 *                   the heap hook is missing), touching every page of <mib> MiB
 *   paged <how>     paged.c: our thread touches paged memory whose pager (us) refuses
 *                   it, is gone, answers without supplying, or is silent ("blocked"
 *                   sent to the parent, which kills us)
 *   fastcall, fasthold, fastpark, fpuserver: the fast path's races (fastrace.c)
 * Exit codes other than 0 say where a child found something wrong (see each role).
 */
#include "kbustest.h"

#include <stdlib.h>
#include <string.h>

#include <charlotte/bulk.h>
#include <charlotte/pager.h>
#include <charlotte/start.h>
#include <charlotte/thread.h>

static uint8_t big[KBUS_MAX_BYTES];
static handle_t ep;

static int role_echo(void)
{
	struct kt_seq_msg *m = (struct kt_seq_msg *)big;
	uint32_t want = 0, len;

	for (;;) {
		long r = ch_kbus_recv_bytes(ep, big, sizeof(big), &len, 0, KT_LONG);
		if (r < 0)
			return 10;
		if (len < sizeof(*m) || m->len != len)
			return 11;
		if (m->seq == KT_SEQ_END)
			return want ? 0 : 12;
		if (m->seq != want)
			return 13; /* lost, duplicated or reordered */
		if (!kt_pattern_ok(big, m->seq, len))
			return 14;
		kt_pattern_fill(big, ~m->seq, len);
		if (ch_kbus_send_bytes(ep, big, len, 0, KT_LONG) < 0)
			return 15;
		want++;
	}
}

static int role_server(void)
{
	static struct kt_req q;
	static struct kt_rep p;
	struct kbus_msg rep = {.data = &p};
	const struct kbus_msg *pending = NULL;

	for (;;) {
		struct kbus_buf b = {.data = &q, .capacity = sizeof(q)};
		long r = ch_kbus_reply_recv(ep, pending, &b, KT_LONG);
		if (r < 0)
			return 20;
		if (!(b.flags & KBUS_MSG_CALL) || b.len < 24 || q.n > sizeof(q.data))
			return 21;
		if (q.op == KT_OP_QUIT) {
			p.status = 0;
			rep.len = 24;
			ch_kbus_reply(ep, &rep);
			return 0;
		}
		p.status = q.op == KT_OP_ADD ? 0 : ERR_INVALID_ARGS;
		p.value = q.a + q.b;
		p.n = q.n;
		for (uint32_t i = 0; i < q.n; i++)
			p.data[i] = q.data[q.n - 1 - i];
		rep.len = 24 + q.n;
		pending = &rep;
	}
}

static int role_fastserver(void)
{
	uint64_t w[4], out[4], badge = 0;
	const uint64_t *reply = NULL;

	for (;;) {
		long r = ch_kbus_reply_recv_fast(ep, reply, w, &badge);
		if (r < 0)
			return 30;
		if (w[0] == 0) {
			out[0] = out[1] = out[2] = out[3] = 0;
			ch_kbus_reply_recv_fast(ep, out, w, &badge); /* answer; then we die */
			return 0;
		}
		out[0] = w[0] + 1;
		out[1] = w[1] ^ badge;
		out[2] = w[2] * 3;
		out[3] = ~w[3];
		reply = out;
	}
}

/* --- caps --- */

static handle_t kept[64];
static uint32_t nkept, received;

static void report(struct kt_rep *p, const handle_t *hs, uint32_t n)
{
	struct cap_info ci;

	p->n = n > 8 ? 8 : n;
	for (uint32_t i = 0; i < p->n; i++) {
		memset(&ci, 0, sizeof(ci));
		p->caps[i].r = (int32_t)ch_cap_inspect(hs[i], &ci);
		p->caps[i].type = ci.type;
		p->caps[i].rights = ci.rights;
		p->caps[i].object_id = ci.object_id;
	}
}

static int caps_step(const struct kt_req *q, struct kbus_buf *b, handle_t *hs, struct kt_rep *p)
{
	memset(p, 0, sizeof(*p));
	switch (q->op) {
	case KT_OP_INSPECT:
		report(p, hs, b->nhandles);
		for (uint32_t i = 0; i < b->nhandles && nkept < 64; i++)
			kept[nkept++] = hs[i];
		return 0;
	case KT_OP_RECHECK:
		report(p, kept, nkept);
		return 0;
	case KT_OP_COUNT:
		p->value = received;
		return 0;
	case KT_OP_USE_EP:
		if (b->nhandles != 1)
			p->status = ERR_INVALID_ARGS;
		else
			p->status = ch_kbus_send_bytes(hs[0], "hello", 5, 0, KT_LONG);
		if (b->nhandles == 1)
			ch_cap_drop(hs[0]);
		return 0;
	case KT_OP_DROP:
		for (uint32_t i = 0; i < nkept; i++)
			p->status |= ch_cap_drop(kept[i]);
		nkept = 0;
		return 0;
	case KT_OP_QUIT:
		return 1;
	default:
		p->status = ERR_INVALID_ARGS;
		return 0;
	}
}

static int role_caps(void)
{
	static struct kt_req q;
	static struct kt_rep p;
	handle_t hs[KBUS_MAX_HANDLES];
	struct kbus_msg rep = {.data = &p, .len = sizeof(p)};
	const struct kbus_msg *pending = NULL;

	for (;;) {
		struct kbus_buf b = {.data = &q,
		                     .capacity = sizeof(q),
		                     .handles = hs,
		                     .handles_capacity = KBUS_MAX_HANDLES};
		long r = ch_kbus_reply_recv(ep, pending, &b, KT_LONG);
		if (r < 0)
			return 40;
		received++;
		if (caps_step(&q, &b, hs, &p)) {
			ch_kbus_reply(ep, &rep);
			return 0;
		}
		pending = &rep;
	}
}

/* --- peers that go away --- */

static int role_peerexit(const char *arg)
{
	int n = atoi(arg);
	for (int i = 0; i < n; i++)
		if (ch_kbus_send_bytes(ep, &i, sizeof(i), 0, KT_LONG) < 0)
			return 50;
	return 0;
}

static int role_hang(int answer_never)
{
	uint8_t buf[64];
	struct kbus_buf b = {.data = buf, .capacity = sizeof(buf)};

	if (ch_kbus_recv(ep, &b, 0, KT_LONG) < 0 || !(b.flags & KBUS_MSG_CALL))
		return 60;
	if (!answer_never)
		return 0; /* exit with the call unanswered */
	for (;;)
		ch_sleep_ns(KT_SECOND);
}

/* --- groups --- */

static int subscribe(handle_t *sub)
{
	handle_t g = ch_handle("extra");
	if (ch_group_subscribe(g, sub) < 0)
		return 70;
	struct kbus_msg pub = {.data = "x", .len = 1};
	if (ch_group_publish(g, &pub) != ERR_ACCESS_DENIED)
		return 71; /* our capability is RECV only */
	if (ch_kbus_send_bytes(*sub, "x", 1, KBUS_NONBLOCK, 0) >= 0)
		return 72; /* a subscription cannot send */
	if (ch_kbus_send_bytes(ep, "ready", 5, 0, KT_LONG) < 0)
		return 73;
	return 0;
}

static int role_sub(const char *arg)
{
	uint32_t n = (uint32_t)atoi(arg), seq, len;
	handle_t sub;
	int err = subscribe(&sub);

	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++) {
		if (ch_kbus_recv_bytes(sub, &seq, sizeof(seq), &len, 0, KT_LONG) < 0)
			return 74;
		if (len != sizeof(seq) || seq != i)
			return 75;
	}
	if (ch_kbus_recv_bytes(sub, &seq, sizeof(seq), &len, KBUS_NONBLOCK, 0) != ERR_SHOULD_WAIT)
		return 76; /* nothing more than what was published */
	return 0;
}

static int role_slowsub(const char *arg)
{
	uint32_t n = (uint32_t)atoi(arg), depth = 8, seq, len;
	handle_t sub;
	char go[8];
	int err = subscribe(&sub);

	if (err)
		return err;
	if (ch_kbus_recv_bytes(ep, go, sizeof(go), &len, 0, KT_LONG) < 0)
		return 80;
	for (uint32_t i = n - depth; i < n; i++) {
		if (ch_kbus_recv_bytes(sub, &seq, sizeof(seq), &len, KBUS_NONBLOCK, 0) < 0)
			return 81;
		if (seq != i)
			return 82; /* not the newest `depth`, in order */
	}
	if (ch_kbus_recv_bytes(sub, &seq, sizeof(seq), &len, KBUS_NONBLOCK, 0) != ERR_SHOULD_WAIT)
		return 83;
	return 0;
}

/* --- bulk --- */

static int role_bulkrecv(void)
{
	for (;;) {
		struct ch_bulk b;
		long r = ch_bulk_recv(ep, &b, 0, KT_LONG);
		if (r < 0)
			return 90;
		if (b.len == 0) {
			ch_bulk_destroy(&b);
			return 0;
		}
		const uint8_t *p = (const uint8_t *)b.addr + b.offset;
		uint64_t sum = 0;
		for (uint64_t i = 0; i < b.len; i++) {
			if (p[i] != (uint8_t)(i * 13 + b.tag))
				return 91;
			sum += p[i];
		}
		/* Mapped read-only: the capability must not allow more. */
		if (ch_as_protect(ch_handle("self.as"), (uint64_t)(uintptr_t)b.addr, 4096,
		                  PROT_READ | PROT_WRITE) >= 0 &&
		    b.tag == 1)
			return 92;
		ch_bulk_destroy(&b);
		if (ch_kbus_send_bytes(ep, &sum, sizeof(sum), 0, KT_LONG) < 0)
			return 93;
	}
}

/* --- pagers --- */

#define HANG_VA UINT64_C(0x0000550000000000)

static int touch(void *arg)
{
	*(volatile uint64_t *)arg = 1;
	return 7;
}

static int role_pagerhang(void)
{
	handle_t e[2], t;
	static uint8_t stack[8192];
	struct kbus_fault_msg f;
	struct kbus_buf b = {.data = &f, .capacity = sizeof(f)};
	void ch_thread_trampoline(void);

	if (ch_channel_create(ch_handle("pool"), 0, e) < 0 ||
	    ch_thread_create(ch_handle("self.process"), &t) < 0)
		return 100;
	if (ch_thread_set_pager(t, e[0]) < 0)
		return 101;
	if (ch_thread_start(t, (uint64_t)(uintptr_t)ch_thread_trampoline,
	                    (uint64_t)(uintptr_t)(stack + sizeof(stack)),
	                    (uint64_t)(uintptr_t)touch, HANG_VA) < 0)
		return 102;
	if (ch_kbus_recv(e[1], &b, 0, KT_LONG) < 0 || !(b.flags & KBUS_MSG_CALL) ||
	    f.addr != HANG_VA)
		return 103;
	if (ch_kbus_send_bytes(ep, "blocked", 7, 0, KT_LONG) < 0)
		return 104;
	for (;;) /* never answer; the parent kills us */
		ch_sleep_ns(KT_SECOND);
}

/* Refuse our own thread's fault with a nonzero answer; 0 if only the thread ends. */
static int role_verdict(void)
{
	handle_t e[2], t;
	struct kbus_fault_msg f;
	int32_t answer = ERR_NOT_FOUND;
	int64_t code;

	kt_self = ch_handle("self.process");
	kt_pool = ch_handle("pool");
	if (ch_channel_create(kt_pool, 0, e) < 0 || kt_start_toucher(e[0], &t) < 0)
		return 130;
	kt_expect_fault(e[1], &f);
	if (kt_failed())
		return 131;
	if (ch_kbus_reply(e[1], &(struct kbus_msg){.data = &answer, .len = 4}) < 0)
		return 132;
	if (ch_thread_wait(t, KT_LONG, &code) < 0)
		return 133;
	return 0;
}

/* A thread blocked on a pager that never answers is killed; 0 if only it ends. */
static int role_threadkill(void)
{
	handle_t e[2], t;
	struct kbus_fault_msg f;
	int32_t answer = 0;
	int64_t code;

	kt_self = ch_handle("self.process");
	kt_pool = ch_handle("pool");
	if (ch_channel_create(kt_pool, 0, e) < 0 || kt_start_toucher(e[0], &t) < 0)
		return 140;
	kt_expect_fault(e[1], &f);
	if (kt_failed())
		return 141;
	if (ch_thread_wait(t, 20 * KT_MS, &code) != ERR_TIMED_OUT)
		return 142; /* it must still be waiting for its pager */
	if (ch_thread_kill(t) < 0 || ch_thread_wait(t, KT_LONG, &code) < 0)
		return 143;
	if (ch_kbus_reply(e[1], &(struct kbus_msg){.data = &answer, .len = 4}) != ERR_PEER_CLOSED)
		return 144; /* too late: the caller is gone */
	return 0;
}

struct lazy_job {
	uint64_t mib;
	int heap; /* 1: malloc, 0: a lazy region */
};

static int lazy_work(void *arg)
{
	struct lazy_job *j = arg;
	uint64_t bytes = j->mib << 20;
	volatile uint8_t deep[6000]; /* a few pages of the lazy stack */
	uint8_t *p;

	for (unsigned i = 0; i < sizeof(deep); i += 512)
		deep[i] = (uint8_t)i;
	p = j->heap ? malloc(bytes) : ch_lazy_alloc(bytes);
	if (!p)
		return 110;
	for (uint64_t i = 0; i < bytes; i += 4096)
		p[i] = (uint8_t)(i >> 12);
	for (uint64_t i = 0; i < bytes; i += 4096)
		if (p[i] != (uint8_t)(i >> 12))
			return 111;
	return deep[512] == 512 % 256 ? 0 : 112;
}

static int role_lazy(const char *arg)
{
	struct lazy_job j = {.mib = (uint64_t)atoi(arg)};
	struct ch_pager_stats st;
	handle_t t;
	int64_t code;
	void *stack;

	if (ch_pager_start() < 0)
		return 120;
	if (ch_lazy_heap_enable() != 0)
		return 121; /* the libc heap must be lazily backed by the pager */
	j.heap = 1;
	if (ch_thread_spawn_lazy(lazy_work, &j, 64 * 1024, &t, &stack) < 0)
		return 122;
	if (ch_thread_wait(t, KT_LONG, &code) < 0)
		return 123;
	if (code)
		return (int)code;
	ch_pager_stats(&st);
	if (st.bytes < (j.mib << 20) || st.served < 2 || st.refused)
		return 124;
	if (ch_lazy_release((uint64_t)(uintptr_t)stack) < 0)
		return 125;
	return 0;
}

int kt_child_main(int argc, char **argv)
{
	const char *role = argv[2], *arg = argc > 3 ? argv[3] : "0";

	kt_log = ch_handle("log");
	ep = ch_handle("ep");
	if (!strcmp(role, "echo"))
		return role_echo();
	if (!strcmp(role, "server"))
		return role_server();
	if (!strcmp(role, "fastserver"))
		return role_fastserver();
	if (!strcmp(role, "caps"))
		return role_caps();
	if (!strcmp(role, "peerexit"))
		return role_peerexit(arg);
	if (!strcmp(role, "hang"))
		return role_hang(1);
	if (!strcmp(role, "exitincall"))
		return role_hang(0);
	if (!strcmp(role, "sleepexit")) {
		ch_sleep_ns((uint64_t)atoi(arg) * KT_MS);
		return 0;
	}
	if (!strcmp(role, "sub"))
		return role_sub(arg);
	if (!strcmp(role, "slowsub"))
		return role_slowsub(arg);
	if (!strcmp(role, "bulkrecv"))
		return role_bulkrecv();
	if (!strcmp(role, "pagerhang"))
		return role_pagerhang();
	if (!strcmp(role, "threadkill"))
		return role_threadkill();
	if (!strcmp(role, "verdict"))
		return role_verdict();
	if (!strcmp(role, "lazy"))
		return role_lazy(arg);
	if (!strcmp(role, "paged"))
		return kt_paged_child(arg);
	int r = kt_fast_child(role, arg);
	return r >= 0 ? r : 99;
}
