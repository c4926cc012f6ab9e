/*
 * memory.h - OBJ_MEMORY: a run of physical pages that can be mapped.
 *
 * A memory object is a fixed number of pages, chosen at creation and never
 * resized. memory_create() allocates them eagerly, zero-filled, and charges
 * the pages plus the object's metadata to a pool; the object keeps a pool
 * reference and returns everything when it is destroyed. memory_create_phys()
 * wraps a range of physical memory the kernel already owns (the initrd, later
 * framebuffers): such pages are never freed and nothing is charged.
 *
 * Lifetime: plain kobject reference counting. Every mapping of the object in
 * an address space holds a reference (obj/aspace.c), so the pages outlive
 * every mapping of them and are freed only after the last unmap and its TLB
 * shootdown.
 *
 * Locking: none needed for ordinary objects: size and the page array are
 * immutable after creation; the page contents belong to whoever maps them.
 *
 * Paged objects (memory_create_paged(), SYS_POOL_MEM_CREATE_PAGED) start
 * with every page absent (pages[i] == 0) and get pages from a user-level
 * pager: a fault on an absent page calls the pager (memory_page_in()), which
 * supplies pages (memory_supply()). A page, once present, stays until the
 * object is destroyed, so the array only ever goes from 0 to a page: readers
 * load entries atomically without a lock, and obj.lock (interrupts off, held
 * for a few instructions) serializes suppliers. The page array is charged at
 * creation, each page when supplied (one order-0 block each).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <obj/object.h>

struct mem_pool;

/* Largest memory object: 1 TiB. Larger sizes are refused as ERR_INVALID_ARGS. */
#define MEMORY_MAX_SIZE (UINT64_C(1) << 40)

struct memory {
	struct kobject obj;
	uint64_t npages;
	struct mem_pool *pool; /* reference held; NULL for wrapped physical memory */
	uint64_t charged; /* bytes charged to pool, returned at destroy */
	uint64_t phys_base; /* wrapped memory: first physical address */
	unsigned cache; /* MEM_CACHE_*: how mappings of it are cached */
	/*
	 * Owned memory: physical address of each page. The first page of each
	 * block from the page allocator carries (order + 1) in its low bits,
	 * the other pages of the block carry 0, so destroy can free whole blocks.
	 */
	uint64_t *pages;
	struct kobject *pager; /* paged objects: the pager's endpoint (reference held), else NULL */
	uint64_t key; /* paged objects: sent to the pager with each request */
	uint64_t content1; /* atomic: the file's bytes + 1 (SYS_MEM_SET_CONTENT); 0: none */
};

/*
 * Create a memory object of size bytes (rounded up to pages, 1 byte ..
 * MEMORY_MAX_SIZE), zero-filled, charged to pool. One reference, owned by
 * the caller. Errors: ERR_INVALID_ARGS (size 0 or above the maximum),
 * ERR_NO_MEMORY (pool quota, kernel heap or physical memory exhausted; what
 * was allocated is freed and nothing stays charged), ERR_INTERRUPTED (the
 * caller was killed meanwhile; likewise nothing stays). Preemptible; call
 * without spinlocks.
 */
int memory_create(struct mem_pool *pool, uint64_t size, struct memory **out);

/*
 * Like memory_create(), but bytes [off, off + len) are copied from user memory
 * at usrc (the caller's address space) and only the rest is zeroed, so a
 * program image or a stack is written once instead of zeroed and then
 * overwritten. The object is returned only once every byte has been written:
 * a failed copy frees it, so stale page contents never reach user space.
 * Sleeps if the copy faults into a user pager; call without spinlocks.
 * Errors: those of memory_create(), ERR_OUT_OF_RANGE (the range leaves the
 * object), ERR_BAD_ADDRESS (usrc unreadable).
 */
int memory_create_from_user(struct mem_pool *pool, uint64_t size, uint64_t off, uint64_t len,
                            uint64_t usrc, struct memory **out);

/*
 * Wrap the physical range [phys, phys + size) (phys page aligned, size
 * rounded up to pages) as a memory object that does not own its pages: they
 * are never freed. Kernel use only (e.g. the initrd module), so nothing is
 * charged. Errors: ERR_INVALID_ARGS (unaligned, empty, too large or wrapping),
 * ERR_NO_MEMORY.
 */
int memory_create_phys(uint64_t phys, uint64_t size, struct memory **out);

/*
 * A paged memory object of size bytes (1 .. MEM_PAGED_MAX_SIZE), no page
 * present, whose pages the pager endpoint supplies (a reference is taken).
 * Charges its page array to pool. Errors: ERR_INVALID_ARGS, ERR_NO_MEMORY.
 */
int memory_create_paged(struct mem_pool *pool, uint64_t size, struct kobject *pager, uint64_t key,
                        struct memory **out);

/* Whether m is a paged object. */
bool memory_is_paged(const struct memory *m);

/*
 * Page index of paged m: its physical address, or 0 while absent. Any object:
 * memory_page_phys() for ordinary ones.
 */
uint64_t memory_page_lookup(struct memory *m, uint64_t index);

/*
 * SYS_MEM_SUPPLY on paged m: [off, off + len) from user memory at usrc, to
 * absent pages (MEM_SUPPLY_ABSENT) and/or present ones (MEM_SUPPLY_PRESENT).
 * Returns the number of pages written or an error (abi/syscall.h). Sleeps
 * (copies from user memory, checks for a kill per page); no locks held.
 */
long memory_supply(struct memory *m, uint64_t off, uint64_t len, uint64_t usrc, unsigned flags);

/*
 * Ask paged m's pager for page index on behalf of the current user thread
 * (access: PROT_*). Blocks (killable) until the pager answers or timeout ns
 * pass (a fault waits WAIT_FOREVER; a read its own timeout). Returns true if
 * the page is present afterwards. Call with interrupts on, no locks held.
 */
bool memory_page_in(struct memory *m, uint64_t index, unsigned access, uint64_t timeout);

/* How a memory object's mappings are cached. */
#define MEM_CACHE_WB 0 /* normal memory */
#define MEM_CACHE_UC 1 /* device registers: uncached */
#define MEM_CACHE_WC 2 /* a framebuffer: write-combining (uncached without a PAT) */

/*
 * Like memory_create_phys(), for device memory (kernel/hw: a BAR or a
 * framebuffer): mapped with the given MEM_CACHE_* mode. Never handed to
 * user space as an OBJ_MEMORY (an OBJ_MMIO stands for it).
 */
int memory_create_device(uint64_t phys, uint64_t size, unsigned cache, struct memory **out);

/* The VM_* cache flags mappings of m take (0 for normal memory). */
unsigned memory_vm_cache(const struct memory *m);

/* Whether m is memory a pool paid for (not wrapped physical or device memory). */
bool memory_is_owned(const struct memory *m);

/* Physical address of page index (< memory_size(m) / PAGE_SIZE). */
uint64_t memory_page_phys(struct memory *m, uint64_t index);

/* Size in bytes (a multiple of PAGE_SIZE). */
uint64_t memory_size(struct memory *m);
/* The bytes of m that are a file's contents (SYS_MEM_SET_CONTENT), or MEM_CONTENT_NONE. */
uint64_t memory_content(struct memory *m);
/* Set them (bytes <= the size, or MEM_CONTENT_NONE). Errors: ERR_OUT_OF_RANGE. */
int memory_set_content(struct memory *m, uint64_t bytes);

/* The memory object obj is (obj must be an OBJ_MEMORY: KOBJECT_CAST). */
struct memory *memory_from(struct kobject *obj);
