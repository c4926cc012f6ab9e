/*
 * dev/net.h - the network class (docs/devices.md, "Net"): Ethernet frames,
 * bound as dev:///net/<name> (type dev.net).
 *
 *   NET_MSG_INFO -> struct net_info_reply
 *   NET_MSG_OPEN struct net_open -> struct net_open_reply + 2 handles: the
 *                session endpoint, the session memory
 *
 * The session memory is four rings as dev/ring.h's rules say plus a buffer
 * area of nbufs buffers of NET_BUF_SIZE bytes (offsets in net_open_reply):
 *   tx    client -> driver: struct net_desc, a frame in buffer `buf`
 *   txc   driver -> client: struct net_desc, that buffer is free again
 *   rxf   client -> driver: struct net_desc, an empty buffer the driver may fill
 *   rx    driver -> client: struct net_desc, a received frame
 * Buffers move between the sides only through the rings; each side checks
 * buf < nbufs and len <= NET_BUF_SIZE (a frame of 14..mtu+14 bytes) in its
 * copy of every descriptor. NET_MSG_DOORBELL (client) and NET_MSG_NOTIFY
 * (driver, also on a link change: read link_up again with NET_MSG_INFO) are
 * one-way.
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define NET_MSG_INFO (DEV_MSG_NET + 0)
#define NET_MSG_OPEN (DEV_MSG_NET + 1)
#define NET_MSG_DOORBELL (DEV_MSG_NET + 2)
#define NET_MSG_NOTIFY (DEV_MSG_NET + 3)

#define NET_BUF_SIZE 2048u
#define NET_MAX_SESSIONS 4u

struct net_info_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t mtu; /* payload bytes, 1500 for Ethernet */
	uint8_t mac[6];
	uint8_t link_up; /* 1 when the link is up */
	uint8_t reserved;
	uint32_t speed_mbps; /* 0: unknown */
	char model[40];
};

struct net_open {
	struct dev_msg_hdr hdr;
	uint32_t entries; /* per ring: a power of two, 1..DEV_RING_MAX */
	uint32_t nbufs; /* buffers: 1..4 * entries */
};

struct net_open_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t entries, nbufs;
	uint32_t reserved;
	/* offsets in the session memory: each ring's prod and cons words, its entries */
	uint64_t tx, txc, rxf, rx; /* ring entries (prod at -128, cons at -64 from each) */
	uint64_t bufs; /* the buffer area, page aligned */
	uint64_t region_size;
};

struct net_desc {
	uint32_t buf; /* buffer index */
	uint32_t len; /* frame bytes (tx, rx); 0 for txc and rxf */
};
