/*
 * format.h - the libc's entry to the printf core (<shared/fmt.h>), shared by the
 * string (printf.c) and stream (stdio.c) front ends. Private to the libc.
 */
#pragma once

#include <stdarg.h>

#include <shared/fmt.h>

/*
 * Format fmt with ap into out, with the libc's floating point, %n and q/L added to the
 * core (out->extend is set here). Returns the number of characters produced, or -1
 * with errno EOVERFLOW when that does not fit an int (the text is still produced).
 */
int __libc_format(struct fmt_out *out, const char *fmt, va_list ap);
