/*
 * displayserve.c - the display class server (displayserve.h).
 */
#include "displayserve.h"

#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>

#include "devcall.h"
#include "kbus.h"
#include "ns.h"
#include "start.h"
#include "syscall.h"

static uint8_t msgbuf[KBUS_MAX_BYTES];
static handle_t msghs[KBUS_MAX_HANDLES];

long display_serve_init(struct display_server *srv)
{
	handle_t ch[2];
	long r = ch_channel_create(ch_handle("pool"), 0, ch);
	if (r < 0)
		return r;
	srv->ep = ch[0];
	srv->client_ep = ch[1];
	srv->info.hdr = (struct dev_msg_hdr){DISPLAY_MSG_INFO, sizeof(srv->info)};
	return 0;
}

long display_serve_bind(struct display_server *srv, const char *name)
{
	long r = ch_dev_bind("display", name, srv->client_ep, NS_TYPE_DEV_DISPLAY);
	ch_dev_ready(r);
	return r;
}

int display_rect_check(const struct display_mode *m, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	if (x > m->width || w > m->width - x || y > m->height || h > m->height - y)
		return ERR_OUT_OF_RANGE;
	return 0;
}

static void reply(struct display_server *srv, const void *m, uint32_t len, handle_t *hs, uint32_t n)
{
	struct kbus_msg km = {.data = m, .len = len, .nhandles = n, .handles = hs};
	if (ch_kbus_reply(srv->ep, &km) < 0)
		for (uint32_t i = 0; i < n; i++)
			ch_cap_drop(hs[i]);
}

static void status(struct display_server *srv, uint32_t type, long st)
{
	struct dev_status_reply rep = {.hdr = {type, sizeof(rep)}, .status = (int32_t)st};
	reply(srv, &rep, sizeof(rep), NULL, 0);
}

static void set_mode(struct display_server *srv, const struct display_set_mode *q)
{
	long r = ERR_NOT_SUPPORTED;
	if (q->format != DISPLAY_FORMAT_XRGB8888 || q->reserved) {
		r = ERR_INVALID_ARGS;
	} else if (srv->set_mode) {
		r = ERR_INVALID_ARGS; /* not one of ours */
		for (uint32_t i = 0; i < srv->info.nmodes && i < DISPLAY_MODES_MAX; i++)
			if (srv->info.modes[i].width == q->width &&
			    srv->info.modes[i].height == q->height)
				r = srv->set_mode(srv->drv, q->width, q->height,
				                  &srv->info.current);
	}
	if (r < 0) {
		status(srv, DISPLAY_MSG_SET_MODE, r);
		return;
	}
	struct display_info_reply rep = srv->info;
	rep.hdr.type = DISPLAY_MSG_SET_MODE;
	reply(srv, &rep, sizeof(rep), NULL, 0);
}

static void handle(struct display_server *srv, uint32_t len)
{
	const struct dev_msg_hdr *h = (const void *)msgbuf;
	if (len < sizeof(*h) || h->len != len) {
		status(srv, len >= sizeof(*h) ? h->type : 0, ERR_MALFORMED);
		return;
	}
	if (h->type == DISPLAY_MSG_INFO && len == sizeof(*h)) {
		reply(srv, &srv->info, sizeof(srv->info), NULL, 0);
	} else if (h->type == DISPLAY_MSG_MAP && len == sizeof(*h)) {
		handle_t fb;
		long r = ch_cap_derive(
		    srv->fb, RIGHT_MAP | RIGHT_READ | RIGHT_WRITE | RIGHT_INSPECT | RIGHT_TRANSFER,
		    0, &fb);
		if (r < 0) {
			status(srv, DISPLAY_MSG_MAP, r);
			return;
		}
		struct display_info_reply rep = srv->info;
		rep.hdr.type = DISPLAY_MSG_MAP;
		reply(srv, &rep, sizeof(rep), &fb, 1);
	} else if (h->type == DISPLAY_MSG_FLUSH && len == sizeof(struct display_flush)) {
		struct display_flush f;
		memcpy(&f, msgbuf, sizeof(f));
		status(srv, DISPLAY_MSG_FLUSH,
		       display_rect_check(&srv->info.current, f.x, f.y, f.w, f.h));
	} else if (h->type == DISPLAY_MSG_SET_MODE && len == sizeof(struct display_set_mode)) {
		struct display_set_mode q;
		memcpy(&q, msgbuf, sizeof(q));
		set_mode(srv, &q);
	} else {
		status(srv, h->type, ERR_MALFORMED);
	}
}

long display_serve_run(struct display_server *srv)
{
	for (;;) {
		struct kbus_buf kb = {.data = msgbuf,
		                      .capacity = sizeof(msgbuf),
		                      .handles_capacity = KBUS_MAX_HANDLES,
		                      .handles = msghs};
		long r = ch_kbus_recv(srv->ep, &kb, 0, CH_FOREVER);
		if (r < 0)
			return r;
		for (uint32_t i = 0; i < kb.nhandles && i < KBUS_MAX_HANDLES; i++)
			ch_cap_drop(msghs[i]);
		if (kb.flags & KBUS_MSG_CALL)
			handle(srv, kb.len);
	}
}
