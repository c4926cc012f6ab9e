/*
 * time.c - clock_gettime, time and gettimeofday over the __libc_clock_ns hook;
 * clock_settime and settimeofday over __libc_clock_set.
 *
 * There is deliberately no nanosleep or sleep: sleeping needs a wait syscall, and a
 * stub that always fails would only hide that; they arrive with libcharlotte.
 */
#include <sys/time.h>
#include <time.h>

#include <errno.h>

#include <abi/errors.h>

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

int clock_settime(clockid_t clock, const struct timespec *ts)
{
	if (!ts) {
		errno = EFAULT;
		return -1;
	}
	if (clock != CLOCK_REALTIME || ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    ts->tv_nsec >= NS_PER_SEC || ts->tv_sec > (INT64_MAX - NS_PER_SEC) / NS_PER_SEC) {
		errno = EINVAL;
		return -1;
	}
	long r = __libc_clock_set((long long)ts->tv_sec * NS_PER_SEC + ts->tv_nsec);
	if (r < 0) {
		errno = r == ERR_ACCESS_DENIED || r == ERR_NOT_FOUND     ? EPERM
		        : r == ERR_OUT_OF_RANGE || r == ERR_INVALID_ARGS ? EINVAL
		                                                         : EIO;
		return -1;
	}
	return 0;
}

int settimeofday(const struct timeval *tv, const void *tz)
{
	if (tz || !tv || tv->tv_usec < 0 || tv->tv_usec >= 1000000) {
		errno = tv ? EINVAL : EFAULT;
		return -1;
	}
	struct timespec ts = {tv->tv_sec, tv->tv_usec * 1000};
	return clock_settime(CLOCK_REALTIME, &ts);
}
