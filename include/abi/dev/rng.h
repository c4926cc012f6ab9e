/*
 * dev/rng.h - the random number class (docs/devices.md, "Rng"), bound as
 * dev:///rng/<name> (type dev.rng).
 *
 *   RNG_MSG_READ struct rng_read -> struct rng_read_reply followed by `len`
 *                random bytes (len <= the asked count, > 0 unless status < 0)
 * Bytes come from the hardware source only (virtio-rng, RDRAND/RDSEED), never
 * from a software generator; a source that fails (RDRAND's carry flag clear
 * ten times in a row) answers ERR_IO.
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define RNG_MSG_READ (DEV_MSG_RNG + 0)
#define RNG_READ_MAX 4096u

struct rng_read {
	struct dev_msg_hdr hdr;
	uint32_t len; /* 1..RNG_READ_MAX */
	uint32_t reserved;
};

struct rng_read_reply {
	struct dev_msg_hdr hdr; /* len = sizeof(struct rng_read_reply) + bytes */
	int32_t status;
	uint32_t len; /* bytes that follow */
};
