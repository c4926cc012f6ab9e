/*
 * format.h - the printf engine shared by the string (printf.c) and stream (stdio.c)
 * front ends. Private to the libc.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* Where formatted text goes: put() receives it in pieces, in order. */
struct fmt_out {
	void (*put)(struct fmt_out *out, const char *s, size_t n);
};

/*
 * Format fmt with ap into out. Returns the number of characters produced, or -1 with
 * errno EOVERFLOW when that does not fit an int (the text is still produced).
 */
int __libc_format(struct fmt_out *out, const char *fmt, va_list ap);
