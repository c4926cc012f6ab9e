/*
 * utime.h - utime (attr.c): a file's access and modification times in seconds.
 */
#pragma once

#include <sys/types.h>

struct utimbuf {
	time_t actime; /* access */
	time_t modtime; /* modification */
};

/* As utimensat (sys/stat.h) with whole seconds; times NULL: both now. */
int utime(const char *path, const struct utimbuf *times);
