/*
 * dev/ring.h - what every device class protocol shares (docs/devices.md): the
 * message header and the shared-memory ring of a session.
 *
 * A driver binds one endpoint in dev:///<class>/<name>. A client that opens the
 * entry holds a capability to it and makes calls there (a typed kbus message:
 * struct dev_msg_hdr first). Classes with a data path open a *session*: the
 * driver answers with a per-client channel endpoint and a memory object that
 * both map, holding rings of fixed-size entries and a data area.
 *
 * Ring rules (one producer, one consumer, both distrustful):
 *  - entries is a power of two, 1..DEV_RING_MAX; indexes are free-running
 *    uint32_t that wrap; slot = index & (entries - 1).
 *  - Each index word has one writer: the producer writes prod, the consumer
 *    cons. Each side keeps its own index in private memory and only stores it
 *    to the shared word; it never reads its own word back.
 *  - The producer writes the entry, then stores prod (release). The consumer
 *    loads prod (acquire), copies the entry to private memory once and checks
 *    only the copy (a peer may rewrite the slot at any time).
 *  - A peer index that claims more than `entries` outstanding (prod - cons >
 *    entries, in uint32_t arithmetic) breaks the ring: the side that sees it
 *    ends the session (ERR_MALFORMED); it never indexes with it.
 *  - Notifications are one-way kbus messages on the session channel, sent with
 *    KBUS_NONBLOCK: a full queue already holds a notification, so a dropped
 *    one loses nothing. The receiver always re-reads the ring.
 * shared/devring.c implements these rules for both sides.
 */
#pragma once
#include <stdint.h>

/* Starts every class message; the same layout as libcharlotte's ch_msg_hdr. */
struct dev_msg_hdr {
	uint32_t type; /* DEV_MSG_* of the class */
	uint32_t len; /* bytes of the whole message, header included */
};

/* Message type ranges, one per class (all above libcharlotte's own types). */
#define DEV_MSG_BLOCK 0x1000u
#define DEV_MSG_NET 0x1100u
#define DEV_MSG_INPUT 0x1200u
#define DEV_MSG_DISPLAY 0x1300u
#define DEV_MSG_SERIAL 0x1400u
#define DEV_MSG_CLOCK 0x1500u
#define DEV_MSG_RNG 0x1600u

#define DEV_RING_MAX 256u /* entries of one ring, at most */

/* One shared index word, alone in its cache line. */
struct dev_ring_index {
	uint32_t value;
	uint32_t reserved[15];
};

/* A reply that carries only a status: every call may be answered with it. */
struct dev_status_reply {
	struct dev_msg_hdr hdr;
	int32_t status; /* ERR_* */
	uint32_t reserved;
};
