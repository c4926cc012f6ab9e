/*
 * sys_self.c - actions on the caller itself, on any capability (derive,
 * duplicate, drop, revoke, inspect). The kernel log's are in sys_log.c.
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <cap/cap.h>
#include <cap/invoke.h>
#include <mm/uaccess.h>
#include <obj/process.h>
#include <sched/sched.h>
#include <time/clock.h>

long sys_self_null(struct cspace *cs, const uint64_t *a)
{
	(void)cs, (void)a;
	return 0;
}

long sys_self_thread_exit(struct cspace *cs, const uint64_t *a)
{
	(void)cs;
	uthread_exit_current((int64_t)a[0]);
}

long sys_self_process_exit(struct cspace *cs, const uint64_t *a)
{
	(void)cs;
	process_kill(process_current(), PROC_EXITED, (int)a[0]);
	uthread_exit_current((int64_t)a[0]);
}

long sys_self_yield(struct cspace *cs, const uint64_t *a)
{
	(void)cs, (void)a;
	sched_yield();
	return 0;
}

long sys_self_clock(struct cspace *cs, const uint64_t *a)
{
	(void)cs, (void)a;
	return (long)clock_monotonic_ns();
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

long sys_self_sleep(struct cspace *cs, const uint64_t *a)
{
	(void)cs;
	struct waitq wq;
	waitq_init(&wq);
	int r = waitq_wait(&wq, never, NULL, a[0]); /* interruptible by kill */
	return r == ERR_TIMED_OUT ? 0 : r;
}

/* abi/sched.h: an absolute deadline on the SYS_SELF_CLOCK timeline. */
long sys_self_sleep_until(struct cspace *cs, const uint64_t *a)
{
	(void)cs;
	struct waitq wq;
	waitq_init(&wq);
	for (;;) {
		uint64_t now = clock_monotonic_ns();
		if (now >= a[0])
			return 0;
		int r = waitq_wait(&wq, never, NULL, a[0] - now); /* interruptible by kill */
		if (r != ERR_TIMED_OUT)
			return r;
	}
}

/*
 * The cap_* actions work on the capability in the target's slot: the
 * dispatcher has decoded it (any type, the row's rights), and the cap layer
 * operates on the slot under its own locks. derive/duplicate write the new
 * handle last (syscall_put_handle drops it again if that faults).
 */

long sys_cap_derive(struct cspace *cs, handle_t slot, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cap;
	handle_t out;
	int r = cap_derive(cs, slot, a[0], a[1], &out);
	return r ? r : syscall_put_handle(cs, out, a[2]);
}

long sys_cap_duplicate(struct cspace *cs, handle_t slot, const struct cap_ref *cap,
                       const uint64_t *a)
{
	(void)cap;
	handle_t out;
	int r = cap_duplicate(cs, slot, &out);
	return r ? r : syscall_put_handle(cs, out, a[0]);
}

/* A SLOT target: nothing decoded, no right needed; cap_drop() says ERR_BAD_HANDLE. */
long sys_cap_drop(struct cspace *cs, handle_t slot, const uint64_t *a)
{
	(void)a;
	return cap_drop(cs, slot);
}

long sys_cap_revoke(struct cspace *cs, handle_t slot, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cap, (void)a;
	return cap_revoke(cs, slot);
}

long sys_cap_inspect(struct cspace *cs, handle_t slot, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cap;
	struct cap_info info;
	int r = cap_inspect(cs, slot, &info);
	return r ? r : copy_to_user(a[0], &info, sizeof(info));
}
