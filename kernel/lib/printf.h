/*
 * printf.h - bounded string formatting for the kernel (klog, panic, debug).
 *
 * C99 snprintf semantics: the output is always NUL-terminated when size > 0,
 * and the return value is the length the full output would have had, so
 * `ret >= size` means it was truncated. The dialect is the shared printf
 * core's (<shared/fmt.h>, the same code as user space's printf): flags
 * - 0 + space #, width and precision (either may be *), length modifiers
 * hh h l ll z t j, conversions d i u x X o p s c %. No floating point (the
 * kernel is built with -mgeneral-regs-only) and no %n: like any unknown
 * conversion they are copied through literally. Reentrant, no locks, no
 * allocation: safe anywhere.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <lib/compiler.h>

/* Format into buf (at most size bytes including the NUL); returns the untruncated length. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Variadic form of kvsnprintf(). */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
