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
/* The namespace file capability behind descriptor fd, or HANDLE_INVALID with errno
 * EBADF (not open, or not a file). */
handle_t __libc_fd_handle(int fd);
/* The namespace file capability behind fd in *h and its access mode (O_RDONLY, O_WRONLY,
 * O_RDWR); -1 with errno EBADF if fd is not an open file. */
int __libc_fd_access(int fd, handle_t *h);
/* Descriptors 0-2 from the start_info names "stdin", "stdout", "stderr" (__libc_start). */
void __libc_stdio_init(void);
/* Whether output to fd is seen by a person as it comes: a terminal, the log (stdout is
 * line buffered then, fully buffered otherwise). */
int __libc_fd_interactive(int fd);
/* 0 if fd is a terminal's stream; -1 with errno EBADF or ENOTTY otherwise. */
int __libc_fd_stream_term(int fd);
/* Forget the rest of a message read in part from fd (tcflush, TCSAFLUSH). */
void __libc_fd_drop_input(int fd);
/* <charlotte/fd.h> (user/lib/charlotte/fd.h), implemented here. */
handle_t ch_fd_handle(int fd);
int ch_fd_from_handle(handle_t h, int oflags);
/* open()'s flags for an fopen mode (stdio.c), or -1 if the mode is bad. */
int __libc_fopen_flags(const char *mode);
/* struct stat of a namespace stat. */
void __libc_stat_fill(const struct ns_stat *ns, struct stat *st);
