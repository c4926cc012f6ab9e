/*
 * clock.h - the clock class client (abi/dev/clock.h, docs/devices.md "Clock"):
 * wall-clock time from a dev:///clock/<name> driver.
 */
#pragma once
#include <stdint.h>

#include <abi/dev/clock.h>
#include <abi/handle.h>

/* Opens a clock by URI ("dev:///clock/rtc"); 0 or ERR_*. */
long ch_clock_open(const char *uri, handle_t *dev);

/* One CLOCK_MSG_GET: the driver's answer, checked (ERR_MALFORMED for a reply
 * of the wrong size or type); 0 or ERR_*. */
long ch_clock_get(handle_t dev, struct clock_time_reply *out);

/* The wall clock now, in ns since 1970 (UTC): the driver's time plus the
 * monotonic time since its reading. 0 or ERR_*. */
long ch_clock_now(handle_t dev, uint64_t *unix_ns);
