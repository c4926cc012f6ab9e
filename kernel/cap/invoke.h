/*
 * invoke.h - the invocation path: how every syscall reaches a kernel object.
 *
 * Every syscall is "target handle, action, arguments" and is written in two
 * halves, after seL4:
 *
 *   decode  cap_lookup(cs, target, OBJ_<type>, RIGHT_<needed>, &ref) checks,
 *           in this order, that the handle names a live capability
 *           (ERR_BAD_HANDLE), that its object has the expected type
 *           (ERR_WRONG_TYPE) and that it carries every needed right
 *           (ERR_ACCESS_DENIED); then the syscall checks its other arguments
 *           (ERR_INVALID_ARGS, ERR_OUT_OF_RANGE, ...), looks up further
 *           handles the same way and reserves whatever it will need
 *           (memory, slots). Any of these may fail; on failure the syscall
 *           releases what it took and returns the error, having changed
 *           nothing.
 *   invoke  performs the action with the references and reservations decode
 *           obtained. It cannot fail: every failure case was decoded.
 *
 *     int sys_mem_write(struct cspace *cs, handle_t h, uint64_t off, ...)
 *     {
 *             struct cap_ref mem;
 *             int err = cap_lookup(cs, h, OBJ_MEMORY, RIGHT_WRITE, &mem);
 *             if (err)
 *                     return err;
 *             err = memory_decode_write(mem.obj, off, ...);   // may fail
 *             if (!err)
 *                     memory_invoke_write(mem.obj, off, ...); // cannot fail
 *             cap_ref_put(&mem);
 *             return err;
 *     }
 *
 * The reference taken by cap_lookup() keeps the object alive after the
 * cspace lock is dropped, so a concurrent cap_drop() or cap_revoke() cannot
 * free it under the invocation. Revocation is not retroactive: an invocation
 * that decoded before the revoke completes with the rights it decoded; every
 * lookup that starts after cap_revoke() returns fails.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <abi/handle.h>
#include <obj/object.h>

struct cspace;

/* A counted reference to the object behind a capability, plus what the capability said. */
struct cap_ref {
	struct kobject *obj; /* holds one reference until cap_ref_put() */
	uint64_t rights; /* rights of the capability at lookup time */
	uint64_t badge; /* badge of the capability (0: none) */
};

/*
 * Decode a target handle. type OBJ_NONE accepts any type; rights_needed is the
 * set of rights the action needs (0: none). On success fills *out and takes a
 * reference on the object that the caller must release with cap_ref_put().
 * Errors: ERR_BAD_HANDLE, ERR_WRONG_TYPE, ERR_ACCESS_DENIED, checked in that
 * order. Takes the cspace lock only; callable with other locks held as long
 * as they are not cap locks.
 */
int cap_lookup(struct cspace *cs, handle_t h, enum obj_type type, uint64_t rights_needed,
               struct cap_ref *out);

/* Release the reference held by ref (no-op on a zeroed ref). Must not hold cap locks. */
static inline void cap_ref_put(struct cap_ref *ref)
{
	if (ref->obj)
		kobject_put(ref->obj);
	ref->obj = NULL;
}
