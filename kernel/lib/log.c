/*
 * log.c - the kernel log.
 *
 * Every line is "[   s.uuuuuu] L message" where L is D/I/W/E, written to each
 * registered sink (serial from the start, the framebuffer console once it is
 * up). One lock serialises lines so output from several CPUs does not
 * interleave; panic() calls log_break_lock() so a CPU that died holding it
 * cannot silence the panic message. The first LOG_HISTORY bytes are kept and
 * replayed to a sink registered later, so the framebuffer console shows the
 * boot from its first line.
 */
#include <lib/log.h>
#include <lib/printf.h>
#include <lib/spinlock.h>
#include <time/clock.h>

#define LOG_MAX_SINKS 4
#define LOG_LINE_MAX 512
#define LOG_HISTORY 8192 /* early output replayed to sinks that join later */

static void (*sinks[LOG_MAX_SINKS])(const char *s, size_t len);
static unsigned sink_count;
static struct spinlock log_lock = SPINLOCK_INIT;
static enum log_level min_level = LOG_INFO;
static char history[LOG_HISTORY];
static size_t history_len;

void log_add_sink(void (*write)(const char *s, size_t len))
{
	if (sink_count >= LOG_MAX_SINKS)
		return;
	uint64_t flags = spin_lock_irqsave(&log_lock);
	write(history, history_len); /* what was said before this sink existed */
	sinks[sink_count++] = write;
	spin_unlock_irqrestore(&log_lock, flags);
}

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_break_lock(void)
{
	spin_init(&log_lock);
}

static void emit(const char *s, size_t len)
{
	for (unsigned i = 0; i < sink_count; i++)
		sinks[i](s, len);
	/* keep the beginning of the boot log (until the buffer is full) */
	size_t n = MIN(len, LOG_HISTORY - history_len);
	for (size_t i = 0; i < n; i++)
		history[history_len + i] = s[i];
	history_len += n;
}

void kvlog(enum log_level level, const char *fmt, va_list ap)
{
	static const char tag[] = "DIWE";
	static const char *const colour[] = {"\033[90m", "", "\033[33m", "\033[31m"};
	char line[LOG_LINE_MAX];
	if (level < min_level)
		return;
	uint64_t ns = clock_monotonic_ns();
	int n = ksnprintf(
	    line, sizeof(line), "[%5llu.%06llu] %c %s", (unsigned long long)(ns / 1000000000ull),
	    (unsigned long long)(ns / 1000ull % 1000000ull), tag[level & 3], colour[level & 3]);
	if (n < 0 || n >= (int)sizeof(line))
		n = 0;
	int m = kvsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : MIN((size_t)m, sizeof(line) - (size_t)n - 1));
	const char *end = level == LOG_INFO ? "\n" : "\033[0m\n";
	uint64_t flags = spin_lock_irqsave(&log_lock);
	emit(line, len);
	emit(end, __builtin_strlen(end));
	spin_unlock_irqrestore(&log_lock, flags);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvlog(level, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = MIN((size_t)n, sizeof(buf) - 1);
	uint64_t flags = spin_lock_irqsave(&log_lock);
	emit(buf, len);
	spin_unlock_irqrestore(&log_lock, flags);
}
