/*
 * string.c - memory and string functions.
 *
 * Plain, obviously correct loops. memcpy, memmove and memset, where programs spend
 * their time, are in mem.S. This file must be compiled with
 * -fno-tree-loop-distribute-patterns (mk/user.mk does), or GCC turns its loops into
 * calls to memset or memcpy. strerror names both errno values and the system's ERR_
 * codes, since libcharlotte returns the latter.
 */
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <abi/errors.h>

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

void *memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = (const unsigned char *)s + n;

	while (n--) {
		if (*--p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
	char *d = dst + strlen(dst);

	for (; n && *src; n--)
		*d++ = *src++;
	*d = '\0';
	return dst;
}

/* Copy at most size-1 bytes and always terminate (size > 0); returns strlen(src). */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* Append within a buffer of size bytes; returns the length it tried to create. */
size_t strlcat(char *restrict dst, const char *restrict src, size_t size)
{
	size_t used = strnlen(dst, size);

	if (used == size)
		return size + strlen(src);
	return used + strlcpy(dst + used, src, size - used);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	if (!n)
		return (char *)haystack;
	for (; (haystack = strchr(haystack, *needle)); haystack++) {
		if (!strncmp(haystack, needle, n))
			return (char *)haystack;
	}
	return NULL;
}

size_t strspn(const char *s, const char *accept)
{
	size_t n = 0;

	while (s[n] && strchr(accept, s[n]))
		n++;
	return n;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

char *strpbrk(const char *s, const char *accept)
{
	s += strcspn(s, accept);
	return *s ? (char *)s : NULL;
}

char *strtok_r(char *restrict s, const char *restrict delim, char **restrict save)
{
	if (!s)
		s = *save;
	s += strspn(s, delim);
	if (!*s) {
		*save = s;
		return NULL;
	}
	char *end = s + strcspn(s, delim);
	if (*end)
		*end++ = '\0';
	*save = end;
	return s;
}

char *strtok(char *restrict s, const char *restrict delim)
{
	static char *save = "";

	return strtok_r(s, delim, &save);
}

char *strdup(const char *s)
{
	return strndup(s, (size_t)-1);
}

char *strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int strcasecmp(const char *a, const char *b)
{
	return strncasecmp(a, b, (size_t)-1);
}

int strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int x = lower((unsigned char)*a), y = lower((unsigned char)*b);
		if (x != y || !x)
			return x - y;
	}
	return 0;
}

static const char *const errno_names[] = {
    [0] = "Success",
    [EPERM] = "Operation not permitted",
    [ENOENT] = "No such file or directory",
    [ESRCH] = "No such process",
    [EINTR] = "Interrupted system call",
    [EIO] = "Input/output error",
    [E2BIG] = "Argument list too long",
    [EBADF] = "Bad file descriptor",
    [EAGAIN] = "Resource temporarily unavailable",
    [ENOMEM] = "Cannot allocate memory",
    [EACCES] = "Permission denied",
    [EFAULT] = "Bad address",
    [EBUSY] = "Device or resource busy",
    [EEXIST] = "File exists",
    [EXDEV] = "Invalid cross-device link",
    [ENODEV] = "No such device",
    [ENOTDIR] = "Not a directory",
    [EISDIR] = "Is a directory",
    [EINVAL] = "Invalid argument",
    [ENFILE] = "Too many open files in system",
    [EMFILE] = "Too many open files",
    [ENOTTY] = "Not a terminal",
    [EFBIG] = "File too large",
    [ENOSPC] = "No space left on device",
    [ESPIPE] = "Illegal seek",
    [EPIPE] = "Broken pipe",
    [EDOM] = "Numerical argument out of domain",
    [ERANGE] = "Numerical result out of range",
    [EDEADLK] = "Resource deadlock avoided",
    [ENAMETOOLONG] = "File name too long",
    [ENOSYS] = "Function not implemented",
    [ENOTEMPTY] = "Directory not empty",
    [ELOOP] = "Too many levels of symbolic links",
    [EOVERFLOW] = "Value too large for defined data type",
    [EILSEQ] = "Invalid or incomplete multibyte or wide character",
    [ENOTSUP] = "Operation not supported",
    [ETIMEDOUT] = "Connection timed out",
    [EHOSTUNREACH] = "No route to host",
    [ECANCELED] = "Operation canceled",
};

/* Indexed by -code; the words follow the comments of include/abi/errors.h. */
static const char *const err_names[] = {
    [-ERR_INTERNAL] = "Internal error",
    [-ERR_NOT_SUPPORTED] = "Action not supported",
    [-ERR_INVALID_ARGS] = "Invalid arguments",
    [-ERR_BAD_STATE] = "Bad state for this action",
    [-ERR_TIMED_OUT] = "Timed out",
    [-ERR_INTERRUPTED] = "Wait interrupted",
    [-ERR_NO_MEMORY] = "Out of memory",
    [-ERR_NO_RESOURCES] = "No resources left",
    [-ERR_SHOULD_WAIT] = "Would block",
    [-ERR_BUFFER_TOO_SMALL] = "Buffer too small",
    [-ERR_BAD_HANDLE] = "Bad handle",
    [-ERR_WRONG_TYPE] = "Wrong object type",
    [-ERR_ACCESS_DENIED] = "Access denied",
    [-ERR_BAD_ADDRESS] = "Bad address",
    [-ERR_OUT_OF_RANGE] = "Out of range",
    [-ERR_ALREADY_EXISTS] = "Already exists",
    [-ERR_NOT_FOUND] = "Not found",
    [-ERR_MALFORMED] = "Malformed data",
    [-ERR_TRUNCATED] = "Truncated data",
    [-ERR_CHECKSUM] = "Checksum mismatch",
    [-ERR_PEER_CLOSED] = "Peer closed",
    [-ERR_NO_HOST] = "No such host",
    [-ERR_CROSS_PROVIDER] = "Across providers",
    [-ERR_LOOP] = "Too many links",
    [-ERR_IO] = "Device I/O error",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

char *strerror(int err)
{
	const char *msg = NULL;

	if (err >= 0 && (size_t)err < COUNT(errno_names))
		msg = errno_names[err];
	else if (err < 0 && err > -(int)COUNT(err_names))
		msg = err_names[-err];
	return (char *)(msg ? msg : "Unknown error");
}
