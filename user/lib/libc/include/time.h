/*
 * time.h - clocks (time.c). Reads the system clocks through __libc_clock_ns.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define CLOCK_REALTIME 0 /* wall clock, since 1970-01-01 UTC */
#define CLOCK_MONOTONIC 1 /* never goes back, arbitrary origin */

struct timespec {
	time_t tv_sec; /* whole seconds */
	long tv_nsec; /* 0 .. 999,999,999 */
};

/*
 * Read clock into *ts. Returns 0, or -1 with errno EINVAL (unknown clock) or EFAULT
 * (ts is NULL).
 */
int clock_gettime(clockid_t clock, struct timespec *ts);

/*
 * Set CLOCK_REALTIME (the only settable clock) through the wall clock's driver. 0, or
 * -1 with errno EINVAL (another clock, a negative or unnormalised time, or one the
 * clock cannot hold: before 1970 or after 2099), EPERM (no clock this process may
 * set: docs/devices.md "Clock"), EFAULT (ts NULL) or EIO.
 */
int clock_settime(clockid_t clock, const struct timespec *ts);

/* Seconds since the epoch (CLOCK_REALTIME), also stored in *t if t is not NULL; -1 on error. */
time_t time(time_t *t);
