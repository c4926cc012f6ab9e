/*
 * netserve.c - the net class server shared by net drivers (netserve.h).
 *
 * Waitset keys: KEY_EP the clients' endpoint, KEY_IRQ the interrupt,
 * KEY_SESS + i session i. Every message is received into one buffer big enough
 * for any message (KBUS_MAX_BYTES, KBUS_MAX_HANDLES) and handles we did not ask
 * for are dropped, so no client can jam a queue with a message we would refuse.
 */
#include "driver.h"
#include "netserve.h"

#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>

#include "hw.h"
#include "kbus.h"
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

#define KEY_EP 1u
#define KEY_IRQ 2u
#define KEY_SESS 16u
#define PAGE 4096u
#define POLL_NS 1000000u /* without an interrupt: how often the device is polled */

static uint8_t msgbuf[KBUS_MAX_BYTES];
static handle_t msghs[KBUS_MAX_HANDLES];

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

void net_serve_ready(long result)
{
	handle_t ready = ch_handle("ready");
	if (ready != HANDLE_INVALID)
		ch_kbus_send_bytes(ready, &result, sizeof(result), KBUS_NONBLOCK, 0);
}

static long init(struct net_server *srv, const struct net_drv_ops *ops, void *drv,
                 const struct net_info *info, handle_t irq)
{
	handle_t ch[2];
	memset(srv, 0, sizeof(*srv));
	srv->ops = ops;
	srv->drv = drv;
	srv->info = *info;
	srv->irq = irq;
	srv->pool = ch_handle("pool");
	srv->as = ch_handle("self.as");
	if (net_info_check(&srv->info))
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

static long bind(struct net_server *srv, const char *name)
{
	return ch_dev_class_bind("net", name, srv->client_ep, NS_TYPE_DEV_NET);
}

static void sess_free(struct net_serve_sess *ss, struct net_server *srv)
{
	ch_waitset_remove(srv->ws, KEY_SESS + ss->index);
	if (ss->base)
		ch_as_unmap(srv->as, (uint64_t)(uintptr_t)ss->base, ss->map_size);
	if (ss->ep != HANDLE_INVALID)
		ch_cap_drop(ss->ep);
	if (ss->mem != HANDLE_INVALID)
		ch_cap_drop(ss->mem);
	memset(ss, 0, sizeof(*ss));
}

/* Makes the memory and channel of a new session: the client's channel end, or ERR_*. */
static long sess_make(struct net_server *srv, struct net_serve_sess *ss, uint32_t entries,
                      uint32_t nbufs)
{
	handle_t ch[2];
	ss->map_size = (net_region_layout(entries, nbufs).size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	ss->ep = ss->mem = HANDLE_INVALID;
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
	net_srv_init(&ss->s, ss->base, entries, nbufs, srv->info.mtu);
	net_srv_link(&ss->s, srv->info.link_up, srv->link_changes);
	return ch[1];
}

/* Frees ss if its client has gone (whose close we may not have been told of
 * yet: the same wait can report a close and an open after it in any order). */
static bool sess_gone(struct net_server *srv, struct net_serve_sess *ss)
{
	struct kbus_buf kb;
	long r;
	while ((r = recv_msg(ss->ep, &kb)) == 0)
		; /* doorbells: the rings are looked at after every wait anyway */
	if (r != ERR_PEER_CLOSED)
		return false;
	sess_free(ss, srv);
	return true;
}

static void reply(struct net_server *srv, const void *m, uint32_t len)
{
	struct kbus_msg km = {.data = m, .len = len};
	ch_kbus_reply(srv->ep, &km);
}

static void handle_open(struct net_server *srv, const struct net_open *req)
{
	struct net_open_reply rep = {.hdr = {NET_MSG_OPEN, sizeof(rep)}, .info = srv->info};
	uint32_t entries = req->entries, nbufs = req->nbufs;
	struct net_serve_sess *ss = NULL;

	rep.status = net_open_clamp(&entries, &nbufs);
	for (uint32_t i = 0; !rep.status && i < NET_MAX_SESSIONS && !ss; i++)
		if (!srv->sess[i].used || sess_gone(srv, &srv->sess[i]))
			ss = &srv->sess[i];
	if (!rep.status && !ss)
		rep.status = ERR_NO_RESOURCES;
	if (rep.status) {
		reply(srv, &rep, sizeof(rep));
		return;
	}
	ss->used = true;
	ss->index = (uint32_t)(ss - srv->sess);
	handle_t hs[2];
	long r = sess_make(srv, ss, entries, nbufs);
	if (r >= 0) {
		hs[0] = (handle_t)r;
		r = ch_cap_derive(
		    ss->mem, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER,
		    0, &hs[1]);
		if (r < 0)
			ch_cap_drop(hs[0]);
	}
	if (r < 0) {
		sess_free(ss, srv);
		rep.status = (int32_t)r;
		reply(srv, &rep, sizeof(rep));
		return;
	}
	rep.entries = entries;
	rep.nbufs = nbufs;
	rep.region_size = ss->map_size;
	struct kbus_msg km = {.data = &rep, .len = sizeof(rep), .nhandles = 2, .handles = hs};
	if (ch_kbus_reply(srv->ep, &km) < 0) { /* the client gave up: nobody holds the ends */
		ch_cap_drop(hs[0]);
		ch_cap_drop(hs[1]);
		sess_free(ss, srv);
	}
}

static void handle_call(struct net_server *srv)
{
	struct kbus_buf kb;
	if (recv_msg(srv->ep, &kb) < 0)
		return;
	if (!(kb.flags & KBUS_MSG_CALL))
		return; /* one-way messages mean nothing here */
	const struct dev_msg_hdr *h = (const void *)msgbuf;
	if (kb.len >= sizeof(*h) && h->len == kb.len && h->type == NET_MSG_INFO) {
		struct net_info_reply rep = {.hdr = {NET_MSG_INFO, sizeof(rep)}, .info = srv->info};
		reply(srv, &rep, sizeof(rep));
	} else if (kb.len == sizeof(struct net_open) && h->len == kb.len &&
	           h->type == NET_MSG_OPEN) {
		struct net_open req;
		memcpy(&req, msgbuf, sizeof(req));
		handle_open(srv, &req);
	} else {
		struct dev_status_reply rep = {
		    .hdr = {kb.len < sizeof(*h) ? 0 : h->type, sizeof(rep)},
		    .status = ERR_MALFORMED};
		reply(srv, &rep, sizeof(rep));
	}
}

/* The client broke its rings: the session ends now (nothing of it is at the device). */
static void sess_broken(struct net_server *srv, struct net_serve_sess *ss)
{
	sess_free(ss, srv);
}

/* Offers ss's frames to the driver until it or the session has none: false
 * when the driver is full. */
static bool sess_tx(struct net_server *srv, struct net_serve_sess *ss)
{
	for (;;) {
		if (!ss->held) {
			uint32_t completed = ss->s.txc.mine;
			int r = net_srv_tx_next(&ss->s, &ss->tx);
			if (r < 0) {
				sess_broken(srv, ss);
				return true;
			}
			if (ss->s.txc.mine != completed)
				ss->notify = true; /* bad frames were completed on the way */
			if (r == 0)
				return true;
			ss->held = true;
		}
		/* copied out of the client's buffer here, once: a rewrite later changes nothing */
		int err = srv->ops->xmit(srv->drv, net_srv_buf(&ss->s, ss->tx.buf), ss->tx.len);
		if (err == ERR_SHOULD_WAIT)
			return false;
		ss->held = false;
		if (!err)
			srv->info.tx_frames++;
		ss->notify = true;
		if (net_srv_tx_done(&ss->s, ss->tx.buf, err) < 0) {
			sess_broken(srv, ss);
			return true;
		}
	}
}

/* Every session's frames, starting after the one served first last time. */
static void pump_tx(struct net_server *srv)
{
	for (uint32_t k = 0; k < NET_MAX_SESSIONS; k++) {
		uint32_t i = (srv->next_tx + k) % NET_MAX_SESSIONS;
		if (srv->sess[i].used && !sess_tx(srv, &srv->sess[i])) {
			srv->next_tx = i; /* the driver is full: this one goes first next time */
			return;
		}
	}
	srv->next_tx = (srv->next_tx + 1) % NET_MAX_SESSIONS;
}

void net_serve_rx(struct net_server *srv, const uint8_t *frame, uint32_t len)
{
	bool taken = false;
	srv->info.rx_frames++;
	for (uint32_t i = 0; i < NET_MAX_SESSIONS; i++) {
		struct net_serve_sess *ss = &srv->sess[i];
		if (!ss->used)
			continue;
		int r = net_srv_rx(&ss->s, frame, len);
		if (r < 0) {
			sess_broken(srv, ss);
			continue;
		}
		if (r == 1) {
			ss->notify = true;
			taken = true;
		}
	}
	if (!taken)
		srv->info.rx_dropped++;
}

void net_serve_link(struct net_server *srv, bool up)
{
	if (srv->info.link_up == up)
		return;
	srv->info.link_up = up;
	srv->link_changes++;
	for (uint32_t i = 0; i < NET_MAX_SESSIONS; i++)
		if (srv->sess[i].used) {
			net_srv_link(&srv->sess[i].s, up, srv->link_changes);
			srv->sess[i].notify = true;
		}
}

static void notify_all(struct net_server *srv)
{
	for (uint32_t i = 0; i < NET_MAX_SESSIONS; i++) {
		struct net_serve_sess *ss = &srv->sess[i];
		if (ss->used && ss->notify) {
			struct dev_msg_hdr h = {NET_MSG_NOTIFY, sizeof(h)};
			ch_kbus_send_bytes(ss->ep, &h, sizeof(h), KBUS_NONBLOCK, 0);
			ss->notify = false;
		}
	}
}

/* A session's endpoint moved: doorbells (the rings are looked at after every
 * wait anyway) or its client left. The event may be stale (an earlier session
 * in the same slot), so only the endpoint itself says the client is gone. */
static void session_event(struct net_server *srv, uint32_t i)
{
	if (i < NET_MAX_SESSIONS && srv->sess[i].used)
		sess_gone(srv, &srv->sess[i]);
}

/* Poll, ack, poll: an interrupt between the first poll and the ack is cleared
 * by the ack, so the second poll finds its work (see blkserve.c). */
static void irq_event(struct net_server *srv)
{
	srv->ops->poll(srv->drv);
	ch_irq_ack(srv->irq);
	srv->ops->poll(srv->drv);
}

static long run(struct net_server *srv)
{
	struct kbus_event ev[8];
	for (;;) {
		bool poll = srv->irq == HANDLE_INVALID;
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
				session_event(srv, (uint32_t)(ev[k].key - KEY_SESS));
		}
		if (poll)
			srv->ops->poll(srv->drv);
		pump_tx(srv);
		notify_all(srv);
	}
}

long net_serve(struct net_server *srv, const struct net_drv_ops *ops, void *drv,
               const struct net_info *info, handle_t irq, const char *name)
{
	long r = init(srv, ops, drv, info, irq);
	if (r >= 0)
		r = bind(srv, name);
	net_serve_ready(r);
	return r < 0 ? r : run(srv);
}
