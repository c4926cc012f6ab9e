/*
 * time.c - clock_gettime, time and gettimeofday over the __libc_clock_ns hook.
 *
 * There is deliberately no nanosleep or sleep: sleeping needs a wait syscall, and a
 * stub that always fails would only hide that; they arrive with libcharlotte.
 */
#include <sys/time.h>
#include <time.h>

#include <errno.h>

#include "sys_hooks.h"

#define NS_PER_SEC 1000000000ll

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	if (!ts) {
		errno = EFAULT;
		return -1;
	}
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) {
		errno = EINVAL;
		return -1;
	}
	long long ns = __libc_clock_ns(clock);
	if (ns < 0) {
		errno = EINVAL;
		return -1;
	}
	ts->tv_sec = ns / NS_PER_SEC;
	ts->tv_nsec = (long)(ns % NS_PER_SEC);
	return 0;
}

time_t time(time_t *t)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;
	if (tz) { /* time zones are not kept */
		errno = EINVAL;
		return -1;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}
