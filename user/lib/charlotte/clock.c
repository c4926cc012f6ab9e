/*
 * clock.c - the clock class client (clock.h).
 */
#include "clock.h"

#include <abi/errors.h>
#include <abi/ns.h>
#include <abi/rights.h>
#include <stdbool.h>
#include <string.h>

#include "kbus.h"
#include "ns.h"
#include "start.h"
#include "syscall.h"

long ch_clock_open(const char *uri, handle_t *dev)
{
	return ch_uri_open(uri, NS_TYPE_DEV_CLOCK, 0, NS_RIGHTS_SAME, dev);
}

long ch_clock_get(handle_t dev, struct clock_time_reply *out)
{
	return ch_clock_get_within(dev, out, CH_FOREVER);
}

long ch_clock_get_within(handle_t dev, struct clock_time_reply *out, uint64_t timeout)
{
	struct dev_msg_hdr q = {CLOCK_MSG_GET, sizeof(q)};
	struct kbus_msg m = {.data = &q, .len = sizeof(q)};
	struct clock_time_reply rep = {0};
	struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
	long r = ch_kbus_call(dev, &m, &kb, timeout);
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

long ch_clock_set(handle_t dev, uint64_t unix_ns)
{
	struct clock_set q = {{CLOCK_MSG_SET, sizeof(q)}, unix_ns};
	struct kbus_msg m = {.data = &q, .len = sizeof(q)};
	struct dev_status_reply rep = {0};
	struct kbus_buf kb = {.data = &rep, .capacity = sizeof(rep)};
	long r = ch_kbus_call(dev, &m, &kb, CH_FOREVER);
	if (r < 0)
		return r;
	if (kb.len != sizeof(rep) || rep.hdr.type != CLOCK_MSG_SET || rep.hdr.len != kb.len ||
	    rep.status > 0)
		return ERR_MALFORMED;
	return rep.status;
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

/* The first clock of the directory dir (listed in the order the drivers bound). */
static long first_clock(handle_t dir, handle_t *dev)
{
	uint64_t cookie = 0, buf[64]; /* room for one entry of any name */
	long r = ch_ns_list(dir, &cookie, buf, sizeof(buf), CH_CLOCK_WALL_TIMEOUT);
	if (r == 0)
		return ERR_NOT_FOUND;
	if (r < 0)
		return r;
	const struct ns_dirent *de = (const struct ns_dirent *)buf;
	struct ns_open_args a = {
	    .type = NS_TYPE_DEV_CLOCK, .rights = NS_RIGHTS_SAME, .timeout = CH_CLOCK_WALL_TIMEOUT};
	r = ch_ns_open(dir, de->name, de->namelen, &a, dev);
	if (r == 0) { /* a node, not the driver's endpoint */
		ch_cap_drop(*dev);
		r = ERR_WRONG_TYPE;
	}
	return r < 0 ? r : 0;
}

#define ADMIN_SUFFIX "-admin"
#define ADMIN_LEN (sizeof(ADMIN_SUFFIX) - 1)

long ch_clock_wall_set(uint64_t unix_ns)
{
	handle_t dir, dev = HANDLE_INVALID;
	long r = ch_uri_open("dev:///clock", NS_TYPE_DIR, 0, RIGHT_LOOKUP | RIGHT_ENUMERATE, &dir);
	if (r == 1) {
		ch_cap_drop(dir);
		r = ERR_WRONG_TYPE;
	}
	if (r < 0)
		return r;
	uint64_t cookie = 0, buf[128];
	r = ERR_NOT_FOUND;
	for (;;) {
		long n = ch_ns_list(dir, &cookie, buf, sizeof(buf), CH_CLOCK_WALL_TIMEOUT);
		if (n <= 0) {
			r = n < 0 ? n : r;
			break;
		}
		/* n bytes of records (the kernel's, so well formed) */
		for (long off = 0;
		     off + (long)sizeof(struct ns_dirent) <= n && dev == HANDLE_INVALID;) {
			const struct ns_dirent *de =
			    (const struct ns_dirent *)((uint8_t *)buf + off);
			if (de->reclen < sizeof(*de))
				break;
			if (de->namelen > ADMIN_LEN &&
			    !memcmp(de->name + de->namelen - ADMIN_LEN, ADMIN_SUFFIX, ADMIN_LEN)) {
				struct ns_open_args a = {.type = NS_TYPE_DEV_CLOCK,
				                         .rights = NS_RIGHTS_SAME,
				                         .timeout = CH_CLOCK_WALL_TIMEOUT};
				r = ch_ns_open(dir, de->name, de->namelen, &a, &dev);
				if (r == 0) { /* a node, not a driver's endpoint */
					ch_cap_drop(dev);
					r = ERR_WRONG_TYPE;
				}
				if (r < 0)
					dev = HANDLE_INVALID;
			}
			off += de->reclen;
		}
		if (dev != HANDLE_INVALID)
			break;
	}
	ch_cap_drop(dir);
	if (dev == HANDLE_INVALID)
		return r;
	r = ch_clock_set(dev, unix_ns);
	ch_cap_drop(dev);
	return r;
}

long ch_clock_wall_offset(int64_t *offset)
{
	handle_t dir = ch_handle("clock"), dev;
	struct cap_info ci;
	long r = 0;
	if (dir != HANDLE_INVALID && ch_cap_inspect(dir, &ci) == 0 && ci.type == OBJ_ENDPOINT) {
		dev = dir; /* Exec's grant: the reading entry's endpoint itself */
		dir = HANDLE_INVALID;
	} else if (dir == HANDLE_INVALID) {
		r = ch_uri_open("dev:///clock", NS_TYPE_DIR, 0, RIGHT_LOOKUP | RIGHT_ENUMERATE,
		                &dir);
		if (r == 1) {
			ch_cap_drop(dir);
			r = ERR_WRONG_TYPE;
		}
		if (r < 0)
			return r;
	}
	if (dir != HANDLE_INVALID) {
		r = first_clock(dir, &dev);
		if (dir != ch_handle("clock"))
			ch_cap_drop(dir);
		if (r < 0)
			return r;
	}
	struct clock_time_reply rep;
	r = ch_clock_get_within(dev, &rep, CH_CLOCK_WALL_TIMEOUT);
	if (dev != ch_handle("clock"))
		ch_cap_drop(dev);
	if (r < 0)
		return r;
	if (rep.unix_ns > INT64_MAX || rep.monotonic_ns > INT64_MAX)
		return ERR_MALFORMED;
	*offset = (int64_t)rep.unix_ns - (int64_t)rep.monotonic_ns;
	return 0;
}
