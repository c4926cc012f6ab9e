/*
 * log.h - the kernel log: levelled, timestamped lines on every console.
 *
 * klog() formats with kvsnprintf (lib/printf.h), prefixes "[seconds.micros] "
 * from the monotonic clock, and writes the line to serial and, once it exists,
 * the framebuffer console. Safe from any context, including exceptions: output
 * is serialised by a lock that panic() may break.
 *
 * The log keeps the last LOG_RING_SIZE bytes it printed (the history, read by
 * SYS_LOG_HISTORY through log_history_read), and writes a terminal's raw
 * bytes (SYS_LOG_RAW_WRITE) to the serial line under the same lock, so log
 * lines and raw lines never interleave mid-line.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <lib/compiler.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* The history: the last 64 KiB the log printed (static, in the kernel image). */
#define LOG_RING_SIZE (64u * 1024u)

void klog(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
void kvlog(enum log_level level, const char *fmt, va_list ap);
/* Raw output without prefix or newline (used by the test harness and panic). */
void kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Register an output (serial, framebuffer console), replaying the history to it. Boot-time only. */
void log_add_sink(void (*write)(const char *s, size_t len));
/* Unregister it: when this returns, write is not running and will not be called again. */
void log_remove_sink(void (*write)(const char *s, size_t len));
/* Where log_raw_write() goes (the serial line, unchanged). Boot-time only. */
void log_set_raw_sink(void (*write)(const char *s, size_t len));
/*
 * Write s[0..len) to the raw sink only (not the history, not the framebuffer),
 * one line (or 256 bytes) per hold of the log's lock: log lines go between
 * lines, never inside one. Any context but interrupts (it may take long on a
 * real UART).
 */
void log_raw_write(const char *s, size_t len);
/*
 * Copy history bytes from position *pos (bytes since boot; below the oldest
 * kept it starts at the oldest, past the newest at the newest) into
 * buf[0..len), set *pos after the last byte copied, return how many (0: up to
 * date).
 */
size_t log_history_read(uint64_t *pos, char *buf, size_t len);
/* The position after the newest byte of the history. */
uint64_t log_history_end(void);
/* Lines below this level are dropped (default LOG_INFO; "loglevel=debug"). */
void log_set_level(enum log_level level);
/* Reset the output lock; only panic() calls this. */
void log_break_lock(void);

#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
#define pr_info(...) klog(LOG_INFO, __VA_ARGS__)
#define pr_warn(...) klog(LOG_WARN, __VA_ARGS__)
#define pr_err(...) klog(LOG_ERROR, __VA_ARGS__)
