/*
 * sys/stat.h - stat, fstat, mkdir (path.c, fd.c). Type bits are Linux's. Permission
 * bits, owner and group are what the provider keeps (struct ns_stat's mode, uid, gid:
 * fsd's from the inode, tmpfs's POSIX defaults); where it keeps none (the kernel's own
 * entries) a directory reports 0755 and anything else 0644, owner and group 0. They are
 * advice: what a program may do is its capabilities' rights.
 */
#pragma once

#include <sys/types.h>
#include <time.h>

#define S_IFMT 0170000
#define S_IFSOCK 0140000 /* a service (svc) */
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000 /* other devices, terminals */
#define S_IFIFO 0010000 /* a pipe */
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)

struct stat {
	dev_t st_dev; /* 0 */
	ino_t st_ino; /* the provider's node id */
	mode_t st_mode;
	nlink_t st_nlink;
	uid_t st_uid;
	gid_t st_gid;
	off_t st_size; /* bytes (a directory: its entries) */
	struct timespec st_atim, st_mtim, st_ctim;
};
#define st_atime st_atim.tv_sec
#define st_mtime st_mtim.tv_sec
#define st_ctime st_ctim.tv_sec

int stat(const char *restrict path, struct stat *restrict st);
int lstat(const char *restrict path, struct stat *restrict st); /* a link itself */
int fstat(int fd, struct stat *st);
int mkdir(const char *path, mode_t mode); /* mode ignored */

/*
 * Attributes (attr.c): one SYS_NS_SETATTR each, needing WRITE on the file (a
 * descriptor opened for writing, or a view that may write; EACCES otherwise) and,
 * for an owner, MANAGE too. mode: permission bits 07777 (more: EINVAL); the type
 * stays. ENOTSUP where the provider keeps no attributes.
 */
int chmod(const char *path, mode_t mode);
int fchmod(int fd, mode_t mode);
/* times[0] access, times[1] modification (NULL: both now); tv_nsec UTIME_NOW: now,
 * UTIME_OMIT: left as it is. dirfd must be AT_FDCWD (ENOTSUP otherwise); flags 0 or
 * AT_SYMLINK_NOFOLLOW (fcntl.h). */
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags);
int futimens(int fd, const struct timespec times[2]);
