/*
 * files.h - what the libc's file code shares inside the library (fd.c, path.c,
 * dirent.c, stdio.c): paths resolved to capabilities, descriptors, errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "sys_hooks.h"

/* A path resolved to a directory capability and a normalized path below it. */
struct __libc_target;
/* Two targets to resolve names into (path.c: allocated on first use, then reused; not
 * thread-safe), or NULL with errno ENOMEM. */
struct __libc_target *__libc_targets(void);

struct __libc_target {
	handle_t dir;
	bool from_cwd; /* dir is the current directory's capability */
	char scheme[NS_SCHEME_MAX + 1]; /* "" for fs */
	size_t len;
	char path[NS_PATH_MAX + 2]; /* with a '/' at the end when it must be a directory */
};

/* Resolve path (path.c, the rules in docs/userspace.md "Files") into *t: 0, or -1
 * with errno (EFAULT for NULL, ENOENT for "" or a missing root, ...). */
int __libc_resolve(const char *path, struct __libc_target *t);

/*
 * The errno for an ERR_* code. on_path: the code came from naming something (a
 * wrong type is ENOTDIR, out of range ENAMETOOLONG, a bad state ENOTEMPTY) rather
 * than from using an open file (EISDIR, EFBIG, EIO).
 */
int __libc_errno_of(long err, int on_path);
/* errno = __libc_errno_of(err, on_path); returns -1. */
int __libc_fail(long err, int on_path);

/* ENOTDIR, or EISDIR when t names a directory (ERR_WRONG_TYPE does not say which). */
int __libc_wrong_type(const struct __libc_target *t);

/* Open what t names as a descriptor with open()'s flags (fd.c); -1 with errno. */
int __libc_open_at(const struct __libc_target *t, int flags);
/* The capability behind descriptor fd (>= 3), or HANDLE_INVALID with errno EBADF. */
handle_t __libc_fd_handle(int fd);
/* open()'s flags for an fopen mode (stdio.c), or -1 if the mode is bad. */
int __libc_fopen_flags(const char *mode);
/* struct stat of a namespace stat. */
void __libc_stat_fill(const struct ns_stat *ns, struct stat *st);
