/*
 * rng.h - the rng class client (abi/dev/rng.h, docs/devices.md): hardware
 * random bytes from dev:///rng/<name>.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <abi/dev/rng.h>
#include <abi/handle.h>

/* Opens uri ("dev:///rng/virtio0") into *dev (a capability to the driver). */
long ch_rng_open(const char *uri, handle_t *dev);

/*
 * Fills buf with len hardware random bytes, in calls of at most RNG_READ_MAX,
 * each reply checked (its type, its length agreeing with the bytes it says it
 * carries, at least one byte, never more than asked). Returns 0, or ERR_IO
 * (the source failed), ERR_MALFORMED, ERR_PEER_CLOSED.
 */
long ch_rng_read(handle_t dev, void *buf, size_t len);
