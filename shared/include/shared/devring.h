/*
 * devring.h - one side of a device class ring in shared memory (the rules are
 * abi/dev/ring.h's): a single producer and a single consumer that do not trust
 * each other. No system calls: drivers, client libraries and host tests use it
 * alike (shared/devring.c).
 *
 * Our index lives here, in private memory, and is only ever stored to the
 * shared word; the peer's word is loaded, checked (at most `entries`
 * outstanding), and a bad value breaks the ring for good. Entries are copied
 * in and out whole: a consumer checks its copy, never the slot.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct devring {
	uint32_t *prod, *cons; /* the shared index words */
	uint8_t *slots; /* entries * esize bytes of shared memory */
	uint32_t entries, mask, esize;
	uint32_t mine; /* our index: prod for the producer, cons for the consumer */
	bool broken; /* the peer broke the ring: every call fails */
};

/* Sets r up on shared memory (all indexes start at 0). entries must be a power
 * of two in 1..DEV_RING_MAX, checked by the caller. */
void devring_init(struct devring *r, void *prod, void *cons, void *slots, uint32_t entries,
                  uint32_t esize);

/* Producer: free slots now (0..entries), or ERR_MALFORMED when the consumer's
 * index claims to be past ours or more than entries behind. */
long devring_space(struct devring *r);

/* Producer: copies entry (esize bytes) into the next slot and publishes it.
 * ERR_SHOULD_WAIT: full; ERR_MALFORMED: broken. */
int devring_put(struct devring *r, const void *entry);

/* Consumer: entries waiting, or ERR_MALFORMED when the producer's index claims
 * more than entries. */
long devring_avail(struct devring *r);

/* Consumer: copies the next entry to out and frees its slot. Returns 1, 0 (none
 * waiting) or ERR_MALFORMED. */
int devring_get(struct devring *r, void *out);
