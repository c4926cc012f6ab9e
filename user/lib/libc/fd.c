/*
 * fd.c - file descriptors: open, read, write, lseek, close, dup, dup2, pipe,
 * isatty, ftruncate, fstat, and the capability behind a descriptor (ch_fd_handle,
 * ch_fd_from_handle).
 *
 * A descriptor names an open file: a slot of a fixed table (as many as there are
 * descriptors) shared by the descriptors dup and dup2 made from one another, and
 * freed, its capability dropped, when the last of them is closed. An open file is
 *   - a namespace file: a capability, the offset of the next read or write (the
 *     libc's, since SYS_NS_READ and SYS_NS_WRITE take one each call) and the access
 *     it was opened with; reads and writes larger than NS_IO_MAX go in pieces;
 *   - a stream (abi/term.h): an endpoint of a kbus channel, read one message at a
 *     time (a read returns at most one message's bytes; the rest of a message
 *     larger than the read waits in a buffer grown up to KBUS_MAX_BYTES), written in
 *     messages of at most STREAM_MSG_MAX bytes; a 0-byte message reads as one end of
 *     file, a closed peer as end of file from then on, and writing to a closed
 *     reader is EPIPE;
 *   - "empty" (reads give end of file) or the log (writes go to __libc_write): what
 *     descriptors 0, 1 and 2 are when the spawner named no "stdin", "stdout" or
 *     "stderr" (__libc_stdio_init).
 * New descriptors take the lowest free number. Not thread-safe.
 */
#include <fcntl.h>
#include <unistd.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <abi/term.h>

#include "files.h"

#define FD_MAX 64
#define RBUF_MIN 4096 /* a stream's first buffer for the rest of a message */
#define PASS_RIGHTS (RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT)
#define O_KNOWN \
	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

enum of_type { OF_EMPTY = 1, OF_LOG, OF_FILE, OF_STREAM };

struct ofile {
	int refs; /* descriptors naming it; 0: a free slot */
	enum of_type type;
	int flags; /* O_ACCMODE and O_APPEND */
	handle_t h; /* OF_FILE, OF_STREAM: ours, dropped with the last descriptor */
	int log_fd; /* OF_LOG: __libc_write's stream (1 or 2) */
	uint32_t kind; /* OF_STREAM: the channel's kind (KBUS_KIND_*) */
	bool closed; /* OF_STREAM: the writer is gone; reads are end of file */
	uint64_t off; /* OF_FILE */
	char *rbuf; /* OF_STREAM: the rest of a message, rbuf[rpos..rlen) */
	size_t rcap, rpos, rlen;
};

/* The fallbacks of descriptors 0-2 (apart, so the table below stays in .bss), and the
 * open files of everything else; a fallback once released is not reused. */
static struct ofile std_files[3] = {
    {.refs = 1, .type = OF_EMPTY, .flags = O_RDONLY},
    {.refs = 1, .type = OF_LOG, .flags = O_WRONLY, .log_fd = 1},
    {.refs = 1, .type = OF_LOG, .flags = O_WRONLY, .log_fd = 2},
};
static struct ofile ofiles[FD_MAX];
static struct ofile *fds[FD_MAX] = {&std_files[0], &std_files[1], &std_files[2]};

static struct ofile *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX || !fds[fd]) {
		errno = EBADF;
		return NULL;
	}
	return fds[fd];
}

/* The lowest free descriptor, or -1 with errno EMFILE. */
static int fd_free(void)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		if (!fds[fd])
			return fd;
	errno = EMFILE;
	return -1;
}

/* A free open file (there are as many as descriptors, so one is free when a
 * descriptor is: the fallbacks of 0-2 are apart). */
static struct ofile *of_free(void)
{
	for (int i = 0; i < FD_MAX; i++)
		if (!ofiles[i].refs)
			return &ofiles[i];
	errno = EMFILE;
	return NULL;
}

/* A descriptor for a new open file like *tmpl (its first reference), or -1. */
static int fd_install(const struct ofile *tmpl)
{
	int fd = fd_free();
	struct ofile *of = fd < 0 ? NULL : of_free();
	if (!of)
		return -1;
	*of = *tmpl;
	of->refs = 1;
	fds[fd] = of;
	return fd;
}

/* Drop one reference to of; the last drops its capability and buffer. */
static int of_release(struct ofile *of)
{
	if (--of->refs > 0)
		return 0;
	long r = 0;
	if (of->type == OF_FILE || of->type == OF_STREAM)
		r = __libc_ns_close(of->h);
	free(of->rbuf);
	*of = (struct ofile){0};
	return r < 0 ? __libc_fail(r, 0) : 0;
}

handle_t __libc_fd_handle(int fd)
{
	struct ofile *e = fd_get(fd);
	if (e && e->type != OF_FILE) {
		errno = EBADF;
		e = NULL;
	}
	return e ? e->h : HANDLE_INVALID;
}

int __libc_fd_access(int fd, handle_t *h)
{
	struct ofile *e = fd_get(fd);
	if (!e || e->type != OF_FILE) {
		errno = EBADF;
		return -1;
	}
	*h = e->h;
	return e->flags & O_ACCMODE;
}

handle_t ch_fd_handle(int fd)
{
	struct ofile *e = fd_get(fd);
	if (e && e->type != OF_FILE && e->type != OF_STREAM) {
		errno = EBADF;
		e = NULL;
	}
	return e ? e->h : HANDLE_INVALID;
}

/* The open file for capability h (a stream or a namespace file) with oflags'
 * access (and O_APPEND for a file), in *of; 0 or -1 with errno. */
static int of_of_handle(handle_t h, int oflags, struct ofile *of)
{
	uint32_t kind = 0;
	long t = __libc_handle_type(h, &kind);
	if (t < 0)
		return __libc_fail(t, 0);
	if (t == __LIBC_HANDLE_STREAM)
		*of = (struct ofile){
		    .type = OF_STREAM, .h = h, .kind = kind, .flags = oflags & O_ACCMODE};
	else
		*of = (struct ofile){
		    .type = OF_FILE, .h = h, .flags = oflags & (O_ACCMODE | O_APPEND)};
	return 0;
}

int ch_fd_from_handle(handle_t h, int oflags)
{
	struct ofile of;
	if ((oflags & O_ACCMODE) == O_ACCMODE || h == HANDLE_INVALID) {
		errno = h == HANDLE_INVALID ? EBADF : EINVAL;
		return -1;
	}
	if (of_of_handle(h, oflags, &of))
		return -1;
	return fd_install(&of);
}

void __libc_stdio_init(void)
{
	static const char *const names[3] = {"stdin", "stdout", "stderr"};
	for (int fd = 0; fd < 3; fd++) {
		handle_t h = __libc_handle(names[fd]);
		struct ofile of;
		if (h == HANDLE_INVALID)
			continue;
		int same = 0; /* the same capability under two names: one open file */
		if (!fds[fd])
			continue; /* only at the start, when all three are there */
		while (same < fd && !(fds[same] && fds[same]->type >= OF_FILE && fds[same]->h == h))
			same++;
		if (same < fd) {
			of_release(fds[fd]);
			fds[fd] = fds[same];
			fds[fd]->refs++;
			continue;
		}
		if (of_of_handle(h, fd ? O_WRONLY | O_APPEND : O_RDONLY, &of))
			continue; /* not a stream or a file: the fallback stays */
		if (of.type == OF_STREAM)
			of.flags = O_RDWR; /* a terminal's session is read and written */
		of.refs = 1;
		*fds[fd] = of;
	}
	errno = 0;
}

int __libc_fd_interactive(int fd)
{
	struct ofile *e = fd >= 0 && fd < FD_MAX ? fds[fd] : NULL;
	return e && (e->type == OF_LOG || e->type == OF_EMPTY ||
	             (e->type == OF_STREAM && e->kind == KBUS_KIND_TERM));
}

int __libc_fd_stream_term(int fd)
{
	struct ofile *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->type != OF_STREAM || e->kind != KBUS_KIND_TERM) {
		errno = ENOTTY;
		return -1;
	}
	return 0;
}

void __libc_fd_drop_input(int fd)
{
	struct ofile *e = fd_get(fd);
	if (e)
		e->rpos = e->rlen = 0;
}

int isatty(int fd)
{
	return __libc_fd_stream_term(fd) == 0;
}

int __libc_open_at(const struct __libc_target *t, int flags)
{
	int acc = flags & O_ACCMODE;
	if (acc == O_ACCMODE || (flags & ~O_KNOWN)) {
		errno = EINVAL;
		return -1;
	}
	if (fd_free() < 0)
		return -1;
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
	/* and, where the directory has them, what passing the file on needs (a child's
	 * stdin/stdout, ch_fd_handle) */
	handle_t h;
	long r = __libc_ns_open(t->dir, t->path, t->len, type, nsf, rights | PASS_RIGHTS, &h);
	if (r == ERR_ACCESS_DENIED)
		r = __libc_ns_open(t->dir, t->path, t->len, type, nsf, rights, &h);
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
	return fd_install(
	    &(struct ofile){.type = OF_FILE, .h = h, .flags = flags & (O_ACCMODE | O_APPEND)});
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

/* The open file of a descriptor for an access: EBADF if it was opened for the other
 * one only (bad: O_WRONLY when reading, O_RDONLY when writing). */
static struct ofile *fd_for(int fd, int bad)
{
	struct ofile *e = fd_get(fd);
	if (e && (e->flags & O_ACCMODE) == bad) {
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
static ssize_t transfer(struct ofile *e, char *buf, size_t n, bool out)
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

/* Take the next message (at most n bytes of it) from a stream; see the top. */
static ssize_t stream_read(struct ofile *e, char *buf, size_t n)
{
	if (e->rpos < e->rlen) {
		size_t k = e->rlen - e->rpos < n ? e->rlen - e->rpos : n;
		memcpy(buf, e->rbuf + e->rpos, k);
		e->rpos += k;
		return (ssize_t)k;
	}
	if (e->closed)
		return 0;
	for (;;) {
		unsigned long need = 0;
		long r = __libc_stream_recv(e->h, buf, n, &need);
		if (r == ERR_BUFFER_TOO_SMALL) {
			/* larger than the caller's buffer: into ours, the rest kept */
			if (need > KBUS_MAX_BYTES)
				return __libc_fail(ERR_MALFORMED, 0);
			if (need > e->rcap) {
				size_t cap = need < RBUF_MIN ? RBUF_MIN : need;
				char *p = realloc(e->rbuf, cap);
				if (!p) {
					errno = ENOMEM;
					return -1;
				}
				e->rbuf = p;
				e->rcap = cap;
			}
			r = __libc_stream_recv(e->h, e->rbuf, e->rcap, &need);
			if (r == ERR_BUFFER_TOO_SMALL)
				continue; /* another message came first (a reader sharing the end) */
			if (r > 0) {
				size_t k = (size_t)r < n ? (size_t)r : n;
				memcpy(buf, e->rbuf, k);
				e->rpos = k;
				e->rlen = (size_t)r;
				return (ssize_t)k;
			}
		}
		if (r == ERR_PEER_CLOSED) {
			e->closed = true;
			return 0;
		}
		return r < 0 ? __libc_fail(r, 0) : r;
	}
}

ssize_t read(int fd, void *buf, size_t n)
{
	struct ofile *e = fd_for(fd, O_WRONLY);
	if (!e)
		return -1;
	if (n == 0 || e->type == OF_EMPTY)
		return 0;
	if (e->type == OF_STREAM)
		return stream_read(e, buf, n);
	return transfer(e, buf, n, false);
}

/* Send n bytes on a stream in messages of at most STREAM_MSG_MAX bytes. */
static ssize_t stream_write(struct ofile *e, const char *buf, size_t n)
{
	size_t done = 0;
	while (done < n && done < LONG_MAX) {
		size_t k = n - done < STREAM_MSG_MAX ? n - done : STREAM_MSG_MAX;
		long r = __libc_stream_send(e->h, buf + done, k);
		if (r < 0) {
			if (done)
				break;
			if (r == ERR_PEER_CLOSED) {
				errno = EPIPE;
				return -1;
			}
			return __libc_fail(r, 0);
		}
		done += k;
	}
	return (ssize_t)done;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct ofile *e = fd_for(fd, O_RDONLY);
	if (!e)
		return -1;
	if (e->type == OF_LOG) {
		long r = __libc_write(e->log_fd, buf, n);
		if (r < 0) {
			errno = EIO;
			return -1;
		}
		return r;
	}
	if (e->type == OF_STREAM)
		return n ? stream_write(e, buf, n) : 0;
	if (e->type != OF_FILE) {
		errno = EBADF;
		return -1;
	}
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
	struct ofile *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->type != OF_FILE) {
		errno = ESPIPE;
		return -1;
	}
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
	struct ofile *e = fd_get(fd);
	if (!e)
		return -1;
	fds[fd] = NULL;
	return of_release(e);
}

int dup(int fd)
{
	struct ofile *e = fd_get(fd);
	int nfd = e ? fd_free() : -1;
	if (nfd < 0)
		return -1;
	fds[nfd] = e;
	e->refs++;
	return nfd;
}

int dup2(int fd, int nfd)
{
	struct ofile *e = fd_get(fd);
	if (!e)
		return -1;
	if (nfd < 0 || nfd >= FD_MAX) {
		errno = EBADF;
		return -1;
	}
	if (nfd == fd)
		return nfd;
	if (fds[nfd])
		of_release(fds[nfd]); /* POSIX: an error closing it is not reported */
	fds[nfd] = e;
	e->refs++;
	return nfd;
}

int pipe(int pfd[2])
{
	handle_t h[2];
	if (fd_free() < 0)
		return -1;
	long r = __libc_pipe(h);
	if (r < 0)
		return __libc_fail(r, 0);
	pfd[0] = fd_install(&(struct ofile){
	    .type = OF_STREAM, .h = h[0], .kind = KBUS_KIND_PIPE, .flags = O_RDONLY});
	if (pfd[0] < 0) {
		__libc_ns_close(h[0]);
		__libc_ns_close(h[1]);
		return -1;
	}
	pfd[1] = fd_install(&(struct ofile){
	    .type = OF_STREAM, .h = h[1], .kind = KBUS_KIND_PIPE, .flags = O_WRONLY});
	if (pfd[1] < 0) {
		close(pfd[0]);
		__libc_ns_close(h[1]);
		return -1;
	}
	return 0;
}

int ftruncate(int fd, off_t size)
{
	struct ofile *e = fd_for(fd, O_RDONLY);
	if (!e)
		return -1;
	if (e->type != OF_FILE) {
		errno = EINVAL;
		return -1;
	}
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
	struct ofile *e = fd_get(fd);
	if (!e)
		return -1;
	if (e->type != OF_FILE) {
		bool fifo = e->type == OF_STREAM && e->kind != KBUS_KIND_TERM;
		*st =
		    (struct stat){.st_mode = fifo ? S_IFIFO | 0600 : S_IFCHR | 0620, .st_nlink = 1};
		return 0;
	}
	struct ns_stat ns;
	long r = __libc_ns_stat(e->h, &ns);
	if (r < 0)
		return __libc_fail(r, 0);
	__libc_stat_fill(&ns, st);
	return 0;
}
