/*
 * rngserve.c - the rng class server (rngserve.h).
 */
#include "rngserve.h"

#include <string.h>

#include <abi/ns.h>
#include <abi/rights.h>

#include "devcall.h"
#include "driver.h"
#include "kbus.h"
#include "ns.h"
#include "start.h"
#include "syscall.h"

static uint8_t msgbuf[KBUS_MAX_BYTES];
static handle_t msghs[KBUS_MAX_HANDLES];
static struct {
	struct rng_read_reply h;
	uint8_t bytes[RNG_READ_MAX];
} out;

long rng_serve_bind(struct rng_server *srv, const char *name)
{
	handle_t ch[2];
	long r = ch_channel_create(ch_handle("pool"), 0, ch);
	if (r >= 0) {
		srv->ep = ch[0];
		srv->client_ep = ch[1];
		r = ch_dev_class_bind("rng", name, srv->client_ep, NS_TYPE_DEV_RNG);
	}
	ch_dev_ready(r);
	return r;
}

static void answer(struct rng_server *srv, uint32_t type, long st, uint32_t n)
{
	out.h = (struct rng_read_reply){.hdr = {type, (uint32_t)sizeof(out.h) + n},
	                                .status = (int32_t)(st < 0 ? st : 0),
	                                .len = n};
	struct kbus_msg km = {.data = &out, .len = out.h.hdr.len};
	ch_kbus_reply(srv->ep, &km);
	memset(out.bytes, 0, n); /* random bytes do not linger */
}

long rng_serve_run(struct rng_server *srv)
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
		if (!(kb.flags & KBUS_MSG_CALL))
			continue;
		struct rng_read q = {0};
		memcpy(&q, msgbuf, kb.len < sizeof(q) ? kb.len : sizeof(q));
		if (kb.len != sizeof(q) || q.hdr.len != kb.len || q.hdr.type != RNG_MSG_READ) {
			answer(srv, kb.len >= sizeof(q.hdr) ? q.hdr.type : 0, ERR_MALFORMED, 0);
		} else if (q.len == 0 || q.len > RNG_READ_MAX || q.reserved) {
			answer(srv, RNG_MSG_READ, ERR_INVALID_ARGS, 0);
		} else {
			long n = srv->fill(srv->drv, out.bytes, q.len);
			answer(srv, RNG_MSG_READ, n, n > 0 && n <= q.len ? (uint32_t)n : 0);
		}
	}
}
