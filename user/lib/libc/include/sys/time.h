/*
 * sys/time.h - microsecond times: gettimeofday (time.c) and utimes (attr.c).
 */
#pragma once

#include <sys/types.h>

struct timeval {
	time_t tv_sec;
	long tv_usec; /* 0 .. 999,999 */
};

/* The wall clock (CLOCK_REALTIME) into *tv; tz must be NULL (time zones are not kept:
 * EINVAL otherwise). 0, or -1 with errno. */
int gettimeofday(struct timeval *tv, void *tz);
/* Set the wall clock to *tv (tz must be NULL); as clock_settime(CLOCK_REALTIME). */
int settimeofday(const struct timeval *tv, const void *tz);
/* Access and modification times of path (NULL: now); as utimensat (sys/stat.h). */
int utimes(const char *path, const struct timeval times[2]);
