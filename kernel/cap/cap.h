/*
 * cap.h - capability spaces and the operations on capabilities.
 *
 * A cspace is a process's table of capabilities, named by handles
 * (abi/handle.h). A capability is (object, rights, badge) and sits in one
 * global derivation forest: cap_insert_root() makes a root, cap_derive() a
 * child with a subset of the rights, cap_duplicate() a sibling with the same
 * rights. cap_revoke() destroys every descendant, in every cspace; cap_drop()
 * destroys one capability and hands its children to its parent. Rights never
 * grow along any path. docs/capabilities.md has the full model and rules;
 * kernel/cap/derive.c the locking.
 *
 * The cspace pointer itself is the caller's to keep alive: a cspace must not
 * be destroyed while another call on it may run (its owning process
 * guarantees that). Other cspaces may keep revoking into it until the moment
 * cspace_destroy() takes the tree lock; that is safe.
 *
 * Invocation (cap_lookup, struct cap_ref) is in cap/invoke.h.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/handle.h>
#include <abi/rights.h>
#include <cap/invoke.h>
#include <obj/object.h>

struct cspace;

/* The most slots one cspace may have (the handle's index field). */
#define CSPACE_MAX_SLOTS (UINT32_C(1) << HANDLE_INDEX_BITS)

/*
 * Create an empty cspace that may hold up to max_slots capabilities
 * (1..CSPACE_MAX_SLOTS). The slot table starts small and grows on demand.
 * Returns 0, ERR_INVALID_ARGS or ERR_NO_MEMORY.
 */
int cspace_create(uint32_t max_slots, struct cspace **out);

/*
 * Drop every capability in cs (as cap_drop() would, so children in other
 * cspaces survive, re-parented) and free it. No other call on cs may be in
 * progress or start. Takes the tree lock and cs's lock.
 */
void cspace_destroy(struct cspace *cs);

/*
 * Accounting, through these callbacks (a process charges its memory pool),
 * so no process can grow kernel memory beyond its quota by collecting
 * capabilities:
 *   tables  the slot table at what its allocation really takes
 *           (kmalloc_size), charged when it grows (the new table while the
 *           old one still lives), for as long as it exists: until
 *           cspace_destroy(), or cspace_release()'s trim.
 *   caps    cap_alloc_cost() for every reserved or live slot (the capability
 *           in it), given back when the slot is freed.
 * A process's cspace charges both, so its pool pays for what its
 * capabilities really hold, table included: a table that grew for many
 * capabilities stays charged after they are dropped (it never shrinks while
 * the process may keep handles). A kbus transit cspace charges the table
 * only: a message pays for the capabilities it carries, the channel's pool
 * for the table however big it grows. charge() may refuse (the operation
 * then fails with ERR_NO_MEMORY and changes nothing); both are called with
 * cap locks held and must not take them.
 */
struct cspace_charge {
	int (*charge)(void *ctx, uint64_t bytes);
	void (*uncharge)(void *ctx, uint64_t bytes);
	bool tables;
	bool caps;
};

/* What one capability (its struct cap) takes from the kernel heap. */
uint64_t cap_alloc_cost(void);

/* Set cs's payer. Only right after cspace_create(), before any capability. */
void cspace_set_charge(struct cspace *cs, const struct cspace_charge *ops, void *ctx);

/*
 * For kbus transit cspaces, whose handles only kbus keeps: a holder takes a
 * hold before it gets any handle of cs and releases it once it keeps none
 * (not even a stale one). When the last hold goes and cs is empty, its slot
 * table is freed (and uncharged) unless it is still small (128 slots), so a
 * table that grew for a burst of messages does not outlive them; cs then
 * starts again from an empty table,
 * every generation back at 1, which is safe because nobody keeps a handle.
 * cspace_release() takes cs->lock and may free: call it with no lock held.
 */
void cspace_hold(struct cspace *cs);
void cspace_release(struct cspace *cs);

/* Capabilities currently held in cs (for tests and accounting). */
uint32_t cspace_count(struct cspace *cs);

/*
 * Kernel only: create the original capability to obj in cs, a new root of
 * the derivation forest, with the given rights (subset of RIGHTS_ALL) and
 * badge. Takes its own reference on obj; the caller keeps its own.
 * Errors: ERR_INVALID_ARGS (unknown rights, OBJ_NONE object),
 * ERR_NO_RESOURCES (cs full), ERR_NO_MEMORY.
 */
int cap_insert_root(struct cspace *cs, struct kobject *obj, uint64_t rights, uint64_t badge,
                    handle_t *out);

/*
 * Derive a child of capability h in cs, placed in cs, with rights (a subset
 * of h's) and badge. Needs RIGHT_DUPLICATE on h. Badge rule: badge 0 inherits
 * h's badge; a non-zero badge may be set only if h has none (or equals h's),
 * so a badged capability's holder cannot pose as another client.
 * Errors: ERR_BAD_HANDLE, ERR_ACCESS_DENIED (no DUPLICATE, rights not a
 * subset, badge change), ERR_NO_RESOURCES, ERR_NO_MEMORY.
 */
int cap_derive(struct cspace *cs, handle_t h, uint64_t rights, uint64_t badge, handle_t *out);

/*
 * Like cap_derive(), but the child is placed in cs_to. Needs RIGHT_DUPLICATE
 * and, when cs_to != cs_from, RIGHT_TRANSFER on h. Same errors.
 */
int cap_derive_to(struct cspace *cs_from, handle_t h, struct cspace *cs_to, uint64_t rights,
                  uint64_t badge, handle_t *out);

/*
 * Make a sibling of h in cs: same object, rights and badge, same parent (so
 * revoking an ancestor of h also revokes the copy; revoking h does not).
 * Needs RIGHT_DUPLICATE. Errors: ERR_BAD_HANDLE, ERR_ACCESS_DENIED,
 * ERR_NO_RESOURCES, ERR_NO_MEMORY.
 */
int cap_duplicate(struct cspace *cs, handle_t h, handle_t *out);

/*
 * Destroy capability h and free its slot. Its children (in any cspace) become
 * children of its parent, so revoking an ancestor still reaches them; the
 * children of a dropped root become roots. Needs no right.
 * Errors: ERR_BAD_HANDLE.
 */
int cap_drop(struct cspace *cs, handle_t h);

/*
 * Destroy every descendant of h, in every cspace; h itself stays. Needs
 * RIGHT_REVOKE. Iterative, O(number of descendants), in batches with the
 * tree lock released between them (derive.c). When it returns a count, no
 * lookup of a revoked handle succeeds any more. Returns the number of
 * capabilities destroyed (>= 0) or ERR_BAD_HANDLE / ERR_ACCESS_DENIED;
 * ERR_INTERRUPTED if the caller is killed, and ERR_BAD_HANDLE if h dies
 * meanwhile (the revoke then stops where it was, see derive.c).
 */
int cap_revoke(struct cspace *cs, handle_t h);

/*
 * Report type, rights, badge and object id of h. Needs RIGHT_INSPECT.
 * Errors: ERR_BAD_HANDLE, ERR_ACCESS_DENIED.
 */
int cap_inspect(struct cspace *cs, handle_t h, struct cap_info *out);

/*
 * For kbus: move capability h from cs_from to cs_to (it keeps its place in
 * the derivation tree, its rights and badge; its old handle dies). Needs
 * RIGHT_TRANSFER. Errors: ERR_BAD_HANDLE, ERR_ACCESS_DENIED,
 * ERR_NO_RESOURCES / ERR_NO_MEMORY (cs_to full; h is then left in place).
 */
int cap_move(struct cspace *cs_from, handle_t h, struct cspace *cs_to, handle_t *out);

/*
 * For kbus: give cs_to a copy of h, a child of h with the same rights and
 * badge (so the sender can revoke what it sent). Needs RIGHT_TRANSFER and
 * RIGHT_DUPLICATE. Errors as cap_derive().
 */
int cap_copy_to(struct cspace *cs_from, handle_t h, struct cspace *cs_to, handle_t *out);
