/*
 * check.h - the capability half of the kernel's invariant checker
 * (kernel/debug/kcheck.c runs it over every process; SYS_LOG_CHECK).
 */
#pragma once
#include <stdint.h>
#include <abi/debug.h>

struct cspace;
struct kobject;

/* Slots looked at per hold of the tree lock. */
#define CAP_CHECK_BATCH 64u

/*
 * Called for the object of each live capability, under the tree lock (interrupts
 * off): must be O(1) and take no lock. Returns KCHECK_OK or the kind it found broken,
 * with r->what filled in.
 */
typedef uint32_t (*cap_check_obj_fn)(struct kobject *obj, struct kcheck_report *r);

/*
 * Check every live slot of cs, CAP_CHECK_BATCH at a time under the tree lock and
 * cs->lock (the locks every change to the forest takes), with both released between
 * batches. For each capability: its slot agrees with it; its sibling and parent links
 * agree with its neighbours'; its parent is in the tree (not freed, not taken out by
 * a revoke), holds every right it holds, and if badged has its badge; its object's
 * capability count and reference count are at least the capabilities of that object
 * found in the batch; then visit(obj). The caller keeps cs alive (process_cs_hold_any).
 * Returns 0, ERR_BROKEN_INVARIANT (r->kind, slot, obj_id and what say which; the
 * walk stops there), or ERR_INTERRUPTED (the caller was killed). r->caps counts
 * the capabilities checked.
 */
int cap_check_cspace(struct cspace *cs, struct kcheck_report *r, cap_check_obj_fn visit);
