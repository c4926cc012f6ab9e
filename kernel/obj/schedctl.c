/*
 * schedctl.c - the scheduler's control object (OBJ_SCHED, obj/schedctl.h).
 */
#include <obj/schedctl.h>

static void schedctl_destroy(struct kobject *obj)
{
	(void)obj; /* static: the creation reference is never dropped */
}

static const struct kobject_ops schedctl_ops = {
    .destroy = schedctl_destroy,
};
static struct kobject ctl_obj;
static bool ctl_ready;

/* Called by exec_start() on the boot CPU before any capability to it exists. */
struct kobject *schedctl_object(void)
{
	if (!ctl_ready) {
		kobject_init(&ctl_obj, OBJ_SCHED, &schedctl_ops);
		ctl_ready = true;
	}
	return &ctl_obj;
}
