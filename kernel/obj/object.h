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
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/handle.h>
#include <lib/spinlock.h>

struct kobject;

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
};

struct kobject {
	const struct kobject_ops *ops;
	enum obj_type type;
	uint32_t refcount; /* atomic */
	uint32_t caps; /* atomic: capabilities naming the object (kernel/cap counts them) */
	struct spinlock lock;
	uint64_t id;
};

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
