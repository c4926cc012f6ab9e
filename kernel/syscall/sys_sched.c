/*
 * sys_sched.c - the scheduler's actions (include/abi/sched.h documents each):
 * a thread's weight and affinity (SYS_THREAD_SET_SCHED), and the control
 * object's tunables and per-CPU statistics (OBJ_SCHED, obj/schedctl.h).
 *
 * The values are checked by the scheduler (sched_set_params,
 * sched_set_thread); what is checked here is who may ask: a weight above
 * SCHED_WEIGHT_DEFAULT needs the control with RIGHT_MANAGE, so that a program
 * cannot outbid the others by itself. Nothing here allocates.
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/sched.h>
#include <abi/syscall.h>
#include <cap/invoke.h>
#include <mm/uaccess.h>
#include <obj/schedctl.h>
#include <obj/thread.h>
#include <sched/sched.h>

long sys_thread_set_sched(struct cspace *cs, struct uthread *t, const struct cap_ref *cap,
                          const uint64_t *a)
{
	(void)cap;
	uint64_t weight = a[0], mask = a[1];
	if (weight > SCHED_WEIGHT_MAX)
		return ERR_INVALID_ARGS;
	struct cap_ref ctl = {0};
	if (a[2]) {
		int r = cap_lookup(cs, (handle_t)a[2], OBJ_SCHED, RIGHT_MANAGE, &ctl);
		if (r)
			return r;
	}
	bool allowed = weight <= SCHED_WEIGHT_DEFAULT || ctl.obj;
	cap_ref_put(&ctl);
	if (!allowed)
		return ERR_ACCESS_DENIED;
	return uthread_set_sched(t, (uint32_t)weight, mask);
}

long sys_sched_get(struct cspace *cs, struct kobject *ctl, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)ctl, (void)cap;
	struct sched_params p;
	sched_get_params(&p);
	return copy_to_user(a[0], &p, sizeof(p));
}

long sys_sched_set(struct cspace *cs, struct kobject *ctl, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)ctl, (void)cap;
	struct sched_params p;
	int r = copy_from_user(&p, a[0], sizeof(p));
	return r ? r : sched_set_params(&p);
}

long sys_sched_cpu_stats(struct cspace *cs, struct kobject *ctl, const struct cap_ref *cap,
                         const uint64_t *a)
{
	(void)cs, (void)ctl, (void)cap;
	if (a[0] > UINT32_MAX)
		return ERR_NOT_FOUND;
	struct sched_cpu_stats st;
	int r = sched_cpu_stats((unsigned)a[0], &st);
	return r ? r : copy_to_user(a[1], &st, sizeof(st));
}
