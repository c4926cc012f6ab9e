/*
 * sys_log.c - actions on the kernel log (OBJ_DEBUG_LOG): write a log line,
 * read the history, and the serial console's raw input and output
 * (include/abi/syscall.h documents each).
 *
 * Every call moves at most LOG_IO_MAX bytes through one kernel buffer of that
 * size, allocated for the call and freed before it returns, so what a caller
 * can make the kernel hold is bounded by LOG_IO_MAX per running thread.
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/syscall.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <obj/debuglog.h>
#include <obj/process.h>

/* SYS_LOG_WRITE and SYS_LOG_RAW_WRITE: the caller's a[1] bytes at a[0], as lines or raw. */
static long write_action(const uint64_t *a, bool raw)
{
	size_t len = a[1];
	if (len > LOG_IO_MAX)
		return ERR_INVALID_ARGS;
	char *buf = kmalloc(len + 1);
	if (!buf)
		return ERR_NO_MEMORY;
	int r = copy_from_user(buf, a[0], len);
	if (!r && raw)
		log_raw_write(buf, len);
	else if (!r)
		debuglog_write(process_current()->name, buf, len);
	kfree(buf);
	return r ? r : (long)len;
}

long sys_log_write(struct cspace *cs, struct kobject *log, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)log, (void)cap;
	return write_action(a, false);
}

long sys_log_raw_write(struct cspace *cs, struct kobject *log, const struct cap_ref *cap,
                       const uint64_t *a)
{
	(void)cs, (void)log, (void)cap;
	return write_action(a, true);
}

long sys_log_read(struct cspace *cs, struct kobject *log, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)log, (void)cap;
	size_t len = MIN(a[1], (uint64_t)LOG_IO_MAX);
	if (len == 0)
		return ERR_INVALID_ARGS;
	if (!user_range_ok(a[0], len))
		return ERR_BAD_ADDRESS;
	char *buf = kmalloc(len);
	if (!buf)
		return ERR_NO_MEMORY;
	long n = debuglog_read(buf, len, a[2]);
	if (n > 0 && copy_to_user(a[0], buf, (size_t)n) != 0) {
		debuglog_unread(buf, (size_t)n); /* the next read gets them */
		n = ERR_BAD_ADDRESS;
	}
	kfree(buf);
	return n;
}

long sys_log_history(struct cspace *cs, struct kobject *log, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)log, (void)cap;
	size_t len = MIN(a[2], (uint64_t)LOG_IO_MAX);
	uint64_t pos;
	int r = copy_from_user(&pos, a[0], sizeof(pos));
	if (r)
		return r;
	if (len && !user_range_ok(a[1], len))
		return ERR_BAD_ADDRESS;
	char *buf = kmalloc(len ? len : 1);
	if (!buf)
		return ERR_NO_MEMORY;
	size_t n = log_history_read(&pos, buf, len);
	r = copy_to_user(a[1], buf, n);
	kfree(buf);
	if (!r)
		r = copy_to_user(a[0], &pos, sizeof(pos));
	return r ? r : (long)n;
}
