/*
 * netring.h - both sides of a net session (abi/dev/net.h) over its shared
 * memory, without system calls: the driver's checks of tx and rxf entries and
 * its completion accounting (struct net_srv_sess), and the client's record of
 * which side holds each buffer (struct net_cli_sess). libcharlotte's
 * netserve.c and net.c add the kbus messages; tests/host/test_netring.c plays
 * a hostile peer against each.
 *
 * Driver side: net_srv_tx_next() takes a frame off tx only while its
 * completion is sure to fit on txc (frames taken and not completed plus
 * completions the client has not consumed stay <= entries); a frame that
 * fails the checks is completed with its error right there. net_srv_rx()
 * takes a free buffer off rxf only when rx has room for the frame, so the
 * driver never waits for a client. The driver copies frames in and out of
 * the buffers (net_srv_buf), never hands them to a device.
 * Client side: each buffer is the client's, at the driver for tx, or at the
 * driver for rx; a txc or rx entry must name a buffer the driver holds for
 * that purpose, with a sane length and status, else the session is broken
 * (ERR_MALFORMED) and every later call fails.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/dev/net.h>
#include <shared/devring.h>

/* --- checks of the control messages --- */

/* Driver: clamps an open request to what it serves (entries a power of two in
 * 1..DEV_RING_MAX, nbufs in 1..NET_MAX_BUFS). ERR_INVALID_ARGS for zero or
 * non-power-of-two entries, or zero buffers. */
int net_open_clamp(uint32_t *entries, uint32_t *nbufs);

/* Client: info from a driver is sane (mtu in 68..NET_MTU_MAX, link_up 0 or 1);
 * the model is NUL-terminated in place. ERR_MALFORMED otherwise. */
int net_info_check(struct net_info *info);

/* Client: an open reply grants no more than asked, and a region_size that
 * covers the layout. ERR_MALFORMED otherwise. */
int net_open_reply_check(const struct net_open_reply *r, uint32_t asked_entries,
                         uint32_t asked_bufs);

/* --- driver side --- */

struct net_srv_sess {
	struct devring tx, txc, rxf, rx;
	uint8_t *base; /* the session memory */
	uint64_t bufs; /* offset of the buffers */
	uint32_t entries, nbufs, mtu;
	uint32_t in_flight; /* tx frames taken and not completed */
	uint32_t *link; /* the link word */
};

/* Over the session memory at base (net_region_layout; zeroed). */
void net_srv_init(struct net_srv_sess *s, void *base, uint32_t entries, uint32_t nbufs,
                  uint32_t mtu);

/* Is the tx entry valid for this session? 0 or the ERR_* it completes with. */
int net_tx_check(const struct net_srv_sess *s, const struct net_desc *d);

/* The next valid tx frame into *d (a private copy): 1, 0 (none, or no room for
 * its completion) or ERR_MALFORMED (the client broke a ring: end the session).
 * Invalid frames met on the way are completed with their error. */
int net_srv_tx_next(struct net_srv_sess *s, struct net_desc *d);

/* Completes a frame net_srv_tx_next handed out. 0, or ERR_MALFORMED (broken). */
int net_srv_tx_done(struct net_srv_sess *s, uint32_t buf, int32_t status);

/* Our mapping of buffer buf (buf < nbufs, checked by the caller). */
uint8_t *net_srv_buf(const struct net_srv_sess *s, uint32_t buf);

/* Delivers a received frame (len <= mtu + NET_HDR_LEN) into the next free
 * buffer: 1, 0 (no free buffer, or rx full: dropped), or ERR_MALFORMED (the
 * client broke a ring or gave a buffer out of range: end the session). */
int net_srv_rx(struct net_srv_sess *s, const void *frame, uint32_t len);

/* Publishes the link state and the count of its changes. */
void net_srv_link(struct net_srv_sess *s, bool up, uint32_t changes);

/* --- client side --- */

enum { NET_BUF_OURS = 0, NET_BUF_TX = 1, NET_BUF_RXF = 2 };

struct net_cli_sess {
	struct devring tx, txc, rxf, rx;
	uint8_t *base;
	uint64_t bufs;
	uint32_t entries, nbufs, mtu;
	uint32_t at_tx, at_rxf; /* buffers the driver holds for each */
	const uint32_t *link;
	bool broken; /* the driver broke the session: every call fails */
	uint8_t owner[NET_MAX_BUFS]; /* NET_BUF_* */
};

void net_cli_init(struct net_cli_sess *c, void *base, uint32_t entries, uint32_t nbufs,
                  uint32_t mtu);

/* Our mapping of buffer buf; NULL if buf >= nbufs. */
uint8_t *net_cli_buf(const struct net_cli_sess *c, uint32_t buf);

/* Puts buffer buf (ours) on tx with len bytes (not checked: the driver does).
 * ERR_SHOULD_WAIT: tx full; ERR_BAD_STATE: not our buffer; ERR_MALFORMED. */
int net_cli_tx(struct net_cli_sess *c, uint32_t buf, uint32_t len);

/* Gives buffer buf (ours) to the driver for a frame to come. */
int net_cli_rxf(struct net_cli_sess *c, uint32_t buf);

/* The next tx completion, checked: 1, 0 (none), ERR_MALFORMED (broken). */
int net_cli_txc(struct net_cli_sess *c, struct net_desc *out);

/* The next received frame, checked: 1, 0 (none), ERR_MALFORMED (broken). */
int net_cli_rx(struct net_cli_sess *c, struct net_desc *out);

/* A buffer of ours, not on any ring: its index, or ERR_SHOULD_WAIT if none. */
long net_cli_free_buf(const struct net_cli_sess *c);

/* The link word as the driver last wrote it: bit 0 up, bits 1.. changes. */
uint32_t net_cli_link(const struct net_cli_sess *c);
