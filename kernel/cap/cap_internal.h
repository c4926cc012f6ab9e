/*
 * cap_internal.h - private structures of the capability subsystem, shared by
 * cspace.c (slot tables and handles) and derive.c (the derivation forest).
 * Nothing outside kernel/cap/ includes this.
 *
 * Locks (order: tree lock, then at most one cspace lock; see derive.c):
 *   cap_tree_lock   every struct cap field except through the slot table:
 *                   tree links, c->cs, c->index; and the right to free a cap.
 *   cspace->lock    the slot table: slots[], capacity, count, free list.
 * A struct cap's obj, rights and badge never change after it is published.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <cap/cap.h>
#include <lib/spinlock.h>

struct cap {
	struct kobject *obj; /* one reference owned by this capability */
	uint64_t rights;
	uint64_t badge;
	struct cspace *cs; /* where it lives (tree lock) */
	uint32_t index; /* its slot in cs (tree lock) */
	/* Derivation forest (tree lock). Roots have no parent and no siblings. */
	struct cap *parent;
	struct cap *first_child;
	struct cap *next_sibling; /* also links caps on a kill list once unlinked */
	struct cap *prev_sibling;
	bool doomed; /* reached by a revoke in progress: nothing new hangs below it (tree lock) */
	bool dropping; /* handle gone, children being moved to the parent (tree lock, derive.c) */
	bool gone; /* dropping, and taken out of the tree by a revoke: its dropper frees it */
};

enum cslot_state { CSLOT_FREE, CSLOT_RESERVED, CSLOT_LIVE };

struct cslot {
	struct cap *cap; /* CSLOT_LIVE: the capability */
	uint32_t next_free; /* CSLOT_FREE: next slot on the free list */
	uint16_t gen; /* 1..HANDLE_GEN_MAX; the live handle's generation */
	uint8_t state; /* enum cslot_state */
};

#define CSLOT_NONE UINT32_MAX

struct cspace {
	struct spinlock lock;
	struct cslot *slots;
	uint32_t capacity; /* slots allocated */
	uint32_t limit; /* most slots ever allocated */
	uint32_t count; /* slots reserved or live */
	uint32_t free_head, free_tail; /* FIFO of free slots */
	const struct cspace_charge *charge; /* who pays for slots (NULL: nobody) */
	uint64_t table_charge; /* charged for slots[] (charge->tables) */
	uint64_t slot_cost; /* charged per slot */
	uint32_t holds; /* atomic: cspace_hold() holders; the table is trimmed at 0 */
	uint64_t gen; /* bumped (under lock) each time a live handle dies: the kbus flat
	                 path's lookup cache is good while it stays (cap/hold.h); 64
	                 bits, so it never comes round to an old value */
	void *charge_ctx;
};

/* cs->lock held: the live slot h names, or NULL. */
static inline struct cslot *slot_of(struct cspace *cs, handle_t h)
{
	uint32_t index = HANDLE_INDEX(h);
	if (index >= cs->capacity)
		return NULL;
	struct cslot *s = &cs->slots[index];
	if (s->state != CSLOT_LIVE || s->gen != HANDLE_GEN(h))
		return NULL;
	return s;
}

/* --- cspace.c: slot table. cs->lock is taken inside each. --- */

/*
 * Reserve a free slot, growing the table if needed. Allocates memory, so
 * called without the tree lock. Errors: ERR_NO_RESOURCES, ERR_NO_MEMORY.
 */
int cspace_reserve(struct cspace *cs, uint32_t *index);
/* Give back a reserved slot that was never published. */
void cspace_unreserve(struct cspace *cs, uint32_t index);
/* Tree lock held: make reserved slot index hold c; sets c->cs/index; returns the handle. */
handle_t cspace_publish(struct cspace *cs, uint32_t index, struct cap *c);
/* Tree lock held: the live capability h names in cs, or NULL. Stable until the tree lock is dropped. */
struct cap *cspace_get(struct cspace *cs, handle_t h);
/* Tree lock held: free the live slot c occupies, killing its handle. */
void cspace_clear(struct cap *c);

/* --- derive.c: the derivation forest --- */

uint64_t cap_tree_lock_irqsave(void);
void cap_tree_unlock_irqrestore(uint64_t flags);
/*
 * Dropping c, in steps (derive.c): cap_drop_begin() clears its slot (its
 * handle dies) and marks it dropping; each cap_drop_steps() moves up to
 * *budget of its children to its parent (one unit each) and returns true
 * once c is out of the tree, to be freed by the caller after the tree lock
 * is released. Both with the tree lock held; release it between steps.
 */
void cap_drop_begin(struct cap *c);
bool cap_drop_steps(struct cap *c, unsigned *budget);
/* No cap lock held: put the object references of, and free, caps chained by next_sibling. */
void cap_free_chain(struct cap *head);

/* Steps of a revoke or drop, and slots of a cspace_destroy(), per hold of the tree lock. */
#define CAP_REVOKE_BATCH 64u
#ifndef CAP_DROP_BATCH
#define CAP_DROP_BATCH 64u /* the host tests use 4: drops then span many holds */
#endif
#define CSPACE_DESTROY_BATCH 256u

/*
 * Has the calling thread been asked to end? Long operations check it between
 * batches (kernel/cap/killed.c: sched_kill_pending; the host tests' shim: no).
 */
bool cap_caller_killed(void);
