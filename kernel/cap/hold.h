/*
 * cap/hold.h - the kbus flat path's capability lookup (kbus/call.c), inline
 * because it runs on every fast call and reply. Nothing else includes this:
 * every other lookup is cap_lookup() (cap/invoke.h), which takes a reference.
 */
#pragma once
#include <cap/cap_internal.h>
#include <cap/invoke.h>
#include <lib/compiler.h>
#include <lib/spinlock.h>

/*
 * Interrupts off. The object h names in cs if it has exactly type and every
 * right needed, with out's rights and badge filled and NO reference taken:
 * cs->lock stays HELD, which keeps the capability (and the reference it owns)
 * in place until cap_hold_release(). NULL, unlocked, on any failure (the C
 * path then decodes again and reports the error). A revocation clears the
 * slot under the same lock, so a lookup that starts after it fails.
 */
static inline struct kobject *cap_hold(struct cspace *cs, handle_t h, enum obj_type type,
                                       uint64_t rights_needed, struct cap_ref *out)
{
	spin_lock(&cs->lock);
	struct cslot *s = slot_of(cs, h);
	struct cap *c = s ? s->cap : NULL;
	if (likely(c && c->obj->type == type && (c->rights & rights_needed) == rights_needed)) {
		out->rights = c->rights;
		out->badge = c->badge;
		return out->obj = c->obj;
	}
	spin_unlock(&cs->lock);
	return NULL;
}

static inline void cap_hold_release(struct cspace *cs)
{
	spin_unlock(&cs->lock);
}

/*
 * cs's generation: it changes whenever a handle of cs dies (cspace_clear(),
 * under cs->lock, before the revoke, drop or move that killed it returns). A
 * lookup made by cap_hold() while it read gen still holds while cap_gen(cs)
 * returns the same value: no slot of cs was cleared since, so the handle names
 * the same capability (capabilities never change once published). The flat
 * path caches its last lookup that way (kbus/flat.c).
 */
static inline uint64_t cap_gen(const struct cspace *cs)
{
	return READ_ONCE(cs->gen);
}
