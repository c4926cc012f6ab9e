/*
 * blkserve.h - the driver side of the block class (abi/dev/block.h): every
 * block driver serves its clients through this, and only says how to start a
 * request on its hardware and how to find finished ones.
 *
 * The server owns the loop: one waitset over the driver's endpoint (INFO and
 * OPEN calls), the device's interrupt, and each session's endpoint (doorbells,
 * and the client going away). A session's memory comes from the driver's
 * pool, mapped here and pinned for the device through the driver's dma_map,
 * so requests DMA straight into the client's data area. Requests are checked
 * by shared/blkring.c before the driver sees them; the driver gets a private
 * copy and never reads the rings. A client that breaks its ring loses its
 * session; the others go on. A session whose client has gone is freed once
 * the device has finished its requests (they land in memory only we hold).
 *
 * Without an interrupt (irq HANDLE_INVALID) the server polls the driver
 * while requests are in flight.
 * Memory: at most BLK_MAX_SESSIONS sessions of at most BLK_DATA_MAX data each
 * (plus rings, and a page address per page), from the driver's pool.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/dev/block.h>
#include <abi/handle.h>
#include <shared/blkring.h>

struct blk_serve_sess;

/* One request, as the driver sees it. */
struct blk_serve_req {
	struct blk_sqe sqe; /* checked: the range and data area are valid */
	struct blk_serve_sess *sess;
	uint8_t *data; /* our mapping of the request's bytes in the data area */
	void *priv; /* the driver's */
	bool busy;
};

struct blk_drv_ops {
	/* Start rq on the device: 0 (finish later with blk_serve_done) or an ERR_*
	 * that completes it now. */
	int (*start)(void *drv, struct blk_serve_req *rq);
	/* Find finished requests (after an interrupt, or polled) and blk_serve_done them. */
	void (*poll)(void *drv);
	/* Pin mem for the device: npages device addresses into addrs. */
	long (*dma_map)(void *drv, handle_t mem, uint64_t *addrs, uint64_t npages);
	void (*dma_unmap)(void *drv, handle_t mem);
};

struct blk_serve_sess {
	bool used, closing, notify, pinned;
	uint32_t index;
	handle_t ep, mem;
	uint8_t *base;
	uint64_t map_size;
	uint64_t *dma; /* device address of each page of the session memory */
	uint64_t data_page; /* first page of the data area */
	struct blk_srv_sess s;
	struct blk_serve_req *reqs; /* s.entries of them */
	struct blk_server *srv;
};

struct blk_server {
	const struct blk_drv_ops *ops;
	void *drv;
	struct blk_info info;
	handle_t ep; /* our end of the endpoint clients call */
	handle_t client_ep; /* the end bound in dev:// */
	handle_t irq;
	handle_t ws, pool, as;
	struct blk_serve_sess sess[BLK_MAX_SESSIONS];
};

/*
 * Sets srv up: a channel for clients (paid by "pool") and the waitset. info is
 * checked (ERR_INVALID_ARGS if blk_info_check would refuse it).
 */
long blk_serve_init(struct blk_server *srv, const struct blk_drv_ops *ops, void *drv,
                    const struct blk_info *info, handle_t irq);

/* Binds the client end as <name>, type dev.block, in the directory granted as
 * "class" (an Exec driver line's bind:dev/block) or else in dev:///block of our
 * view, and tells the spawner the result (blk_serve_ready). */
long blk_serve_bind(struct blk_server *srv, const char *name);

/* If we were granted an endpoint "ready", sends it result (a long: 0, or why the
 * driver cannot serve), so a spawner can wait for the disk to be there. */
void blk_serve_ready(long result);

/* Serves until an error of our own endpoint or waitset (returned). */
long blk_serve_run(struct blk_server *srv);

/* All of a driver's serving in one: blk_serve_init, blk_serve_bind as name (the
 * spawner hears the result, a failed init included), blk_serve_run. Returns
 * the error that ended it. */
long blk_serve(struct blk_server *srv, const struct blk_drv_ops *ops, void *drv,
               const struct blk_info *info, handle_t irq, const char *name);

/* The driver finished rq: status 0 or ERR_*, len bytes moved. */
void blk_serve_done(struct blk_serve_req *rq, int status, uint32_t len);

/*
 * The device addresses of rq's data, as up to max segments (contiguous pages
 * merged) into addr[] and len[]. Returns the count, or ERR_BUFFER_TOO_SMALL.
 */
int blk_serve_segments(const struct blk_serve_req *rq, uint64_t *addr, uint32_t *len, unsigned max);
