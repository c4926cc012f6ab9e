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
/* The same, failing with ERR_TIMED_OUT when the driver takes longer than timeout ns. */
long ch_clock_get_within(handle_t dev, struct clock_time_reply *out, uint64_t timeout);

/* CLOCK_MSG_SET: sets the clock to unix_ns (ns since 1970, UTC). Only a driver's
 * admin entry (dev:///clock/<name>-admin) takes it: ERR_ACCESS_DENIED on the
 * reading one; ERR_OUT_OF_RANGE for a time the clock cannot hold; 0 or ERR_*. */
long ch_clock_set(handle_t dev, uint64_t unix_ns);

/* Sets the wall clock through the first admin entry of dev:///clock in our view
 * (ERR_NOT_FOUND: none we can see; the reading entries cannot set). 0 or ERR_*. */
long ch_clock_wall_set(uint64_t unix_ns);

/* The wall clock now, in ns since 1970 (UTC): the driver's time plus the
 * monotonic time since its reading. 0 or ERR_*. */
long ch_clock_now(handle_t dev, uint64_t *unix_ns);

/*
 * The wall clock's offset from the monotonic clock (unix ns = monotonic ns + *offset),
 * asked once of a clock driver: the "clock" the spawner granted (Exec's: the reading
 * entry's endpoint; or a view of dev:///clock, whose first entry is asked), else the
 * first entry of dev:///clock in our view, within
 * CH_CLOCK_WALL_TIMEOUT. 0 or ERR_* (ERR_NOT_FOUND: no clock we can see).
 * libc's CLOCK_REALTIME (start.c) is built on it.
 */
#define CH_CLOCK_WALL_TIMEOUT 2000000000ull /* 2 s */
long ch_clock_wall_offset(int64_t *offset);
