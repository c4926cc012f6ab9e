/*
 * stdio.c - streams: stdin, stdout and stderr, files opened with fopen or fdopen,
 * and the stream front ends of printf.
 *
 * A stream is a file descriptor (fd.c) plus one buffer, holding either output not
 * yet written (len bytes) or input read ahead (buf[rpos..rlen)), never both:
 * writing after reading first gives the read-ahead back by seeking the descriptor
 * back, reading after writing first flushes. stdout is line buffered (text reaches
 * the system at each newline, when the buffer fills, at fflush and at exit) when
 * descriptor 1 is a terminal or the log, and fully buffered otherwise (a pipe, a
 * file: decided at its first output); stderr is unbuffered, files are fully
 * buffered. Reading stdin first writes what a line-buffered stdout holds (a prompt). A printf call to any stream is staged in
 * a small local buffer first, so even an unbuffered stream gets a few large writes
 * rather than one per piece of the format. A failed write sets the stream's error
 * flag and errno (EIO for the console); the buffered text is dropped so later output
 * is not blocked forever. Streams fopen and fdopen made are kept in a list for
 * fflush(NULL), which exit() calls. ungetc keeps one character in front of the
 * read-ahead. Not thread-safe.
 */
#include <stdio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "format.h"

#define CAN_READ 1
#define CAN_WRITE 2

struct __libc_file {
	int fd;
	int mode; /* _IOFBF, _IOLBF, _IONBF */
	int auto_mode; /* stdout: mode is chosen at the first output (see the top) */
	int access; /* CAN_READ | CAN_WRITE */
	int error; /* a read or write failed; cleared by clearerr */
	int eof; /* a read reached the end; cleared by clearerr and fseek */
	char *buf;
	size_t cap, len; /* len: output waiting in buf */
	size_t rpos, rlen; /* input read ahead: buf[rpos..rlen) */
	struct __libc_file *next; /* the next stream fopen made */
	char own[BUFSIZ];
};

static struct __libc_file in_file = {
    .fd = 0, .mode = _IOLBF, .access = CAN_READ, .buf = in_file.own, .cap = BUFSIZ};
static struct __libc_file out_file = {.fd = 1,
                                      .mode = _IOLBF,
                                      .auto_mode = 1,
                                      .access = CAN_WRITE,
                                      .buf = out_file.own,
                                      .cap = BUFSIZ};
static struct __libc_file err_file = {
    .fd = 2, .mode = _IONBF, .access = CAN_WRITE, .buf = err_file.own, .cap = BUFSIZ};
static struct __libc_file *opened; /* by fopen */

FILE *stdin = &in_file;
FILE *stdout = &out_file;
FILE *stderr = &err_file;

/* Write all n bytes to the stream's descriptor; EOF and the error flag on failure. */
static int write_all(FILE *f, const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(f->fd, p, n);
		if (r <= 0) {
			f->error = 1;
			if (r == 0)
				errno = EIO;
			return EOF;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Write what is buffered; give back input read ahead (the descriptor seeks back). */
static int flush_one(FILE *f)
{
	size_t n = f->len;

	if (f->rpos < f->rlen && lseek(f->fd, -(off_t)(f->rlen - f->rpos), SEEK_CUR) < 0) {
		f->error = 1;
		return EOF;
	}
	f->rpos = f->rlen = 0;
	f->len = 0;
	return write_all(f, f->buf, n);
}

int fflush(FILE *f)
{
	if (f)
		return flush_one(f);
	int r = flush_one(stdout);
	if (flush_one(stderr))
		r = EOF;
	for (f = opened; f; f = f->next)
		if (flush_one(f))
			r = EOF;
	return r;
}

int __libc_fopen_flags(const char *mode)
{
	static const int base[] = {['r'] = O_RDONLY,
	                           ['w'] = O_WRONLY | O_CREAT | O_TRUNC,
	                           ['a'] = O_WRONLY | O_CREAT | O_APPEND};
	if (!mode || (*mode != 'r' && *mode != 'w' && *mode != 'a'))
		return -1;
	int flags = base[(unsigned char)*mode];
	for (const char *p = mode + 1; *p; p++) {
		if (*p == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*p == 'x' && *mode == 'w')
			flags |= O_EXCL;
		else if (*p == 'e')
			flags |= O_CLOEXEC;
		else if (*p != 'b')
			return -1;
	}
	return flags;
}

static FILE *stream_new(FILE *f, int fd, int flags);

FILE *fopen(const char *restrict path, const char *restrict mode)
{
	int flags = __libc_fopen_flags(mode);
	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	FILE *f = malloc(sizeof(*f));
	if (!f) {
		errno = ENOMEM;
		return NULL;
	}
	int fd = open(path, flags);
	if (fd < 0) {
		free(f);
		return NULL;
	}
	return stream_new(f, fd, flags);
}

FILE *fdopen(int fd, const char *mode)
{
	int flags = __libc_fopen_flags(mode);
	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st))
		return NULL;
	FILE *f = malloc(sizeof(*f));
	if (!f) {
		errno = ENOMEM;
		return NULL;
	}
	return stream_new(f, fd, flags);
}

/* Make f a stream on descriptor fd opened with open()'s flags, and list it. */
static FILE *stream_new(FILE *f, int fd, int flags)
{
	int acc = flags & O_ACCMODE;
	*f = (struct __libc_file){
	    .fd = fd,
	    .mode = _IOFBF,
	    .access = (acc != O_WRONLY ? CAN_READ : 0) | (acc != O_RDONLY ? CAN_WRITE : 0),
	    .buf = f->own,
	    .cap = BUFSIZ,
	    .next = opened,
	};
	opened = f;
	return f;
}

int fclose(FILE *f)
{
	int r = flush_one(f);
	if (f->fd >= 0 && close(f->fd))
		r = EOF;
	if (f == stdin || f == stdout || f == stderr) {
		f->fd = -1; /* later use: EBADF */
		return r;
	}
	FILE **pp = &opened;
	while (*pp && *pp != f)
		pp = &(*pp)->next;
	if (*pp)
		*pp = f->next;
	free(f);
	return r;
}

int fileno(FILE *f)
{
	return f->fd;
}

/* Read ahead into the empty buffer: its bytes, 0 at the end, EOF on an error. */
static int fill(FILE *f)
{
	if (!(f->access & CAN_READ)) {
		f->error = 1;
		errno = EBADF;
		return EOF;
	}
	if (f->len && flush_one(f))
		return EOF;
	if (f == stdin && stdout->mode == _IOLBF && stdout->len)
		flush_one(stdout);
	ssize_t n = read(f->fd, f->buf, f->cap);
	if (n <= 0) {
		f->eof |= n == 0;
		f->error |= n < 0;
		return n == 0 ? 0 : EOF;
	}
	f->rpos = 0;
	f->rlen = (size_t)n;
	return (int)n;
}

int fgetc(FILE *f)
{
	if (f->rpos == f->rlen && fill(f) <= 0)
		return EOF;
	return (unsigned char)f->buf[f->rpos++];
}

int getc(FILE *f)
{
	return fgetc(f);
}

int getchar(void)
{
	return fgetc(stdin);
}

int ungetc(int c, FILE *f)
{
	if (c == EOF || f->len)
		return EOF;
	if (f->rpos == 0) {
		if (f->rlen == f->cap)
			return EOF;
		memmove(f->buf + 1, f->buf, f->rlen); /* room in front of the read-ahead */
		f->rlen++;
		f->rpos = 1;
	}
	f->buf[--f->rpos] = (char)c;
	f->eof = 0;
	return (unsigned char)c;
}

ssize_t getdelim(char **restrict line, size_t *restrict cap, int delim, FILE *restrict f)
{
	size_t n = 0;
	int c = 0;
	if (!line || !cap) {
		errno = EINVAL;
		return -1;
	}
	if (!*line)
		*cap = 0;
	while (c != delim && (c = fgetc(f)) != EOF) {
		if (n + 2 > *cap) {
			size_t ncap = *cap < 64 ? 128 : *cap * 2;
			char *p = realloc(*line, ncap);
			if (!p) {
				errno = ENOMEM;
				f->error = 1;
				return -1;
			}
			*line = p;
			*cap = ncap;
		}
		(*line)[n++] = (char)c;
	}
	if (n == 0)
		return -1;
	(*line)[n] = '\0';
	return (ssize_t)n;
}

ssize_t getline(char **restrict line, size_t *restrict cap, FILE *restrict f)
{
	return getdelim(line, cap, '\n', f);
}

void perror(const char *s)
{
	const char *msg = strerror(errno);
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

char *fgets(char *restrict s, int n, FILE *restrict f)
{
	int i = 0, c = 0;

	if (n <= 0) {
		errno = EINVAL;
		return NULL;
	}
	while (i < n - 1 && c != '\n' && (c = fgetc(f)) != EOF)
		s[i++] = (char)c;
	if (i == 0 && n > 1)
		return NULL;
	s[i] = '\0';
	return s;
}

size_t fread(void *restrict p, size_t size, size_t n, FILE *restrict f)
{
	size_t total = size * n, done = 0;
	char *d = p;

	if (!size || !n)
		return 0;
	if (total / size != n) {
		errno = EOVERFLOW;
		return 0;
	}
	while (done < total) {
		size_t k = f->rlen - f->rpos;
		if (k) {
			k = k < total - done ? k : total - done;
			memcpy(d + done, f->buf + f->rpos, k);
			f->rpos += k;
			done += k;
		} else if (total - done >= f->cap && (f->access & CAN_READ) && !f->len) {
			ssize_t r = read(f->fd, d + done, total - done); /* big: straight in */
			if (r <= 0) {
				f->eof |= r == 0;
				f->error |= r < 0;
				break;
			}
			done += (size_t)r;
		} else if (fill(f) <= 0) {
			break;
		}
	}
	return done / size;
}

int fseek(FILE *f, long off, int whence)
{
	if (whence == SEEK_CUR)
		off -= (long)(f->rlen - f->rpos);
	f->rpos = f->rlen = 0; /* dropped, not given back: off already counts it */
	if (flush_one(f) || lseek(f->fd, off, whence) < 0)
		return -1;
	f->eof = 0;
	return 0;
}

long ftell(FILE *f)
{
	size_t ahead = f->rlen - f->rpos;
	if (f->len && flush_one(f))
		return -1;
	off_t pos = lseek(f->fd, 0, SEEK_CUR);
	return pos < 0 ? -1 : (long)(pos - (off_t)ahead);
}

void rewind(FILE *f)
{
	fseek(f, 0, SEEK_SET);
	clearerr(f);
}

int feof(FILE *f)
{
	return f->eof;
}

size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f)
{
	size_t total = size * n;
	const char *s = p;

	if (!size || !n)
		return 0;
	if (total / size != n) {
		errno = EOVERFLOW;
		return 0;
	}
	if (!(f->access & CAN_WRITE)) {
		f->error = 1;
		errno = EBADF;
		return 0;
	}
	if (f->rlen && flush_one(f))
		return 0;
	if (f->auto_mode) {
		f->auto_mode = 0;
		if (!__libc_fd_interactive(f->fd))
			f->mode = _IOFBF;
	}
	if (f->mode == _IONBF || total >= f->cap) {
		if (flush_one(f) || write_all(f, s, total))
			return 0;
		return n;
	}
	if (total > f->cap - f->len && flush_one(f))
		return 0;
	memcpy(f->buf + f->len, s, total);
	f->len += total;
	if (f->len == f->cap || (f->mode == _IOLBF && memchr(s, '\n', total))) {
		if (flush_one(f))
			return 0;
	}
	return n;
}

int fputc(int c, FILE *f)
{
	unsigned char ch = (unsigned char)c;

	return fwrite(&ch, 1, 1, f) ? ch : EOF;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fputs(const char *restrict s, FILE *restrict f)
{
	size_t n = strlen(s);

	return n == 0 || fwrite(s, 1, n, f) == n ? 0 : EOF;
}

int puts(const char *s)
{
	return fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ? EOF : 0;
}

/*
 * Change f's buffering. Only before the first output to f (ISO C); buf (size bytes)
 * replaces the built-in buffer when not NULL. Returns 0, or EOF for a bad mode.
 */
int setvbuf(FILE *restrict f, char *restrict buf, int mode, size_t size)
{
	if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF)
		return EOF;
	if (flush_one(f))
		return EOF;
	f->mode = mode;
	f->auto_mode = 0;
	if (buf && size) {
		f->buf = buf;
		f->cap = size;
	} else {
		f->buf = f->own;
		f->cap = BUFSIZ;
	}
	return 0;
}

int ferror(FILE *f)
{
	return f->error;
}

void clearerr(FILE *f)
{
	f->error = 0;
	f->eof = 0;
}

struct stream_out {
	struct fmt_out out;
	FILE *f;
	int failed;
	size_t used;
	char stage[256];
};

static void stage_flush(struct stream_out *s)
{
	if (s->used && fwrite(s->stage, 1, s->used, s->f) != s->used)
		s->failed = 1;
	s->used = 0;
}

static void stream_put(struct fmt_out *o, const char *p, size_t n)
{
	struct stream_out *s = (struct stream_out *)o;

	while (n) {
		size_t room = sizeof(s->stage) - s->used;
		size_t k = n < room ? n : room;
		memcpy(s->stage + s->used, p, k);
		s->used += k;
		p += k;
		n -= k;
		if (s->used == sizeof(s->stage))
			stage_flush(s);
	}
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	struct stream_out s = {.out = {stream_put}, .f = f};
	int r = __libc_format(&s.out, fmt, ap);

	stage_flush(&s);
	return s.failed ? -1 : r;
}

int vprintf(const char *restrict fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int printf(const char *restrict fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}
