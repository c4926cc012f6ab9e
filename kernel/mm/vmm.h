/*
 * vmm.h - address spaces: map / unmap / protect / query, for the kernel and
 * for user spaces, over the architecture's page tables (arch/mmu.h).
 *
 * What is generic lives here and in vmm.c: the VM_* flags, the argument
 * rules (page-aligned, non-empty ranges that stay on one side of the
 * user/kernel boundary; a map only onto unmapped pages, a protect only of
 * mapped ones, each all or nothing), the lock of each space, the TLB
 * shootdown after every change that removes or weakens a mapping, the direct
 * map and the MMIO window's allocator. The page-table format, the layout
 * constants (USER_SPACE_END, USER_MAP_END, MMIO_WINDOW_*) and the TLB flush
 * are the architecture's (arch/mmu.h).
 *
 * Locking: each vm_space has a spinlock held (interrupts off) across a whole
 * operation. A shootdown runs before the call returns, with the lock released.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lib/spinlock.h>
#include <arch/boot_defs.h>
#include <arch/mmu.h>

#define VM_READ 0x0 /* every mapping is readable */
#define VM_WRITE 0x1
#define VM_EXEC 0x2
#define VM_USER 0x4
#define VM_UNCACHED 0x8
#define VM_HUGE 0x10 /* allow large pages where alignment permits */
#define VM_WC 0x20 /* write-combining (a framebuffer); uncached where the CPU has no PAT */

struct vm_space {
	struct spinlock lock;
	struct arch_mmu mmu; /* the page tables (arch/mmu.h) */
};

extern struct vm_space kernel_space;

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}
/* Physical address of a direct-map or kernel-image address. */
uint64_t virt_to_phys(const void *va);

/*
 * Build the kernel's page tables (direct map up to max_phys, kernel image with
 * proper permissions, the kernel half every space shares) and switch to them.
 * Boot CPU, once.
 */
void vmm_init(uint64_t max_phys);

/*
 * Map [va, va+size) to [pa, pa+size). All page-aligned. ERR_ALREADY_EXISTS if
 * anything in the range is mapped (nothing is changed then), ERR_NO_MEMORY if
 * a page table cannot be allocated (what was mapped is undone),
 * ERR_INVALID_ARGS for unaligned/empty/wrapping ranges or a range that
 * crosses the user/kernel boundary.
 */
int vmm_map(struct vm_space *vs, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);
/* Unmap [va, va+size); unmapped holes are skipped. Large pages are split. */
int vmm_unmap(struct vm_space *vs, uint64_t va, uint64_t size);
/* Change permissions of mapped pages in the range; ERR_NOT_FOUND on a hole. */
int vmm_protect(struct vm_space *vs, uint64_t va, uint64_t size, unsigned flags);
/* The same for the user pages of the range that are mapped; holes are skipped. */
int vmm_protect_present(struct vm_space *vs, uint64_t va, uint64_t size, unsigned flags);
/* Translate va: 0 with *pa / *flags / *page_size, or ERR_NOT_FOUND. */
int vmm_query(struct vm_space *vs, uint64_t va, uint64_t *pa, unsigned *flags, uint64_t *page_size);

/* Create/destroy a user address space (kernel half shared). */
int vmm_space_create(struct vm_space *vs);
void vmm_space_destroy(struct vm_space *vs);
/* Load vs on this CPU (kernel_space: the kernel's own tables). */
static inline void vmm_space_activate(struct vm_space *vs)
{
	arch_mmu_activate(&vs->mmu);
}

/* Page-table pages vs owns (its memory pool pays for them). Changes under vs's lock only. */
static inline uint64_t vmm_table_pages(const struct vm_space *vs)
{
	return vs->mmu.table_pages;
}

/* Map device memory uncached into the MMIO window; NULL if out of room. */
void *vmm_map_mmio(uint64_t phys, size_t size);
