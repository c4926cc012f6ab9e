/*
 * net.h - the net class client (abi/dev/net.h, docs/devices.md): open a
 * network interface by URI, and send and receive Ethernet frames through a
 * session's rings.
 *
 * A struct ch_net is one session: its endpoint, its memory mapped in our
 * space, and the client side of its rings (shared/netring.h), which checks
 * every entry the driver writes. At open, up to `entries` buffers (at most
 * half of them) are given to the driver for receiving; a received frame's
 * buffer goes back to it when the caller is done with it (ch_net_recv does
 * that itself, an asynchronous caller calls ch_net_rx_done).
 * Synchronous: ch_net_send copies a frame into a buffer and waits until the
 * driver has taken it (its status: 0, or ERR_INVALID_ARGS for a length
 * outside 14..mtu + 14); ch_net_recv waits for a frame and copies it out.
 * Asynchronous: the caller fills buffers itself (ch_net_buf), submits many
 * (ch_net_submit) and collects tx completions and frames with ch_net_wait.
 * A synchronous send refuses to run (ERR_BAD_STATE) while asynchronous
 * sends are in flight.
 *
 * Errors: ERR_PEER_CLOSED when the driver is gone (close, then open again),
 * ERR_MALFORMED once the driver broke the session, ERR_TIMED_OUT.
 * Not thread-safe: one thread per struct ch_net.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <abi/dev/net.h>
#include <abi/handle.h>
#include <shared/netring.h>

struct ch_net {
	handle_t ep; /* the session endpoint */
	handle_t mem; /* the session memory */
	uint8_t *base; /* where it is mapped */
	uint64_t map_size;
	uint32_t rx_target; /* buffers we keep at the driver for receiving */
	uint32_t link_seen; /* the link word when ch_net_wait last reported it */
	struct net_info info;
	struct net_cli_sess s;
};

enum ch_net_event_kind { CH_NET_TX_DONE = 1, CH_NET_RX = 2, CH_NET_LINK = 3 };

struct ch_net_event {
	uint32_t kind; /* CH_NET_* */
	uint32_t buf; /* the buffer, ours again (CH_NET_LINK: none) */
	uint32_t len; /* CH_NET_RX: frame bytes in ch_net_buf(n, buf); CH_NET_LINK: 1 up, 0 down */
	int32_t status; /* CH_NET_TX_DONE: 0 or why the driver refused the frame */
};

/*
 * Opens a session on the interface at uri (e.g. "dev:///net/eth0"), or, with
 * uri NULL, on dev (a capability to a net driver's endpoint, kept by the
 * caller). entries and nbufs are what is asked (0: 64 and 128; nbufs >= 2);
 * the driver may grant less. ERR_MALFORMED: the driver's answer does not hold
 * up; else errors of opening, the call and mapping.
 */
long ch_net_open(struct ch_net *n, const char *uri, handle_t dev, uint32_t entries, uint32_t nbufs);

/* Ends the session. */
void ch_net_close(struct ch_net *n);

/* The interface's description from the open reply (checked). */
const struct net_info *ch_net_info(const struct ch_net *n);

/* Asks a driver's endpoint for its info (link state, counters) without a session. */
long ch_net_query(handle_t dev, struct net_info *out, uint64_t timeout);

/* The link as the driver last published it in the session: 1 up, 0 down;
 * *changes (if not NULL) counts its changes since the driver started. */
int ch_net_link(const struct ch_net *n, uint32_t *changes);

/* Synchronous: sends len bytes of frame; the driver's status (0: taken). */
long ch_net_send(struct ch_net *n, const void *frame, size_t len, uint64_t timeout);

/* Synchronous: the next frame into buf (at most cap bytes copied); its length. */
long ch_net_recv(struct ch_net *n, void *buf, size_t cap, uint64_t timeout);

/* Asynchronous: a free buffer's index (ERR_SHOULD_WAIT: all are out), and our
 * mapping of buffer i (NET_BUF_SIZE bytes; NULL if out of range). */
long ch_net_tx_buf(const struct ch_net *n);
uint8_t *ch_net_buf(const struct ch_net *n, uint32_t i);

/* Puts buffer buf with a frame of len bytes on tx and rings the doorbell. */
long ch_net_submit(struct ch_net *n, uint32_t buf, uint32_t len);

/* Waits up to timeout ns for the next event: tx completions first, then frames,
 * then a link change (the driver published a link word other than the one last
 * reported, or than the one at open). */
long ch_net_wait(struct ch_net *n, struct ch_net_event *ev, uint64_t timeout);

/* Gives a received frame's buffer back to the driver for the next frame. */
long ch_net_rx_done(struct ch_net *n, uint32_t buf);
