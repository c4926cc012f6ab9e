/*
 * schedctl.h - OBJ_SCHED: the scheduler's control (abi/sched.h).
 *
 * There is one control object for the whole kernel (static, never
 * destroyed), like the log's. Exec receives a capability to it ("sched") and
 * hands it on by its manifest: RIGHT_INSPECT reads the tunables and the
 * per-CPU statistics (SYS_SCHED_GET, SYS_SCHED_CPU_STATS), RIGHT_MANAGE sets
 * the tunables (SYS_SCHED_SET) and lets SYS_THREAD_SET_SCHED raise a weight
 * above SCHED_WEIGHT_DEFAULT. The object holds no state: the tunables and
 * statistics are the scheduler's (kernel/sched/sched.h).
 */
#pragma once
#include <obj/object.h>

struct kobject *schedctl_object(void);
/* The control is a bare kobject (no structure around it): its downcast checks the type only. */
static inline struct kobject *schedctl_from(struct kobject *obj)
{
	return kobject_expect(obj, OBJ_SCHED);
}
