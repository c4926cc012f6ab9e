/*
 * pool.h - OBJ_MEMORY_POOL: a quota of kernel and physical memory.
 *
 * A pool is a budget, not a reserve: it counts the bytes charged to it and
 * refuses a charge that would take `used` past `quota`. Every allocation the
 * kernel makes on behalf of a user program (memory object pages and their
 * metadata, the page tables and mapping records of an address space, later
 * cspace growth and thread stacks) is charged to a pool first, so a program
 * can exhaust its own pool but never the kernel's memory. A successful charge
 * does not promise that the physical allocator has pages left; callers handle
 * allocation failure anyway (and uncharge).
 *
 * Pools form a tree: pool_split() carves a child's whole quota out of its
 * parent (charged to the parent at once, plus the child's metadata) and the
 * child's destruction gives it back.
 *
 * Ownership: whoever charges a pool must hold a reference to it until the
 * matching uncharge (memory objects and address spaces keep one for their
 * lifetime, a child pool keeps one on its parent). So a pool is destroyed
 * only with used == 0; anything else is a leak and panics.
 *
 * Locking: none. quota and parent are immutable; used is updated with atomic
 * compare-and-swap, so charges from every CPU at once stay exact.
 */
#pragma once
#include <stdint.h>
#include <abi/syscall.h>
#include <obj/object.h>

struct mem_pool {
	struct kobject obj;
	uint64_t quota; /* immutable */
	uint64_t used; /* atomic; never above quota */
	struct mem_pool *parent; /* reference held; NULL for a root pool */
};

/*
 * Create a root pool (no parent) with the given quota in bytes; the kernel
 * gives one to the first process. One reference, owned by the caller.
 * Errors: ERR_NO_MEMORY.
 */
int pool_create_root(uint64_t quota, struct mem_pool **out);

/*
 * Create a child of parent whose quota is `bytes`, charged to parent (with
 * the child's own metadata) until the child is destroyed. bytes may be 0.
 * One reference, owned by the caller. Errors: ERR_NO_MEMORY (parent's quota
 * or the kernel heap exhausted).
 */
int pool_split(struct mem_pool *parent, uint64_t bytes, struct mem_pool **out);

/*
 * Charge bytes to p: 0, or ERR_NO_MEMORY (nothing charged) if used + bytes
 * would pass the quota. Charging 0 bytes always succeeds. The caller holds a
 * reference to p until it uncharges.
 */
int pool_charge(struct mem_pool *p, uint64_t bytes);

/* Return bytes charged earlier with pool_charge(); uncharging more panics. */
void pool_uncharge(struct mem_pool *p, uint64_t bytes);
/* The same, as callbacks whose context is the pool (struct cspace_charge payers). */
int pool_charge_cb(void *pool, uint64_t bytes);
void pool_uncharge_cb(void *pool, uint64_t bytes);

/* Quota and current use (a snapshot: other CPUs may charge meanwhile). */
void pool_info(struct mem_pool *p, struct pool_info *out);

/* The pool obj is (obj must be an OBJ_MEMORY_POOL: KOBJECT_CAST). */
struct mem_pool *pool_from(struct kobject *obj);

/* Take / put a reference (kobject_get / kobject_put on the pool). */
static inline void pool_get(struct mem_pool *p)
{
	kobject_get(&p->obj);
}
static inline void pool_put(struct mem_pool *p)
{
	kobject_put(&p->obj);
}
