/*
 * dev/net.h - the network class (docs/devices.md, "Net"): Ethernet frames,
 * bound as dev:///net/<name> (type dev.net).
 *
 * Calls on the driver's endpoint (each answered; anything else is a
 * dev_status_reply with ERR_MALFORMED):
 *   NET_MSG_INFO             -> struct net_info_reply
 *   NET_MSG_OPEN net_open    -> struct net_open_reply + 2 handles: the session
 *                               endpoint, the session memory
 *
 * A frame is an Ethernet frame without its FCS: destination, source, type,
 * payload; NET_FRAME_MIN..mtu + NET_HDR_LEN bytes. A driver pads a shorter
 * transmitted frame with zeros to NET_FRAME_PAD (Ethernet's minimum), as the
 * wire does, and never delivers more than mtu + NET_HDR_LEN bytes.
 *
 * The session memory (net_region_layout(); both sides compute it from the
 * checked entries and nbufs, never from offsets the peer wrote) holds four
 * rings of `entries` struct net_desc, as dev/ring.h's rules say, a link word,
 * and nbufs buffers of NET_BUF_SIZE bytes:
 *   tx    client -> driver: a frame of len bytes in buffer buf
 *   txc   driver -> client: buffer buf is the client's again; status 0, or why
 *         the frame was refused (ERR_INVALID_ARGS: a length outside
 *         NET_FRAME_MIN..mtu + NET_HDR_LEN; ERR_OUT_OF_RANGE: buf >= nbufs)
 *   rxf   client -> driver: an empty buffer the driver may fill
 *   rx    driver -> client: a received frame of len bytes in buffer buf
 * A buffer belongs to one side at a time and moves only through the rings.
 * The driver copies a frame out of (tx) or into (rx) a buffer the moment it
 * takes it, into or out of its own DMA memory: a client's buffers never reach
 * the device, so a client rewriting them changes only its own frames.
 * Each driver takes a tx entry only while its completion is sure to fit on
 * txc, and an rxf entry only when a frame is there for it and rx has room;
 * a frame that finds no buffer is dropped and counted (`rx_dropped`).
 * Every session receives every frame the device receives (one copy each).
 *
 * NET_MSG_DOORBELL (client: look at tx and rxf) and NET_MSG_NOTIFY (driver:
 * txc or rx moved, or the link changed) are one-way messages on the session
 * endpoint, sent KBUS_NONBLOCK, carrying nothing but the header.
 * Closing: drop the session endpoint. A driver serves at most
 * NET_MAX_SESSIONS sessions (ERR_NO_RESOURCES beyond).
 */
#pragma once
#include <stdint.h>

#include <abi/dev/ring.h>

#define NET_MSG_INFO (DEV_MSG_NET + 0)
#define NET_MSG_OPEN (DEV_MSG_NET + 1)
#define NET_MSG_DOORBELL (DEV_MSG_NET + 2)
#define NET_MSG_NOTIFY (DEV_MSG_NET + 3)

#define NET_BUF_SIZE 2048u /* bytes of one buffer */
#define NET_HDR_LEN 14u /* destination, source, type */
#define NET_FRAME_MIN NET_HDR_LEN /* the shortest frame a client may send */
#define NET_FRAME_PAD 60u /* shorter frames go out padded to this */
#define NET_MTU_MAX (NET_BUF_SIZE - NET_HDR_LEN) /* no info may claim more */
#define NET_MAX_SESSIONS 4u
#define NET_MAX_BUFS 512u /* buffers of one session, at most (1 MiB) */

struct net_info {
	uint32_t mtu; /* payload bytes: 1500 for Ethernet; 68..NET_MTU_MAX */
	uint8_t mac[6];
	uint8_t link_up; /* 1 when the link is up */
	uint8_t reserved;
	uint32_t speed_mbps; /* 0: unknown */
	uint32_t reserved2;
	uint64_t rx_frames, tx_frames; /* since the driver started */
	uint64_t rx_dropped; /* frames no session had a buffer for (all sessions) */
	char model[32]; /* NUL-terminated */
};

struct net_info_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t reserved;
	struct net_info info;
};

struct net_open {
	struct dev_msg_hdr hdr;
	uint32_t entries; /* per ring: a power of two, 1..DEV_RING_MAX */
	uint32_t nbufs; /* buffers: 1..NET_MAX_BUFS */
};

struct net_open_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t entries, nbufs; /* granted: at most what was asked */
	uint32_t reserved;
	uint64_t region_size; /* bytes of the session memory, >= the layout's size */
	struct net_info info;
};

struct net_desc {
	uint32_t buf; /* buffer index */
	uint32_t len; /* frame bytes (tx, rx); 0 for txc and rxf */
	int32_t status; /* txc: 0 or ERR_*; else 0 */
	uint32_t reserved;
};

/* Index words of the session memory, each alone in its cache line. */
#define NET_REGION_TX_PROD 0u /* client writes */
#define NET_REGION_TX_CONS 64u /* driver writes */
#define NET_REGION_TXC_PROD 128u /* driver writes */
#define NET_REGION_TXC_CONS 192u /* client writes */
#define NET_REGION_RXF_PROD 256u /* client writes */
#define NET_REGION_RXF_CONS 320u /* driver writes */
#define NET_REGION_RX_PROD 384u /* driver writes */
#define NET_REGION_RX_CONS 448u /* client writes */
/* Driver writes: bit 0 link up, bits 1..31 a count of link changes since it started. */
#define NET_REGION_LINK 512u
#define NET_REGION_RINGS 576u

struct net_region_layout {
	uint64_t tx, txc, rxf, rx, bufs, size; /* offsets; total bytes */
};

/* The layout for entries and nbufs (both already checked). */
static inline struct net_region_layout net_region_layout(uint32_t entries, uint32_t nbufs)
{
	struct net_region_layout l;
	uint64_t ring = (uint64_t)entries * sizeof(struct net_desc);
	l.tx = NET_REGION_RINGS;
	l.txc = l.tx + ring;
	l.rxf = l.txc + ring;
	l.rx = l.rxf + ring;
	l.bufs = (l.rx + ring + 4095) & ~(uint64_t)4095;
	l.size = l.bufs + (uint64_t)nbufs * NET_BUF_SIZE;
	return l;
}
