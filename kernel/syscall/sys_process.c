/*
 * sys_process.c - process and thread actions (include/abi/syscall.h).
 *
 * The dispatcher has decoded each target (syscall/syscall.h). SYS_PROC_GRANT
 * is confined to a process that has not started: after that, capabilities
 * reach a process only through kbus (docs/capabilities.md).
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <cap/cap.h>
#include <cap/invoke.h>
#include <lib/compiler.h>
#include <mm/uaccess.h>
#include <obj/aspace.h>
#include <obj/pool.h>
#include <obj/process.h>

#define NAME_MAX_LEN 31

long sys_proc_create(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cap;
	char name[NAME_MAX_LEN + 1];
	struct proc_create_out out;
	struct process *p;
	if (a[1] > NAME_MAX_LEN)
		return ERR_INVALID_ARGS;
	int r = copy_from_user(name, a[0], a[1]);
	if (r)
		return r;
	name[a[1]] = 0;
	r = process_create(pool, name, &p);
	if (r)
		return r;
	r = cap_insert_root(cs, &p->obj, RIGHTS_ALL, 0, &out.process);
	if (r)
		goto out_proc;
	r = cap_insert_root(cs, &p->as->obj, RIGHTS_ALL, 0, &out.address_space);
	if (r)
		goto out_drop_proc;
	r = copy_to_user(a[2], &out, sizeof(out));
	if (r)
		goto out_drop_as;
	process_set_creator(p, process_current());
	kobject_put(&p->obj); /* the capabilities hold it now */
	return 0;
out_drop_as:
	cap_drop(cs, out.address_space);
out_drop_proc:
	cap_drop(cs, out.process);
out_proc:
	kobject_put(&p->obj);
	return r;
}

/*
 * Only into a process no thread of which has started (process_cs_hold()
 * refuses the others: ERR_BAD_STATE). The granted handle's own errors come
 * first, as abi/syscall.h orders them.
 */
long sys_proc_grant(struct cspace *cs, struct process *p, const struct cap_ref *cap,
                    const uint64_t *a)
{
	(void)cap;
	handle_t child;
	struct cap_ref granted;
	int r = cap_lookup(cs, (handle_t)a[0], OBJ_NONE, RIGHT_TRANSFER, &granted);
	if (r)
		return r;
	cap_ref_put(&granted);
	/* not under p->lock: dropping the new capability again may destroy a thread
	   of p (the source capability dropped meanwhile), which takes p->lock */
	struct cspace *to = process_cs_hold(p);
	if (!to)
		return ERR_BAD_STATE;
	r = cap_derive_to(cs, (handle_t)a[0], to, a[1], 0, &child);
	if (!r) {
		r = copy_to_user(a[2], &child, sizeof(child));
		if (r)
			cap_drop(to, child);
	}
	process_cs_release(p, to);
	return r;
}

/* On the caller's own process: the others are killed, and the dispatcher ends us. */
long sys_proc_kill(struct cspace *cs, struct process *p, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)cap, (void)a;
	process_kill(p, PROC_KILLED, 0);
	if (p == process_current())
		uthread_kill(uthread_current());
	return 0;
}

/* On the caller's own process too: the dispatcher parks the caller as it returns. */
long sys_proc_suspend(struct cspace *cs, struct process *p, const struct cap_ref *cap,
                      const uint64_t *a)
{
	(void)cs, (void)cap, (void)a;
	return process_set_suspended(p, true);
}

long sys_proc_resume(struct cspace *cs, struct process *p, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap, (void)a;
	return process_set_suspended(p, false);
}

long sys_proc_status(struct cspace *cs, struct process *p, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap;
	struct proc_status st;
	process_get_status(p, &st);
	return copy_to_user(a[0], &st, sizeof(st));
}

long sys_proc_wait(struct cspace *cs, struct process *p, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)cap;
	struct proc_status st;
	int r = p == process_current() ? ERR_BAD_STATE : process_wait(p, a[0]);
	if (!r && a[1]) {
		process_get_status(p, &st);
		r = copy_to_user(a[1], &st, sizeof(st));
	}
	return r;
}

long sys_thread_create(struct cspace *cs, struct process *p, const struct cap_ref *cap,
                       const uint64_t *a)
{
	(void)cap;
	struct uthread *t;
	int r = uthread_create(p, &t);
	return r ? r : syscall_publish(cs, &t->obj, RIGHTS_ALL, a[0]);
}

long sys_thread_start(struct cspace *cs, struct uthread *t, const struct cap_ref *cap,
                      const uint64_t *a)
{
	(void)cs, (void)cap;
	return uthread_start(t, a[0], a[1], a[2], a[3], 0, 0);
}

/* On the calling thread: it is marked killed, and the dispatcher ends it. */
long sys_thread_kill(struct cspace *cs, struct uthread *t, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap, (void)a;
	uthread_kill(t); /* while the dispatcher's reference keeps t alive */
	return 0;
}

long sys_thread_wait(struct cspace *cs, struct uthread *t, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap;
	int r = t == uthread_current() ? ERR_BAD_STATE : uthread_wait(t, a[0]);
	if (!r && a[1])
		r = copy_to_user(a[1], &t->exit_code, sizeof(int64_t));
	return r;
}

long sys_thread_info(struct cspace *cs, struct uthread *t, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap;
	struct thread_info info;
	uthread_get_info(t, &info);
	return copy_to_user(a[0], &info, sizeof(info));
}

long sys_thread_set_pager(struct cspace *cs, struct uthread *t, const struct cap_ref *cap,
                          const uint64_t *a)
{
	(void)cap;
	struct cap_ref ep = {0};
	if (a[0]) {
		int r = cap_lookup(cs, (handle_t)a[0], OBJ_ENDPOINT, RIGHT_SEND, &ep);
		if (r)
			return r;
	}
	uthread_set_pager(t, ep.obj);
	cap_ref_put(&ep);
	return 0;
}
