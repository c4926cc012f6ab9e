/*
 * inputserve.c - the input class server shared by input drivers
 * (inputserve.h). Waitset keys: key_base our endpoint, key_base + 1 + i
 * session i. Every message is received into
 * one buffer that takes any message with any handles (dropped), so a client
 * cannot jam a queue with a message we would refuse.
 */
#include "driver.h"
#include "inputserve.h"

#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>

#include "devcall.h"
#include "kbus.h"
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

static uint8_t msgbuf[KBUS_MAX_BYTES];
static handle_t msghs[KBUS_MAX_HANDLES];

long input_serve_init(struct input_server *srv, handle_t ws, uint64_t key_base, uint32_t caps,
                      const char *model, uint32_t abs_max_x, uint32_t abs_max_y)
{
	handle_t ch[2];
	memset(srv, 0, sizeof(*srv));
	srv->info = (struct input_info_reply){.hdr = {INPUT_MSG_INFO, sizeof(srv->info)},
	                                      .caps = caps,
	                                      .abs_max_x = abs_max_x,
	                                      .abs_max_y = abs_max_y};
	strncpy(srv->info.model, model, sizeof(srv->info.model) - 1);
	srv->pool = ch_handle("pool");
	srv->ws = ws;
	srv->key_base = key_base;
	srv->as = ch_handle("self.as");
	long r = ch_channel_create(srv->pool, 0, ch);
	if (r < 0)
		return r;
	srv->ep = ch[0];
	srv->client_ep = ch[1];
	return ch_waitset_add(srv->ws, srv->ep, KBUS_EV_READABLE, key_base);
}

long input_serve_bind(struct input_server *srv, const char *name)
{
	return ch_dev_class_bind("input", name, srv->client_ep, NS_TYPE_DEV_INPUT);
}

static void sess_free(struct input_server *srv, struct input_serve_sess *ss)
{
	ch_waitset_remove(srv->ws, srv->key_base + 1 + (uint64_t)(ss - srv->sess));
	if (ss->base)
		ch_as_unmap(srv->as, (uint64_t)(uintptr_t)ss->base, ss->map_size);
	if (ss->ep != HANDLE_INVALID)
		ch_cap_drop(ss->ep);
	if (ss->mem != HANDLE_INVALID)
		ch_cap_drop(ss->mem);
	memset(ss, 0, sizeof(*ss));
}

/* Makes a session's memory and channel; the client's end, or ERR_*. */
static long sess_make(struct input_server *srv, struct input_serve_sess *ss, uint32_t entries)
{
	handle_t ch[2];
	ss->used = true;
	ss->ep = ss->mem = HANDLE_INVALID;
	ss->map_size = input_region_size(entries);
	long r = ch_mem_create(srv->pool, ss->map_size, &ss->mem);
	if (r < 0)
		return r;
	uint64_t va = ch_va_reserve(ss->map_size);
	if (!va)
		return ERR_NO_RESOURCES;
	r = ch_as_map(srv->as, va, ss->mem, 0, ss->map_size, PROT_READ | PROT_WRITE);
	if (r < 0)
		return r;
	ss->base = (uint8_t *)(uintptr_t)va;
	devring_init(&ss->ring, ss->base + INPUT_REGION_PROD, ss->base + INPUT_REGION_CONS,
	             ss->base + INPUT_REGION_EVENTS, entries, sizeof(struct input_event));
	r = ch_channel_create(srv->pool, 0, ch);
	if (r < 0)
		return r;
	ss->ep = ch[0];
	r = ch_waitset_add(srv->ws, ss->ep, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED,
	                   srv->key_base + 1 + (uint64_t)(ss - srv->sess));
	if (r < 0) {
		ch_cap_drop(ch[1]);
		return r;
	}
	return ch[1];
}

static void reply(struct input_server *srv, const void *m, uint32_t len, const handle_t *hs,
                  uint32_t n)
{
	struct kbus_msg km = {.data = m, .len = len, .nhandles = n, .handles = hs};
	if (ch_kbus_reply(srv->ep, &km) < 0)
		for (uint32_t i = 0; i < n; i++) /* the client gave up: nobody holds them */
			ch_cap_drop(hs[i]);
}

static void handle_open(struct input_server *srv, const struct input_open *req)
{
	struct input_open_reply rep = {.hdr = {INPUT_MSG_OPEN, sizeof(rep)}};
	uint32_t e = req->entries;
	struct input_serve_sess *ss = NULL;
	if (e == 0 || e > DEV_RING_MAX || (e & (e - 1)) || req->reserved)
		rep.status = ERR_INVALID_ARGS;
	for (uint32_t i = 0; !rep.status && i < INPUT_MAX_SESSIONS && !ss; i++)
		if (!srv->sess[i].used)
			ss = &srv->sess[i];
	if (!rep.status && !ss)
		rep.status = ERR_NO_RESOURCES;
	if (rep.status) {
		reply(srv, &rep, sizeof(rep), NULL, 0);
		return;
	}
	handle_t hs[2];
	long r = sess_make(srv, ss, e);
	if (r >= 0) {
		hs[0] = (handle_t)r;
		r = ch_cap_derive(
		    ss->mem, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER,
		    0, &hs[1]);
		if (r < 0)
			ch_cap_drop(hs[0]);
	}
	if (r < 0) {
		sess_free(srv, ss);
		rep.status = (int32_t)r;
		reply(srv, &rep, sizeof(rep), NULL, 0);
		return;
	}
	rep.entries = e;
	struct kbus_msg km = {.data = &rep, .len = sizeof(rep), .nhandles = 2, .handles = hs};
	if (ch_kbus_reply(srv->ep, &km) < 0) {
		ch_cap_drop(hs[0]);
		ch_cap_drop(hs[1]);
		sess_free(srv, ss);
	}
}

/* Receives one message on ep into msgbuf, dropping any handles. */
static long recv_msg(handle_t ep, struct kbus_buf *kb)
{
	*kb = (struct kbus_buf){.data = msgbuf,
	                        .capacity = sizeof(msgbuf),
	                        .handles_capacity = KBUS_MAX_HANDLES,
	                        .handles = msghs};
	long r = ch_kbus_recv(ep, kb, KBUS_NONBLOCK, 0);
	if (r == 0)
		for (uint32_t i = 0; i < kb->nhandles && i < KBUS_MAX_HANDLES; i++)
			ch_cap_drop(msghs[i]);
	return r;
}

static void handle_call(struct input_server *srv)
{
	struct kbus_buf kb;
	if (recv_msg(srv->ep, &kb) < 0 || !(kb.flags & KBUS_MSG_CALL))
		return; /* one-way messages mean nothing here */
	const struct dev_msg_hdr *h = (const void *)msgbuf;
	if (kb.len >= sizeof(*h) && h->len == kb.len && h->type == INPUT_MSG_INFO) {
		reply(srv, &srv->info, sizeof(srv->info), NULL, 0);
	} else if (kb.len == sizeof(struct input_open) && h->len == kb.len &&
	           h->type == INPUT_MSG_OPEN) {
		struct input_open req;
		memcpy(&req, msgbuf, sizeof(req));
		handle_open(srv, &req);
	} else {
		struct dev_status_reply rep = {
		    .hdr = {kb.len >= sizeof(*h) ? h->type : 0, sizeof(rep)},
		    .status = ERR_MALFORMED};
		reply(srv, &rep, sizeof(rep), NULL, 0);
	}
}

bool input_serve_handle(struct input_server *srv, const struct kbus_event *ev)
{
	uint64_t k = ev->key - srv->key_base;
	if (ev->key < srv->key_base || k > INPUT_MAX_SESSIONS)
		return false;
	if (k == 0) {
		handle_call(srv);
		return true;
	}
	struct input_serve_sess *ss = &srv->sess[k - 1];
	struct kbus_buf kb;
	if (!ss->used)
		return true; /* already freed: a stale event */
	if (ev->events & KBUS_EV_PEER_CLOSED)
		sess_free(srv, ss);
	else
		while (recv_msg(ss->ep, &kb) == 0)
			; /* clients have nothing to say on a session */
	return true;
}

void input_serve_event(struct input_server *srv, uint16_t type, uint16_t code, int32_t value,
                       uint32_t scancode)
{
	struct input_event e = {.time_ns = (uint64_t)ch_clock_ns(),
	                        .type = type,
	                        .code = code,
	                        .value = value,
	                        .scancode = scancode,
	                        .modifiers = srv->modifiers};
	for (uint32_t i = 0; i < INPUT_MAX_SESSIONS; i++) {
		struct input_serve_sess *ss = &srv->sess[i];
		if (!ss->used || !ss->base)
			continue;
		e.dropped = ss->dropped;
		int r = devring_put(&ss->ring, &e);
		if (r == ERR_SHOULD_WAIT) {
			if (ss->dropped < UINT16_MAX)
				ss->dropped++;
		} else if (r < 0) {
			sess_free(srv, ss); /* the client broke its ring */
		} else {
			ss->dropped = 0;
			ss->notify = true;
		}
	}
}

void input_serve_flush(struct input_server *srv)
{
	struct dev_msg_hdr note = {INPUT_MSG_NOTIFY, sizeof(note)};
	for (uint32_t i = 0; i < INPUT_MAX_SESSIONS; i++)
		if (srv->sess[i].used && srv->sess[i].notify) {
			srv->sess[i].notify = false;
			ch_kbus_send_bytes(srv->sess[i].ep, &note, sizeof(note), KBUS_NONBLOCK, 0);
		}
}
