/*
 * fd.c - file descriptors: open, read, write, lseek, close, ftruncate, fstat.
 *
 * Descriptors 0-2 are the console: 0 reads as empty, 1 and 2 write through
 * __libc_write, and closing them does nothing. Every other descriptor is a slot
 * of a fixed table naming a namespace capability, the offset of the next read
 * or write and the access it was opened with; the offset is the libc's, since
 * SYS_NS_READ and SYS_NS_WRITE take one each call. Reads and writes larger than
 * NS_IO_MAX go in pieces. Not thread-safe.
 */
#include <fcntl.h>
#include <unistd.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <abi/errors.h>
#include <abi/rights.h>

#include "files.h"

#define FD_MAX 64
#define FD_FIRST 3 /* below: the console */
#define O_KNOWN \
	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct fd {
	handle_t h; /* HANDLE_INVALID: a free slot */
	int flags; /* O_ACCMODE and O_APPEND */
	uint64_t off;
};

static struct fd fds[FD_MAX];

static struct fd *fd_get(int fd)
{
	if (fd < FD_FIRST || fd >= FD_MAX || fds[fd].h == HANDLE_INVALID) {
		errno = EBADF;
		return NULL;
	}
	return &fds[fd];
}

handle_t __libc_fd_handle(int fd)
{
	struct fd *e = fd_get(fd);
	return e ? e->h : HANDLE_INVALID;
}

int __libc_open_at(const struct __libc_target *t, int flags)
{
	int acc = flags & O_ACCMODE, fd = FD_FIRST;
	if (acc == O_ACCMODE || (flags & ~O_KNOWN)) {
		errno = EINVAL;
		return -1;
	}
	while (fd < FD_MAX && fds[fd].h != HANDLE_INVALID)
		fd++;
	if (fd == FD_MAX) {
		errno = EMFILE;
		return -1;
	}
	/* writing needs a file; reading takes anything, and reading a directory is EISDIR */
	uint32_t type = flags & O_DIRECTORY ? NS_TYPE_DIR
	                : acc != O_RDONLY   ? NS_TYPE_FILE
	                                    : NS_TYPE_ANY;
	uint32_t nsf =
	    (flags & O_CREAT ? NS_OPEN_CREATE : 0) |
	    ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) ? NS_OPEN_EXCLUSIVE : 0) |
	    (flags & O_DIRECTORY ? NS_OPEN_DIRECTORY : 0) |
	    (flags & O_NOFOLLOW ? NS_OPEN_NOFOLLOW : 0);
	uint64_t rights = (acc != O_WRONLY ? RIGHT_READ : 0) | (acc != O_RDONLY ? RIGHT_WRITE : 0) |
	                  (flags & O_DIRECTORY ? RIGHT_ENUMERATE : 0);
	handle_t h;
	long r = __libc_ns_open(t->dir, t->path, t->len, type, nsf, rights, &h);
	if (r == ERR_WRONG_TYPE) {
		errno = type == NS_TYPE_FILE ? __libc_wrong_type(t) : ENOTDIR;
		return -1;
	}
	if (r < 0)
		return __libc_fail(r, 1);
	if ((flags & O_TRUNC) && acc != O_RDONLY && (r = __libc_ns_truncate(h, 0)) < 0) {
		__libc_ns_close(h);
		return __libc_fail(r, 0);
	}
	fds[fd] = (struct fd){.h = h, .flags = flags & (O_ACCMODE | O_APPEND)};
	return fd;
}

int open(const char *path, int flags, ...)
{
	struct __libc_target *t = __libc_targets();
	if (!t || __libc_resolve(path, t))
		return -1;
	return __libc_open_at(t, flags);
}

int creat(const char *path, mode_t mode)
{
	(void)mode;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC);
}

/* The descriptor for an access: EBADF if it was not opened for it. */
static struct fd *fd_for(int fd, int acc)
{
	struct fd *e = fd_get(fd);
	if (e && (e->flags & O_ACCMODE) == acc) {
		errno = EBADF;
		return NULL;
	}
	return e;
}

/*
 * Move n bytes between buf and e's file at its offset (out: to the file), at most
 * NS_IO_MAX a call, until all are moved or a call moves less (the end of the file, a
 * provider that took less). An error after some bytes ends with those bytes.
 */
static ssize_t transfer(struct fd *e, char *buf, size_t n, bool out)
{
	size_t done = 0;
	while (done < n && done < LONG_MAX) {
		size_t k = n - done < NS_IO_MAX ? n - done : NS_IO_MAX;
		long r = out ? __libc_ns_write(e->h, e->off, buf + done, k)
		             : __libc_ns_read(e->h, e->off, buf + done, k);
		if (r < 0)
			return done ? (ssize_t)done : __libc_fail(r, 0);
		e->off += (uint64_t)r;
		done += (size_t)r;
		if ((size_t)r < k)
			break;
	}
	return (ssize_t)done;
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (fd == 0)
		return 0; /* the console has no input yet */
	struct fd *e = fd_for(fd, O_WRONLY);
	if (!e)
		return -1;
	return transfer(e, buf, n, false);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (fd == 1 || fd == 2) {
		long r = __libc_write(fd, buf, n);
		if (r < 0) {
			errno = EIO;
			return -1;
		}
		return r;
	}
	struct fd *e = fd_for(fd, O_RDONLY);
	if (!e)
		return -1;
	if (e->flags & O_APPEND) {
		struct ns_stat st;
		long r = __libc_ns_stat(e->h, &st);
		if (r < 0)
			return __libc_fail(r, 0);
		e->off = st.size;
	}
	return transfer(e, (void *)(uintptr_t)buf, n, true);
}

off_t lseek(int fd, off_t off, int whence)
{
	if (fd >= 0 && fd < FD_FIRST) {
		errno = ESPIPE;
		return -1;
	}
	struct fd *e = fd_get(fd);
	if (!e)
		return -1;
	off_t base = 0;
	if (whence == SEEK_CUR) {
		base = (off_t)e->off;
	} else if (whence == SEEK_END) {
		struct ns_stat st;
		long r = __libc_ns_stat(e->h, &st);
		if (r < 0)
			return __libc_fail(r, 0);
		base = (off_t)st.size;
	} else if (whence != SEEK_SET) {
		errno = EINVAL;
		return -1;
	}
	if (off < -base || (off > 0 && base > LLONG_MAX - off)) {
		errno = off < 0 ? EINVAL : EOVERFLOW;
		return -1;
	}
	e->off = (uint64_t)(base + off);
	return base + off;
}

int close(int fd)
{
	if (fd >= 0 && fd < FD_FIRST)
		return 0;
	struct fd *e = fd_get(fd);
	if (!e)
		return -1;
	handle_t h = e->h;
	e->h = HANDLE_INVALID;
	long r = __libc_ns_close(h);
	return r < 0 ? __libc_fail(r, 0) : 0;
}

int ftruncate(int fd, off_t size)
{
	struct fd *e = fd_for(fd, O_RDONLY);
	if (!e)
		return -1;
	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	long r = __libc_ns_truncate(e->h, (uint64_t)size);
	return r < 0 ? __libc_fail(r, 0) : 0;
}

int fstat(int fd, struct stat *st)
{
	if (!st) {
		errno = EFAULT;
		return -1;
	}
	if (fd >= 0 && fd < FD_FIRST) {
		*st = (struct stat){.st_mode = S_IFCHR | 0620, .st_nlink = 1};
		return 0;
	}
	handle_t h = __libc_fd_handle(fd);
	if (h == HANDLE_INVALID)
		return -1;
	struct ns_stat ns;
	long r = __libc_ns_stat(h, &ns);
	if (r < 0)
		return __libc_fail(r, 0);
	__libc_stat_fill(&ns, st);
	return 0;
}
