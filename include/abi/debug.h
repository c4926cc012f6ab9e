/*
 * debug.h - what the kernel's self-checks report to user space: the invariant
 * checker (SYS_LOG_CHECK) and the coverage figure of a KCOV=1 kernel
 * (SYS_LOG_COVERAGE). bin/sysfuzz runs both between its batches (docs/testing.md).
 */
#pragma once
#include <stdint.h>

/* Which invariant broke (struct kcheck_report.kind). */
enum kcheck_kind {
	KCHECK_OK = 0,
	KCHECK_SLOT, /* a live slot and its capability disagree (cap's cspace, index, state) */
	KCHECK_LINKS, /* derivation links inconsistent (sibling/parent pointers) */
	KCHECK_DEAD_ANCESTOR, /* a capability hangs below one that was revoked or freed */
	KCHECK_RIGHTS_GROW, /* a capability holds rights its parent does not */
	KCHECK_BADGE, /* a capability's badge differs from its badged parent's */
	KCHECK_REFCOUNT, /* an object has fewer references (or cap counts) than caps found */
	KCHECK_POOL, /* a pool over its quota, or its parent not charged for it */
	KCHECK_KIND_COUNT
};

#define KCHECK_WHAT_MAX 112

struct kcheck_report {
	uint32_t kind; /* enum kcheck_kind: the first broken invariant (KCHECK_OK: none) */
	uint32_t pid; /* the process whose cspace it was found in */
	uint32_t slot; /* the slot (handle index) in that cspace */
	uint32_t pad;
	uint64_t obj_id; /* the object involved */
	uint64_t processes; /* cspaces walked */
	uint64_t caps; /* capabilities checked */
	uint64_t pools; /* pool checks made */
	char what[KCHECK_WHAT_MAX]; /* the broken invariant in words (NUL-terminated) */
};

/* SYS_LOG_COVERAGE. The kernel records each distinct code address that
 * -fsanitize-coverage=trace-pc instruments (one per basic block) in a fixed bitmap
 * over its text, one bit per byte, so a count is exact. */
struct kcov_info {
	uint64_t pcs; /* distinct instrumented addresses reached since boot */
	uint64_t text_bytes; /* the kernel text the bitmap covers */
	uint64_t outside; /* hits outside that text (not counted in pcs) */
};
