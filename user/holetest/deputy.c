/*
 * deputy.c - a confused deputy: a client that asks a server to act on the client's
 * behalf must not get the server to use authority the client does not have.
 *
 * The server child ("deputy") tells its client the numbers of its own "pool" and
 * "log" handles and their objects' ids (an attacker learns or guesses handle
 * numbers). The client (the test) then sends it, one message each:
 *   'M' a memory object the client may only read (READ, MAP, TRANSFER, INSPECT,
 *       DUPLICATE): the naive server maps it writable and derives WRITE from it;
 *   'F' the server's own handle numbers, as handles of the client's message: they
 *       name the client's slots (or nothing: the send is refused), never the server's.
 * The server answers with what happened: the writable map and the derivation must be
 * ERR_ACCESS_DENIED, and no handle it received may be its own pool or log.
 */
#include "holetest.h"

#include <string.h>

#include <charlotte/start.h>

#define DEPUTY_VA UINT64_C(0x310000000000)

struct deputy_hello {
	handle_t pool, log;
	uint64_t pool_oid, log_oid;
};

struct deputy_verdict {
	int32_t map_rw, derive_w; /* results of the writable map and the WRITE derivation */
	uint32_t own_received; /* handles received that were the server's own */
	uint32_t received;
};

static uint64_t oid(handle_t h)
{
	struct cap_info ci;
	return ch_cap_inspect(h, &ci) < 0 ? 0 : ci.object_id;
}

HOLE_CHILD(deputy)
{
	(void)arg;
	handle_t ep = ch_handle("ep"), log = ch_handle("log"), hs[KBUS_MAX_HANDLES];
	struct deputy_hello hi = {ht_pool, log, oid(ht_pool), oid(log)};
	struct deputy_verdict v = {ERR_INTERNAL, ERR_INTERNAL, 0, 0};
	struct kbus_msg m = {.data = &hi, .len = sizeof(hi)};
	if (ch_kbus_send(ep, &m, 0, HT_LONG) < 0)
		return 1;
	for (;;) {
		char tag = 0;
		struct kbus_buf b = {.data = &tag,
		                     .capacity = 1,
		                     .handles = hs,
		                     .handles_capacity = KBUS_MAX_HANDLES};
		if (ch_kbus_recv(ep, &b, 0, HT_LONG) < 0)
			return 2;
		if (tag == 'D')
			break;
		for (uint32_t i = 0; i < b.nhandles; i++) {
			uint64_t o = oid(hs[i]);
			v.received++;
			v.own_received += o && (o == hi.pool_oid || o == hi.log_oid);
			if (tag == 'M') {
				handle_t w;
				v.map_rw = (int32_t)ch_as_map(ht_as, DEPUTY_VA, hs[i], 0, 4096,
				                              PROT_READ | PROT_WRITE);
				if (v.map_rw >= 0)
					ch_as_unmap(ht_as, DEPUTY_VA, 4096);
				v.derive_w =
				    (int32_t)ch_cap_derive(hs[i], RIGHT_READ | RIGHT_WRITE, 0, &w);
				if (v.derive_w >= 0)
					ch_cap_drop(w);
			}
			ch_cap_drop(hs[i]);
		}
	}
	m = (struct kbus_msg){.data = &v, .len = sizeof(v)};
	return ch_kbus_send(ep, &m, 0, HT_LONG) < 0 ? 3 : 0;
}

/* A copy (copy_mask): a number that names one of our own slots must not move it away. */
static long send_tag(handle_t ep, char tag, handle_t h)
{
	struct kbus_msg m = {
	    .data = &tag, .len = 1, .handles = &h, .nhandles = h ? 1 : 0, .copy_mask = tag == 'F'};
	return ch_kbus_send(ep, &m, 0, HT_LONG);
}

HOLE_TEST(deputy_server_rights)
{
	handle_t e[2], mem, ro;
	struct ch_child c;
	struct deputy_hello hi;
	struct deputy_verdict v = {0, 0, 0, 0};
	uint32_t len = 0;

	EXPECT_OK(ch_channel_create(ht_pool, 8, e));
	long r = ht_spawn("deputy", "-", e[1], 1u << 20, &c);
	ch_cap_drop(e[1]);
	if (r < 0) {
		ch_cap_drop(e[0]);
		CHECK(0, "spawn deputy: %s", ch_error_name(r));
	}
	r = ch_kbus_recv_bytes(e[0], &hi, sizeof(hi), &len, 0, HT_LONG);
	if (r >= 0 && (r = ch_mem_create(ht_pool, 4096, &mem)) >= 0) {
		r = ch_cap_derive(
		    mem, RIGHT_READ | RIGHT_MAP | RIGHT_TRANSFER | RIGHT_INSPECT | RIGHT_DUPLICATE,
		    0, &ro);
		ch_cap_drop(mem);
	}
	if (r >= 0) {
		r = send_tag(e[0], 'M', ro);
		ch_cap_drop(ro);
	}
	if (r >= 0) { /* refused (ERR_BAD_HANDLE) or one of our own slots: both fine */
		send_tag(e[0], 'F', hi.pool);
		send_tag(e[0], 'F', hi.log);
		r = send_tag(e[0], 'D', HANDLE_INVALID);
	}
	if (r >= 0)
		r = ch_kbus_recv_bytes(e[0], &v, sizeof(v), &len, 0, HT_LONG);
	struct proc_status st;
	ht_reap(&c, HT_LONG, &st);
	ch_cap_drop(e[0]);
	CHECK(r >= 0, "talking to the deputy: %s", ch_error_name(r));
	CHECK(v.received >= 1, "the deputy received %u handles", v.received);
	CHECK(v.map_rw == ERR_ACCESS_DENIED,
	      "the deputy mapped the client's read-only memory writable: %s",
	      ch_error_name(v.map_rw));
	CHECK(v.derive_w == ERR_ACCESS_DENIED, "the deputy derived WRITE from it: %s",
	      ch_error_name(v.derive_w));
	CHECK(v.own_received == 0, "the client's message handed the deputy %u of its own handles",
	      v.own_received);
}
