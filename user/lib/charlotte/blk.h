/*
 * blk.h - the block class client (abi/dev/block.h, docs/devices.md): open a
 * disk by URI, and read, write, flush and discard through a session's rings.
 *
 * A struct ch_blk is one session: its endpoint, its memory mapped in our
 * space, and the client side of its rings (shared/blkring.h), which checks
 * every completion the driver writes. Synchronous calls copy through the data
 * area and wait for their own completion; the asynchronous ones let the
 * caller place data in the area itself (ch_blk_data) and have up to
 * `entries` requests in flight. The two do not mix: a synchronous call with
 * asynchronous requests in flight is ERR_BAD_STATE.
 *
 * Errors besides the request's own (ERR_OUT_OF_RANGE, ERR_ACCESS_DENIED, ...):
 * ERR_PEER_CLOSED when the driver is gone (from then on, every call; close, then open
 * again),
 * ERR_MALFORMED once the driver broke the session, ERR_TIMED_OUT.
 * Not thread-safe: one thread per struct ch_blk.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <abi/dev/block.h>
#include <abi/handle.h>
#include <shared/blkring.h>

struct ch_blk {
	handle_t ep; /* the session endpoint */
	handle_t mem; /* the session memory */
	uint8_t *base; /* where it is mapped */
	uint64_t map_size;
	uint8_t *data; /* the data area: base + layout.data */
	long gone; /* ERR_PEER_CLOSED once the driver has gone: every call returns it */
	struct blk_cli_sess s;
};

/*
 * Opens a session on the disk at uri (e.g. "dev:///block/vda"), or, with uri
 * NULL, on dev, a capability to a block driver's endpoint (kept by the
 * caller). entries and data_size are what is asked (0: 32 entries and 256 KiB);
 * the driver may grant less. ERR_MALFORMED: the driver's answer does not hold
 * up; else errors of opening, the call and mapping.
 */
long ch_blk_open(struct ch_blk *b, const char *uri, handle_t dev, uint32_t entries,
                 uint64_t data_size);

/* Ends the session (the driver finishes what is in flight into its own memory). */
void ch_blk_close(struct ch_blk *b);

/* The disk's description as the session's open reply gave it (checked). */
const struct blk_info *ch_blk_info(const struct ch_blk *b);

/* Asks a driver's endpoint for its info without a session. */
long ch_blk_query(handle_t dev, struct blk_info *out, uint64_t timeout);

/* Synchronous: len bytes at byte offset off (both multiples of the block size),
 * in as many requests as the data area and max_transfer need. */
long ch_blk_read(struct ch_blk *b, uint64_t off, void *buf, size_t len);
long ch_blk_write(struct ch_blk *b, uint64_t off, const void *buf, size_t len);
long ch_blk_flush(struct ch_blk *b);
long ch_blk_discard(struct ch_blk *b, uint64_t off, uint64_t len);

/* Asynchronous: the data area is ch_blk_data(b) (b->s.data_size bytes). */
static inline uint8_t *ch_blk_data(const struct ch_blk *b)
{
	return b->data;
}

/* Puts one request (BLK_OP_*) on the ring and rings the doorbell; returns its tag
 * (>= 0). ERR_SHOULD_WAIT: `entries` already in flight. */
long ch_blk_submit(struct ch_blk *b, uint32_t op, uint64_t off, uint32_t len, uint64_t data_off);

/* Waits up to timeout ns for the next completion (any order) into *out. */
long ch_blk_wait(struct ch_blk *b, struct blk_cqe *out, uint64_t timeout);
