/*
 * sys_process.c - process and thread actions (include/abi/syscall.h).
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

long sys_proc_create(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref pool;
	char name[NAME_MAX_LEN + 1];
	struct proc_create_out out;
	struct process *p;
	int r = cap_lookup(cs, target, OBJ_MEMORY_POOL, RIGHT_CREATE, &pool);
	if (r)
		return r;
	if (a[1] > NAME_MAX_LEN || !user_range_ok(a[2], sizeof(out))) {
		r = a[1] > NAME_MAX_LEN ? ERR_INVALID_ARGS : ERR_BAD_ADDRESS;
		goto out_pool;
	}
	r = copy_from_user(name, a[0], a[1]);
	if (r)
		goto out_pool;
	name[a[1]] = 0;
	r = process_create(container_of(pool.obj, struct mem_pool, obj), name, &p);
	if (r)
		goto out_pool;
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
	cap_ref_put(&pool);
	return 0;
out_drop_as:
	cap_drop(cs, out.address_space);
out_drop_proc:
	cap_drop(cs, out.process);
out_proc:
	kobject_put(&p->obj);
out_pool:
	cap_ref_put(&pool);
	return r;
}

long sys_proc_grant(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	handle_t child;
	int r = cap_lookup(cs, target, OBJ_PROCESS, RIGHT_MANAGE, &ref);
	if (r)
		return r;
	struct process *p = container_of(ref.obj, struct process, obj);
	struct cap_ref granted;
	/* a wide handle is refused before any lookup: never a truncated one */
	r = a[0] >> 32 ? ERR_BAD_HANDLE
	               : cap_lookup(cs, (handle_t)a[0], OBJ_NONE, RIGHT_TRANSFER, &granted);
	if (r)
		goto out;
	cap_ref_put(&granted);
	if (!user_range_ok(a[2], sizeof(child))) {
		r = ERR_BAD_ADDRESS;
		goto out;
	}
	/* not under p->lock: dropping the new capability again may destroy a thread
	   of p (the source capability dropped meanwhile), which takes p->lock */
	struct cspace *to = process_cs_hold(p);
	if (!to) {
		r = ERR_BAD_STATE;
		goto out;
	}
	r = cap_derive_to(cs, (handle_t)a[0], to, a[1], 0, &child);
	if (!r) {
		r = copy_to_user(a[2], &child, sizeof(child));
		if (r)
			cap_drop(to, child);
	}
	process_cs_release(p, to);
out:
	cap_ref_put(&ref);
	return r;
}

long sys_proc_kill(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)a;
	struct cap_ref ref;
	int r = cap_lookup(cs, target, OBJ_PROCESS, RIGHT_MANAGE, &ref);
	if (r)
		return r;
	struct process *p = container_of(ref.obj, struct process, obj);
	bool self = p == process_current();
	if (!self)
		process_kill(p, PROC_KILLED, 0);
	cap_ref_put(&ref);
	if (self) {
		process_kill(p, PROC_KILLED, 0);
		uthread_exit_current(-1);
	}
	return 0;
}

long sys_proc_status(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct proc_status st;
	int r = cap_lookup(cs, target, OBJ_PROCESS, RIGHT_INSPECT, &ref);
	if (r)
		return r;
	process_get_status(container_of(ref.obj, struct process, obj), &st);
	cap_ref_put(&ref);
	return copy_to_user(a[0], &st, sizeof(st));
}

long sys_proc_wait(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct proc_status st;
	int r = cap_lookup(cs, target, OBJ_PROCESS, RIGHT_WAIT, &ref);
	if (r)
		return r;
	struct process *p = container_of(ref.obj, struct process, obj);
	if (a[1] && !user_range_ok(a[1], sizeof(st))) {
		r = ERR_BAD_ADDRESS;
		goto out;
	}
	r = p == process_current() ? ERR_BAD_STATE : process_wait(p, a[0]);
	if (!r && a[1]) {
		process_get_status(p, &st);
		r = copy_to_user(a[1], &st, sizeof(st));
	}
out:
	cap_ref_put(&ref);
	return r;
}

long sys_thread_create(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	struct uthread *t;
	handle_t h;
	int r = cap_lookup(cs, target, OBJ_PROCESS, RIGHT_MANAGE, &ref);
	if (r)
		return r;
	if (!user_range_ok(a[0], sizeof(h))) {
		r = ERR_BAD_ADDRESS;
		goto out;
	}
	r = uthread_create(container_of(ref.obj, struct process, obj), &t);
	if (r)
		goto out;
	r = (int)syscall_publish(cs, &t->obj, RIGHTS_ALL, a[0]);
out:
	cap_ref_put(&ref);
	return r;
}

long sys_thread_start(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int r = cap_lookup(cs, target, OBJ_THREAD, RIGHT_MANAGE, &ref);
	if (r)
		return r;
	r = uthread_start(container_of(ref.obj, struct uthread, obj), a[0], a[1], a[2], a[3], 0, 0);
	cap_ref_put(&ref);
	return r;
}

long sys_thread_kill(struct cspace *cs, handle_t target, const uint64_t *a)
{
	(void)a;
	struct cap_ref ref;
	int r = cap_lookup(cs, target, OBJ_THREAD, RIGHT_MANAGE, &ref);
	if (r)
		return r;
	struct uthread *t = container_of(ref.obj, struct uthread, obj);
	if (t == uthread_current()) {
		cap_ref_put(&ref);
		uthread_exit_current(-1);
	}
	uthread_kill(t); /* while our reference keeps t alive */
	cap_ref_put(&ref);
	return 0;
}

long sys_thread_wait(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int r = cap_lookup(cs, target, OBJ_THREAD, RIGHT_WAIT, &ref);
	if (r)
		return r;
	struct uthread *t = container_of(ref.obj, struct uthread, obj);
	if (a[1] && !user_range_ok(a[1], sizeof(int64_t))) {
		r = ERR_BAD_ADDRESS;
		goto out;
	}
	r = t == uthread_current() ? ERR_BAD_STATE : uthread_wait(t, a[0]);
	if (!r && a[1])
		r = copy_to_user(a[1], &t->exit_code, sizeof(int64_t));
out:
	cap_ref_put(&ref);
	return r;
}

long sys_thread_set_pager(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref, ep = {0};
	int r = cap_lookup(cs, target, OBJ_THREAD, RIGHT_MANAGE, &ref);
	if (r)
		return r;
	if (a[0]) {
		r = a[0] >> 32 ? ERR_BAD_HANDLE
		               : cap_lookup(cs, (handle_t)a[0], OBJ_ENDPOINT, RIGHT_SEND, &ep);
		if (r)
			goto out;
	}
	uthread_set_pager(container_of(ref.obj, struct uthread, obj), ep.obj);
	cap_ref_put(&ep);
out:
	cap_ref_put(&ref);
	return r;
}
