/*
 * pool.c - OBJ_MEMORY_POOL: quota accounting (see pool.h for the model).
 *
 * used is changed only by compare-and-swap loops that check the quota with
 * overflow-safe arithmetic, so it never passes quota even when many CPUs
 * charge at once. A child pool charges its parent quota + POOL_OVERHEAD at
 * split time and uncharges exactly that in its destroy hook, then puts its
 * parent reference (which may in turn destroy the parent).
 */
#include <obj/pool.h>

#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <mm/kmalloc.h>

/* What a child pool's own metadata costs its parent. */
#define POOL_OVERHEAD ((uint64_t)sizeof(struct mem_pool))

static void pool_destroy(struct kobject *obj)
{
	struct mem_pool *p = pool_from(obj);
	uint64_t used = __atomic_load_n(&p->used, __ATOMIC_ACQUIRE);
	if (used != 0)
		panic("pool %llu destroyed with %llu bytes still charged",
		      (unsigned long long)obj->id, (unsigned long long)used);
	struct mem_pool *parent = p->parent;
	uint64_t give_back = p->quota + POOL_OVERHEAD;
	kfree(p);
	if (parent) {
		pool_uncharge(parent, give_back);
		pool_put(parent);
	}
}

static const struct kobject_ops pool_ops = {
    .destroy = pool_destroy,
};

static int pool_alloc(uint64_t quota, struct mem_pool *parent, struct mem_pool **out)
{
	struct mem_pool *p = kzalloc(sizeof(*p));
	if (!p)
		return ERR_NO_MEMORY;
	kobject_init(&p->obj, OBJ_MEMORY_POOL, &pool_ops);
	p->quota = quota;
	p->parent = parent;
	*out = p;
	return 0;
}

int pool_create_root(uint64_t quota, struct mem_pool **out)
{
	return pool_alloc(quota, NULL, out);
}

int pool_split(struct mem_pool *parent, uint64_t bytes, struct mem_pool **out)
{
	if (bytes > UINT64_MAX - POOL_OVERHEAD)
		return ERR_NO_MEMORY;
	int err = pool_charge(parent, bytes + POOL_OVERHEAD);
	if (err)
		return err;
	pool_get(parent);
	err = pool_alloc(bytes, parent, out);
	if (err) {
		pool_put(parent);
		pool_uncharge(parent, bytes + POOL_OVERHEAD);
	}
	return err;
}

int pool_charge(struct mem_pool *p, uint64_t bytes)
{
	uint64_t used = __atomic_load_n(&p->used, __ATOMIC_RELAXED);
	do {
		if (bytes > p->quota - used)
			return ERR_NO_MEMORY;
	} while (!__atomic_compare_exchange_n(&p->used, &used, used + bytes, true, __ATOMIC_ACQ_REL,
	                                      __ATOMIC_RELAXED));
	return 0;
}

void pool_uncharge(struct mem_pool *p, uint64_t bytes)
{
	uint64_t old = __atomic_fetch_sub(&p->used, bytes, __ATOMIC_ACQ_REL);
	if (unlikely(old < bytes))
		panic("pool %llu: uncharge of %llu bytes with only %llu charged",
		      (unsigned long long)p->obj.id, (unsigned long long)bytes,
		      (unsigned long long)old);
}

void pool_info(struct mem_pool *p, struct pool_info *out)
{
	out->quota = p->quota;
	out->used = __atomic_load_n(&p->used, __ATOMIC_RELAXED);
}

struct mem_pool *pool_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_MEMORY_POOL, struct mem_pool, obj);
}

int pool_charge_cb(void *pool, uint64_t bytes)
{
	return pool_charge(pool, bytes);
}

void pool_uncharge_cb(void *pool, uint64_t bytes)
{
	pool_uncharge(pool, bytes);
}
