/*
 * log.c - the kernel log.
 *
 * Every line is "[   s.uuuuuu] L message" where L is D/I/W/E, written to each
 * registered sink (serial from the start, the framebuffer console once it is
 * up). One lock serialises lines so output from several CPUs does not
 * interleave; panic() calls log_break_lock() so a CPU that died holding it
 * cannot silence the panic message.
 *
 * Everything emitted is also kept in a ring of the last LOG_RING_SIZE bytes,
 * addressed by byte position since boot (ring_end is the position of the next
 * byte): SYS_LOG_HISTORY reads it (log_history_read), and a sink registered
 * later gets what the ring holds first, so the framebuffer console shows the
 * boot from its first line. Raw writes (log_raw_write, a terminal's bytes on
 * the serial line) go to the raw sink only, never to the ring: the history is
 * the kernel's and its programs' log lines, not a terminal session.
 */
#include <lib/log.h>
#include <lib/printf.h>
#include <lib/spinlock.h>
#include <time/clock.h>

#define LOG_MAX_SINKS 4
#define LOG_LINE_MAX 512
#define LOG_RAW_CHUNK 256 /* raw bytes written in one hold of the lock, at most */

static void (*sinks[LOG_MAX_SINKS])(const char *s, size_t len);
static unsigned sink_count;
static void (*raw_sink)(const char *s, size_t len);
static struct spinlock log_lock = SPINLOCK_INIT;
static enum log_level min_level = LOG_INFO;
static char ring[LOG_RING_SIZE];
static uint64_t ring_end; /* bytes ever emitted: the position after the newest */

static uint64_t ring_oldest(void)
{
	return ring_end > LOG_RING_SIZE ? ring_end - LOG_RING_SIZE : 0;
}

/* Copy ring bytes [pos, pos + n) (all kept) to buf; log_lock held. */
static void ring_copy(char *buf, uint64_t pos, size_t n)
{
	size_t at = (size_t)(pos % LOG_RING_SIZE);
	size_t first = MIN(n, LOG_RING_SIZE - at);
	__builtin_memcpy(buf, ring + at, first);
	__builtin_memcpy(buf + first, ring, n - first);
}

void log_add_sink(void (*write)(const char *s, size_t len))
{
	if (sink_count >= LOG_MAX_SINKS)
		return;
	uint64_t flags = spin_lock_irqsave(&log_lock);
	/* what was said before this sink existed, oldest first */
	size_t at = (size_t)(ring_oldest() % LOG_RING_SIZE);
	size_t kept = (size_t)(ring_end - ring_oldest());
	size_t first = MIN(kept, LOG_RING_SIZE - at);
	write(ring + at, first);
	write(ring, kept - first);
	sinks[sink_count++] = write;
	spin_unlock_irqrestore(&log_lock, flags);
}

void log_remove_sink(void (*write)(const char *s, size_t len))
{
	uint64_t flags = spin_lock_irqsave(&log_lock);
	for (unsigned i = 0; i < sink_count; i++) {
		if (sinks[i] != write)
			continue;
		for (unsigned j = i + 1; j < sink_count; j++)
			sinks[j - 1] = sinks[j];
		sink_count--;
		break;
	}
	spin_unlock_irqrestore(&log_lock, flags);
}

void log_set_raw_sink(void (*write)(const char *s, size_t len))
{
	raw_sink = write;
}

void log_raw_write(const char *s, size_t len)
{
	while (len) {
		size_t n = 0;
		while (n < len && n < LOG_RAW_CHUNK && s[n++] != '\n')
			;
		uint64_t flags = spin_lock_irqsave(&log_lock);
		if (raw_sink)
			raw_sink(s, n);
		spin_unlock_irqrestore(&log_lock, flags);
		s += n;
		len -= n;
	}
}

size_t log_history_read(uint64_t *pos, char *buf, size_t len)
{
	uint64_t flags = spin_lock_irqsave(&log_lock);
	uint64_t p = MAX(*pos, ring_oldest());
	p = MIN(p, ring_end);
	size_t n = (size_t)MIN((uint64_t)len, ring_end - p);
	ring_copy(buf, p, n);
	*pos = p + n;
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

uint64_t log_history_end(void)
{
	uint64_t flags = spin_lock_irqsave(&log_lock);
	uint64_t end = ring_end;
	spin_unlock_irqrestore(&log_lock, flags);
	return end;
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
	if (len > LOG_RING_SIZE) {
		s += len - LOG_RING_SIZE;
		ring_end += len - LOG_RING_SIZE;
		len = LOG_RING_SIZE;
	}
	size_t at = (size_t)(ring_end % LOG_RING_SIZE);
	size_t first = MIN(len, LOG_RING_SIZE - at);
	__builtin_memcpy(ring + at, s, first);
	__builtin_memcpy(ring, s + first, len - first);
	ring_end += len;
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
