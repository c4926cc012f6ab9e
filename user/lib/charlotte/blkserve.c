/*
 * blkserve.c - the block class server shared by block drivers (blkserve.h).
 *
 * Waitset keys: KEY_EP the clients' endpoint, KEY_IRQ the interrupt,
 * KEY_SESS + i session i. Every message is received into one buffer big enough
 * for any message (KBUS_MAX_BYTES, KBUS_MAX_HANDLES) and handles we did not ask
 * for are dropped, so no client can jam a queue with a message we would refuse.
 */
#include "driver.h"
#include "blkserve.h"

#include <stdlib.h>
#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>

#include "hw.h"
#include "devcall.h"
#include "kbus.h"
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

#define KEY_EP 1u
#define KEY_IRQ 2u
#define KEY_SESS 16u
#define PAGE 4096u
#define POLL_NS 20000u /* without an interrupt: how often requests in flight are polled */

static uint8_t msgbuf[KBUS_MAX_BYTES];
static handle_t msghs[KBUS_MAX_HANDLES];

/* Receives one message on ep into msgbuf, dropping any handles. */
static long recv_msg(handle_t ep, struct kbus_buf *kb, uint32_t flags)
{
	*kb = (struct kbus_buf){.data = msgbuf,
	                        .capacity = sizeof(msgbuf),
	                        .handles_capacity = KBUS_MAX_HANDLES,
	                        .handles = msghs};
	long r = ch_kbus_recv(ep, kb, flags, 0);
	if (r == 0)
		for (uint32_t i = 0; i < kb->nhandles && i < KBUS_MAX_HANDLES; i++)
			ch_cap_drop(msghs[i]);
	return r;
}

long blk_serve_init(struct blk_server *srv, const struct blk_drv_ops *ops, void *drv,
                    const struct blk_info *info, handle_t irq)
{
	handle_t ch[2];
	memset(srv, 0, sizeof(*srv));
	srv->ops = ops;
	srv->drv = drv;
	srv->info = *info;
	srv->irq = irq;
	srv->pool = ch_handle("pool");
	srv->as = ch_handle("self.as");
	if (blk_info_check(&srv->info))
		return ERR_INVALID_ARGS;
	long r = ch_channel_create(srv->pool, 0, ch);
	if (r < 0)
		return r;
	srv->ep = ch[0];
	srv->client_ep = ch[1];
	r = ch_waitset_create(srv->pool, &srv->ws);
	if (r < 0)
		return r;
	r = ch_waitset_add(srv->ws, srv->ep, KBUS_EV_READABLE, KEY_EP);
	if (r < 0)
		return r;
	if (irq != HANDLE_INVALID)
		r = ch_waitset_add(srv->ws, irq, KBUS_EV_READABLE, KEY_IRQ);
	return r;
}

void blk_serve_ready(long result)
{
	handle_t ready = ch_handle("ready");
	if (ready != HANDLE_INVALID) /* the spawner waits for the disk to be there */
		ch_kbus_send_bytes(ready, &result, sizeof(result), KBUS_NONBLOCK, 0);
}

long blk_serve_bind(struct blk_server *srv, const char *name)
{
	long r = ch_dev_class_bind("block", name, srv->client_ep, NS_TYPE_DEV_BLOCK);
	blk_serve_ready(r);
	return r;
}

static void sess_free(struct blk_serve_sess *ss)
{
	struct blk_server *srv = ss->srv;
	ch_waitset_remove(srv->ws, KEY_SESS + ss->index);
	if (ss->pinned)
		srv->ops->dma_unmap(srv->drv, ss->mem);
	if (ss->base)
		ch_as_unmap(srv->as, (uint64_t)(uintptr_t)ss->base, ss->map_size);
	if (ss->ep != HANDLE_INVALID)
		ch_cap_drop(ss->ep);
	if (ss->mem != HANDLE_INVALID)
		ch_cap_drop(ss->mem);
	free(ss->dma);
	free(ss->reqs);
	memset(ss, 0, sizeof(*ss));
}

/* Stop serving ss: now, or once the device has given back its requests. */
static void sess_end(struct blk_serve_sess *ss)
{
	ss->closing = true;
	if (ss->s.in_flight == 0)
		sess_free(ss);
}

/* Makes the session memory and the channel of a new session; 0 or ERR_*. */
static long sess_make(struct blk_server *srv, struct blk_serve_sess *ss, uint32_t entries,
                      uint64_t data)
{
	handle_t ch[2];
	struct blk_region_layout l = blk_region_layout(entries, data);
	ss->map_size = (l.size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	ss->data_page = l.data / PAGE;
	ss->ep = ss->mem = HANDLE_INVALID;
	ss->srv = srv;
	ss->reqs = calloc(entries, sizeof(*ss->reqs));
	ss->dma = calloc(ss->map_size / PAGE, sizeof(uint64_t));
	if (!ss->reqs || !ss->dma)
		return ERR_NO_MEMORY;
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
	r = srv->ops->dma_map(srv->drv, ss->mem, ss->dma, ss->map_size / PAGE);
	if (r < 0)
		return r;
	ss->pinned = true;
	r = ch_channel_create(srv->pool, 0, ch);
	if (r < 0)
		return r;
	ss->ep = ch[0];
	r = ch_waitset_add(srv->ws, ss->ep, KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED,
	                   KEY_SESS + ss->index);
	if (r < 0) {
		ch_cap_drop(ch[1]);
		return r;
	}
	blk_srv_init(&ss->s, ss->base, entries, data, &srv->info);
	return ch[1];
}

/* Ends every session whose client has gone, now: its waitset event may still be
 * queued behind the call we are answering. */
static void reap_closed(struct blk_server *srv)
{
	for (uint32_t i = 0; i < BLK_MAX_SESSIONS; i++) {
		struct kbus_endpoint_info ki;
		struct blk_serve_sess *ss = &srv->sess[i];
		if (ss->used && ch_kbus_info(ss->ep, &ki) >= 0 && ki.peer_closed)
			sess_end(ss);
	}
}

static void reply(struct blk_server *srv, const void *m, uint32_t len, const handle_t *hs,
                  uint32_t n)
{
	struct kbus_msg km = {.data = m, .len = len, .nhandles = n, .handles = hs};
	ch_kbus_reply(srv->ep, &km);
}

static void handle_open(struct blk_server *srv, const struct blk_open *req)
{
	struct blk_open_reply rep = {.hdr = {BLK_MSG_OPEN, sizeof(rep)}, .info = srv->info};
	uint32_t entries = req->entries;
	uint64_t data = req->data_size;
	struct blk_serve_sess *ss = NULL;

	rep.status = blk_open_clamp(&entries, &data);
	for (int pass = 0; pass < 2 && !rep.status && !ss; pass++) {
		if (pass == 1)
			reap_closed(
			    srv); /* a client that closed before asking again gets its slot */
		for (uint32_t i = 0; i < BLK_MAX_SESSIONS && !ss; i++)
			if (!srv->sess[i].used)
				ss = &srv->sess[i];
	}
	if (!rep.status && !ss)
		rep.status = ERR_NO_RESOURCES;
	if (rep.status) {
		reply(srv, &rep, sizeof(rep), NULL, 0);
		return;
	}
	ss->used = true;
	ss->index = (uint32_t)(ss - srv->sess);
	handle_t hs[2];
	long r = sess_make(srv, ss, entries, data);
	if (r >= 0) {
		hs[0] = (handle_t)r;
		r = ch_cap_derive(
		    ss->mem, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER,
		    0, &hs[1]);
		if (r < 0)
			ch_cap_drop(hs[0]);
	}
	if (r < 0) {
		sess_free(ss);
		rep.status = (int32_t)r;
		reply(srv, &rep, sizeof(rep), NULL, 0);
		return;
	}
	rep.entries = entries;
	rep.data_size = data;
	rep.region_size = ss->map_size;
	struct kbus_msg km = {.data = &rep, .len = sizeof(rep), .nhandles = 2, .handles = hs};
	if (ch_kbus_reply(srv->ep, &km) < 0) { /* the client gave up: nobody holds the ends */
		ch_cap_drop(hs[0]);
		ch_cap_drop(hs[1]);
		sess_free(ss);
	}
}

static void handle_call(struct blk_server *srv)
{
	struct kbus_buf kb;
	if (recv_msg(srv->ep, &kb, KBUS_NONBLOCK) < 0)
		return;
	if (!(kb.flags & KBUS_MSG_CALL))
		return; /* one-way messages mean nothing here */
	const struct dev_msg_hdr *h = (const void *)msgbuf;
	if (kb.len >= sizeof(*h) && h->len == kb.len && h->type == BLK_MSG_INFO) {
		struct blk_info_reply rep = {.hdr = {BLK_MSG_INFO, sizeof(rep)}, .info = srv->info};
		reply(srv, &rep, sizeof(rep), NULL, 0);
	} else if (kb.len == sizeof(struct blk_open) && h->len == kb.len &&
	           h->type == BLK_MSG_OPEN) {
		struct blk_open req;
		memcpy(&req, msgbuf, sizeof(req));
		handle_open(srv, &req);
	} else {
		struct dev_status_reply rep = {.hdr = {h->type, sizeof(rep)},
		                               .status = ERR_MALFORMED};
		if (kb.len < sizeof(*h))
			rep.hdr.type = 0;
		reply(srv, &rep, sizeof(rep), NULL, 0);
	}
}

static void complete(struct blk_serve_sess *ss, uint64_t tag, int status, uint32_t len)
{
	if (blk_srv_complete(&ss->s, tag, status, len) < 0 && !ss->closing)
		ss->closing = true; /* the client broke its ring; freed when idle */
	ss->notify = true;
}

/* Takes the session's valid requests and starts them. */
static void sess_pump(struct blk_serve_sess *ss)
{
	struct blk_server *srv = ss->srv;
	struct blk_sqe rq;
	uint32_t completed = ss->s.cq.mine;
	int r = 0;

	while (!ss->closing && (r = blk_srv_next(&ss->s, &rq)) == 1) {
		struct blk_serve_req *q = NULL;
		for (uint32_t i = 0; i < ss->s.entries && !q; i++)
			if (!ss->reqs[i].busy)
				q = &ss->reqs[i];
		if (!q) { /* cannot be: in flight <= entries */
			complete(ss, rq.tag, ERR_INTERNAL, 0);
			continue;
		}
		*q = (struct blk_serve_req){.sqe = rq, .sess = ss, .busy = true};
		q->data = ss->base + ss->data_page * PAGE + rq.data_off;
		int err = srv->ops->start(srv->drv, q);
		if (err) {
			q->busy = false;
			complete(ss, rq.tag, err, 0);
		}
	}
	if (!ss->closing && r < 0)
		ss->closing = true;
	if (ss->s.cq.mine != completed)
		ss->notify = true; /* bad requests were completed on the way */
}

void blk_serve_done(struct blk_serve_req *rq, int status, uint32_t len)
{
	struct blk_serve_sess *ss = rq->sess;
	rq->busy = false;
	complete(ss, rq->sqe.tag, status, len);
}

int blk_serve_segments(const struct blk_serve_req *rq, uint64_t *addr, uint32_t *len, unsigned max)
{
	const struct blk_serve_sess *ss = rq->sess;
	uint64_t off = rq->sqe.data_off, left = rq->sqe.len;
	unsigned n = 0;
	while (left) {
		uint64_t page = ss->data_page + off / PAGE, in = off % PAGE;
		uint64_t take = PAGE - in < left ? PAGE - in : left;
		uint64_t a = ss->dma[page] + in;
		if (n && addr[n - 1] + len[n - 1] == a) {
			len[n - 1] += (uint32_t)take;
		} else {
			if (n == max)
				return ERR_BUFFER_TOO_SMALL;
			addr[n] = a;
			len[n++] = (uint32_t)take;
		}
		off += take;
		left -= take;
	}
	return (int)n;
}

/* After the device moved: notify, resume, and free the sessions that ended. */
static void settle(struct blk_server *srv)
{
	for (uint32_t i = 0; i < BLK_MAX_SESSIONS; i++) {
		struct blk_serve_sess *ss = &srv->sess[i];
		if (!ss->used)
			continue;
		if (ss->closing) {
			if (ss->s.in_flight == 0)
				sess_free(ss);
			continue;
		}
		sess_pump(ss); /* completion slots may have been waiting */
		if (ss->notify) {
			struct dev_msg_hdr h = {BLK_MSG_NOTIFY, sizeof(h)};
			ch_kbus_send_bytes(ss->ep, &h, sizeof(h), KBUS_NONBLOCK, 0);
			ss->notify = false;
		}
	}
}

static bool busy(const struct blk_server *srv)
{
	for (uint32_t i = 0; i < BLK_MAX_SESSIONS; i++)
		if (srv->sess[i].used && srv->sess[i].s.in_flight)
			return true;
	return false;
}

static void session_event(struct blk_server *srv, uint32_t i, uint32_t events)
{
	struct blk_serve_sess *ss = &srv->sess[i];
	struct kbus_buf kb;
	if (i >= BLK_MAX_SESSIONS || !ss->used)
		return;
	while (recv_msg(ss->ep, &kb, KBUS_NONBLOCK) == 0)
		; /* doorbells carry nothing: the ring says what to do */
	struct kbus_endpoint_info ki;
	if ((events & KBUS_EV_PEER_CLOSED) && ch_kbus_info(ss->ep, &ki) >= 0 && ki.peer_closed)
		sess_end(ss); /* checked: the event may be of an earlier session in this slot */
	else
		sess_pump(ss);
}

/* The device interrupted. Poll, then ack, then poll again: an interrupt that
 * comes after the first poll but before the ack is cleared by the ack, so its
 * completion must be found by the second (a level line the first poll left
 * asserted interrupts again at once, and finds nothing: harmless). */
static void irq_event(struct blk_server *srv)
{
	srv->ops->poll(srv->drv);
	ch_irq_ack(srv->irq);
	srv->ops->poll(srv->drv);
}

long blk_serve_run(struct blk_server *srv)
{
	struct kbus_event ev[8];
	for (;;) {
		bool poll = srv->irq == HANDLE_INVALID && busy(srv);
		long n = ch_waitset_wait(srv->ws, ev, 8, poll ? POLL_NS : CH_FOREVER);
		if (n == ERR_TIMED_OUT)
			n = 0;
		if (n < 0)
			return n;
		for (long k = 0; k < n; k++) {
			if (ev[k].key == KEY_EP)
				handle_call(srv);
			else if (ev[k].key == KEY_IRQ)
				irq_event(srv);
			else if (ev[k].key >= KEY_SESS)
				session_event(srv, (uint32_t)(ev[k].key - KEY_SESS), ev[k].events);
		}
		if (poll)
			srv->ops->poll(srv->drv);
		settle(srv);
	}
}

long blk_serve(struct blk_server *srv, const struct blk_drv_ops *ops, void *drv,
               const struct blk_info *info, handle_t irq, const char *name)
{
	long r = blk_serve_init(srv, ops, drv, info, irq);
	if (r < 0) {
		blk_serve_ready(r);
		return r;
	}
	r = blk_serve_bind(srv, name);
	return r < 0 ? r : blk_serve_run(srv);
}
