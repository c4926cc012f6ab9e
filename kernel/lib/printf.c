/*
 * printf.c - kvsnprintf(), the kernel's formatter (see lib/printf.h): the bounded
 * buffer front end of the printf core shared with user space (<shared/fmt.h>).
 *
 * No extend() callback: the kernel has no floating point, so %f and the like, and
 * %n, are copied through as written.
 */
#include <lib/printf.h>
#include <shared/fmt.h>
#include <stdint.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t len = fmt_vsnprintf(buf, size, NULL, fmt, ap);

	return len > INT32_MAX ? INT32_MAX : (int)len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
