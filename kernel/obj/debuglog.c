/*
 * debuglog.c - the kernel log as a capability-protected object, and the
 * console's input.
 *
 * Input: bytes received on the serial line arrive from the UART's interrupt
 * (debuglog_rx, arch/entry.h) into a ring of DEBUGLOG_INPUT_SIZE bytes under
 * in_lock (taken with interrupts off: the interrupt takes it too). When the
 * ring is full the newest bytes are dropped and counted; the next reader logs
 * the count once. Readers sleep on in_wq, which the interrupt wakes, so
 * nothing polls; a waitset sees the log KBUS_EV_READABLE while input waits.
 * The waitq exists once debuglog_object() has run (before any capability to
 * the log does); bytes received before that are kept and wake nobody.
 */
#include <obj/debuglog.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <arch/entry.h>
#include <lib/log.h>
#include <lib/spinlock.h>
#include <sched/waitq.h>
#include <time/clock.h>

static uint32_t debuglog_poll(struct kobject *obj);
static void debuglog_wait_queues(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES]);

static void debuglog_destroy(struct kobject *obj)
{
	(void)obj; /* static: the creation reference is never dropped */
}

static const struct kobject_ops debuglog_ops = {
    .destroy = debuglog_destroy,
    .signals = KBUS_EV_READABLE,
    .poll = debuglog_poll,
    .wait_queues = debuglog_wait_queues,
};
static struct kobject log_obj;
static bool log_ready;
static void (*observer)(const char *line, size_t len);

static struct spinlock in_lock = SPINLOCK_INIT;
static char in_ring[DEBUGLOG_INPUT_SIZE];
static size_t in_head, in_len; /* oldest byte, bytes kept */
static uint64_t in_dropped, in_dropped_told;
static struct waitq in_wq;
static bool in_wq_ready;

struct kobject *debuglog_object(void)
{
	if (!log_ready) {
		waitq_init(&in_wq);
		__atomic_store_n(&in_wq_ready, true, __ATOMIC_RELEASE);
		kobject_init(&log_obj, OBJ_DEBUG_LOG, &debuglog_ops);
		log_ready = true;
	}
	return &log_obj;
}

void debuglog_set_observer(void (*fn)(const char *line, size_t len))
{
	observer = fn;
}

void debuglog_write(const char *who, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		size_t n = i - start;
		if (n > 0 || i < len) {
			if (observer)
				observer(text + start, n);
			klog(LOG_INFO, "%s: %.*s", who, (int)n, text + start);
		}
		start = i + 1;
	}
}

void debuglog_rx(const char *s, size_t len)
{
	uint64_t f = spin_lock_irqsave(&in_lock);
	size_t n = MIN(len, DEBUGLOG_INPUT_SIZE - in_len);
	for (size_t i = 0; i < n; i++)
		in_ring[(in_head + in_len + i) % DEBUGLOG_INPUT_SIZE] = s[i];
	__atomic_store_n(&in_len, in_len + n, __ATOMIC_RELEASE);
	in_dropped += len - n;
	spin_unlock_irqrestore(&in_lock, f);
	if (n && __atomic_load_n(&in_wq_ready, __ATOMIC_ACQUIRE))
		waitq_wake_all(&in_wq);
}

/* Take up to len bytes of input into buf; how many. */
static size_t input_take(char *buf, size_t len)
{
	uint64_t f = spin_lock_irqsave(&in_lock);
	size_t n = MIN(len, in_len);
	for (size_t i = 0; i < n; i++)
		buf[i] = in_ring[(in_head + i) % DEBUGLOG_INPUT_SIZE];
	in_head = (in_head + n) % DEBUGLOG_INPUT_SIZE;
	__atomic_store_n(&in_len, in_len - n, __ATOMIC_RELEASE);
	uint64_t dropped = in_dropped - in_dropped_told;
	in_dropped_told = in_dropped;
	spin_unlock_irqrestore(&in_lock, f);
	if (dropped)
		pr_warn("console: %llu input bytes dropped (the %u-byte buffer was full)",
		        (unsigned long long)dropped, DEBUGLOG_INPUT_SIZE);
	return n;
}

void debuglog_unread(const char *buf, size_t len)
{
	uint64_t f = spin_lock_irqsave(&in_lock);
	size_t n = MIN(len, DEBUGLOG_INPUT_SIZE - in_len);
	buf += len - n; /* what does not fit is the oldest: it goes */
	in_head = (in_head + DEBUGLOG_INPUT_SIZE - n) % DEBUGLOG_INPUT_SIZE;
	for (size_t i = 0; i < n; i++)
		in_ring[(in_head + i) % DEBUGLOG_INPUT_SIZE] = buf[i];
	__atomic_store_n(&in_len, in_len + n, __ATOMIC_RELEASE);
	in_dropped += len - n;
	spin_unlock_irqrestore(&in_lock, f);
	if (n)
		waitq_wake_all(&in_wq);
}

static bool input_waiting(void *arg)
{
	(void)arg;
	return __atomic_load_n(&in_len, __ATOMIC_ACQUIRE) != 0;
}

long debuglog_read(char *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns == WAIT_FOREVER ? WAIT_FOREVER : 0;
	if (timeout_ns != WAIT_FOREVER) {
		uint64_t now = clock_monotonic_ns();
		deadline = timeout_ns > WAIT_FOREVER - now ? WAIT_FOREVER : now + timeout_ns;
	}
	for (;;) {
		size_t n = input_take(buf, len);
		if (n)
			return (long)n;
		if (timeout_ns == 0)
			return ERR_SHOULD_WAIT;
		uint64_t left = WAIT_FOREVER;
		if (deadline != WAIT_FOREVER) {
			uint64_t now = clock_monotonic_ns();
			if (now >= deadline)
				return ERR_TIMED_OUT;
			left = deadline - now;
		}
		int r = waitq_wait(&in_wq, input_waiting, NULL, left);
		if (r)
			return r; /* ERR_TIMED_OUT, ERR_INTERRUPTED */
	}
}

uint64_t debuglog_input_dropped(void)
{
	return __atomic_load_n(&in_dropped, __ATOMIC_RELAXED);
}

static uint32_t debuglog_poll(struct kobject *obj)
{
	(void)obj;
	return input_waiting(NULL) ? KBUS_EV_READABLE : 0;
}

static void debuglog_wait_queues(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES])
{
	(void)obj;
	wq[0] = &in_wq;
}
