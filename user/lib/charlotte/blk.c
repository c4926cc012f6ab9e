/*
 * blk.c - the block class client (blk.h). The ring logic and every check of
 * the driver's values are shared/blkring.c's; this file adds the kbus side:
 * the OPEN call, the doorbell, and waiting for BLK_MSG_NOTIFY.
 */
#include "blk.h"
#include "devcall.h"

#include <string.h>

#include <abi/ns.h>
#include <abi/syscall.h>

#include "kbus.h"
#include "ns.h"
#include "pager.h"
#include "start.h"
#include "syscall.h"

#define DEFAULT_ENTRIES 32u
#define DEFAULT_DATA (256u << 10)
#define PAGE 4096u

long ch_blk_query(handle_t dev, struct blk_info *out, uint64_t timeout)
{
	struct dev_msg_hdr req = {BLK_MSG_INFO, sizeof(req)};
	struct blk_info_reply rep;
	long r = ch_dev_call(dev, &req, sizeof(req), &rep, sizeof(rep), NULL, 0, timeout);
	if (r < 0)
		return r;
	if (blk_info_check(&rep.info))
		return ERR_MALFORMED;
	*out = rep.info;
	return 0;
}

/* The OPEN call: the reply and its two handles, checked. */
static long open_call(handle_t dev, uint32_t entries, uint64_t data, struct blk_open_reply *rep,
                      handle_t hs[2])
{
	struct blk_open req = {
	    .hdr = {BLK_MSG_OPEN, sizeof(req)}, .entries = entries, .data_size = data};
	long r = ch_dev_call(dev, &req, sizeof(req), rep, sizeof(*rep), hs, 2, CH_FOREVER);
	if (r < 0)
		return r;
	if (blk_open_reply_check(rep, entries, data) || blk_info_check(&rep->info)) {
		ch_cap_drop(hs[0]);
		ch_cap_drop(hs[1]);
		return ERR_MALFORMED;
	}
	return 0;
}

long ch_blk_open(struct ch_blk *b, const char *uri, handle_t dev, uint32_t entries,
                 uint64_t data_size)
{
	handle_t opened = HANDLE_INVALID, hs[2];
	struct blk_open_reply rep;
	long r;

	memset(b, 0, sizeof(*b));
	b->ep = b->mem = HANDLE_INVALID;
	if (uri) {
		r = ch_uri_open(uri, NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &opened);
		if (r < 0)
			return r;
		dev = opened;
	}
	r = open_call(dev, entries ? entries : DEFAULT_ENTRIES,
	              data_size ? data_size : DEFAULT_DATA, &rep, hs);
	if (opened != HANDLE_INVALID)
		ch_cap_drop(opened);
	if (r < 0)
		return r;
	b->ep = hs[0];
	b->mem = hs[1];
	struct blk_region_layout l = blk_region_layout(rep.entries, rep.data_size);
	b->map_size = (l.size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	uint64_t va = ch_va_reserve(b->map_size);
	r = va ? ch_as_map(ch_handle("self.as"), va, b->mem, 0, b->map_size, PROT_READ | PROT_WRITE)
	       : ERR_NO_RESOURCES;
	if (r < 0) {
		ch_blk_close(b);
		return r; /* ERR_OUT_OF_RANGE: the memory is smaller than the driver said */
	}
	b->base = (uint8_t *)(uintptr_t)va;
	b->data = b->base + l.data;
	blk_cli_init(&b->s, b->base, rep.entries, rep.data_size, &rep.info);
	return 0;
}

void ch_blk_close(struct ch_blk *b)
{
	if (b->base)
		ch_as_unmap(ch_handle("self.as"), (uint64_t)(uintptr_t)b->base, b->map_size);
	if (b->ep != HANDLE_INVALID)
		ch_cap_drop(b->ep);
	if (b->mem != HANDLE_INVALID)
		ch_cap_drop(b->mem);
	b->base = b->data = NULL;
	b->ep = b->mem = HANDLE_INVALID;
}

const struct blk_info *ch_blk_info(const struct ch_blk *b)
{
	return &b->s.info;
}

static long doorbell(struct ch_blk *b)
{
	struct ch_msg_hdr h = {BLK_MSG_DOORBELL, sizeof(h)};
	long r = ch_kbus_send_bytes(b->ep, &h, sizeof(h), KBUS_NONBLOCK, 0);
	return r == ERR_SHOULD_WAIT ? 0 : r; /* a full queue already holds a doorbell */
}

long ch_blk_submit(struct ch_blk *b, uint32_t op, uint64_t off, uint32_t len, uint64_t data_off)
{
	struct blk_sqe rq = {.op = (uint8_t)op, .len = len, .offset = off, .data_off = data_off};
	if (b->gone)
		return b->gone;
	if (op > 0xff)
		return ERR_INVALID_ARGS;
	long tag = blk_cli_submit(&b->s, &rq);
	if (tag < 0)
		return tag;
	long r = doorbell(b);
	return r < 0 ? r : tag;
}

long ch_blk_wait(struct ch_blk *b, struct blk_cqe *out, uint64_t timeout)
{
	for (;;) {
		int r = blk_cli_reap(&b->s, out);
		if (r < 0)
			return r;
		if (r == 1) {
			/* the driver may have stopped for want of completion slots */
			long space = devring_space(&b->s.sq);
			if (space >= 0 && (uint64_t)space < b->s.entries)
				doorbell(b);
			return 0;
		}
		uint8_t msg[16];
		uint32_t len;
		long w =
		    b->gone ? b->gone : ch_dev_recv_any(b->ep, msg, sizeof(msg), &len, timeout);
		if (w == ERR_PEER_CLOSED)
			b->gone =
			    w; /* what it completed was reaped above; the rest never will be */
		if (w < 0)
			return w; /* notifications carry nothing: the ring is re-read */
	}
}

/* One request, waited for; other completions cannot be pending (checked by callers). */
static long one(struct ch_blk *b, uint32_t op, uint64_t off, uint32_t len)
{
	long tag = ch_blk_submit(b, op, off, len, 0);
	if (tag < 0)
		return tag;
	struct blk_cqe c;
	long r = ch_blk_wait(b, &c, CH_FOREVER);
	if (r < 0)
		return r;
	if (c.tag != (uint64_t)tag)
		return ERR_INTERNAL;
	return c.status < 0 ? c.status : (long)c.len;
}

static uint64_t chunk_max(const struct ch_blk *b)
{
	uint64_t m =
	    b->s.data_size < b->s.info.max_transfer ? b->s.data_size : b->s.info.max_transfer;
	return m - m % b->s.info.block_size;
}

static long rw(struct ch_blk *b, uint32_t op, uint64_t off, uint8_t *buf, size_t len)
{
	if (b->s.in_flight)
		return ERR_BAD_STATE;
	uint64_t max = chunk_max(b);
	size_t done = 0;
	while (done < len) {
		uint32_t n = (uint32_t)(len - done < max ? len - done : max);
		if (op == BLK_OP_WRITE)
			memcpy(b->data, buf + done, n);
		long r = one(b, op, off + done, n);
		if (r < 0)
			return r;
		if ((uint64_t)r != n)
			return ERR_IO;
		if (op == BLK_OP_READ)
			memcpy(buf + done, b->data, n);
		done += n;
	}
	return 0;
}

long ch_blk_read(struct ch_blk *b, uint64_t off, void *buf, size_t len)
{
	return rw(b, BLK_OP_READ, off, buf, len);
}

long ch_blk_write(struct ch_blk *b, uint64_t off, const void *buf, size_t len)
{
	return rw(b, BLK_OP_WRITE, off, (uint8_t *)(uintptr_t)buf, len);
}

long ch_blk_flush(struct ch_blk *b)
{
	if (b->s.in_flight)
		return ERR_BAD_STATE;
	long r = one(b, BLK_OP_FLUSH, 0, 0);
	return r < 0 ? r : 0;
}

long ch_blk_discard(struct ch_blk *b, uint64_t off, uint64_t len)
{
	if (b->s.in_flight)
		return ERR_BAD_STATE;
	uint64_t max = b->s.info.max_transfer - b->s.info.max_transfer % b->s.info.block_size;
	for (uint64_t done = 0; done < len;) {
		uint32_t n = (uint32_t)(len - done < max ? len - done : max);
		long r = one(b, BLK_OP_DISCARD, off + done, n);
		if (r < 0)
			return r;
		done += n;
	}
	return 0;
}
