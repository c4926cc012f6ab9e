/*
 * stdio.c - the output streams stdout and stderr, and the stream front ends of printf.
 *
 * A stream is a file descriptor for __libc_write plus a buffer. stdout is line buffered
 * (text reaches the system at each newline, when the buffer fills, at fflush and at
 * exit), stderr is unbuffered. A printf call to any stream is staged in a small local
 * buffer first, so even an unbuffered stream gets a few large writes rather than one
 * per piece of the format. A failed write sets the stream's error flag and errno EIO;
 * the buffered text is dropped so later output is not blocked forever.
 */
#include <stdio.h>

#include <errno.h>
#include <string.h>

#include "format.h"
#include "sys_hooks.h"

struct __libc_file {
	int fd;
	int mode; /* _IOFBF, _IOLBF, _IONBF */
	int error; /* a write failed; cleared by clearerr */
	char *buf;
	size_t cap, len;
	char own[BUFSIZ];
};

static struct __libc_file out_file = {.fd = 1, .mode = _IOLBF, .buf = out_file.own, .cap = BUFSIZ};
static struct __libc_file err_file = {.fd = 2, .mode = _IONBF, .buf = err_file.own, .cap = BUFSIZ};

FILE *stdout = &out_file;
FILE *stderr = &err_file;

/* Write all n bytes to the stream's descriptor; EOF and the error flag on failure. */
static int write_all(FILE *f, const char *p, size_t n)
{
	while (n) {
		long r = __libc_write(f->fd, p, n);
		if (r <= 0) {
			f->error = 1;
			errno = EIO;
			return EOF;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int flush_one(FILE *f)
{
	size_t n = f->len;

	f->len = 0;
	return write_all(f, f->buf, n);
}

int fflush(FILE *f)
{
	if (f)
		return flush_one(f);
	int r = flush_one(stdout);
	return flush_one(stderr) ? EOF : r;
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
