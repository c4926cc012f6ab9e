/*
 * kcheck.c - the kernel's invariant checker: SYS_LOG_CHECK's walk.
 *
 * It visits every process by pid (process_next_pid, one reference at a time), keeps
 * its cspace alive with process_cs_hold_any() and hands it to the capability
 * subsystem's checker (cap/check.c), which walks it in bounded batches under the
 * locks its writers take. For each object a capability names, it checks the pools
 * here: used never above quota, and a child pool's parent charged at least the
 * child's quota and metadata (pool.c charges quota + sizeof(struct mem_pool) at split
 * time and gives it back only in the child's destroy hook, which cannot have run while
 * a capability names the child). Both are atomic reads, O(1) per capability.
 *
 * Processes that start or end during the walk are seen or not; nothing the walk looks
 * at can be freed under it. The first broken invariant stops the walk and is logged.
 */
#include <debug/kcheck.h>

#include <abi/errors.h>
#include <cap/check.h>
#include <lib/log.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <obj/pool.h>
#include <obj/process.h>

/* Tree lock held (cap_check_cspace's visitor): O(1), no lock. */
static uint32_t check_object(struct kobject *obj, struct kcheck_report *r)
{
	if (obj->type != OBJ_MEMORY_POOL)
		return KCHECK_OK;
	struct mem_pool *p = pool_from(obj);
	uint64_t used = __atomic_load_n(&p->used, __ATOMIC_ACQUIRE);
	r->pools++;
	if (used > p->quota) {
		ksnprintf(r->what, sizeof(r->what), "pool %llu uses %llu bytes of a %llu quota",
		          (unsigned long long)obj->id, (unsigned long long)used,
		          (unsigned long long)p->quota);
		goto broken;
	}
	uint64_t owed = p->quota + sizeof(struct mem_pool);
	if (p->parent && __atomic_load_n(&p->parent->used, __ATOMIC_ACQUIRE) < owed) {
		ksnprintf(r->what, sizeof(r->what),
		          "pool %llu's parent %llu is charged less than its quota %llu",
		          (unsigned long long)obj->id, (unsigned long long)p->parent->obj.id,
		          (unsigned long long)p->quota);
		goto broken;
	}
	return KCHECK_OK;
broken:
	r->kind = KCHECK_POOL;
	r->obj_id = obj->id;
	return KCHECK_POOL;
}

int kcheck_cspace(struct cspace *cs, struct kcheck_report *r)
{
	memset(r, 0, sizeof(*r));
	return cap_check_cspace(cs, r, check_object);
}

int kcheck_run(struct kcheck_report *r)
{
	uint32_t pid = 0;
	struct process *p;
	int err = 0;

	memset(r, 0, sizeof(*r));
	while (!err && (p = process_next_pid(&pid)) != NULL) {
		struct cspace *cs = process_cs_hold_any(p);
		if (cs) {
			r->processes++;
			r->pid = pid;
			err = cap_check_cspace(cs, r, check_object);
			process_cs_release(p, cs);
		}
		kobject_put(&p->obj);
	}
	if (err == ERR_BROKEN_INVARIANT)
		pr_err("kcheck: broken invariant %u in pid %u slot %u (object %llu): %s", r->kind,
		       r->pid, r->slot, (unsigned long long)r->obj_id, r->what);
	if (!err)
		r->pid = r->slot = 0;
	return err;
}
