/*
 * fcntl.h - open() and its flags (fd.c). Values are Linux's.
 */
#pragma once

#include <sys/types.h>

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_ACCMODE 3
#define O_CREAT 0100 /* make the file if it does not exist */
#define O_EXCL 0200 /* with O_CREAT: fail with EEXIST if it does */
#define O_TRUNC 01000 /* a file opened for writing starts empty */
#define O_APPEND 02000 /* every write goes to the end */
#define O_DIRECTORY 0200000 /* the path must name a directory */
#define O_NOFOLLOW 0400000 /* a link as the last name is opened itself */
#define O_CLOEXEC 02000000 /* accepted; nothing is inherited anyway */

/* The *at() calls (utimensat): only names from the current directory are taken. */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100 /* a link as the last name is changed itself */

/*
 * Open path (a URI "fs:///tmp/x" or a plain path, docs/userspace.md "Files") with
 * flags; mode is taken and ignored (no permission bits yet). Returns a descriptor >= 3,
 * or -1 with errno.
 */
int open(const char *path, int flags, ...);
int creat(const char *path, mode_t mode);
