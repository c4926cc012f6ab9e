/*
 * cspace.c - capability spaces: the slot table behind handles, and lookup.
 *
 * A cspace is a growable array of slots. Each slot is free, reserved (an
 * operation has claimed it and will publish a capability in it under the
 * tree lock) or live. Each slot has a generation in 1..HANDLE_GEN_MAX; a
 * handle is (generation << 20 | index) and is valid only while the slot is
 * live with that generation. Freeing a slot advances its generation (wrapping
 * past 0), so handles to freed slots die at once. Free slots form a FIFO,
 * so a slot is reused as late as possible and a stale handle could alias a
 * live capability only after 4095 reuses of its slot.
 *
 * Growth doubles the table up to the per-cspace limit: the new array is
 * allocated with the lock dropped, then swapped in under the lock (a racing
 * grower's array is simply freed). Full table: ERR_NO_RESOURCES; allocation
 * failure: ERR_NO_MEMORY. Slot arrays hold pointers to struct cap, which are
 * allocated one by one, so growth never moves a capability. A table never
 * shrinks while a handle to it may be kept, and its payer is charged for it
 * (at its real size) for as long as it exists; kbus transit cspaces, whose
 * handles only kbus keeps, are trimmed back to nothing when the last holder
 * of handles lets go (cspace_hold/cspace_release). Charging: cap.h.
 *
 * Locking: cs->lock protects the table and is the only lock cap_lookup()
 * takes. Functions that change which capability a slot holds (publish,
 * clear) run with the tree lock held as well (see derive.c), so the tree and
 * the tables always agree when the tree lock is free.
 */
#include <cap/cap.h>

#include <abi/errors.h>
#include <cap/cap_internal.h>
#include <lib/compiler.h>
#include <lib/panic.h>
#include <mm/kmalloc.h>

#define CSPACE_INITIAL_SLOTS 16u
/* cspace_release() keeps a table this small (2 KiB, charged): a steady stream of messages does
   not free and regrow it each time its queue empties. */
#define CSPACE_KEEP_SLOTS 128u

int cspace_create(uint32_t max_slots, struct cspace **out)
{
	if (max_slots == 0 || max_slots > CSPACE_MAX_SLOTS)
		return ERR_INVALID_ARGS;
	struct cspace *cs = kzalloc(sizeof(*cs));
	if (!cs)
		return ERR_NO_MEMORY;
	spin_init(&cs->lock);
	cs->limit = max_slots;
	cs->free_head = cs->free_tail = CSLOT_NONE;
	*out = cs;
	return 0;
}

void cspace_set_charge(struct cspace *cs, const struct cspace_charge *ops, void *ctx)
{
	ASSERT(cs->count == 0 && cs->capacity == 0);
	cs->charge = ops;
	cs->charge_ctx = ctx;
	cs->slot_cost = ops->caps ? cap_alloc_cost() : 0;
}

static int charge_slot(struct cspace *cs)
{
	return cs->slot_cost && cs->charge->charge(cs->charge_ctx, cs->slot_cost) ? ERR_NO_MEMORY
	                                                                          : 0;
}

static void uncharge_slot(struct cspace *cs)
{
	if (cs->slot_cost)
		cs->charge->uncharge(cs->charge_ctx, cs->slot_cost);
}

/* What a table of ncap slots costs its payer (0 unless tables are charged). */
static uint64_t table_cost(struct cspace *cs, uint32_t ncap)
{
	return cs->charge && cs->charge->tables ? kmalloc_size(sizeof(struct cslot) * (size_t)ncap)
	                                        : 0;
}

static void uncharge_bytes(struct cspace *cs, uint64_t bytes)
{
	if (bytes)
		cs->charge->uncharge(cs->charge_ctx, bytes);
}

uint32_t cspace_count(struct cspace *cs)
{
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	uint32_t n = cs->count;
	spin_unlock_irqrestore(&cs->lock, flags);
	return n;
}

/* cs->lock held: append slot index to the free list. */
static void free_list_push(struct cspace *cs, uint32_t index)
{
	struct cslot *s = &cs->slots[index];
	s->state = CSLOT_FREE;
	s->cap = NULL;
	s->next_free = CSLOT_NONE;
	if (cs->free_tail == CSLOT_NONE)
		cs->free_head = index;
	else
		cs->slots[cs->free_tail].next_free = index;
	cs->free_tail = index;
}

/* cs->lock held: install a grown table of ncap slots (old contents copied). Returns the old one. */
static struct cslot *install_table(struct cspace *cs, struct cslot *slots, uint32_t ncap)
{
	struct cslot *old = cs->slots;
	for (uint32_t i = 0; i < cs->capacity; i++)
		slots[i] = old[i];
	cs->slots = slots;
	uint32_t first_new = cs->capacity;
	cs->capacity = ncap;
	for (uint32_t i = first_new; i < ncap; i++) {
		slots[i].gen = 1;
		free_list_push(cs, i);
	}
	return old;
}

int cspace_reserve(struct cspace *cs, uint32_t *index)
{
	if (charge_slot(cs))
		return ERR_NO_MEMORY;
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	while (cs->free_head == CSLOT_NONE) {
		if (cs->capacity >= cs->limit) {
			spin_unlock_irqrestore(&cs->lock, flags);
			uncharge_slot(cs);
			return ERR_NO_RESOURCES;
		}
		uint32_t ncap = cs->capacity ? cs->capacity * 2 : CSPACE_INITIAL_SLOTS;
		ncap = MIN(ncap, cs->limit);
		spin_unlock_irqrestore(&cs->lock, flags);

		uint64_t cost = table_cost(cs, ncap);
		if (cost && cs->charge->charge(cs->charge_ctx, cost)) {
			uncharge_slot(cs);
			return ERR_NO_MEMORY;
		}
		struct cslot *slots = kmalloc(sizeof(*slots) * (size_t)ncap);
		if (!slots) {
			uncharge_bytes(cs, cost);
			uncharge_slot(cs);
			return ERR_NO_MEMORY;
		}
		flags = spin_lock_irqsave(&cs->lock);
		struct cslot *unused = slots;
		uint64_t unused_cost = cost;
		if (cs->capacity < ncap) {
			unused = install_table(cs, slots, ncap);
			unused_cost = cs->table_charge;
			cs->table_charge = cost;
		}
		uncharge_bytes(cs, unused_cost);
		if (unused) {
			/* Free outside the lock: kfree may be slow. */
			spin_unlock_irqrestore(&cs->lock, flags);
			kfree(unused);
			flags = spin_lock_irqsave(&cs->lock);
		}
	}
	uint32_t i = cs->free_head;
	struct cslot *s = &cs->slots[i];
	cs->free_head = s->next_free;
	if (cs->free_head == CSLOT_NONE)
		cs->free_tail = CSLOT_NONE;
	s->state = CSLOT_RESERVED;
	s->next_free = CSLOT_NONE;
	cs->count++;
	spin_unlock_irqrestore(&cs->lock, flags);
	*index = i;
	return 0;
}

void cspace_unreserve(struct cspace *cs, uint32_t index)
{
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	ASSERT(index < cs->capacity && cs->slots[index].state == CSLOT_RESERVED);
	/* Never published: its generation was never seen, keep it. */
	free_list_push(cs, index);
	cs->count--;
	spin_unlock_irqrestore(&cs->lock, flags);
	uncharge_slot(cs);
}

handle_t cspace_publish(struct cspace *cs, uint32_t index, struct cap *c)
{
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	struct cslot *s = &cs->slots[index];
	ASSERT(index < cs->capacity && s->state == CSLOT_RESERVED);
	s->cap = c;
	s->state = CSLOT_LIVE;
	c->cs = cs;
	c->index = index;
	handle_t h = HANDLE_MAKE(index, s->gen);
	spin_unlock_irqrestore(&cs->lock, flags);
	return h;
}

/* cs->lock held: the live slot h names, or NULL. */

struct cap *cspace_get(struct cspace *cs, handle_t h)
{
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	struct cslot *s = slot_of(cs, h);
	struct cap *c = s ? s->cap : NULL;
	spin_unlock_irqrestore(&cs->lock, flags);
	return c;
}

void cspace_clear(struct cap *c)
{
	struct cspace *cs = c->cs;
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	struct cslot *s = &cs->slots[c->index];
	ASSERT(c->index < cs->capacity && s->state == CSLOT_LIVE && s->cap == c);
	s->gen = s->gen == HANDLE_GEN_MAX ? 1 : s->gen + 1;
	WRITE_ONCE(cs->gen, cs->gen + 1); /* every cached lookup of cs is stale now */
	free_list_push(cs, c->index);
	cs->count--;
	spin_unlock_irqrestore(&cs->lock, flags);
	uncharge_slot(cs);
	c->cs = NULL;
}

void cspace_destroy(struct cspace *cs)
{
	/*
	 * The table cannot grow now: nobody else may call into cs. The slots are
	 * dropped in batches of CSPACE_DESTROY_BATCH units (a slot, or a child
	 * moved up by a drop) with the tree lock released in between; a drop cut
	 * by the end of a batch goes on in the next (revokes from other cspaces
	 * may clear slots meanwhile; each batch re-reads them).
	 */
	struct cap *cur = NULL; /* being dropped */
	uint32_t i = 0;
	while (cur || i < cs->capacity) {
		struct cap *chain = NULL;
		unsigned budget = CSPACE_DESTROY_BATCH;
		uint64_t flags = cap_tree_lock_irqsave();
		while (budget) {
			if (!cur) {
				if (i >= cs->capacity)
					break;
				struct cslot *s = &cs->slots[i++];
				budget--;
				ASSERT(s->state != CSLOT_RESERVED);
				if (s->state != CSLOT_LIVE)
					continue;
				cur = s->cap;
				cap_drop_begin(cur);
			}
			if (!cap_drop_steps(cur, &budget))
				break;
			cur->next_sibling = chain;
			chain = cur;
			cur = NULL;
		}
		cap_tree_unlock_irqrestore(flags);
		cap_free_chain(chain);
	}
	ASSERT(cs->count == 0);
	uncharge_bytes(cs, cs->table_charge);
	kfree(cs->slots);
	kfree(cs);
}

void cspace_hold(struct cspace *cs)
{
	__atomic_fetch_add(&cs->holds, 1, __ATOMIC_SEQ_CST);
}

/*
 * A holder takes its hold before the cspace_reserve() that gives it a handle,
 * whose cs->lock section thus comes after the hold; so a trim that finds no
 * hold under cs->lock runs before any handle a holder keeps was issued.
 */
void cspace_release(struct cspace *cs)
{
	if (__atomic_sub_fetch(&cs->holds, 1, __ATOMIC_SEQ_CST) ||
	    READ_ONCE(cs->capacity) <= CSPACE_KEEP_SLOTS)
		return; /* a holder that grows the table meanwhile trims it in its own release */
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	if (__atomic_load_n(&cs->holds, __ATOMIC_SEQ_CST) || cs->count ||
	    cs->capacity <= CSPACE_KEEP_SLOTS) {
		spin_unlock_irqrestore(&cs->lock, flags);
		return;
	}
	struct cslot *old = cs->slots;
	uint64_t cost = cs->table_charge;
	cs->slots = NULL;
	cs->capacity = 0;
	cs->free_head = cs->free_tail = CSLOT_NONE;
	cs->table_charge = 0;
	spin_unlock_irqrestore(&cs->lock, flags);
	kfree(old);
	uncharge_bytes(cs, cost);
}

uint64_t cap_alloc_cost(void)
{
	return kmalloc_size(sizeof(struct cap));
}

int cap_lookup(struct cspace *cs, handle_t h, enum obj_type type, uint64_t rights_needed,
               struct cap_ref *out)
{
	int err = 0;
	uint64_t flags = spin_lock_irqsave(&cs->lock);
	struct cslot *s = slot_of(cs, h);
	if (!s) {
		err = ERR_BAD_HANDLE;
		goto out_unlock;
	}
	struct cap *c = s->cap;
	if (type != OBJ_NONE && c->obj->type != type) {
		err = ERR_WRONG_TYPE;
		goto out_unlock;
	}
	if ((c->rights & rights_needed) != rights_needed) {
		err = ERR_ACCESS_DENIED;
		goto out_unlock;
	}
	/* c's own reference keeps obj alive while we hold cs->lock. */
	kobject_get(c->obj);
	out->obj = c->obj;
	out->rights = c->rights;
	out->badge = c->badge;
out_unlock:
	spin_unlock_irqrestore(&cs->lock, flags);
	return err;
}

int cap_inspect(struct cspace *cs, handle_t h, struct cap_info *out)
{
	struct cap_ref ref;
	int err = cap_lookup(cs, h, OBJ_NONE, RIGHT_INSPECT, &ref);
	if (err)
		return err;
	out->type = (uint32_t)ref.obj->type;
	out->reserved = 0;
	out->rights = ref.rights;
	out->badge = ref.badge;
	out->object_id = ref.obj->id;
	cap_ref_put(&ref);
	return 0;
}
