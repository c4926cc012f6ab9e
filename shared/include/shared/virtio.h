/*
 * virtio.h - the split virtqueue (virtio 1.x, section 2.7), driver side, for
 * user-space virtio drivers; no transport (user/lib/charlotte/virtio_pci.c) and
 * no system calls, so it is tested on the host with a hostile device.
 *
 * The descriptor table, the available ring and the used ring live in memory the
 * device reaches by DMA, so the device may write any of it at any time. The
 * driver's own state never lives there: the free list, each chain's links, its
 * length and the caller's cookie are in struct virtq_slot / next[] arrays that
 * the caller gives (its private memory), and nothing is read back from the
 * descriptor table. Every value the device writes that the driver uses is
 * checked before use:
 *   used.idx   may move by at most the number of chains in flight; more breaks
 *              the queue (ERR_MALFORMED)
 *   used id    must be the head of a chain in flight; else the queue is broken
 *   used len   at most the bytes the chain let the device write; more fails
 *              that request (ERR_MALFORMED in its status), the queue goes on
 *   flags, event indexes   only decide whether to notify: any value is harmless
 * A broken queue takes no more requests; virtq_reclaim() hands back every
 * request still in flight so the driver can fail them, after it has reset the
 * device (only then is the memory no longer the device's).
 *
 * Not thread-safe: one thread (or a lock the caller holds) per queue.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_MAX_SIZE 1024u /* queue sizes accepted: powers of two up to this */

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* size entries, then uint16_t used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* size entries, then uint16_t avail_event */
};

/* Bytes of each part for a queue of size entries (the alignment virtio asks:
 * desc 16, avail 2, used 4). */
static inline size_t virtq_desc_bytes(uint16_t size)
{
	return 16u * (size_t)size;
}
static inline size_t virtq_avail_bytes(uint16_t size)
{
	return 6u + 2u * (size_t)size;
}
static inline size_t virtq_used_bytes(uint16_t size)
{
	return 6u + 8u * (size_t)size;
}

/* Private state of one descriptor (the head of a chain carries the chain's). */
struct virtq_slot {
	void *cookie; /* the caller's, returned when the chain completes */
	uint32_t writable; /* bytes the device may write in the chain */
	uint16_t ndesc; /* descriptors in the chain */
	uint16_t in_flight; /* 1 on the head of a chain the device holds */
};

struct virtq {
	uint16_t size, mask;
	struct virtq_desc *desc; /* device-visible */
	struct virtq_avail *avail; /* device-visible */
	struct virtq_used *used; /* device-visible, device-written */
	struct virtq_slot *slots; /* private: size entries */
	uint16_t *next; /* private: the free list and chain links, size entries */
	uint16_t free_head, nfree;
	uint16_t avail_idx; /* our copy of avail.idx */
	uint16_t kicked_idx; /* avail_idx when the device was last notified */
	uint16_t last_used; /* used entries harvested */
	uint16_t in_flight; /* chains the device holds */
	bool event_idx; /* VIRTIO_F_EVENT_IDX negotiated */
	bool broken;
};

/* One buffer of a chain: device-readable unless device_writes. */
struct virtq_buf {
	uint64_t addr; /* device address */
	uint32_t len;
	bool device_writes;
};

/* A completed chain. */
struct virtq_done {
	void *cookie;
	uint32_t len; /* bytes the device says it wrote (checked) */
	int status; /* 0, or ERR_MALFORMED: it claimed more than the chain allows */
};

/*
 * Sets q up over the device-visible parts (zeroed here) and the private arrays
 * slots[size] and next[size]. ERR_INVALID_ARGS: size not a power of two in
 * 1..VIRTQ_MAX_SIZE, or a NULL part.
 */
int virtq_init(struct virtq *q, uint16_t size, struct virtq_desc *desc, struct virtq_avail *avail,
               struct virtq_used *used, struct virtq_slot *slots, uint16_t *next, bool event_idx);

/*
 * Adds a chain of n buffers and makes it available (the device may take it at
 * once). ERR_INVALID_ARGS: n == 0, a zero length, or device-writable bytes
 * above 4 GiB; ERR_NO_RESOURCES: fewer than n free descriptors; ERR_BAD_STATE:
 * the queue is broken.
 */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie);

/*
 * Whether the device wants a notification for what was added since the last
 * call that returned true (its flags / avail_event, read with a full fence
 * after publishing). The caller then writes the notify register.
 */
bool virtq_kick_needed(struct virtq *q);

/*
 * Takes one completed chain. Returns 1 (*done filled), 0 (none), or
 * ERR_MALFORMED: the device broke the queue (q->broken is set; nothing was
 * touched). Asks the device for an interrupt at the next completion when
 * VIRTIO_F_EVENT_IDX is on (used_event).
 */
int virtq_harvest(struct virtq *q, struct virtq_done *done);

/*
 * After the device was reset: hands back the cookie of one chain still in
 * flight and frees it. Returns 1, or 0 when none is left (the queue is then
 * empty, and usable again after virtq_init).
 */
int virtq_reclaim(struct virtq *q, void **cookie);
