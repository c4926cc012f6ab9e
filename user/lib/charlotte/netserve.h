/*
 * netserve.h - the driver side of the net class (abi/dev/net.h): both net
 * drivers serve their clients through this, and only say how to put a frame
 * on the wire and how to find what the device did.
 *
 * The server owns the loop: one waitset over the driver's endpoint (INFO and
 * OPEN calls), the device's interrupt, and each session's endpoint (doorbells,
 * and the client going away). A session's memory comes from the driver's
 * pool and is mapped here only: frames are copied between a session's
 * buffers and the driver's own DMA memory, so no client memory is ever given
 * to the device and a session can be freed the moment its client leaves.
 * Entries are checked by shared/netring.c before the driver sees a frame. A
 * client that breaks its rings loses its session; the others go on.
 *
 * Transmit: the server offers each session's next valid frame to the driver's
 * xmit, round robin; a driver with no free transmit slot says ERR_SHOULD_WAIT
 * and the frame waits (held by the server) until the driver's poll frees one.
 * Receive: the driver calls net_serve_rx for each frame, which copies it to
 * every session with a free buffer. Link: net_serve_link.
 * Without an interrupt (irq HANDLE_INVALID) the server polls every POLL_NS.
 * Memory: at most NET_MAX_SESSIONS sessions of at most NET_MAX_BUFS buffers
 * (1 MiB) plus rings, from the driver's pool.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/dev/net.h>
#include <abi/handle.h>
#include <shared/netring.h>

struct net_drv_ops {
	/* Copy frame (len bytes, NET_FRAME_MIN..mtu + NET_HDR_LEN) to the device and
	 * start sending it: 0, ERR_SHOULD_WAIT (no free slot: offered again after
	 * poll), or another ERR_* the frame completes with. */
	int (*xmit)(void *drv, const uint8_t *frame, uint32_t len);
	/* After an interrupt (or polled): net_serve_rx each received frame, free
	 * sent slots, net_serve_link on a link change. */
	void (*poll)(void *drv);
};

struct net_serve_sess {
	bool used, notify, held; /* held: tx holds a frame xmit could not take yet */
	uint32_t index;
	handle_t ep, mem;
	uint8_t *base;
	uint64_t map_size;
	struct net_desc tx; /* the held frame */
	struct net_srv_sess s;
};

struct net_server {
	const struct net_drv_ops *ops;
	void *drv;
	struct net_info info; /* link_up and the counters kept current */
	uint32_t link_changes;
	handle_t ep; /* our end of the endpoint clients call */
	handle_t client_ep; /* the end bound in dev:// */
	handle_t irq;
	handle_t ws, pool, as;
	uint32_t next_tx; /* the session offered first next time */
	struct net_serve_sess sess[NET_MAX_SESSIONS];
};

/* All of a driver's serving: sets srv up (info checked: ERR_INVALID_ARGS),
 * binds the client end as <name>, type dev.net, in the directory granted as
 * "class" (an Exec driver line's bind:dev/net) or else in dev:///net of our
 * view, tells a spawner waiting on "ready" the result (as blk_serve_ready),
 * and serves until an error of our own endpoint or waitset (returned). */
long net_serve(struct net_server *srv, const struct net_drv_ops *ops, void *drv,
               const struct net_info *info, handle_t irq, const char *name);

/* If we were granted an endpoint "ready", sends it result (0, or why not). */
void net_serve_ready(long result);

/* The driver received a frame (len bytes of its own memory; checked here). */
void net_serve_rx(struct net_server *srv, const uint8_t *frame, uint32_t len);

/* The driver saw the link state (a change is published and notified). */
void net_serve_link(struct net_server *srv, bool up);
