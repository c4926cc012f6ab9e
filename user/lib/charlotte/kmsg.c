/*
 * kmsg.c - the checks of received kbus messages, apart from the receiving.
 *
 * Pure functions over bytes a peer sent (no system calls), so the host fuzz
 * target tests/fuzz/fuzz_kmsg.c runs the same code the receivers do:
 * ch_msg_recv_typed and ch_msg_call_typed (kbus.c), ch_bulk_recv (bulk.c) and
 * ch_dev_call (devcall.c). Each says whether a message is well formed; the
 * caller drops the handles of one that is not.
 */
#include <string.h>

#include <abi/dev/ring.h>
#include <abi/errors.h>

#include "bulk.h"
#include "devcall.h"
#include "kbus.h"

long ch_msg_check(const void *data, uint32_t len, uint32_t want)
{
	struct ch_msg_hdr hdr;

	if (len < sizeof(hdr))
		return ERR_MALFORMED;
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.len != len || (want != CH_MSG_ANY && hdr.type != want))
		return ERR_MALFORMED;
	return len;
}

int ch_bulk_msg_check(const void *data, uint32_t len, uint32_t nhandles, const handle_t *hs)
{
	if (ch_msg_check(data, len, CH_MSG_TYPE_BULK) < 0 || len != sizeof(struct ch_bulk_msg) ||
	    nhandles != 1 || hs[0] == HANDLE_INVALID)
		return ERR_MALFORMED;
	return 0;
}

int ch_bulk_range_check(const struct ch_bulk_msg *m, uint64_t size)
{
	if (m->offset > size || m->len > size - m->offset)
		return ERR_MALFORMED;
	return 0;
}

long ch_dev_reply_check(uint32_t req_type, const void *rep, uint32_t got, uint32_t rep_len,
                        uint32_t nhandles, uint32_t nh)
{
	struct dev_status_reply a = {0}; /* what arrived of it: a short reply is zeros */

	memcpy(&a, rep, got < sizeof(a) ? got : sizeof(a));
	if (got != rep_len || a.hdr.type != req_type || a.hdr.len != rep_len)
		return got == sizeof(a) && a.hdr.len == sizeof(a) && a.status < 0 ? a.status
		                                                                  : ERR_MALFORMED;
	if (a.status < 0)
		return a.status;
	if (nhandles != nh)
		return ERR_MALFORMED;
	return 0;
}
