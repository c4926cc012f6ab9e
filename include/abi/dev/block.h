/*
 * dev/block.h - the block device class (docs/devices.md, "Block").
 *
 * A block driver binds its endpoint as dev:///block/<name> (type dev.block).
 * Calls on that endpoint (typed kbus calls, dev/ring.h):
 *
 *   BLK_MSG_INFO  -> struct blk_info_reply
 *   BLK_MSG_OPEN  struct blk_open -> struct blk_open_reply + 2 handles:
 *                 [0] the session endpoint (SEND | RECV | WAIT | INSPECT)
 *                 [1] the session memory (READ | WRITE | MAP | INSPECT), at
 *                     least blk_open_reply.region_size bytes, laid out as
 *                     blk_region_layout() says
 *
 * The session memory holds a submission ring (client -> driver, struct
 * blk_sqe), a completion ring (driver -> client, struct blk_cqe), both of
 * `entries` entries, and a data area of data_size bytes that requests point
 * into. The client writes entries and sends BLK_MSG_DOORBELL on the session
 * endpoint; the driver answers each request with one completion and sends
 * BLK_MSG_NOTIFY. Requests complete in any order; tag is the client's.
 * A driver takes a request only while a completion slot is sure to be free for
 * it; one that stopped for that reason resumes at the next doorbell, so a
 * client that consumes completions while requests still wait on the
 * submission ring rings it again.
 * Closing: drop the session endpoint; the driver finishes what is in flight
 * and frees the session. A driver serves at most BLK_MAX_SESSIONS sessions
 * (ERR_NO_RESOURCES beyond).
 *
 * What a driver checks in every request (a copy of it): op known, len > 0 and
 * a multiple of block_size, at most max_transfer, offset a multiple of
 * block_size and offset + len <= size (without overflow), data_off a multiple
 * of block_size and data_off + len <= data_size; flush takes no range; writes
 * and discards on a read-only disk are ERR_ACCESS_DENIED. A bad request gets
 * a completion with its error; only a broken ring (dev/ring.h) ends a session.
 * What a client checks in every completion: the tag is one it has in flight,
 * len <= the request's len.
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define BLK_MSG_INFO (DEV_MSG_BLOCK + 0)
#define BLK_MSG_OPEN (DEV_MSG_BLOCK + 1)
#define BLK_MSG_DOORBELL (DEV_MSG_BLOCK + 2) /* client -> driver, session endpoint, one-way */
#define BLK_MSG_NOTIFY (DEV_MSG_BLOCK + 3) /* driver -> client, session endpoint, one-way */

#define BLK_MAX_SESSIONS 16u /* per driver */
#define BLK_DATA_MAX (1u << 20) /* data area of one session, at most */
#define BLK_MODEL_MAX 40

#define BLK_INFO_READ_ONLY 0x1u /* writes and discards are refused */
#define BLK_INFO_FLUSH 0x2u /* the device has a volatile cache: FLUSH means something */
#define BLK_INFO_DISCARD 0x4u /* DISCARD is supported */

struct blk_info {
	uint64_t size; /* bytes; a multiple of block_size */
	uint32_t block_size; /* a power of two, 512..65536 */
	uint32_t flags; /* BLK_INFO_* */
	uint32_t max_transfer; /* bytes per request, a multiple of block_size */
	uint32_t reserved;
	char model[BLK_MODEL_MAX]; /* NUL-terminated (a client terminates it anyway) */
};

struct blk_info_reply {
	struct dev_msg_hdr hdr; /* BLK_MSG_INFO */
	int32_t status;
	uint32_t reserved;
	struct blk_info info;
};

struct blk_open {
	struct dev_msg_hdr hdr; /* BLK_MSG_OPEN */
	uint32_t entries; /* ring entries wanted: a power of two, 1..DEV_RING_MAX */
	uint32_t reserved;
	uint64_t data_size; /* data area wanted: a multiple of 4096, 4096..BLK_DATA_MAX */
};

struct blk_open_reply {
	struct dev_msg_hdr hdr; /* BLK_MSG_OPEN */
	int32_t status;
	uint32_t entries; /* what the driver granted (<= asked) */
	uint64_t data_size; /* likewise */
	uint64_t region_size; /* bytes of the session memory that the layout covers */
	struct blk_info info;
};

#define BLK_OP_READ 1u /* device -> data area */
#define BLK_OP_WRITE 2u /* data area -> device */
#define BLK_OP_FLUSH 3u /* earlier completed writes reach stable storage; no range */
#define BLK_OP_DISCARD 4u /* the range's contents may be forgotten; no data */

struct blk_sqe {
	uint8_t op; /* BLK_OP_* */
	uint8_t flags; /* 0 */
	uint16_t reserved;
	uint32_t len; /* bytes */
	uint64_t tag; /* the client's, returned in the completion */
	uint64_t offset; /* byte offset on the device */
	uint64_t data_off; /* byte offset in the data area */
};

struct blk_cqe {
	uint64_t tag;
	int32_t
	    status; /* 0 or ERR_*: OUT_OF_RANGE, INVALID_ARGS, ACCESS_DENIED, NOT_SUPPORTED, IO */
	uint32_t len; /* bytes transferred */
};

/* The session memory: four index words, then sq[entries], cq[entries], then the
 * data area at the next page. */
#define BLK_REGION_SQ_PROD 0u /* client writes */
#define BLK_REGION_SQ_CONS 64u /* driver writes */
#define BLK_REGION_CQ_PROD 128u /* driver writes */
#define BLK_REGION_CQ_CONS 192u /* client writes */
#define BLK_REGION_SQ 256u

struct blk_region_layout {
	uint64_t sq, cq, data, size; /* offsets of the rings and the data area; total bytes */
};

/* The layout for entries and data_size (both already checked). */
static inline struct blk_region_layout blk_region_layout(uint32_t entries, uint64_t data_size)
{
	struct blk_region_layout l;
	l.sq = BLK_REGION_SQ;
	l.cq = l.sq + (uint64_t)entries * sizeof(struct blk_sqe);
	l.data = (l.cq + (uint64_t)entries * sizeof(struct blk_cqe) + 4095) & ~(uint64_t)4095;
	l.size = l.data + data_size;
	return l;
}
