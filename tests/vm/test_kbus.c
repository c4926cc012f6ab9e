/*
 * test_kbus.c - VM tests of kbus driven through its kernel API from kernel
 * threads with test cspaces: queues and flow control, hostile inputs,
 * capability transfer (move, copy, all or nothing, revocation in flight),
 * calls (timeouts, callers and servers that go away, kill), the register
 * fast path (with its instruction cost), and heap / live objects back at
 * their baselines after each test. Waitsets, groups and the SMP stress are in
 * test_kbus_smp.c.
 */
#include <vmtest.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <cap/cap.h>
#include <kbus/kbus.h>
#include <lib/log.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <obj/test_object.h>
#include <sched/sched.h>
#include <sched/waitq.h>
#include <test_kbus.h>

#define EPR                                                                                        \
	(RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT | \
	 RIGHT_REVOKE)

void kt_base_take(struct kt_base *b)
{
	kmalloc_shrink();
	b->heap = kmalloc_bytes_in_use();
	b->objs = kobject_live_count(OBJ_NONE);
	b->threads = sched_live_threads();
}

void kt_base_check(const struct kt_base *b)
{
	kmalloc_shrink();
	VM_EXPECT_EQ(kobject_live_count(OBJ_NONE), b->objs);
	VM_EXPECT_EQ(kmalloc_bytes_in_use(), b->heap);
	VM_EXPECT_EQ(sched_live_threads(), b->threads);
}

int kt_chan_open(struct kt_chan *c, uint64_t quota, uint32_t depth)
{
	memset(c, 0, sizeof(*c));
	int err = pool_create_root(quota, &c->pool);
	if (err)
		return err;
	if (cspace_create(4096, &c->cs) || kbus_channel_create(c->pool, depth, &c->a, &c->b))
		return ERR_NO_MEMORY;
	if (cap_insert_root(c->cs, endpoint_obj(c->a), EPR, 0, &c->ha) ||
	    cap_insert_root(c->cs, endpoint_obj(c->b), EPR, 0, &c->hb))
		return ERR_NO_MEMORY;
	return 0;
}

void kt_chan_close(struct kt_chan *c)
{
	if (c->ha)
		cap_drop(c->cs, c->ha);
	if (c->hb)
		cap_drop(c->cs, c->hb);
	kobject_put(endpoint_obj(c->a));
	kobject_put(endpoint_obj(c->b));
	cspace_destroy(c->cs);
	struct pool_info info;
	pool_info(c->pool, &info);
	VM_EXPECT_EQ(info.used, 0); /* every message and the channel paid back */
	pool_put(c->pool);
}

int kt_send(struct endpoint *ep, const void *data, uint32_t len, uint32_t flags, uint64_t timeout)
{
	struct kbus_out m = {.data = data, .len = len};
	return kbus_send(ep, 0, &m, flags, timeout);
}

uint32_t kt_queued(struct endpoint *ep)
{
	struct kbus_endpoint_info info;
	kbus_endpoint_info(ep, &info);
	return info.queued;
}

int kt_recv(struct endpoint *ep, void *buf, uint32_t cap, uint32_t flags, uint64_t timeout)
{
	struct kbus_in in = {.data = buf, .capacity = cap};
	int err = kbus_recv(ep, &in, flags, timeout);
	return err ? err : (int)in.len;
}

VM_TEST(kbus_queue)
{
	struct kt_base b;
	kt_base_take(&b);
	struct kt_chan c;
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 4), 0);
	char buf[64];
	VM_EXPECT_EQ(kt_recv(c.b, buf, sizeof(buf), KBUS_NONBLOCK, 0), ERR_SHOULD_WAIT);
	VM_EXPECT_EQ(kt_recv(c.b, buf, sizeof(buf), 0, 1000000), ERR_TIMED_OUT);
	for (uint32_t i = 0; i < 4; i++)
		VM_EXPECT_EQ(kt_send(c.a, &i, sizeof(i), 0, WAIT_FOREVER), 0);
	VM_EXPECT_EQ(kt_send(c.a, "x", 1, KBUS_NONBLOCK, 0), ERR_SHOULD_WAIT);
	VM_EXPECT_EQ(kt_send(c.a, "x", 1, 0, 1000000), ERR_TIMED_OUT);
	struct kbus_endpoint_info info;
	kbus_endpoint_info(c.b, &info);
	VM_EXPECT_EQ(info.queued, 4);
	VM_EXPECT_EQ(info.depth, 4);
	VM_EXPECT_EQ(info.peer_closed, 0);
	/* too small: reported and left queued */
	struct kbus_in in = {.data = buf, .capacity = 2};
	VM_EXPECT_EQ(kbus_recv(c.b, &in, 0, 0), ERR_BUFFER_TOO_SMALL);
	VM_EXPECT_EQ(in.len, 4);
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t v = 99;
		VM_EXPECT_EQ(kt_recv(c.b, &v, sizeof(v), 0, 0), 4);
		VM_EXPECT_EQ(v, i); /* FIFO */
	}
	/* both directions are independent */
	VM_EXPECT_EQ(kt_send(c.b, "back", 4, 0, 0), 0);
	VM_EXPECT_EQ(kt_recv(c.a, buf, sizeof(buf), 0, 0), 4);
	VM_EXPECT_EQ(memcmp(buf, "back", 4), 0);
	/* hostile sizes */
	struct kbus_out big = {.data = buf, .len = KBUS_MAX_BYTES + 1};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &big, 0, 0), ERR_INVALID_ARGS);
	handle_t hs[KBUS_MAX_HANDLES + 1] = {0};
	struct kbus_out many = {.nhandles = KBUS_MAX_HANDLES + 1, .handles = hs, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &many, 0, 0), ERR_INVALID_ARGS);
	/* a full 64 KiB message */
	char *large = kmalloc(KBUS_MAX_BYTES);
	memset(large, 0x5a, KBUS_MAX_BYTES);
	struct kbus_out lm = {.data = large, .len = KBUS_MAX_BYTES};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &lm, 0, 0), 0);
	memset(large, 0, KBUS_MAX_BYTES);
	VM_EXPECT_EQ(kt_recv(c.b, large, KBUS_MAX_BYTES, 0, 0), (int)KBUS_MAX_BYTES);
	VM_EXPECT(large[0] == 0x5a && large[KBUS_MAX_BYTES - 1] == 0x5a);
	kfree(large);
	/* peer closed: queued messages still arrive, then ERR_PEER_CLOSED */
	VM_EXPECT_EQ(kt_send(c.a, "last", 4, 0, 0), 0);
	cap_drop(c.cs, c.ha);
	c.ha = 0;
	VM_EXPECT_EQ(kt_recv(c.b, buf, sizeof(buf), 0, 0), 4);
	VM_EXPECT_EQ(kt_recv(c.b, buf, sizeof(buf), 0, WAIT_FOREVER), ERR_PEER_CLOSED);
	VM_EXPECT_EQ(kt_send(c.b, "x", 1, 0, 0), ERR_PEER_CLOSED);
	kbus_endpoint_info(c.b, &info);
	VM_EXPECT_EQ(info.peer_closed, 1);
	kt_chan_close(&c);
	kt_base_check(&b);
}

VM_TEST(kbus_pool_quota)
{
	struct kt_base b;
	kt_base_take(&b);
	struct mem_pool *tiny;
	struct endpoint *x, *y;
	VM_EXPECT_EQ(pool_create_root(64, &tiny), 0);
	VM_EXPECT_EQ(kbus_channel_create(tiny, 0, &x, &y), ERR_NO_MEMORY);
	pool_put(tiny);
	struct kt_chan c;
	VM_EXPECT_EQ(kt_chan_open(&c, 8192, 0), 0);
	static char data[4096];
	int err = 0, sent = 0;
	while (!(err = kt_send(c.a, data, sizeof(data), KBUS_NONBLOCK, 0)))
		sent++;
	VM_EXPECT_EQ(err, ERR_NO_MEMORY); /* the pool, not the queue depth, ran out */
	VM_EXPECT(sent >= 1 && sent < 2);
	kt_chan_close(&c); /* drops the queued message: pool back to 0 */
	kt_base_check(&b);
}

/* --- capability transfer --- */

static int objs_of(uint32_t n, struct cspace *cs, uint64_t rights, handle_t *h)
{
	for (uint32_t i = 0; i < n; i++) {
		struct test_object *t;
		if (test_object_create(i, &t))
			return ERR_NO_MEMORY;
		int err = cap_insert_root(cs, &t->base, rights, 0, &h[i]);
		kobject_put(&t->base);
		if (err)
			return err;
	}
	return 0;
}

VM_TEST(kbus_transfer)
{
	struct kt_base b;
	kt_base_take(&b);
	struct kt_chan c;
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	struct cspace *rcv;
	VM_EXPECT_EQ(cspace_create(4096, &rcv), 0);
	handle_t h[4], got[4];
	uint64_t all = RIGHT_READ | RIGHT_TRANSFER | RIGHT_DUPLICATE | RIGHT_REVOKE | RIGHT_INSPECT;
	VM_EXPECT_EQ(objs_of(4, c.cs, all, h), 0);
	uint32_t before = cspace_count(c.cs);
	/* move 0 and 2, copy 1 and 3 */
	struct kbus_out m = {
	    .data = "caps", .len = 4, .nhandles = 4, .handles = h, .copy_mask = 0xa, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &m, 0, 0), 0);
	VM_EXPECT_EQ(cspace_count(c.cs), before - 2);
	struct cap_ref ref;
	VM_EXPECT_EQ(cap_lookup(c.cs, h[0], OBJ_NONE, 0, &ref), ERR_BAD_HANDLE); /* moved */
	VM_EXPECT_EQ(cap_lookup(c.cs, h[1], OBJ_NONE, 0, &ref), 0); /* copied */
	cap_ref_put(&ref);
	char buf[8];
	struct kbus_in in = {
	    .data = buf, .capacity = 8, .handles = got, .handles_capacity = 4, .cs = rcv};
	VM_EXPECT_EQ(kbus_recv(c.b, &in, 0, 0), 0);
	VM_EXPECT_EQ(in.nhandles, 4);
	VM_EXPECT_EQ(cspace_count(rcv), 4);
	for (int i = 0; i < 4; i++) {
		struct cap_info info;
		VM_EXPECT_EQ(cap_inspect(rcv, got[i], &info), 0);
		VM_EXPECT_EQ(info.rights, all); /* rights travel unchanged */
		VM_EXPECT_EQ(cap_lookup(rcv, got[i], OBJ_TEST, 0, &ref), 0);
		VM_EXPECT_EQ(test_object_from(ref.obj)->value, (uint64_t)i);
		cap_ref_put(&ref);
	}
	/* a copy stays in the sender's derivation tree: revoking h[1] reaches it */
	VM_EXPECT_EQ(cap_revoke(c.cs, h[1]), 1);
	VM_EXPECT_EQ(cap_lookup(rcv, got[1], OBJ_NONE, 0, &ref), ERR_BAD_HANDLE);

	/* all or nothing: a bad handle, a missing right, a duplicate move */
	handle_t x[3];
	VM_EXPECT_EQ(objs_of(2, c.cs, all, x), 0);
	VM_EXPECT_EQ(objs_of(1, c.cs, RIGHT_READ | RIGHT_DUPLICATE, &x[2]), 0); /* no TRANSFER */
	before = cspace_count(c.cs);
	handle_t bad[3] = {x[0], 0x7777777, x[1]};
	struct kbus_out mb = {.nhandles = 3, .handles = bad, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &mb, 0, 0), ERR_BAD_HANDLE);
	bad[1] = x[2];
	VM_EXPECT_EQ(kbus_send(c.a, 0, &mb, 0, 0), ERR_ACCESS_DENIED);
	handle_t nodup[1];
	VM_EXPECT_EQ(objs_of(1, c.cs, RIGHT_TRANSFER, nodup), 0);
	handle_t cp[2] = {x[0], nodup[0]};
	struct kbus_out mc = {.nhandles = 2, .handles = cp, .copy_mask = 2, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &mc, 0, 0), ERR_ACCESS_DENIED); /* copy needs DUPLICATE */
	handle_t twice[2] = {x[0], x[0]};
	struct kbus_out mt = {.nhandles = 2, .handles = twice, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &mt, 0, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(cspace_count(c.cs), before + 1);
	for (int i = 0; i < 2; i++) { /* the sender still has everything, same handles */
		VM_EXPECT_EQ(cap_lookup(c.cs, x[i], OBJ_NONE, 0, &ref), 0);
		cap_ref_put(&ref);
	}
	VM_EXPECT_EQ(kt_queued(c.b), 0); /* nothing was delivered */

	/* receiver's cspace full: ERR_NO_RESOURCES and the message stays queued */
	struct cspace *small;
	VM_EXPECT_EQ(cspace_create(1, &small), 0);
	handle_t pair[2] = {x[0], x[1]};
	struct kbus_out mp = {.nhandles = 2, .handles = pair, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &mp, 0, 0), 0);
	struct kbus_in sin = {.handles = got, .handles_capacity = 4, .cs = small};
	VM_EXPECT_EQ(kbus_recv(c.b, &sin, 0, 0), ERR_NO_RESOURCES);
	VM_EXPECT_EQ(cspace_count(small), 0);
	VM_EXPECT_EQ(kbus_recv(c.b, &in, 0, 0), 0); /* still there, whole */
	VM_EXPECT_EQ(in.nhandles, 2);
	cspace_destroy(small);

	/* revocation reaches a capability in flight: it arrives as HANDLE_INVALID */
	handle_t root[1], child;
	VM_EXPECT_EQ(objs_of(1, c.cs, all, root), 0);
	VM_EXPECT_EQ(cap_derive(c.cs, root[0], all, 0, &child), 0);
	struct kbus_out mr = {.nhandles = 1, .handles = &child, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &mr, 0, 0), 0);
	VM_EXPECT_EQ(cap_revoke(c.cs, root[0]), 1);
	VM_EXPECT_EQ(kbus_recv(c.b, &in, 0, 0), 0);
	VM_EXPECT_EQ(in.nhandles, 1);
	VM_EXPECT_EQ(got[0], HANDLE_INVALID);

	/* a message dropped undelivered releases its capabilities */
	uint64_t live = kobject_live_count(OBJ_TEST);
	handle_t lost[2];
	VM_EXPECT_EQ(objs_of(2, c.cs, all, lost), 0);
	struct kbus_out ml = {.nhandles = 2, .handles = lost, .cs = c.cs};
	VM_EXPECT_EQ(kbus_send(c.a, 0, &ml, 0, 0), 0);
	VM_EXPECT_EQ(kobject_live_count(OBJ_TEST), live + 2);
	cspace_destroy(rcv);
	kt_chan_close(&c); /* b closes with the message queued */
	kt_base_check(&b);
}

/* --- calls --- */

struct server {
	struct endpoint *ep;
	int mode; /* 0 echo+1, 1 never answer, 2 exit without answering */
	int result;
	int served;
};

static void server_main(void *arg)
{
	struct server *s = arg;
	for (;;) {
		uint64_t v = 0;
		struct kbus_in in = {.data = &v, .capacity = sizeof(v)};
		int err = kbus_recv(s->ep, &in, 0, WAIT_FOREVER);
		if (err) {
			s->result = err;
			return;
		}
		s->served++;
		if (s->mode == 2)
			return; /* thread_exit fails the pending call */
		if (s->mode == 1) {
			sched_sleep_ns(20000000); /* the caller times out meanwhile */
			v = 0;
		}
		v++;
		struct kbus_out m = {.data = &v, .len = sizeof(v)};
		int r = kbus_reply(s->ep, &m);
		if (s->mode == 1) {
			s->result = r;
			return;
		}
	}
}

static struct thread *start(void (*fn)(void *), void *arg, int cpu)
{
	struct thread *t = thread_create("kbus-test", fn, arg, cpu);
	sched_start(t);
	return t;
}

static int call_u64(struct endpoint *ep, uint64_t v, uint64_t *out, uint64_t timeout)
{
	struct kbus_out m = {.data = &v, .len = sizeof(v)};
	struct kbus_in in = {.data = out, .capacity = sizeof(*out)};
	return kbus_call(ep, 0, &m, &in, timeout);
}

VM_TEST(kbus_call)
{
	struct kt_base b;
	kt_base_take(&b);
	struct kt_chan c;
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	uint64_t out = 0;
	/* nobody serves: the call times out and is withdrawn */
	VM_EXPECT_EQ(call_u64(c.a, 1, &out, 2000000), ERR_TIMED_OUT);
	uint64_t junk;
	VM_EXPECT_EQ(kt_recv(c.b, &junk, 8, 0, 0), 8); /* the withdrawn call is still received */
	struct kbus_out none = {0};
	VM_EXPECT_EQ(kbus_reply(c.b, &none), ERR_PEER_CLOSED); /* ...and its answer goes nowhere */
	VM_EXPECT_EQ(kbus_reply(c.b, &none), ERR_BAD_STATE);

	struct server s = {.ep = c.b};
	struct thread *t = start(server_main, &s, (int)(vmtest_cpus() > 1));
	for (uint64_t i = 0; i < 100; i++) {
		VM_EXPECT_EQ(call_u64(c.a, i, &out, WAIT_FOREVER), 0);
		VM_EXPECT_EQ(out, i + 1);
	}
	/* the server's endpoint closes: the server sees ERR_INTERRUPTED, callers ERR_PEER_CLOSED */
	cap_drop(c.cs, c.hb);
	c.hb = 0;
	thread_join(t);
	VM_EXPECT_EQ(s.result, ERR_INTERRUPTED);
	VM_EXPECT_EQ(call_u64(c.a, 5, &out, WAIT_FOREVER), ERR_PEER_CLOSED);
	kt_chan_close(&c);

	/* the caller gives up while the server holds the call: its reply gets ERR_PEER_CLOSED */
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	struct server s1 = {.ep = c.b, .mode = 1};
	t = start(server_main, &s1, -1);
	VM_EXPECT_EQ(call_u64(c.a, 1, &out, 5000000), ERR_TIMED_OUT);
	thread_join(t);
	VM_EXPECT_EQ(s1.result, ERR_PEER_CLOSED);
	kt_chan_close(&c);

	/* the server thread ends without answering: the caller is woken, ERR_PEER_CLOSED */
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	struct server s2 = {.ep = c.b, .mode = 2};
	t = start(server_main, &s2, -1);
	VM_EXPECT_EQ(call_u64(c.a, 1, &out, WAIT_FOREVER), ERR_PEER_CLOSED);
	thread_join(t);
	VM_EXPECT_EQ(s2.served, 1);
	kt_chan_close(&c);
	kt_base_check(&b);
}

/* --- one reply slot --- */

struct caller {
	struct endpoint *ep;
	bool fast;
	uint64_t delay_ns;
	int result;
	uint64_t out;
};

static void caller_main(void *arg)
{
	struct caller *c = arg;
	if (c->delay_ns)
		sched_sleep_ns(c->delay_ns);
	if (c->fast) {
		uint64_t w[KBUS_FAST_WORDS] = {7}, out[KBUS_FAST_WORDS];
		c->result = kbus_call_fast(c->ep, 0, w, out, WAIT_FOREVER);
		c->out = out[0];
	} else {
		c->result = call_u64(c->ep, 7, &c->out, WAIT_FOREVER);
	}
}

/*
 * Regression (sysfuzz seed 0xbbea42bd69484adc): a thread that receives a call while
 * it still has an unanswered one fails the old caller (ERR_PEER_CLOSED) and puts
 * the old endpoint reference, whether the calls came on one channel or two, through
 * kbus_recv or to a fast receiver parked with its slot in use.
 */
VM_TEST(kbus_reply_slot)
{
	struct kt_base b;
	kt_base_take(&b);
	struct kt_chan c, d;
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	VM_EXPECT_EQ(kt_chan_open(&d, 1 << 20, 0), 0);
	uint64_t v;
	uint64_t one = 1;
	struct kbus_out rep = {.data = &one, .len = sizeof(one)};
	/* two calls on one channel */
	struct caller c1 = {.ep = c.a, .result = 1}, c2 = {.ep = c.a, .result = 1};
	struct thread *t1 = start(caller_main, &c1, -1);
	while (kt_queued(c.b) < 1)
		sched_yield();
	struct thread *t2 = start(caller_main, &c2, -1);
	while (kt_queued(c.b) < 2)
		sched_yield();
	VM_EXPECT_EQ(kt_recv(c.b, &v, sizeof(v), 0, 0), 8);
	VM_EXPECT_EQ(kt_recv(c.b, &v, sizeof(v), 0, 0), 8);
	thread_join(t1);
	VM_EXPECT_EQ(c1.result, ERR_PEER_CLOSED);
	VM_EXPECT_EQ(kbus_reply(c.b, &rep), 0);
	thread_join(t2);
	VM_EXPECT_EQ(c2.result, 0);
	VM_EXPECT_EQ(c2.out, 1);
	/* a call on c pending, then one received on d */
	c1 = (struct caller){.ep = c.a, .result = 1};
	c2 = (struct caller){.ep = d.a, .result = 1};
	t1 = start(caller_main, &c1, -1);
	t2 = start(caller_main, &c2, -1);
	VM_EXPECT_EQ(kt_recv(c.b, &v, sizeof(v), 0, WAIT_FOREVER), 8);
	VM_EXPECT_EQ(kt_recv(d.b, &v, sizeof(v), 0, WAIT_FOREVER), 8);
	thread_join(t1);
	VM_EXPECT_EQ(c1.result, ERR_PEER_CLOSED);
	VM_EXPECT_EQ(kbus_reply(c.b, &rep), ERR_BAD_STATE);
	VM_EXPECT_EQ(kbus_reply(d.b, &rep), 0);
	thread_join(t2);
	VM_EXPECT_EQ(c2.result, 0);
	/* a call on c pending; parked in the fast path on d (the reply is for the wrong
	   endpoint, so the slot stays in use) when a fast call comes */
	c1 = (struct caller){.ep = c.a, .result = 1};
	c2 = (struct caller){.ep = d.a, .fast = true, .delay_ns = 5000000, .result = 1};
	t1 = start(caller_main, &c1, -1);
	VM_EXPECT_EQ(kt_recv(c.b, &v, sizeof(v), 0, WAIT_FOREVER), 8);
	t2 = start(caller_main, &c2, -1);
	uint64_t w[KBUS_FAST_WORDS] = {9}, out[KBUS_FAST_WORDS], badge;
	uint32_t flags = 0;
	int rerr;
	VM_EXPECT_EQ(kbus_reply_recv_fast(d.b, w, &rerr, out, &badge, &flags, WAIT_FOREVER), 0);
	VM_EXPECT_EQ(rerr, ERR_BAD_STATE);
	VM_EXPECT_EQ(flags, KBUS_MSG_CALL);
	thread_join(t1);
	VM_EXPECT_EQ(c1.result, ERR_PEER_CLOSED);
	VM_EXPECT_EQ(kbus_reply_recv_fast(d.b, w, &rerr, out, &badge, &flags, 1000000),
	             ERR_TIMED_OUT);
	VM_EXPECT_EQ(rerr, 0);
	thread_join(t2);
	VM_EXPECT_EQ(c2.result, 0);
	VM_EXPECT_EQ(c2.out, 9);
	kt_chan_close(&c);
	kt_chan_close(&d);
	kt_base_check(&b);
}

struct killee {
	struct endpoint *ep;
	int result;
};

static void killee_main(void *arg)
{
	struct killee *k = arg;
	uint64_t out;
	k->result = kbus_kernel_call(k->ep, "fault", 5, &out, sizeof(out), WAIT_FOREVER);
}

VM_TEST(kbus_kill_blocked)
{
	struct kt_base b;
	kt_base_take(&b);
	struct kt_chan c;
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	/* a pager that never answers: the faulting thread can still be killed */
	struct killee k = {.ep = c.a, .result = 1};
	struct thread *t = start(killee_main, &k, -1);
	char buf[8];
	VM_EXPECT_EQ(kt_recv(c.b, buf, sizeof(buf), 0, WAIT_FOREVER), 5); /* the pager got it */
	sched_kill(t);
	thread_join(t);
	VM_EXPECT_EQ(k.result, ERR_INTERRUPTED);
	struct kbus_out none = {0};
	VM_EXPECT_EQ(kbus_reply(c.b, &none), ERR_PEER_CLOSED);
	/* killed while queued (nobody received yet) */
	k.result = 1;
	t = start(killee_main, &k, -1);
	while (kt_queued(c.b) == 0)
		sched_yield();
	sched_kill(t);
	thread_join(t);
	VM_EXPECT_EQ(k.result, ERR_INTERRUPTED);
	kt_chan_close(&c);
	kt_base_check(&b);
}

/* --- fast path --- */

struct fast_server {
	struct endpoint *ep;
	int result;
};

static void fast_server_main(void *arg)
{
	struct fast_server *s = arg;
	uint64_t w[KBUS_FAST_WORDS], badge;
	uint32_t flags;
	int rerr;
	int err = kbus_reply_recv_fast(s->ep, NULL, &rerr, w, &badge, &flags, WAIT_FOREVER);
	while (!err) {
		for (unsigned i = 0; i < KBUS_FAST_WORDS; i++)
			w[i] += badge;
		err = kbus_reply_recv_fast(s->ep, w, &rerr, w, &badge, &flags, WAIT_FOREVER);
	}
	s->result = err;
}

/* Round trips through the fast path; returns guest cycles per round trip. */
static uint64_t fast_round_trips(struct kt_chan *c, int server_cpu, unsigned n, uint64_t badge)
{
	struct fast_server s = {.ep = c->b};
	struct thread *t = start(fast_server_main, &s, server_cpu);
	uint64_t w[KBUS_FAST_WORDS] = {1, 2, 3, 4}, out[KBUS_FAST_WORDS];
	/* warm up (the server parks itself), then measure */
	VM_EXPECT_EQ(kbus_call_fast(c->a, badge, w, out, WAIT_FOREVER), 0);
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < n; i++) {
		w[0] = i;
		int err = kbus_call_fast(c->a, badge, w, out, WAIT_FOREVER);
		if (err || out[0] != i + badge || out[3] != 4 + badge) {
			VM_FAIL("fast call %u: err %d, out %llu", i, err,
			        (unsigned long long)out[0]);
			break;
		}
	}
	uint64_t cycles = (rdtsc() - t0) / n;
	cap_drop(c->cs, c->ha); /* the server sees ERR_PEER_CLOSED and ends */
	c->ha = 0;
	thread_join(t);
	VM_EXPECT_EQ(s.result, ERR_PEER_CLOSED);
	return cycles;
}

VM_TEST(kbus_fast)
{
	struct kt_base b;
	kt_base_take(&b);
	struct kt_chan c;
	unsigned n = 10000;
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	uint64_t same = fast_round_trips(&c, (int)this_cpu()->id, n, 7);
	kt_chan_close(&c);
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	int other = vmtest_cpus() > 1 ? (int)((this_cpu()->id + 1) % vmtest_cpus()) : 0;
	uint64_t cross = fast_round_trips(&c, other, n, 0);
	kt_chan_close(&c);
	pr_info(
	    "kbus: fast round trip (kernel threads, %u calls): %llu cycles (server on this CPU), "
	    "%llu (server started on another CPU)",
	    n, (unsigned long long)same, (unsigned long long)cross);
	/* the fast path mixed with a queued (slow) caller */
	VM_EXPECT_EQ(kt_chan_open(&c, 1 << 20, 0), 0);
	struct fast_server s = {.ep = c.b};
	struct thread *t = start(fast_server_main, &s, -1);
	uint64_t w4[4] = {41, 0, 0, 0}, r4[4] = {0};
	struct kbus_out m = {.data = w4, .len = sizeof(w4)};
	struct kbus_in in = {.data = r4, .capacity = sizeof(r4)};
	VM_EXPECT_EQ(kbus_call(c.a, 3, &m, &in, WAIT_FOREVER), 0);
	VM_EXPECT_EQ(r4[0], 44);
	VM_EXPECT_EQ(r4[3], 3);
	uint64_t small;
	in = (struct kbus_in){.data = &small, .capacity = sizeof(small)};
	VM_EXPECT_EQ(kbus_call(c.a, 3, &m, &in, WAIT_FOREVER), ERR_BUFFER_TOO_SMALL);
	VM_EXPECT_EQ(in.len, 32);
	cap_drop(c.cs, c.ha);
	c.ha = 0;
	thread_join(t);
	VM_EXPECT_EQ(s.result, ERR_PEER_CLOSED);
	kt_chan_close(&c);
	kt_base_check(&b);
}
