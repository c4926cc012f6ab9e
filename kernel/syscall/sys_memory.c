/*
 * sys_memory.c - syscalls on memory pools, memory objects and address spaces.
 *
 * Thin wrappers, "decode, then invoke" (cap/invoke.h): look up the target
 * with the rights the action needs (include/abi/syscall.h lists them), check
 * the other arguments and handles, call the object layer (obj/pool.c,
 * obj/memory.c, obj/aspace.c), and write results with copy_to_user(). A new
 * capability whose handle cannot be written back is dropped again, so a
 * failed call changes nothing. No locks are held here: the object layer
 * takes its own, and copy_to_user() must run without spinlocks.
 */
#include <syscall/syscall.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <cap/cap.h>
#include <mm/uaccess.h>
#include <obj/aspace.h>
#include <obj/memory.h>
#include <obj/pool.h>

/* Rights of a memory object's original capability (SYS_POOL_MEM_CREATE). */
#define MEMORY_CAP_RIGHTS                                                                       \
	(RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC | RIGHT_MAP | RIGHT_DUPLICATE | RIGHT_TRANSFER | \
	 RIGHT_INSPECT | RIGHT_REVOKE)

long sys_pool_mem_create(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, target, OBJ_MEMORY_POOL, RIGHT_CREATE, &ref);
	if (err)
		return err;
	struct memory *m;
	struct mem_fill fill;
	if (a[1] == 0)
		err = memory_create(pool_from(ref.obj), a[0], &m);
	else if (a[1] != MEM_CREATE_FILL)
		err = ERR_INVALID_ARGS;
	else if (!(err = copy_from_user(&fill, a[3], sizeof(fill))))
		err = memory_create_from_user(pool_from(ref.obj), a[0], fill.offset, fill.len,
		                              fill.src, &m);
	if (!err)
		err = syscall_publish(cs, &m->obj, MEMORY_CAP_RIGHTS, a[2]);
	cap_ref_put(&ref);
	return err;
}

long sys_pool_info(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, target, OBJ_MEMORY_POOL, RIGHT_INSPECT, &ref);
	if (err)
		return err;
	struct pool_info info;
	pool_info(pool_from(ref.obj), &info);
	cap_ref_put(&ref);
	return copy_to_user(a[0], &info, sizeof(info));
}

/* The new pool's capability gets the rights of the target capability. */
long sys_pool_split(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, target, OBJ_MEMORY_POOL, RIGHT_MANAGE, &ref);
	if (err)
		return err;
	struct mem_pool *child;
	err = pool_split(pool_from(ref.obj), a[0], &child);
	if (!err)
		err = syscall_publish(cs, &child->obj, ref.rights, a[1]);
	cap_ref_put(&ref);
	return err;
}

long sys_mem_info(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, target, OBJ_MEMORY, RIGHT_INSPECT, &ref);
	if (err)
		return err;
	uint64_t size = memory_size(memory_from(ref.obj));
	cap_ref_put(&ref);
	return copy_to_user(a[0], &size, sizeof(size));
}

/* Rights a memory capability needs to be mapped with prot. */
static uint64_t rights_for_prot(unsigned prot)
{
	return RIGHT_MAP | RIGHT_READ | ((prot & PROT_WRITE) ? RIGHT_WRITE : 0) |
	       ((prot & PROT_EXEC) ? RIGHT_EXEC : 0);
}

/* The most a memory capability with rights allows a mapping of it. */
static unsigned max_prot_of(uint64_t rights)
{
	return PROT_READ | ((rights & RIGHT_WRITE) ? PROT_WRITE : 0) |
	       ((rights & RIGHT_EXEC) ? PROT_EXEC : 0);
}

long sys_as_map(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref as_ref, mem_ref;
	int err = cap_lookup(cs, target, OBJ_ADDRESS_SPACE, RIGHT_MAP, &as_ref);
	if (err)
		return err;
	if (a[4] & ~(uint64_t)PROT_ALL) {
		err = ERR_INVALID_ARGS;
		goto out_as;
	}
	unsigned prot = (unsigned)a[4];
	if (a[1] > UINT32_MAX) {
		err = ERR_BAD_HANDLE;
		goto out_as;
	}
	err = cap_lookup(cs, (handle_t)a[1], OBJ_MEMORY, rights_for_prot(prot), &mem_ref);
	if (err)
		goto out_as;
	err = aspace_map_limited(aspace_from(as_ref.obj), a[0], memory_from(mem_ref.obj), a[2],
	                         a[3], prot, max_prot_of(mem_ref.rights));
	cap_ref_put(&mem_ref);
out_as:
	cap_ref_put(&as_ref);
	return err;
}

long sys_as_unmap(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, target, OBJ_ADDRESS_SPACE, RIGHT_MAP, &ref);
	if (err)
		return err;
	err = aspace_unmap(aspace_from(ref.obj), a[0], a[1]);
	cap_ref_put(&ref);
	return err;
}

long sys_as_protect(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, target, OBJ_ADDRESS_SPACE, RIGHT_MAP, &ref);
	if (err)
		return err;
	if (a[2] & ~(uint64_t)PROT_ALL)
		err = ERR_INVALID_ARGS;
	else
		err = aspace_protect(aspace_from(ref.obj), a[0], a[1], (unsigned)a[2]);
	cap_ref_put(&ref);
	return err;
}

long sys_as_query(struct cspace *cs, handle_t target, const uint64_t *a)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, target, OBJ_ADDRESS_SPACE, RIGHT_INSPECT, &ref);
	if (err)
		return err;
	struct as_region region;
	err = aspace_query(aspace_from(ref.obj), a[0], &region);
	cap_ref_put(&ref);
	if (!err)
		err = copy_to_user(a[1], &region, sizeof(region));
	return err;
}
