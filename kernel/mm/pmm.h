/*
 * pmm.h - physical page allocator (buddy allocator over the boot memory map).
 *
 * Pages are handed out as kernel virtual addresses in the direct map; use
 * virt_to_phys()/phys_to_virt() (mm/vmm.h) to convert. Returns NULL when memory
 * is exhausted. Safe on any CPU with interrupts on or off.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096UL
#define PAGE_MASK (~(PAGE_SIZE - 1))

struct boot_info;
/* Phase one: metadata and memory below 4 GiB (boot page tables still live). */
void pmm_init(const struct boot_info *bi);
/* Phase two, after vmm_init(): memory above 4 GiB. */
void pmm_init_high(void);
/* End of the highest usable RAM. */
uint64_t pmm_max_phys(void);

/* Allocate 2^order physically contiguous, naturally aligned pages. */
void *page_alloc(unsigned order);
/* Like page_alloc(), zero-filled. */
void *page_zalloc(unsigned order);
/* Return pages obtained from page_alloc() with the same order. */
void page_free(void *va, unsigned order);

/* Free pages right now (for leak checks in tests and the boot summary). */
uint64_t pmm_free_pages(void);
/* Usable RAM the allocator was given at boot, in pages. */
uint64_t pmm_total_pages(void);
