/*
 * derive.c - the derivation forest: creating, moving, dropping and revoking
 * capabilities.
 *
 * Every capability is a node of one global forest. cap_insert_root() plants a
 * root; cap_derive() adds a child (rights a subset of the parent's);
 * cap_duplicate() adds a sibling (same parent, same rights); cap_move()
 * changes only which cspace slot holds a node. cap_drop() removes one node
 * and splices its children into its parent's child list (children of a root
 * become roots), so a revocation of any ancestor still reaches them and no
 * capability ever gains rights by losing a parent. cap_revoke() removes
 * every node below one node with no recursion and no stack, in O(1) steps
 * that lift grandchildren to the root's level or remove leaves, in batches
 * (below), O(descendants) whatever the shape of the tree.
 *
 * Locking. Lock order: cap_tree_lock, then one cspace lock at a time (never
 * two); no other lock is held across either, and nothing here allocates or
 * frees while holding them.
 *   - cap_tree_lock (one global spinlock, irqsave) serialises every change to
 *     the forest and to which capability a slot holds: insert, derive,
 *     duplicate, move, drop, revoke, cspace destruction.
 *   - cspace->lock guards one slot table; lookups take only this lock.
 * A capability is unpublished (slot cleared, generation advanced, under both
 * locks) before it is freed, and freed only after the tree lock is dropped;
 * a lookup that still found it in its slot did so under cspace->lock, and
 * took its own object reference before releasing it. So:
 *   - no use-after-free: a struct cap is reachable from a slot or the tree
 *     only while it is alive, and objects live while any capability or
 *     cap_ref holds a reference;
 *   - no capability survives its revocation: a derive or move that races a
 *     revoke either completes first (and its result is in the subtree the
 *     revoke then walks) or starts after, when its source handle is dead.
 * Operations that need a new slot or struct cap allocate and reserve them
 * before taking the tree lock, then revalidate the source under it.
 *
 * Revocation in batches. cap_revoke() holds the tree lock for at most
 * CAP_REVOKE_BATCH steps, then lets it go (interrupts on: preemptible) and
 * frees the batch, checks for a kill, and starts again from the handle. A
 * step looks at the revoked capability's first child c: if c has a child k,
 * k is lifted to be a child of the root (one unlink, one push), otherwise c
 * is a leaf and is removed. Each step is O(1) and each capability is lifted
 * at most once and removed once, so a revoke costs O(descendants) however
 * deep or wide the tree, needs no cursor that could go stale between
 * batches, and the tree is a valid forest after every step.
 *   Every capability a step touches is marked `doomed`, and no new capability
 * may hang below a doomed one (derive, copy and duplicate fail with
 * ERR_BAD_HANDLE, as if the revoke had already reached it), so a concurrent
 * deriver cannot keep the revoke busy from inside what it has reached;
 * children derived meanwhile from a part not yet reached are inside the
 * subtree and are removed before the revoke returns. So the guarantee is
 * unchanged: when cap_revoke() returns a count, no descendant remains.
 *   A revoke cut short - the caller is killed (ERR_INTERRUPTED), or its
 * capability is dropped or revoked from above meanwhile (ERR_BAD_HANDLE) -
 * leaves a consistent forest: what it had not reached is untouched, and what
 * it had reached and not yet removed stays, doomed (usable, movable,
 * droppable, but never again a source of new capabilities); a later revoke
 * of the capability or an ancestor removes it. cap_drop() re-parents in
 * O(children) and cspace_destroy() goes through its slots in batches.
 */
#include <cap/cap.h>

#include <abi/errors.h>
#include <cap/cap_internal.h>
#include <lib/panic.h>
#include <mm/kmalloc.h>

static struct spinlock cap_tree_lock = SPINLOCK_INIT;

uint64_t cap_tree_lock_irqsave(void)
{
	return spin_lock_irqsave(&cap_tree_lock);
}

void cap_tree_unlock_irqrestore(uint64_t flags)
{
	spin_unlock_irqrestore(&cap_tree_lock, flags);
}

/* Tree lock held: make c a child of parent (NULL: a root). */
static void tree_add_child(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->prev_sibling = NULL;
	c->next_sibling = NULL;
	if (!parent)
		return;
	c->next_sibling = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev_sibling = c;
	parent->first_child = c;
}

/* Tree lock held: take c out of its parent's child list (a root: out of nothing). */
static void tree_unlink(struct cap *c)
{
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = c->next_sibling;
	else if (c->parent)
		c->parent->first_child = c->next_sibling;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c->prev_sibling;
	c->parent = c->next_sibling = c->prev_sibling = NULL;
}

void cap_drop_begin(struct cap *c)
{
	c->dropping = true;
	cspace_clear(c);
}

bool cap_drop_steps(struct cap *c, unsigned *budget)
{
	if (c->gone)
		return true; /* a revoke took it out of the tree: ours to free */
	struct cap *p = c->parent;
	while (*budget && c->first_child) {
		struct cap *k = c->first_child;
		c->first_child = k->next_sibling;
		if (k->next_sibling)
			k->next_sibling->prev_sibling = NULL;
		k->doomed |= c->doomed; /* still inside the part a revoke has reached */
		tree_add_child(p, k);
		(*budget)--;
	}
	if (c->first_child)
		return false;
	tree_unlink(c);
	return true;
}

void cap_free_chain(struct cap *head)
{
	struct cap *next;
	for (struct cap *c = head; c; c = next) {
		next = c->next_sibling;
		struct kobject *obj = c->obj;
		if (__atomic_sub_fetch(&obj->caps, 1, __ATOMIC_ACQ_REL) == 0 &&
		    obj->ops->last_cap_dropped)
			obj->ops->last_cap_dropped(obj);
		kobject_put(c->obj);
		kfree(c);
	}
}

int cap_insert_root(struct cspace *cs, struct kobject *obj, uint64_t rights, uint64_t badge,
                    handle_t *out)
{
	if (!obj || obj->type <= OBJ_NONE || obj->type >= KOBJ_TYPE_COUNT || (rights & ~RIGHTS_ALL))
		return ERR_INVALID_ARGS;
	uint32_t index;
	int err = cspace_reserve(cs, &index);
	if (err)
		return err;
	struct cap *c = kzalloc(sizeof(*c));
	if (!c) {
		cspace_unreserve(cs, index);
		return ERR_NO_MEMORY;
	}
	kobject_get(obj);
	__atomic_fetch_add(&obj->caps, 1, __ATOMIC_RELAXED);
	c->obj = obj;
	c->rights = rights;
	c->badge = badge;
	uint64_t flags = cap_tree_lock_irqsave();
	tree_add_child(NULL, c);
	*out = cspace_publish(cs, index, c);
	cap_tree_unlock_irqrestore(flags);
	return 0;
}

enum cap_place { PLACE_CHILD, PLACE_SIBLING };

struct cap_new_args {
	uint64_t need; /* rights the source must have */
	enum cap_place place;
	bool keep_rights; /* copy the source's rights and badge (ignore rights/badge) */
	uint64_t rights;
	uint64_t badge;
};

/* Check a would-be new capability against its source; fill in rights and badge. */
static int check_new(const struct cap_new_args *a, uint64_t src_rights, uint64_t src_badge,
                     uint64_t *rights, uint64_t *badge)
{
	if ((src_rights & a->need) != a->need)
		return ERR_ACCESS_DENIED;
	if (a->keep_rights) {
		*rights = src_rights;
		*badge = src_badge;
		return 0;
	}
	if (a->rights & ~src_rights)
		return ERR_ACCESS_DENIED; /* rights never grow */
	if (a->badge && src_badge && a->badge != src_badge)
		return ERR_ACCESS_DENIED; /* a badge is set once */
	*rights = a->rights;
	*badge = a->badge ? a->badge : src_badge;
	return 0;
}

/* Create a capability in cs_to from capability h of cs_from (derive, duplicate, copy). */
static int cap_new_from(struct cspace *cs_from, handle_t h, struct cspace *cs_to,
                        const struct cap_new_args *a, handle_t *out)
{
	uint64_t rights, badge;
	struct cap_ref ref;

	/* Decode first, so errors come in the documented order before any allocation. */
	int err = cap_lookup(cs_from, h, OBJ_NONE, 0, &ref);
	if (err)
		return err;
	err = check_new(a, ref.rights, ref.badge, &rights, &badge);
	cap_ref_put(&ref);
	if (err)
		return err;

	struct cap *c = kzalloc(sizeof(*c));
	if (!c)
		return ERR_NO_MEMORY;
	uint32_t index;
	err = cspace_reserve(cs_to, &index);
	if (err)
		goto out_free;

	uint64_t flags = cap_tree_lock_irqsave();
	struct cap *src = cspace_get(cs_from, h);
	if (!src) {
		err = ERR_BAD_HANDLE; /* dropped or revoked since the check */
		goto out_unlock;
	}
	struct cap *parent = a->place == PLACE_CHILD ? src : src->parent;
	if (src->doomed || (parent && parent->doomed)) {
		err = ERR_BAD_HANDLE; /* a revoke in progress has reached it */
		goto out_unlock;
	}
	err = check_new(a, src->rights, src->badge, &rights, &badge);
	if (err)
		goto out_unlock;
	kobject_get(src->obj);
	__atomic_fetch_add(&src->obj->caps, 1, __ATOMIC_RELAXED); /* src is counted: never 0 -> 1 */
	c->obj = src->obj;
	c->rights = rights;
	c->badge = badge;
	tree_add_child(a->place == PLACE_CHILD ? src : src->parent, c);
	*out = cspace_publish(cs_to, index, c);
	cap_tree_unlock_irqrestore(flags);
	return 0;

out_unlock:
	cap_tree_unlock_irqrestore(flags);
	cspace_unreserve(cs_to, index);
out_free:
	kfree(c);
	return err;
}

int cap_derive_to(struct cspace *cs_from, handle_t h, struct cspace *cs_to, uint64_t rights,
                  uint64_t badge, handle_t *out)
{
	struct cap_new_args a = {
	    .need = RIGHT_DUPLICATE | (cs_to != cs_from ? RIGHT_TRANSFER : 0),
	    .place = PLACE_CHILD,
	    .rights = rights,
	    .badge = badge,
	};
	return cap_new_from(cs_from, h, cs_to, &a, out);
}

int cap_derive(struct cspace *cs, handle_t h, uint64_t rights, uint64_t badge, handle_t *out)
{
	return cap_derive_to(cs, h, cs, rights, badge, out);
}

int cap_duplicate(struct cspace *cs, handle_t h, handle_t *out)
{
	struct cap_new_args a = {
	    .need = RIGHT_DUPLICATE,
	    .place = PLACE_SIBLING,
	    .keep_rights = true,
	};
	return cap_new_from(cs, h, cs, &a, out);
}

int cap_copy_to(struct cspace *cs_from, handle_t h, struct cspace *cs_to, handle_t *out)
{
	struct cap_new_args a = {
	    .need = RIGHT_DUPLICATE | RIGHT_TRANSFER,
	    .place = PLACE_CHILD,
	    .keep_rights = true,
	};
	return cap_new_from(cs_from, h, cs_to, &a, out);
}

int cap_move(struct cspace *cs_from, handle_t h, struct cspace *cs_to, handle_t *out)
{
	struct cap_ref ref;
	int err = cap_lookup(cs_from, h, OBJ_NONE, RIGHT_TRANSFER, &ref);
	if (err)
		return err;
	cap_ref_put(&ref);

	uint32_t index;
	err = cspace_reserve(cs_to, &index);
	if (err)
		return err;
	uint64_t flags = cap_tree_lock_irqsave();
	struct cap *c = cspace_get(cs_from, h);
	if (!c || !(c->rights & RIGHT_TRANSFER)) {
		cap_tree_unlock_irqrestore(flags);
		cspace_unreserve(cs_to, index);
		return c ? ERR_ACCESS_DENIED : ERR_BAD_HANDLE;
	}
	cspace_clear(c);
	*out = cspace_publish(cs_to, index, c);
	cap_tree_unlock_irqrestore(flags);
	return 0;
}

int cap_drop(struct cspace *cs, handle_t h)
{
	uint64_t flags = cap_tree_lock_irqsave();
	struct cap *c = cspace_get(cs, h);
	if (!c) {
		cap_tree_unlock_irqrestore(flags);
		return ERR_BAD_HANDLE;
	}
	cap_drop_begin(c);
	for (;;) {
		unsigned budget = CAP_DROP_BATCH;
		bool done = cap_drop_steps(c, &budget);
		cap_tree_unlock_irqrestore(flags);
		if (done)
			break;
		flags = cap_tree_lock_irqsave(); /* in between: interrupts on, preemptible */
	}
	cap_free_chain(c);
	return 0;
}

/*
 * Tree lock held: up to CAP_REVOKE_BATCH steps of revoking below root (see
 * the top of this file); removed capabilities go on *chain. Returns how many
 * were removed; *done when root has no child left.
 */
static int revoke_batch(struct cap *root, struct cap **chain, bool *done)
{
	int count = 0;
	for (unsigned n = 0; n < CAP_REVOKE_BATCH; n++) {
		struct cap *c = root->first_child;
		if (!c) {
			*done = true;
			break;
		}
		c->doomed = true;
		struct cap *k = c->first_child;
		if (k) {
			c->first_child = k->next_sibling; /* lift k to root's level */
			if (k->next_sibling)
				k->next_sibling->prev_sibling = NULL;
			k->doomed = true;
			tree_add_child(root, k);
			continue;
		}
		tree_unlink(c); /* a leaf: nothing to re-parent */
		if (c->dropping) {
			c->gone = true; /* its dropper frees it; it was counted when dropped */
			continue;
		}
		cspace_clear(c);
		c->next_sibling = *chain;
		*chain = c;
		count++;
	}
	return count;
}

int cap_revoke(struct cspace *cs, handle_t h)
{
	int count = 0;
	for (;;) {
		struct cap *chain = NULL;
		bool done = false;
		uint64_t flags = cap_tree_lock_irqsave();
		struct cap *root = cspace_get(cs, h);
		if (!root || !(root->rights & RIGHT_REVOKE)) {
			cap_tree_unlock_irqrestore(flags);
			return root ? ERR_ACCESS_DENIED : ERR_BAD_HANDLE;
		}
		count += revoke_batch(root, &chain, &done);
		cap_tree_unlock_irqrestore(flags);
		cap_free_chain(chain);
		if (done)
			return count;
		if (cap_caller_killed())
			return ERR_INTERRUPTED;
	}
}
