/*
 * sys_self.c - actions on the caller itself, on any capability (derive,
 * duplicate, drop, revoke, inspect) and on the kernel log.
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <cap/cap.h>
#include <cap/invoke.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <obj/debuglog.h>
#include <obj/process.h>
#include <sched/sched.h>
#include <time/clock.h>

#define LOG_WRITE_MAX 4096

long sys_self_null(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)cs, (void)target, (void)a;
	return 0;
}

long sys_self_thread_exit(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)cs, (void)target;
	uthread_exit_current((int64_t)a[0]);
}

long sys_self_process_exit(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)cs, (void)target;
	process_kill(process_current(), PROC_EXITED, (int)a[0]);
	uthread_exit_current((int64_t)a[0]);
}

long sys_self_yield(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)cs, (void)target, (void)a;
	sched_yield();
	return 0;
}

long sys_self_clock(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)cs, (void)target, (void)a;
	return (long)clock_monotonic_ns();
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

long sys_self_sleep(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)cs, (void)target;
	struct waitq wq;
	waitq_init(&wq);
	int r = waitq_wait(&wq, never, NULL, a[0]); /* interruptible by kill */
	return r == ERR_TIMED_OUT ? 0 : r;
}

/*
 * derive/duplicate write the new handle only after the handle, type and
 * rights checks, so errors come in the order include/abi/syscall.h states.
 */

long sys_cap_derive(struct cspace *cs, handle_t target, const uint64_t *a)
{
	handle_t out;
	int r = cap_derive(cs, target, a[0], a[1], &out);
	return r ? r : syscall_put_handle(cs, out, a[2]);
}

long sys_cap_duplicate(struct cspace *cs, handle_t target, const uint64_t *a)
{
	handle_t out;
	int r = cap_duplicate(cs, target, &out);
	return r ? r : syscall_put_handle(cs, out, a[0]);
}

long sys_cap_drop(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)a;
	return cap_drop(cs, target);
}

long sys_cap_revoke(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)a;
	return cap_revoke(cs, target);
}

long sys_cap_inspect(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_info info;
	int r = cap_inspect(cs, target, &info);
	if (r)
		return r;
	return copy_to_user(a[0], &info, sizeof(info));
}

long sys_log_write(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int r = cap_lookup(cs, target, OBJ_DEBUG_LOG, RIGHT_WRITE, &ref);
	if (r)
		return r;
	size_t len = a[1];
	if (len > LOG_WRITE_MAX) {
		r = ERR_INVALID_ARGS;
		goto out;
	}
	char *buf = kmalloc(len + 1);
	if (!buf) {
		r = ERR_NO_MEMORY;
		goto out;
	}
	r = copy_from_user(buf, a[0], len);
	if (!r)
		debuglog_write(process_current()->name, buf, len);
	kfree(buf);
out:
	cap_ref_put(&ref);
	return r ? r : (long)len;
}
