/*
 * dev/clock.h - the clock class (docs/devices.md, "Clock"): wall-clock time,
 * bound as dev:///clock/<name> (type dev.clock).
 *
 *   CLOCK_MSG_GET -> struct clock_time_reply
 *   CLOCK_MSG_SET struct clock_set -> struct dev_status_reply (needs a handle
 *                 with RIGHT_WRITE; ERR_ACCESS_DENIED otherwise)
 * The driver answers with the time of the last hardware read plus the
 * monotonic time elapsed since, so a client can reconstruct the wall clock
 * without a call per read.
 */
#pragma once
#include <stdint.h>
#include <abi/dev/ring.h>

#define CLOCK_MSG_GET (DEV_MSG_CLOCK + 0)
#define CLOCK_MSG_SET (DEV_MSG_CLOCK + 1)

struct clock_time_reply {
	struct dev_msg_hdr hdr;
	int32_t status;
	uint32_t reserved;
	uint64_t unix_ns; /* nanoseconds since 1970-01-01T00:00:00Z (UTC) */
	uint64_t monotonic_ns; /* the monotonic clock at the same instant */
	uint64_t resolution_ns; /* the hardware's step (1 s for the CMOS RTC) */
};

struct clock_set {
	struct dev_msg_hdr hdr;
	uint64_t unix_ns;
};
