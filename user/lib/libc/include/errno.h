/*
 * errno.h - error numbers of the C library.
 *
 * errno is a plain global, one per process even when it has several threads (pthread.h):
 * there is no per-thread storage yet. When there is, it becomes thread-local without any
 * change to programs, which only ever use the name errno. The values are those of Linux so that
 * code and tests written for POSIX systems read the same. The system's own negative
 * ERR_ codes (include/abi/errors.h) are a separate space: strerror() names both.
 */
#pragma once

extern int errno;

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define EOVERFLOW 75
#define EILSEQ 84
#define ENOTSUP 95
#define ETIMEDOUT 110
#define EHOSTUNREACH 113
#define ECANCELED 125

#define EWOULDBLOCK EAGAIN
#define EOPNOTSUPP ENOTSUP

/* Highest errno value strerror() knows by name. */
#define __ERRNO_MAX 125
