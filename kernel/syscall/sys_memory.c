/*
 * sys_memory.c - syscalls on memory pools, memory objects and address spaces.
 *
 * Thin wrappers, "decode, then invoke" (cap/invoke.h): the dispatcher has
 * decoded the target (syscall/syscall.h); these check the other arguments and
 * handles, call the object layer (obj/pool.c, obj/memory.c, obj/aspace.c),
 * and write results with copy_to_user(). A new capability whose handle
 * cannot be written back is dropped again, so a failed call changes nothing. No locks are held here: the object layer
 * takes its own, and copy_to_user() must run without spinlocks.
 */
#include <syscall/syscall.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <cap/cap.h>
#include <hw/hw.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <obj/aspace.h>
#include <obj/memory.h>
#include <obj/pool.h>

/* Rights of a memory object's original capability (SYS_POOL_MEM_CREATE). */
#define MEMORY_CAP_RIGHTS                                                                       \
	(RIGHT_READ | RIGHT_WRITE | RIGHT_EXEC | RIGHT_MAP | RIGHT_DUPLICATE | RIGHT_TRANSFER | \
	 RIGHT_INSPECT | RIGHT_REVOKE)

long sys_pool_mem_create(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                         const uint64_t *a)
{
	(void)cap;
	struct memory *m;
	struct mem_fill fill;
	int err;
	if (a[1] == 0)
		err = memory_create(pool, a[0], &m);
	else if (a[1] != MEM_CREATE_FILL)
		err = ERR_INVALID_ARGS;
	else if (!(err = copy_from_user(&fill, a[3], sizeof(fill))))
		err = memory_create_from_user(pool, a[0], fill.offset, fill.len, fill.src, &m);
	return err ? err : syscall_publish(cs, &m->obj, MEMORY_CAP_RIGHTS, a[2]);
}

/* A paged memory object; its pager is the endpoint a1 (RIGHT_SEND). */
long sys_pool_mem_create_paged(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                               const uint64_t *a)
{
	(void)cap;
	struct cap_ref ep;
	int err = cap_lookup(cs, (handle_t)a[1], OBJ_ENDPOINT, RIGHT_SEND, &ep);
	if (err)
		return err;
	struct memory *m;
	err = memory_create_paged(pool, a[0], ep.obj, a[2], &m);
	cap_ref_put(&ep);
	return err ? err : syscall_publish(cs, &m->obj, MEMORY_CAP_RIGHTS | RIGHT_MANAGE, a[3]);
}

long sys_pool_info(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)cap;
	struct pool_info info;
	pool_info(pool, &info);
	return copy_to_user(a[0], &info, sizeof(info));
}

long sys_pool_kmem_info(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                        const uint64_t *a)
{
	(void)cs, (void)cap;
	if (pool->parent)
		return ERR_ACCESS_DENIED;
	struct kmem_info info = {
	    .total_pages = pmm_total_pages(),
	    .free_pages = pmm_free_pages(),
	    .kheap_bytes = kmalloc_bytes_in_use(),
	    .kheap_objects = kmalloc_objects_in_use(),
	};
	return copy_to_user(a[0], &info, sizeof(info));
}

/* The new pool's capability gets the rights of the target capability. */
long sys_pool_split(struct cspace *cs, struct mem_pool *pool, const struct cap_ref *cap,
                    const uint64_t *a)
{
	struct mem_pool *child;
	int err = pool_split(pool, a[0], &child);
	return err ? err : syscall_publish(cs, &child->obj, cap->rights, a[1]);
}

long sys_mem_info(struct cspace *cs, struct memory *mem, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	uint64_t size = memory_size(mem);
	return copy_to_user(a[0], &size, sizeof(size));
}

long sys_mem_supply(struct cspace *cs, struct memory *mem, const struct cap_ref *cap,
                    const uint64_t *a)
{
	(void)cs, (void)cap;
	if (a[3] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	return memory_supply(mem, a[0], a[1], a[2], (unsigned)a[3]);
}

long sys_mem_set_content(struct cspace *cs, struct memory *mem, const struct cap_ref *cap,
                         const uint64_t *a)
{
	(void)cs, (void)cap;
	return memory_set_content(mem, a[0]);
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

/* The memory handle a1 needs rights that depend on prot, so it is looked up here. */
long sys_as_map(struct cspace *cs, struct aspace *as, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cap;
	struct cap_ref mem;
	if (a[4] & ~(uint64_t)PROT_ALL)
		return ERR_INVALID_ARGS;
	unsigned prot = (unsigned)a[4];
	/* memory, or a device's memory (an OBJ_MMIO: mapped uncached) */
	int err = cap_lookup(cs, (handle_t)a[1], OBJ_NONE, 0, &mem);
	if (err)
		return err;
	struct memory *m = mem.obj->type == OBJ_MEMORY ? memory_from(mem.obj)
	                   : mem.obj->type == OBJ_MMIO ? hw_mmio_memory(hw_mmio_from(mem.obj))
	                                               : NULL;
	uint64_t need = rights_for_prot(prot);
	if (!m)
		err = ERR_WRONG_TYPE;
	else if ((mem.rights & need) != need)
		err = ERR_ACCESS_DENIED;
	else if (mem.obj->type == OBJ_MMIO &&
	         !hw_mmio_map_allowed(hw_mmio_from(mem.obj), a[2], a[3]))
		err = ERR_ACCESS_DENIED; /* an MSI-X table: the kernel's */
	else
		err = aspace_map_limited(as, a[0], m, a[2], a[3], prot, max_prot_of(mem.rights));
	cap_ref_put(&mem);
	return err;
}

long sys_as_unmap(struct cspace *cs, struct aspace *as, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	return aspace_unmap(as, a[0], a[1]);
}

long sys_as_protect(struct cspace *cs, struct aspace *as, const struct cap_ref *cap,
                    const uint64_t *a)
{
	(void)cs, (void)cap;
	if (a[2] & ~(uint64_t)PROT_ALL)
		return ERR_INVALID_ARGS;
	return aspace_protect(as, a[0], a[1], (unsigned)a[2]);
}

long sys_as_query(struct cspace *cs, struct aspace *as, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	struct as_region region;
	int err = aspace_query(as, a[0], &region);
	return err ? err : copy_to_user(a[1], &region, sizeof(region));
}
