/*
 * blkring.h - both sides of a block session (abi/dev/block.h) over its shared
 * memory, without system calls: the driver's request checks and completion
 * accounting (struct blk_srv_sess) and the client's slot table and completion
 * checks (struct blk_cli_sess). libcharlotte's blkserve.c and blk.c add the
 * kbus messages; tests/host/test_blkring.c plays a hostile peer against each.
 *
 * Driver side: blk_srv_next() takes the next request off the submission ring,
 * but only while a completion slot is sure to be free for it (requests in
 * flight plus completions the client has not consumed stay <= entries), so the
 * driver never waits for a client. A request that fails the checks is
 * completed with its error right there; the caller only sees valid ones.
 * Client side: a request's tag is its slot; a completion must name a slot in
 * flight and report at most the bytes asked for.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/dev/block.h>
#include <shared/devring.h>

/* --- checks of the control messages --- */

/* Driver: clamps an open request to what it serves (entries a power of two in
 * 1..DEV_RING_MAX, data_size whole pages in 4096..BLK_DATA_MAX). ERR_INVALID_ARGS
 * for zero or non-power-of-two entries, or a data_size of no page. */
int blk_open_clamp(uint32_t *entries, uint64_t *data_size);

/* Client: info from a driver is sane (block size a power of two in 512..65536,
 * size and max_transfer multiples of it, max_transfer > 0); the model is
 * NUL-terminated in place. ERR_MALFORMED otherwise. */
int blk_info_check(struct blk_info *info);

/* Client: an open reply grants no more than asked, a valid layout, and a
 * region_size that covers it. ERR_MALFORMED otherwise. */
int blk_open_reply_check(const struct blk_open_reply *r, uint32_t asked_entries,
                         uint64_t asked_data);

/* --- driver side --- */

struct blk_srv_sess {
	struct devring sq, cq;
	struct blk_info info;
	uint64_t data_size;
	uint32_t entries;
	uint32_t in_flight; /* requests handed out and not completed */
};

/* Over the session memory at base (laid out by blk_region_layout; zeroed). */
void blk_srv_init(struct blk_srv_sess *s, void *base, uint32_t entries, uint64_t data_size,
                  const struct blk_info *info);

/* Driver: is the request valid for this session? 0 or the ERR_* it completes with. */
int blk_sqe_check(const struct blk_srv_sess *s, const struct blk_sqe *rq);

/* The next valid request into *rq (a private copy): 1, 0 (none, or no room for
 * its completion), or ERR_MALFORMED (the client broke a ring: end the session).
 * Invalid requests met on the way are completed with their error. */
int blk_srv_next(struct blk_srv_sess *s, struct blk_sqe *rq);

/* Completes a request blk_srv_next handed out. 0, or ERR_MALFORMED (broken). */
int blk_srv_complete(struct blk_srv_sess *s, uint64_t tag, int32_t status, uint32_t len);

/* --- client side --- */

struct blk_cli_slot {
	uint32_t len; /* bytes asked */
	uint8_t busy;
	uint8_t op;
};

struct blk_cli_sess {
	struct devring sq, cq;
	struct blk_info info;
	uint64_t data_size;
	uint32_t entries;
	uint32_t in_flight;
	uint32_t hint; /* where the search for a free slot starts */
	bool broken; /* the driver broke the session: every call fails */
	struct blk_cli_slot slot[DEV_RING_MAX];
};

void blk_cli_init(struct blk_cli_sess *c, void *base, uint32_t entries, uint64_t data_size,
                  const struct blk_info *info);

/* Client: puts rq on the submission ring with its tag set to a free slot, which
 * is returned (>= 0). ERR_SHOULD_WAIT: entries already in flight;
 * ERR_MALFORMED: the session is broken. The request itself is not checked: the
 * driver does. */
long blk_cli_submit(struct blk_cli_sess *c, struct blk_sqe *rq);

/* Client: the next completion, checked: 1, 0 (none), ERR_MALFORMED (broken). */
int blk_cli_reap(struct blk_cli_sess *c, struct blk_cqe *out);
