/*
 * object.h - the kernel object base every capability points at.
 *
 * Each object type (kernel/obj/<type>.c) embeds a struct kobject as its first
 * member and supplies an ops table whose destroy hook frees the containing
 * object. Lifetime is a plain reference count: every capability naming the
 * object holds one reference, every struct cap_ref taken by cap_lookup() holds
 * one, and so may any kernel code that keeps a pointer. The object is
 * destroyed when the last reference is put, which can be on any CPU and in any
 * context where kfree() is allowed, but never with a cap lock held (the
 * capability code puts references only after dropping its locks).
 *
 * Every object gets a 64-bit id, unique for the kernel's lifetime, that
 * cap_inspect() reports. Live objects are counted per type so that tests can
 * check for leaks (kobject_live_count()).
 *
 * lock protects the type-specific mutable state of the object; the base
 * fields themselves are either immutable (type, id, ops) or atomic (refcount).
 *
 * Waitable objects: a type whose objects can be waitset members (kbus/waitset.c)
 * says which events it can signal (ops->signals, KBUS_EV_* bits), answers which
 * hold now (ops->poll) and names the wait queues woken whenever that answer may
 * change (ops->wait_queues). The waitset knows nothing else about the type.
 *
 * Downcasts: each type's `<type>_from(obj)` (process_from, endpoint_from, ...)
 * is KOBJECT_CAST: the containing object, asserting obj is of that type. The
 * caller must know the type (cap_lookup() with it, or a test of obj->type);
 * nothing else in the kernel applies container_of to a kobject.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/handle.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <lib/spinlock.h>

struct kobject;
struct waitq;

/* Wait queues a waitable object names (ops->wait_queues), at most. */
#define KOBJECT_WAIT_QUEUES 2

/*
 * Kernel-internal object types, never in the ABI (include/abi/handle.h) and
 * numbered after its types (they move up as the ABI grows: never store them).
 * OBJ_TEST is the test kernel's trivial object (kernel/obj/test_object.c).
 */
#define OBJ_TEST ((enum obj_type)OBJ_TYPE_COUNT)
#define KOBJ_TYPE_COUNT (OBJ_TYPE_COUNT + 1) /* every type, ABI and internal */

struct kobject_ops {
	/*
	 * Called once, when the reference count reaches zero, with no locks
	 * held by the object code. Must release everything the object owns
	 * and free the containing structure. Must not fail.
	 */
	void (*destroy)(struct kobject *obj);
	/*
	 * Optional: called once when the last capability naming the object is
	 * freed (obj->caps reached 0), before that capability's reference is
	 * put, with no cap lock held. Internal references (cap_refs, waiters)
	 * may still exist. kbus uses it to tell a channel's peer it is closed.
	 */
	void (*last_cap_dropped)(struct kobject *obj);
	/*
	 * Waitable types only (0 / NULL otherwise: waitsets refuse the object).
	 * signals: the KBUS_EV_* events poll can report. poll: those that hold
	 * now; called with the waitset's lock held (interrupts off): it may take
	 * the object's own locks, must be O(1) and must not block. wait_queues:
	 * put in wq[0..KOBJECT_WAIT_QUEUES) the queues woken whenever poll's
	 * answer may change (wq arrives filled with NULL: set those there are);
	 * they must live as long as the object (a watcher holds a reference).
	 */
	uint32_t signals;
	uint32_t (*poll)(struct kobject *obj);
	void (*wait_queues)(struct kobject *obj, struct waitq *wq[KOBJECT_WAIT_QUEUES]);
};

struct kobject {
	const struct kobject_ops *ops;
	enum obj_type type;
	uint32_t refcount; /* atomic */
	uint32_t caps; /* atomic: capabilities naming the object (kernel/cap counts them) */
	struct spinlock lock;
	uint64_t id;
};

/* obj, which must be of the given type (a kernel bug otherwise: panics). */
static inline struct kobject *kobject_expect(struct kobject *obj, enum obj_type type)
{
	ASSERT(obj->type == type);
	return obj;
}

/* The T (of object type `type`) whose struct kobject member `member` is obj. */
#define KOBJECT_CAST(obj, type, T, member) container_of(kobject_expect((obj), (type)), T, member)

/*
 * Initialise obj (embedded in a freshly allocated object) with one reference,
 * owned by the caller, a new id, and count it as live. type must be a real
 * type (not OBJ_NONE); ops->destroy must be set.
 */
void kobject_init(struct kobject *obj, enum obj_type type, const struct kobject_ops *ops);

/* Out-of-line halves of kobject_get/kobject_put (object.c); old = the count before. */
void kobject_get_failed(struct kobject *obj, uint32_t old) __attribute__((noreturn));
void kobject_put_last(struct kobject *obj, uint32_t old);

/*
 * Take another reference. The caller must already hold one (directly or
 * through a capability it holds a lock on); getting a dead object panics.
 * Inline: every system call takes and puts one.
 */
static inline void kobject_get(struct kobject *obj)
{
	uint32_t old = __atomic_fetch_add(&obj->refcount, 1, __ATOMIC_RELAXED);
	if (__builtin_expect(old == 0 || old == UINT32_MAX, 0))
		kobject_get_failed(obj, old);
}

/*
 * Put a reference; at zero the object stops being counted and its destroy
 * hook runs. Must not be called with a spinlock held that the destroy hook
 * (or kfree) might take.
 */
/*
 * Take a reference unless the count is already zero (the object is being
 * destroyed): for lists that name objects without holding references, whose
 * destroy hook unlinks them under the list's lock.
 */
static inline bool kobject_try_get(struct kobject *obj)
{
	uint32_t old = __atomic_load_n(&obj->refcount, __ATOMIC_RELAXED);
	do {
		if (old == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&obj->refcount, &old, old + 1, true, __ATOMIC_ACQUIRE,
	                                      __ATOMIC_RELAXED));
	return true;
}

static inline void kobject_put(struct kobject *obj)
{
	uint32_t old = __atomic_fetch_sub(&obj->refcount, 1, __ATOMIC_ACQ_REL);
	if (__builtin_expect(old <= 1, 0))
		kobject_put_last(obj, old);
}

/* Current reference count (racy unless the caller excludes other users; for tests). */
uint32_t kobject_refcount(const struct kobject *obj);

/* Live objects of one type (OBJ_NONE: of every type). */
uint64_t kobject_live_count(enum obj_type type);
