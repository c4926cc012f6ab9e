/*
 * rng.c - the rng class client (rng.h).
 */
#include "rng.h"

#include <string.h>

#include <abi/dev/rng.h>
#include <abi/ns.h>

#include "kbus.h"
#include "ns.h"
#include "syscall.h"

long ch_rng_open(const char *uri, handle_t *dev)
{
	return ch_uri_open(uri, NS_TYPE_DEV_RNG, 0, NS_RIGHTS_SAME, dev);
}

long ch_rng_read(handle_t dev, void *buf, size_t len)
{
	static struct {
		struct rng_read_reply h;
		uint8_t bytes[RNG_READ_MAX];
	} rep;
	uint8_t *p = buf;
	while (len) {
		uint32_t want = len < RNG_READ_MAX ? (uint32_t)len : RNG_READ_MAX;
		struct rng_read q = {{RNG_MSG_READ, sizeof(q)}, want, 0};
		struct kbus_msg m = {.data = &q, .len = sizeof(q)};
		struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
		long r = ch_kbus_call(dev, &m, &kb, CH_FOREVER);
		if (r < 0)
			return r;
		if (kb.len < sizeof(rep.h) || rep.h.hdr.type != RNG_MSG_READ ||
		    rep.h.hdr.len != kb.len)
			return ERR_MALFORMED;
		if (rep.h.status < 0)
			return kb.len == sizeof(rep.h) ? rep.h.status : ERR_MALFORMED;
		if (rep.h.len == 0 || rep.h.len > want || kb.len != sizeof(rep.h) + rep.h.len)
			return ERR_MALFORMED;
		memcpy(p, rep.bytes, rep.h.len);
		memset(rep.bytes, 0, rep.h.len);
		p += rep.h.len;
		len -= rep.h.len;
	}
	return 0;
}
