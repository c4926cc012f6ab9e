/*
 * string.h - the kernel's memory and string primitives.
 *
 * Standard C semantics, so gcc may emit calls to memcpy/memmove/memset/memcmp
 * on its own (struct copies, large initialisers) even in freestanding code.
 * The implementations are plain loops or `rep movsb`/`rep stosb`, built so the
 * compiler cannot turn them back into calls to themselves. No locking, no
 * allocation; safe in any context, including exception handlers.
 *
 * Host tests build string.c with every name prefixed by k_ (see
 * tests/host/test_string.mk) so it does not clash with the C library.
 */
#pragma once
#include <stddef.h>

/* Copy n bytes; the ranges must not overlap. Returns dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
/* Copy n bytes; the ranges may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n);
/* Fill n bytes with (unsigned char)c. Returns dst. */
void *memset(void *dst, int c, size_t n);
/* Compare n bytes as unsigned char: <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n);
/* Length of a NUL-terminated string. */
size_t strlen(const char *s);
/* Length of s, but look at no more than max bytes. */
size_t strnlen(const char *s, size_t max);
/* Compare strings as unsigned char: <0, 0 or >0. */
int strcmp(const char *a, const char *b);
/* Like strcmp() over at most n bytes. */
int strncmp(const char *a, const char *b, size_t n);
/* First occurrence of (char)c in s (the terminator counts), or NULL. */
char *strchr(const char *s, int c);
/*
 * Copy src into dst (size bytes), always NUL-terminating when size > 0.
 * Returns strlen(src); a result >= size means the copy was truncated.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
