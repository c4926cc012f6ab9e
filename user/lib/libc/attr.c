/*
 * attr.c - changing a file's attributes: chmod, fchmod, chown, fchown, lchown,
 * utimensat, futimens, utimes, utime.
 *
 * Each is one SYS_NS_SETATTR (__libc_ns_setattr) on a capability: a
 * descriptor's own, or one opened for the call with just the rights it needs
 * (WRITE; MANAGE too for an owner: docs/namespace.md "Attributes"). So a file
 * opened read-only cannot be chmod'ed through its descriptor, and a read-only
 * view refuses every change with EACCES: what a program may change is its
 * capabilities' rights, not the mode bits it sets (those are advice to POSIX
 * programs, as stat says). A provider that keeps no attributes (the kernel's
 * own entries, proc://) gives ENOTSUP.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include <errno.h>
#include <abi/errors.h>
#include <abi/rights.h>

#include "files.h"

#define NS_PER_SEC 1000000000ll

/* errno for a setattr's error: a time or id the file system cannot keep is EINVAL. */
static int fail_attr(long err)
{
	if (err == ERR_OUT_OF_RANGE) {
		errno = EINVAL;
		return -1;
	}
	return __libc_fail(err, 0);
}

/* Change what sa names of what path names (a link itself with NS_OPEN_NOFOLLOW). */
static int setattr_path(const char *path, const struct ns_setattr *sa, uint32_t flags)
{
	struct __libc_target *t = __libc_targets();
	handle_t h;
	if (!t || __libc_resolve(path, t))
		return -1;
	uint64_t rights =
	    RIGHT_WRITE | (sa->valid & (NS_ATTR_UID | NS_ATTR_GID) ? RIGHT_MANAGE : 0);
	long r = __libc_ns_open(t->dir, t->path, t->len, NS_TYPE_ANY, flags, rights, &h);
	if (r < 0)
		return __libc_fail(r, 1);
	r = __libc_ns_setattr(h, sa);
	__libc_ns_close(h);
	return r < 0 ? fail_attr(r) : 0;
}

static int setattr_fd(int fd, const struct ns_setattr *sa)
{
	handle_t h = __libc_fd_handle(fd);
	if (h == HANDLE_INVALID)
		return -1;
	long r = __libc_ns_setattr(h, sa);
	return r < 0 ? fail_attr(r) : 0;
}

static int mode_attr(mode_t mode, struct ns_setattr *sa)
{
	if (mode & ~(mode_t)07777) {
		errno = EINVAL;
		return -1;
	}
	*sa = (struct ns_setattr){.valid = NS_ATTR_MODE, .mode = mode};
	return 0;
}

int chmod(const char *path, mode_t mode)
{
	struct ns_setattr sa;
	return mode_attr(mode, &sa) ? -1 : setattr_path(path, &sa, 0);
}

int fchmod(int fd, mode_t mode)
{
	struct ns_setattr sa;
	return mode_attr(mode, &sa) ? -1 : setattr_fd(fd, &sa);
}

/* (uid_t)-1 and (gid_t)-1 leave the owner or the group as they are. */
static struct ns_setattr owner_attr(uid_t uid, gid_t gid)
{
	struct ns_setattr sa = {.uid = uid, .gid = gid};
	sa.valid = (uid != (uid_t)-1 ? NS_ATTR_UID : 0) | (gid != (gid_t)-1 ? NS_ATTR_GID : 0);
	return sa;
}

int chown(const char *path, uid_t uid, gid_t gid)
{
	struct ns_setattr sa = owner_attr(uid, gid);
	return setattr_path(path, &sa, 0);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
	struct ns_setattr sa = owner_attr(uid, gid);
	return setattr_path(path, &sa, NS_OPEN_NOFOLLOW);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	struct ns_setattr sa = owner_attr(uid, gid);
	return setattr_fd(fd, &sa);
}

/* One time of utimensat's pair into sa: given, now, or left (UTIME_OMIT). */
static int time_attr(const struct timespec *ts, uint32_t given, uint32_t now, uint64_t *out,
                     struct ns_setattr *sa)
{
	if (!ts || ts->tv_nsec == UTIME_NOW) {
		sa->valid |= now;
		return 0;
	}
	if (ts->tv_nsec == UTIME_OMIT)
		return 0;
	if (ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_SEC || ts->tv_sec < 0 ||
	    ts->tv_sec > (long long)(UINT64_MAX / NS_PER_SEC) - 1) {
		errno = EINVAL;
		return -1;
	}
	sa->valid |= given;
	*out = (uint64_t)ts->tv_sec * NS_PER_SEC + (uint64_t)ts->tv_nsec;
	return 0;
}

/* times[0] access, times[1] modification; NULL: both now. */
static int times_attr(const struct timespec times[2], struct ns_setattr *sa)
{
	*sa = (struct ns_setattr){0};
	if (time_attr(times ? &times[0] : NULL, NS_ATTR_ATIME, NS_ATTR_ATIME_NOW, &sa->atime, sa) ||
	    time_attr(times ? &times[1] : NULL, NS_ATTR_MTIME, NS_ATTR_MTIME_NOW, &sa->mtime, sa))
		return -1;
	return 0;
}

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	struct ns_setattr sa;
	if (flags & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	if (dirfd != AT_FDCWD) { /* names relative to another directory: not kept */
		errno = ENOTSUP;
		return -1;
	}
	if (times_attr(times, &sa))
		return -1;
	return setattr_path(path, &sa, flags & AT_SYMLINK_NOFOLLOW ? NS_OPEN_NOFOLLOW : 0);
}

int futimens(int fd, const struct timespec times[2])
{
	struct ns_setattr sa;
	return times_attr(times, &sa) ? -1 : setattr_fd(fd, &sa);
}

int utimes(const char *path, const struct timeval times[2])
{
	struct timespec ts[2];
	if (times) {
		for (int i = 0; i < 2; i++) {
			if (times[i].tv_usec < 0 || times[i].tv_usec >= 1000000) {
				errno = EINVAL;
				return -1;
			}
			ts[i] = (struct timespec){times[i].tv_sec, times[i].tv_usec * 1000};
		}
	}
	return utimensat(AT_FDCWD, path, times ? ts : NULL, 0);
}

int utime(const char *path, const struct utimbuf *times)
{
	struct timespec ts[2] = {{times ? times->actime : 0, 0}, {times ? times->modtime : 0, 0}};
	return utimensat(AT_FDCWD, path, times ? ts : NULL, 0);
}
