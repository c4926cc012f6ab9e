/*
 * string.c - memory and string primitives (see lib/string.h).
 *
 * gcc recognises byte loops and may replace them with calls to memcpy or
 * memset: inside memcpy that is infinite recursion. Every function here is
 * therefore marked NO_LIBCALL, which turns that pattern matching off. In the
 * kernel, memcpy/memset/memmove use the `rep movsq`/`rep stosq` string
 * instructions for the bulk and the byte forms for the tail; host
 * tests use the portable loops so ASan sees every access.
 */
#include <lib/string.h>
#include <stdbool.h>
#include <stdint.h>
#ifndef HOST_TEST
#include <arch/string.h>
#endif

#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
#ifndef HOST_TEST
	arch_copy_forward(dst, src, n);
#else
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
#endif
	return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Forward copy is safe unless dst starts inside (src, src + n). */
	bool forward = (uintptr_t)d - (uintptr_t)s >= n;
#ifndef HOST_TEST
	if (forward) {
		memcpy(d, s, n);
	} else if (n) {
		arch_copy_backward(d + n - 1, s + n - 1, n); /* from the last byte down */
	}
#else
	if (forward) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		while (n--)
			d[n] = s[n];
	}
#endif
	return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
#ifndef HOST_TEST
	arch_fill(dst, (unsigned char)c, n);
#else
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
#endif
	return dst;
}

NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	/* eight bytes at a time while they are equal (names, keys: mostly equal) */
	for (; n >= 8; n -= 8, x += 8, y += 8) {
		uint64_t u, v;
		__builtin_memcpy(&u, x, 8);
		__builtin_memcpy(&v, y, 8);
		if (u != v)
			break;
	}
	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

NO_LIBCALL size_t strlen(const char *s)
{
	const char *p = s;
	while (*p)
		p++;
	return (size_t)(p - s);
}

NO_LIBCALL size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

NO_LIBCALL int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

NO_LIBCALL int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	for (; n; n--, x++, y++) {
		if (*x != *y || !*x)
			return *x - *y;
	}
	return 0;
}

NO_LIBCALL char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

NO_LIBCALL size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
