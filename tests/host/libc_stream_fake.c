/*
 * libc_stream_fake.c - a fake message bus under the libc's host tests: the stream
 * hooks of user/lib/libc/sys_hooks.h (renamed cl___libc_*): __libc_handle,
 * __libc_handle_type, __libc_stream_recv/send, __libc_pipe and __libc_term.
 *
 * Channels are pairs of endpoints (handles FAKE_STREAM_BASE + i, the peer i ^ 1) with
 * a queue of messages each. Nothing waits: a receive on an empty queue whose peer is
 * open, or a send to a full queue, fails the test. Calls can be queued (the libc must
 * refuse them); a channel of kind KBUS_KIND_TERM answers __libc_term itself from
 * cl_fake_stream.term_mode and the knobs. __libc_ns_close of a stream handle lands in
 * cl_fake_stream_close (libc_ns_fake.c forwards it).
 */
#include "libc_cl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <abi/errors.h>
#include <abi/kbus.h>

#define ENDPOINTS 32
#define DEPTH 64

struct fake_msg {
	char *data;
	size_t len;
	bool call;
};

struct fake_ep {
	bool open;
	uint32_t kind;
	struct fake_msg q[DEPTH];
	unsigned head, count;
};

static struct fake_ep eps[ENDPOINTS];
struct cl_fake_stream cl_fake_stream;

static struct fake_ep *ep_of(handle_t h)
{
	if (h < FAKE_STREAM_BASE || h >= FAKE_STREAM_BASE + ENDPOINTS ||
	    !eps[h - FAKE_STREAM_BASE].open)
		return NULL;
	return &eps[h - FAKE_STREAM_BASE];
}

static struct fake_ep *peer_of(handle_t h)
{
	return ep_of(((h - FAKE_STREAM_BASE) ^ 1) + FAKE_STREAM_BASE);
}

void cl_fake_stream_reset(void)
{
	for (int i = 0; i < ENDPOINTS; i++)
		while (eps[i].count) {
			free(eps[i].q[eps[i].head].data);
			eps[i].head = (eps[i].head + 1) % DEPTH;
			eps[i].count--;
		}
	memset(eps, 0, sizeof(eps));
	memset(&cl_fake_stream, 0, sizeof(cl_fake_stream));
	cl_fake_stream.term_mode = 7;
}

long cl_fake_stream_channel(uint32_t kind, handle_t out[2])
{
	for (int i = 0; i < ENDPOINTS; i += 2)
		if (!eps[i].open && !eps[i + 1].open) {
			eps[i] = (struct fake_ep){.open = true, .kind = kind};
			eps[i + 1] = (struct fake_ep){.open = true, .kind = kind};
			out[0] = FAKE_STREAM_BASE + (handle_t)i;
			out[1] = FAKE_STREAM_BASE + (handle_t)i + 1;
			return 0;
		}
	return ERR_NO_RESOURCES;
}

long cl_fake_stream_push(handle_t from, const void *data, size_t len, int call)
{
	struct fake_ep *to = peer_of(from);
	if (!ep_of(from))
		return ERR_BAD_HANDLE;
	if (!to)
		return ERR_PEER_CLOSED;
	assert_true(to->count < DEPTH);
	struct fake_msg *m = &to->q[(to->head + to->count++) % DEPTH];
	m->data = malloc(len ? len : 1);
	memcpy(m->data, data, len);
	m->len = len;
	m->call = call;
	return 0;
}

long cl_fake_stream_pop(handle_t h, void *buf, size_t cap)
{
	struct fake_ep *e = ep_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	if (!e->count)
		return ERR_SHOULD_WAIT;
	struct fake_msg *m = &e->q[e->head];
	assert_true(m->len <= cap);
	memcpy(buf, m->data, m->len);
	long n = (long)m->len;
	free(m->data);
	e->head = (e->head + 1) % DEPTH;
	e->count--;
	return n;
}

unsigned cl_fake_stream_queued(handle_t h)
{
	struct fake_ep *e = ep_of(h);
	return e ? e->count : 0;
}

long cl_fake_stream_close(handle_t h)
{
	struct fake_ep *e = ep_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	while (e->count) {
		free(e->q[e->head].data);
		e->head = (e->head + 1) % DEPTH;
		e->count--;
	}
	e->open = false;
	cl_fake_stream.closes++;
	return 0;
}

handle_t cl___libc_handle(const char *name)
{
	static const char *const names[3] = {"stdin", "stdout", "stderr"};
	for (int i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0)
			return cl_fake_stream.std[i];
	return HANDLE_INVALID;
}

long cl___libc_handle_type(handle_t h, uint32_t *kind)
{
	struct fake_ep *e = ep_of(h);
	struct ns_stat st;
	*kind = 0;
	if (e) {
		*kind = e->kind;
		return 1; /* __LIBC_HANDLE_STREAM */
	}
	return cl___libc_ns_stat(h, &st) >= 0 ? 2 /* __LIBC_HANDLE_FILE */ : ERR_BAD_HANDLE;
}

long cl___libc_stream_recv(handle_t h, void *buf, unsigned long cap, unsigned long *need)
{
	struct fake_ep *e = ep_of(h);
	if (!e)
		return ERR_BAD_HANDLE;
	for (;;) {
		if (!e->count) {
			if (!peer_of(h))
				return ERR_PEER_CLOSED;
			fail_msg("a receive would wait forever");
		}
		struct fake_msg *m = &e->q[e->head];
		if (m->len > cap) {
			*need = m->len;
			return ERR_BUFFER_TOO_SMALL;
		}
		memcpy(buf, m->data, m->len);
		long n = (long)m->len;
		bool call = m->call;
		free(m->data);
		e->head = (e->head + 1) % DEPTH;
		e->count--;
		if (!call)
			return n;
		cl_fake_stream.calls_refused++;
	}
}

long cl___libc_stream_send(handle_t h, const void *buf, unsigned long len)
{
	if (len == 0 || len > STREAM_MSG_MAX)
		fail_msg("a stream message of %lu bytes", len);
	cl_fake_stream.sends++;
	if (len > cl_fake_stream.max_msg)
		cl_fake_stream.max_msg = len;
	long r = cl_fake_stream_push(h, buf, len, 0);
	return r < 0 ? r : (long)len;
}

long cl___libc_pipe(handle_t out[2])
{
	if (cl_fake_stream.fail_pipe)
		return cl_fake_stream.fail_pipe;
	return cl_fake_stream_channel(KBUS_KIND_PIPE, out);
}

long cl___libc_term(handle_t h, uint32_t op, uint32_t arg, struct term_reply *out)
{
	struct fake_ep *e = ep_of(h);
	if (!e || e->kind != KBUS_KIND_TERM)
		return ERR_NOT_SUPPORTED;
	if (cl_fake_stream.term_fail)
		return cl_fake_stream.term_fail;
	*out = (struct term_reply){.cols = 100, .rows = 30};
	if (op == TERM_SET_MODE)
		cl_fake_stream.term_mode = arg;
	else if (op == TERM_FLUSH_INPUT)
		cl_fake_stream.term_flushes++;
	out->mode = cl_fake_stream.term_mode;
	return 0;
}
