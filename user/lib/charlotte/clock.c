/*
 * clock.c - the clock class client (clock.h).
 */
#include "clock.h"

#include <abi/errors.h>
#include <abi/ns.h>

#include "kbus.h"
#include "ns.h"
#include "syscall.h"

long ch_clock_open(const char *uri, handle_t *dev)
{
	return ch_uri_open(uri, NS_TYPE_DEV_CLOCK, 0, NS_RIGHTS_SAME, dev);
}

long ch_clock_get(handle_t dev, struct clock_time_reply *out)
{
	struct dev_msg_hdr q = {CLOCK_MSG_GET, sizeof(q)};
	struct kbus_msg m = {.data = &q, .len = sizeof(q)};
	struct clock_time_reply rep = {0};
	struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
	long r = ch_kbus_call(dev, &m, &kb, CH_FOREVER);
	if (r < 0)
		return r;
	if (kb.len == sizeof(struct dev_status_reply) && rep.hdr.type == CLOCK_MSG_GET &&
	    rep.hdr.len == kb.len && rep.status < 0)
		return rep.status;
	if (kb.len != sizeof(rep) || rep.hdr.type != CLOCK_MSG_GET || rep.hdr.len != kb.len ||
	    rep.status != 0)
		return ERR_MALFORMED;
	*out = rep;
	return 0;
}

long ch_clock_now(handle_t dev, uint64_t *unix_ns)
{
	struct clock_time_reply rep;
	long r = ch_clock_get(dev, &rep);
	if (r < 0)
		return r;
	int64_t now = ch_clock_ns();
	uint64_t since = now > (int64_t)rep.monotonic_ns ? (uint64_t)now - rep.monotonic_ns : 0;
	*unix_ns = rep.unix_ns + since;
	return 0;
}
