/*
 * object.c - reference counting, ids and leak counters for kernel objects.
 *
 * See object.h for the lifetime rules. The counters are plain atomics: ids
 * come from one global 64-bit counter (it cannot wrap in the life of a
 * machine) and each type has a live-object counter updated at init and at
 * destruction.
 */
#include <obj/object.h>

#include <lib/compiler.h>
#include <lib/panic.h>

static uint64_t kobject_next_id = 1;
static uint64_t kobject_live[KOBJ_TYPE_COUNT];

void kobject_init(struct kobject *obj, enum obj_type type, const struct kobject_ops *ops)
{
	ASSERT(type > OBJ_NONE && type < KOBJ_TYPE_COUNT);
	ASSERT(ops && ops->destroy);
	ASSERT(!ops->signals || (ops->poll && ops->wait_queues)); /* waitable: both hooks */
	obj->ops = ops;
	obj->type = type;
	spin_init(&obj->lock);
	obj->id = __atomic_fetch_add(&kobject_next_id, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&obj->refcount, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&obj->caps, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kobject_live[type], 1, __ATOMIC_RELAXED);
}

void kobject_get_failed(struct kobject *obj, uint32_t old)
{
	panic("kobject_get: object %llu (type %d) has refcount %u", (unsigned long long)obj->id,
	      (int)obj->type, old);
}

void kobject_put_last(struct kobject *obj, uint32_t old)
{
	if (unlikely(old == 0))
		panic("kobject_put: object %llu (type %d) put too often",
		      (unsigned long long)obj->id, (int)obj->type);
	__atomic_fetch_sub(&kobject_live[obj->type], 1, __ATOMIC_RELAXED);
	obj->ops->destroy(obj);
}

uint32_t kobject_refcount(const struct kobject *obj)
{
	return __atomic_load_n(&obj->refcount, __ATOMIC_RELAXED);
}

uint64_t kobject_live_count(enum obj_type type)
{
	if (type != OBJ_NONE) {
		ASSERT(type > OBJ_NONE && type < KOBJ_TYPE_COUNT);
		return __atomic_load_n(&kobject_live[type], __ATOMIC_RELAXED);
	}
	uint64_t n = 0;
	for (int t = OBJ_NONE + 1; t < KOBJ_TYPE_COUNT; t++)
		n += __atomic_load_n(&kobject_live[t], __ATOMIC_RELAXED);
	return n;
}
