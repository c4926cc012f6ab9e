/*
 * aspace.h - OBJ_ADDRESS_SPACE: a user address space its owner manages.
 *
 * Exokernel style: the kernel never decides what goes where in a user
 * address space. Its holder maps ranges of memory objects at addresses it
 * chooses (aspace_map), and unmaps, protects and queries them. The kernel
 * only checks that each request is safe: page aligned, inside the user half
 * but never at page 0, inside the memory object, not overlapping another
 * mapping, never writable and executable at once, and within what the
 * memory capability allowed (max_prot, kept per mapping for aspace_protect).
 *
 * Ownership: an address space holds a reference to its pool and to every
 * memory object mapped in it (one per mapping record), so the pages stay
 * alive until they are unmapped and the TLBs are shot down. The pool pays
 * for the page tables (every page of vmm_table_pages(), the top table included)
 * and for the mapping records; destruction returns all of it.
 *
 * Locking: obj.lock (taken with interrupts off) is held across each query,
 * each map of at most ASPACE_STEP_PAGES pages and each step of an unmap,
 * protect or longer map (at most ASPACE_STEP_PAGES pages and
 * ASPACE_STEP_RECORDS records), so the records match the page tables
 * whenever the lock is free, except a record marked filling: a longer map
 * inserts its record so marked, fills it in steps and then clears the mark.
 * A long unmap or protect is a sequence of atomic steps in address order;
 * another thread's operation on the same space may fall between two steps.
 * A map, unmap, protect, query or page fault that meets a filling record
 * sleeps (killably, on fill_wq) until a fill ends and starts again, so a map
 * takes effect, for everyone else, when its last step ends; a filler killed
 * midway undoes its map (aspace.c says why). vmm has its own lock inside.
 * While waiting for obj.lock a CPU keeps serving cross-CPU calls, because
 * the holder may be waiting for a TLB shootdown. Nothing under the lock
 * sleeps. Lock order: aspace lock, then vmm / allocator locks (fill_wq's
 * lock is never taken under it); memory objects have no lock.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/syscall.h>
#include <mm/vmm.h>
#include <obj/object.h>
#include <sched/waitq.h>

struct mem_pool;
struct memory;

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
/* Most mapping records per address space (ERR_NO_RESOURCES beyond). */
#define ASPACE_MAX_MAPPINGS 65536u
/*
 * A map, unmap or protect longer than this many pages or records is done in
 * steps, each under the lock with interrupts off, with the lock released
 * (interrupts on, preemptible) and a kill check between them.
 */
#define ASPACE_STEP_PAGES 512u
#define ASPACE_STEP_RECORDS 32u

/* One mapping: [base, base + length) shows memory pages from offset on. */
struct as_mapping {
	uint64_t base, length, offset;
	struct memory *mem; /* reference held */
	uint8_t prot; /* PROT_*: current permissions */
	uint8_t max_prot; /* PROT_*: what the memory capability allowed */
	uint8_t filling; /* a map is still installing its pages: hands off (see above) */
};

struct aspace {
	struct kobject obj; /* obj.lock guards everything below except pool */
	struct vm_space vs; /* the page tables */
	struct mem_pool *pool; /* reference held; immutable */
	bool io_charged; /* its I/O port bitmap (ARCH_IOPERM_BYTES) is paid by pool */
	struct as_mapping *map; /* sorted by base, non-overlapping */
	uint32_t count, capacity;
	uint64_t tables_charged; /* page-table pages charged to pool (== vmm_table_pages(&vs)) */
	uint32_t fills; /* filling records (atomic reads: the page-fault fast path) */
	uint64_t fill_gen; /* bumped, under the lock, when a fill ends (atomic reads) */
	struct waitq fill_wq; /* who waits for a fill to end */
	bool has_paged; /* a paged memory object was mapped here once (atomic reads) */
};

/*
 * Create an empty address space (kernel half shared) whose page tables and
 * records are charged to pool. One reference, owned by the caller.
 * Errors: ERR_NO_MEMORY (pool quota or memory exhausted).
 */
int aspace_create(struct mem_pool *pool, struct aspace **out);

/*
 * Map [va, va + len) to memory m from byte offset off with permissions prot
 * (PROT_READ required; PROT_WRITE and PROT_EXEC optional but not both). Takes
 * a reference on m for the mapping. Kernel callers: max_prot is PROT_ALL, so
 * a later aspace_protect() may grant any W^X-valid prot.
 * Errors: ERR_INVALID_ARGS (unaligned va/off/len, len 0, wrap-around, range
 * not inside [PAGE_SIZE, USER_MAP_END): arch/mmu.h says why the last page is never
 * mapped; unknown prot bits, no PROT_READ,
 * W+X), ERR_OUT_OF_RANGE (off + len beyond m), ERR_ALREADY_EXISTS (overlaps
 * a mapping), ERR_NO_MEMORY (pool or memory exhausted), ERR_NO_RESOURCES (too
 * many mappings), ERR_INTERRUPTED (the caller was killed while it waited for
 * another map's fill, or between two steps of its own: then it undid them).
 * A failed call changes nothing (beyond, possibly, charged room for more
 * records and page tables built and charged before a failure midway). A map
 * of more than ASPACE_STEP_PAGES pages runs in steps with interrupts on
 * between them; a range overlapping a map still filling waits for it.
 */
int aspace_map(struct aspace *as, uint64_t va, struct memory *m, uint64_t off, uint64_t len,
               unsigned prot);

/*
 * aspace_map() with a ceiling: prot must be a subset of max_prot
 * (ERR_ACCESS_DENIED otherwise) and aspace_protect() will never grant more
 * than max_prot on this mapping. The syscall passes what the memory
 * capability's rights allow.
 */
int aspace_map_limited(struct aspace *as, uint64_t va, struct memory *m, uint64_t off, uint64_t len,
                       unsigned prot, unsigned max_prot);

/*
 * Unmap everything in [va, va + len); holes are skipped and mappings that
 * straddle an end are trimmed (or split in two). Drops the references of
 * removed mappings after the TLB shootdown, with no lock held. Errors:
 * ERR_INVALID_ARGS (unaligned, len 0, wraps, beyond the user half),
 * ERR_NO_MEMORY / ERR_NO_RESOURCES (a split needs one more record and none
 * can be had; then nothing is unmapped), ERR_INTERRUPTED (the caller was
 * killed between two steps or while it waited for a map filling inside the
 * range: a prefix of the range is unmapped).
 */
int aspace_unmap(struct aspace *as, uint64_t va, uint64_t len);

/*
 * Set the permissions of [va, va + len) to prot (rules as aspace_map). The
 * whole range must be mapped. Errors: ERR_INVALID_ARGS, ERR_NOT_FOUND (a hole
 * in the range), ERR_ACCESS_DENIED (prot exceeds a mapping's max_prot),
 * ERR_NO_MEMORY / ERR_NO_RESOURCES (records for the split ends). A call
 * refused by these checks changes nothing. ERR_INTERRUPTED: the caller was
 * killed between two steps (a prefix of the range has the new prot) or while
 * its decode waited for a map filling inside the range (nothing changed). Parts
 * of the range unmapped or remapped by another thread during a long protect
 * are left as that thread made them.
 */
int aspace_protect(struct aspace *as, uint64_t va, uint64_t len, unsigned prot);

/*
 * Describe the mapping containing va: 0, or ERR_NOT_FOUND; waits for a map
 * filling there to end (ERR_INTERRUPTED if the caller is killed meanwhile).
 */
int aspace_query(struct aspace *as, uint64_t va, struct as_region *out);

/*
 * A user page fault at addr (access: PROT_*) in a mapping of a paged memory
 * object: maps the page if it is present, else asks the object's pager
 * (memory_page_in(), blocking, killable) and maps it once supplied. Returns
 * 1 (handled: retry the access), 0 (not a paged mapping: the thread's pager
 * or an ordinary fault decides) or -1 (the fault stands: an access the
 * mapping does not allow, a pager that failed or refused, a kill, no memory
 * for a page table). Turns interrupts on when it has work to do; no locks.
 */
int aspace_fault_paged(struct aspace *as, uint64_t addr, unsigned access);

/*
 * A page fault at va in as, whose access found no page: if va lies in a map
 * still filling, enable interrupts, wait for the fill to end and return true
 * (retry the access; it may fault again if the map was undone). false at
 * once when nothing is filling (one atomic read), or if the wait was cut by
 * a kill. No lock held; the caller may sleep.
 */
bool aspace_fault_wait(struct aspace *as, uint64_t va);

/*
 * Load as into this CPU's page-table base. The caller keeps a reference to
 * as for as long as any CPU may have it loaded; before the last reference
 * goes, every CPU must have switched away (destroy frees the tables).
 */
void aspace_activate(struct aspace *as);

/* The address space obj is (obj must be an OBJ_ADDRESS_SPACE: KOBJECT_CAST). */
struct aspace *aspace_from(struct kobject *obj);

/*
 * Let the threads running in as use I/O ports [first, first + count)
 * (SYS_IOPORT_ENABLE): the first time, as's pool pays ARCH_IOPERM_BYTES for
 * its bitmap until as is destroyed. Errors: ERR_NO_MEMORY.
 */
int aspace_io_enable(struct aspace *as, uint32_t first, uint32_t count);
