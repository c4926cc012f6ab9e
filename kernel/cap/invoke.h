/*
 * invoke.h - the invocation path: how every syscall reaches a kernel object.
 *
 * Every syscall is "target handle, action, arguments" and runs in two halves,
 * after seL4:
 *
 *   decode  done once, by the dispatcher (kernel/syscall/table.c), from the
 *           action's row of include/abi/actions.h: the target handle's width
 *           (ERR_BAD_HANDLE beyond 32 bits), then cap_lookup(cs, target,
 *           <type>, <rights>, &ref), which checks in this order that the
 *           handle names a live capability (ERR_BAD_HANDLE), that its object
 *           has the row's type (ERR_WRONG_TYPE; OBJ_NONE accepts any) and
 *           that it carries every right the row needs (ERR_ACCESS_DENIED);
 *           then every handle argument's width and every fixed-size output
 *           pointer's range. The handler is called with the object downcast
 *           by its type's _from() and with the cap_ref (rights, badge); it
 *           continues the decode with what only it knows: its other
 *           arguments (ERR_INVALID_ARGS, ERR_OUT_OF_RANGE, ...), a second
 *           handle where the action has one (cap_lookup() again, as below),
 *           rights that depend on an argument (checked on ref.rights), and
 *           reserves whatever it will need (memory, slots). Any of these may
 *           fail; then it releases what it took and returns the error, having
 *           changed nothing.
 *   invoke  performs the action with the references and reservations decode
 *           obtained. It cannot fail: every failure case was decoded.
 *
 *     long sys_as_protect(struct cspace *cs, struct aspace *as,
 *                         const struct cap_ref *cap, const uint64_t *a)
 *     {       // the dispatcher decoded the address space with RIGHT_MAP
 *             if (a[2] & ~(uint64_t)PROT_ALL)
 *                     return ERR_INVALID_ARGS;
 *             return aspace_protect(as, a[0], a[1], (unsigned)a[2]);
 *     }       // aspace_protect: its own decode (range, rights), then invoke
 *
 * The reference taken by cap_lookup() keeps the object alive after the
 * cspace lock is dropped, so a concurrent cap_drop() or cap_revoke() cannot
 * free it under the invocation; the dispatcher puts it when the handler
 * returns. Revocation is not retroactive: an invocation that decoded before
 * the revoke completes with the rights it decoded; every lookup that starts
 * after cap_revoke() returns fails. Outside the syscall path (kbus moving a
 * message's handles) the same cap_lookup() / cap_ref_put() pair is used.
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
