/*
 * buddy.h - binary buddy allocator over a range of page frame numbers.
 *
 * Pure bookkeeping: it never touches the pages it manages, only the metadata
 * array the caller provides (buddy_meta_size() bytes, one struct buddy_page
 * per frame), so the same code runs in the kernel's pmm and in host tests.
 * No locking: the caller (pmm.c) serialises every call.
 *
 * Blocks are 2^order frames, order < BUDDY_MAX_ORDER, and naturally aligned
 * in absolute pfn terms (an order-9 block starts on a 2 MiB physical
 * boundary), so base_pfn need not be aligned. Every frame starts reserved;
 * buddy_add_free_range() hands frames over once, from the boot memory map.
 *
 * Invariants: a free block's first frame carries BUDDY_PAGE_FREE and its
 * order and sits on free_list[order]; an allocated block's first frame
 * carries BUDDY_PAGE_ALLOC and its order; every other frame carries only
 * BUDDY_PAGE_USABLE (or nothing, if reserved). Two free buddies of the same
 * order never coexist: they are always merged.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_MAX_ORDER 11 /* orders 0..10: blocks of up to 4 MiB */
#define BUDDY_NONE UINT32_MAX

/* struct buddy_page.flags */
#define BUDDY_PAGE_USABLE 0x1u /* given to the allocator by buddy_add_free_range() */
#define BUDDY_PAGE_FREE 0x2u /* first frame of a free block of `order` */
#define BUDDY_PAGE_ALLOC 0x4u /* first frame of an allocated block of `order` */

/* Per-frame metadata (12 bytes); list links are frame indices relative to base_pfn. */
struct buddy_page {
	uint32_t next;
	uint32_t prev;
	uint8_t order;
	uint8_t flags;
	uint16_t reserved;
};

struct buddy {
	uint64_t base_pfn;
	uint64_t npages;
	uint64_t free_pages;
	uint64_t free_blocks[BUDDY_MAX_ORDER]; /* length of each free list */
	uint32_t free_list[BUDDY_MAX_ORDER]; /* head index or BUDDY_NONE */
	struct buddy_page *meta;
};

/* Bytes of metadata buddy_init() needs for npages frames. */
size_t buddy_meta_size(uint64_t npages);

/*
 * Manage frames [base_pfn, base_pfn + npages), all reserved for now. meta must
 * hold buddy_meta_size(npages) bytes and stays owned by the allocator.
 * npages must be below 2^32 - 1 (16 TiB); ASSERTs otherwise.
 */
void buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t npages, struct buddy_page *meta);

/*
 * Make frames [pfn, pfn + npages) allocatable, merging them with free
 * neighbours into maximal aligned blocks. The range must lie inside the
 * allocator and must not have been added before (ASSERT). O(npages).
 */
void buddy_add_free_range(struct buddy *b, uint64_t pfn, uint64_t npages);

/*
 * Allocate 2^order naturally aligned frames and store the first in *pfn_out.
 * Returns 0, ERR_INVALID_ARGS for order >= BUDDY_MAX_ORDER, or ERR_NO_MEMORY.
 * O(BUDDY_MAX_ORDER).
 */
int buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn_out);

/*
 * Return a block from buddy_alloc() with the same order and merge it with its
 * free buddies. Freeing anything else (double free, wrong order, a frame
 * inside a block, a reserved frame) is a broken invariant: ASSERT.
 * O(BUDDY_MAX_ORDER).
 */
void buddy_free(struct buddy *b, uint64_t pfn, unsigned order);

/* Whether frame pfn lies in a free block. O(BUDDY_MAX_ORDER). */
bool buddy_is_free(const struct buddy *b, uint64_t pfn);

/* Number of free frames. */
uint64_t buddy_free_pages(const struct buddy *b);
