/*
 * debuglog.c - the kernel log as a capability-protected object.
 */
#include <obj/debuglog.h>
#include <lib/log.h>

static void debuglog_destroy(struct kobject *obj)
{
	(void)obj; /* static: the creation reference is never dropped */
}

static const struct kobject_ops debuglog_ops = {.destroy = debuglog_destroy};
static struct kobject log_obj;
static bool log_ready;
static void (*observer)(const char *line, size_t len);

struct kobject *debuglog_object(void)
{
	if (!log_ready) {
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
