/*
 * stdio.h - streams and formatted output (stdio.c, printf.c, path.c).
 *
 * stdin, stdout and stderr are descriptors 0, 1 and 2 (docs/userspace.md "Descriptors
 * and streams"): stdout is line buffered on a terminal or the log and fully buffered
 * otherwise, stderr unbuffered. fopen opens files of the namespace (fully buffered),
 * named by a URI ("fs:///tmp/x") or a plain path (docs/userspace.md "Files"). Floating
 * point: %f %F %e %E %g %G, exact.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define EOF (-1)
#define BUFSIZ 1024

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define _IOFBF 0 /* fully buffered */
#define _IOLBF 1 /* line buffered */
#define _IONBF 2 /* unbuffered */

typedef struct __libc_file FILE;

extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
#define stdin stdin
#define stdout stdout
#define stderr stderr

int printf(const char *restrict fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *restrict f, const char *restrict fmt, ...) __attribute__((format(printf, 2, 3)));
int sprintf(char *restrict buf, const char *restrict fmt, ...)
    __attribute__((format(printf, 2, 3)));
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vprintf(const char *restrict fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int putchar(int c);
int fputs(const char *restrict s, FILE *restrict f);
int puts(const char *s);
size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f);
int fflush(FILE *f);
int setvbuf(FILE *restrict f, char *restrict buf, int mode, size_t size);
int ferror(FILE *f);
void clearerr(FILE *f);

/* mode: "r", "w", "a", each with an optional "+" (read and write), "b" (ignored) and, for
 * "w", "x" (fail with EEXIST if the file exists). A bad mode is EINVAL. */
FILE *fopen(const char *restrict path, const char *restrict mode);
/* A stream on descriptor fd (mode as fopen's; the descriptor's own access decides). */
FILE *fdopen(int fd, const char *mode);
/* Flushes f and closes its descriptor (stdin, stdout, stderr too). */
int fclose(FILE *f);
int fileno(FILE *f);
int fgetc(FILE *f);
int getc(FILE *f);
int getchar(void);
/* Push c back (one character is always possible, more while there is room). */
int ungetc(int c, FILE *f);
/* Read up to and including delim ('\n' for getline) into *line (malloc'd, grown as
 * needed, *cap its size); the length, or -1 at the end of input or on an error. */
ssize_t getdelim(char **restrict line, size_t *restrict cap, int delim, FILE *restrict f);
ssize_t getline(char **restrict line, size_t *restrict cap, FILE *restrict f);
/* "s: <strerror(errno)>\n" on stderr (just the message if s is NULL or ""). */
void perror(const char *s);
char *fgets(char *restrict s, int n, FILE *restrict f);
size_t fread(void *restrict p, size_t size, size_t n, FILE *restrict f);
int fseek(FILE *f, long off, int whence);
long ftell(FILE *f);
void rewind(FILE *f);
int feof(FILE *f);
int remove(const char *path); /* a file or an empty directory */
int rename(const char *from, const char *to);
