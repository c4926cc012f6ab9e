/*
 * check.c - the capability half of the kernel's invariant checker.
 *
 * What derive.c and cspace.c promise, checked from the outside: every live slot
 * holds a capability that says it lives there; the derivation forest's links are
 * symmetric (a node's previous sibling points back at it, its parent's first child
 * is it when it has no previous sibling, siblings share a parent); no capability
 * hangs below one that is no longer in the tree (`gone`: taken out by a revoke, or
 * freed: a parent whose own slot was cleared is only legitimate while it is being
 * dropped); rights only shrink from parent to child, and a badge, once set, is
 * inherited; each object has at least as many references and capability counts as
 * the capabilities found naming it.
 *
 * Locking: the tree lock, then the cspace's lock, as every writer takes them
 * (derive.c), for CAP_CHECK_BATCH slots at a time; both are released between
 * batches, when a kill of the caller is honoured, so the time spent with interrupts
 * off is bounded whatever the size of the cspace. Checking only a node and its
 * immediate neighbours keeps each capability O(1) (a chain of parents is checked link
 * by link, each by its own child), so nothing depends on the depth or width of a tree.
 * Counting references is per batch (a fixed array), so a count is only compared with
 * the capabilities found in the same hold of the locks; what is found is then exact.
 */
#include <cap/check.h>

#include <abi/errors.h>
#include <cap/cap_internal.h>
#include <lib/printf.h>
#include <obj/object.h>

struct objcount {
	struct kobject *obj;
	uint32_t n;
};

static uint32_t broken(struct kcheck_report *r, uint32_t kind, const struct cap *c,
                       const char *what)
{
	r->kind = kind;
	r->obj_id = c && c->obj ? c->obj->id : 0;
	ksnprintf(r->what, sizeof(r->what), "%s", what);
	return kind;
}

/* Tree lock and cs->lock held: c's own links and its parent. */
static uint32_t check_cap(const struct cap *c, struct cspace *cs, uint32_t index,
                          struct kcheck_report *r)
{
	if (!c)
		return broken(r, KCHECK_SLOT, c, "live slot without a capability");
	if (c->cs != cs || c->index != index)
		return broken(r, KCHECK_SLOT, c, "capability says it lives in another slot");
	if (c->dropping || c->gone)
		return broken(r, KCHECK_SLOT, c, "a dropped capability is still in its slot");
	if (!c->obj || c->obj->type <= OBJ_NONE || c->obj->type >= KOBJ_TYPE_COUNT)
		return broken(r, KCHECK_SLOT, c, "capability names no valid object");
	if (c->prev_sibling &&
	    (c->prev_sibling->next_sibling != c || c->prev_sibling->parent != c->parent))
		return broken(r, KCHECK_LINKS, c, "previous sibling does not link back");
	if (c->next_sibling &&
	    (c->next_sibling->prev_sibling != c || c->next_sibling->parent != c->parent))
		return broken(r, KCHECK_LINKS, c, "next sibling does not link back");
	if (c->first_child && (c->first_child->parent != c || c->first_child->prev_sibling))
		return broken(r, KCHECK_LINKS, c, "first child is not its child");
	const struct cap *p = c->parent;
	if (!p) {
		if (c->prev_sibling || c->next_sibling)
			return broken(r, KCHECK_LINKS, c, "a root has siblings");
		return KCHECK_OK;
	}
	if (!c->prev_sibling && p->first_child != c)
		return broken(r, KCHECK_LINKS, c, "not on its parent's child list");
	if (p->gone)
		return broken(r, KCHECK_DEAD_ANCESTOR, c, "parent was revoked (gone)");
	if (!p->cs && !p->dropping)
		return broken(r, KCHECK_DEAD_ANCESTOR, c, "parent has no slot and is not dropping");
	if (c->rights & ~p->rights)
		return broken(r, KCHECK_RIGHTS_GROW, c, "holds rights its parent does not");
	if (p->badge && c->badge != p->badge)
		return broken(r, KCHECK_BADGE, c, "badge differs from its badged parent's");
	return KCHECK_OK;
}

/* Tree lock held: the batch's objects against the capabilities found naming them. */
static uint32_t check_counts(const struct objcount *oc, unsigned n, struct kcheck_report *r,
                             uint32_t *slot_of_obj)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t caps = __atomic_load_n(&oc[i].obj->caps, __ATOMIC_ACQUIRE);
		uint32_t refs = __atomic_load_n(&oc[i].obj->refcount, __ATOMIC_ACQUIRE);
		if (caps >= oc[i].n && refs >= oc[i].n)
			continue;
		r->kind = KCHECK_REFCOUNT;
		r->obj_id = oc[i].obj->id;
		r->slot = slot_of_obj[i];
		ksnprintf(r->what, sizeof(r->what),
		          "object %llu: %u capabilities found, caps %u, references %u",
		          (unsigned long long)oc[i].obj->id, oc[i].n, caps, refs);
		return KCHECK_REFCOUNT;
	}
	return KCHECK_OK;
}

int cap_check_cspace(struct cspace *cs, struct kcheck_report *r, cap_check_obj_fn visit)
{
	struct objcount oc[CAP_CHECK_BATCH];
	uint32_t oc_slot[CAP_CHECK_BATCH];
	uint32_t i = 0;

	for (;;) {
		unsigned n = 0;
		uint32_t kind = KCHECK_OK;
		uint64_t flags = cap_tree_lock_irqsave();
		spin_lock(&cs->lock);
		uint32_t end = cs->capacity; /* it may have grown, or been trimmed, meanwhile */
		if (end > i + CAP_CHECK_BATCH)
			end = i + CAP_CHECK_BATCH;
		for (; i < end && kind == KCHECK_OK; i++) {
			const struct cslot *s = &cs->slots[i];
			if (s->state != CSLOT_LIVE)
				continue;
			r->slot = i;
			kind = check_cap(s->cap, cs, i, r);
			if (kind == KCHECK_OK && visit)
				kind = visit(s->cap->obj, r);
			if (kind != KCHECK_OK)
				break;
			r->caps++;
			unsigned k = 0;
			while (k < n && oc[k].obj != s->cap->obj)
				k++;
			if (k == n) {
				oc[n] = (struct objcount){s->cap->obj, 0};
				oc_slot[n++] = i;
			}
			oc[k].n++;
		}
		if (kind == KCHECK_OK)
			kind = check_counts(oc, n, r, oc_slot);
		bool more = i < cs->capacity;
		spin_unlock(&cs->lock);
		cap_tree_unlock_irqrestore(flags);
		if (kind != KCHECK_OK)
			return ERR_BROKEN_INVARIANT;
		if (!more)
			return 0;
		if (cap_caller_killed())
			return ERR_INTERRUPTED;
	}
}
