/*
 * sys/types.h - the few POSIX scalar types our programs use.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef long ssize_t; /* a size or a negative error */
typedef long long off_t; /* a file offset */
typedef long long time_t; /* seconds since 1970-01-01 UTC */
typedef int clockid_t; /* CLOCK_REALTIME, CLOCK_MONOTONIC */
typedef int pid_t; /* a process id */
typedef unsigned int mode_t; /* a file's type and permission bits (sys/stat.h) */
typedef unsigned long long ino_t; /* a file's node id in its provider */
typedef unsigned long long dev_t;
typedef unsigned int nlink_t;
typedef unsigned int uid_t; /* an owner, as a file system keeps it (sys/stat.h) */
typedef unsigned int gid_t; /* a group, likewise */
