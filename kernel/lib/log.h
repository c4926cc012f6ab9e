/*
 * log.h - the kernel log: levelled, timestamped lines on every console.
 *
 * klog() formats with kvsnprintf (lib/printf.h), prefixes "[seconds.micros] "
 * from the monotonic clock, and writes the line to serial and, once it exists,
 * the framebuffer console. Safe from any context, including exceptions: output
 * is serialised by a lock that panic() may break.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <lib/compiler.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void klog(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
void kvlog(enum log_level level, const char *fmt, va_list ap);
/* Raw output without prefix or newline (used by the test harness and panic). */
void kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Register an output (serial, framebuffer console). Boot-time only. */
void log_add_sink(void (*write)(const char *s, size_t len));
/* Lines below this level are dropped (default LOG_INFO; "loglevel=debug"). */
void log_set_level(enum log_level level);
/* Reset the output lock; only panic() calls this. */
void log_break_lock(void);

#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
#define pr_info(...) klog(LOG_INFO, __VA_ARGS__)
#define pr_warn(...) klog(LOG_WARN, __VA_ARGS__)
#define pr_err(...) klog(LOG_ERROR, __VA_ARGS__)
