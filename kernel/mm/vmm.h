/*
 * vmm.h - 4-level paging: address spaces, map / unmap / protect / query.
 *
 * Layout of the kernel half (shared by every address space, because the
 * kernel's 256 PML4 entries are allocated once at boot and copied):
 *   0xffff800000000000  direct map of all physical memory (write-back)
 *   0xffffc00000000000  MMIO window (uncached mappings from vmm_map_mmio)
 *   0xffffffff80000000  kernel image (text RX, rodata R, data RW, all others NX)
 * The lower half (below 0x0000800000000000) belongs to user space.
 *
 * Locking: each vm_space has a spinlock held across a whole operation.
 * Changes that remove or weaken a mapping are followed by a TLB shootdown on
 * every CPU that may cache it, before the call returns.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lib/spinlock.h>
#include <arch/boot_defs.h>

#define VM_READ 0x0 /* every mapping is readable */
#define VM_WRITE 0x1
#define VM_EXEC 0x2
#define VM_USER 0x4
#define VM_UNCACHED 0x8
#define VM_HUGE 0x10 /* allow 2 MiB pages where alignment permits */

#define USER_SPACE_END 0x0000800000000000ull
/*
 * The highest user page, [USER_MAP_END, USER_SPACE_END), is never mapped (as on
 * Linux): no instruction can end at the canonical boundary, so a SYSCALL can never
 * leave a non-canonical return address, which the IRET path would fault on in
 * ring 0 (after SWAPGS) on Intel CPUs. aspace_map() refuses it and a thread cannot
 * start there.
 */
#define USER_MAP_END (USER_SPACE_END - 0x1000ull)
#define MMIO_WINDOW_BASE 0xffffc00000000000ull
#define MMIO_WINDOW_SIZE (64ull << 30)

/* User page tables a space lists so that destroying it needs no table walk. */
#define VMM_TRACKED_TABLES 16
#define VMM_UNTRACKED UINT32_MAX /* more than that: destroy walks the tables */

struct vm_space {
	uint64_t pml4_phys;
	uint64_t *pml4;
	struct spinlock lock;
	uint64_t table_pages; /* page-table pages this space owns (lower half) */
	uint32_t ntracked; /* entries of tracked[], or VMM_UNTRACKED */
	uint64_t *tracked[VMM_TRACKED_TABLES]; /* every lower-half table but the PML4 */
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
 * proper permissions, kernel-half PDPTs) and switch to them. Boot CPU, once.
 */
void vmm_init(uint64_t max_phys);
/* Load the kernel page tables on an AP and enable NX/global pages there. */
void vmm_init_ap(void);

/*
 * Map [va, va+size) to [pa, pa+size). All page-aligned. ERR_ALREADY_EXISTS if
 * anything in the range is mapped (nothing is changed then), ERR_NO_MEMORY if
 * a page table cannot be allocated (what was mapped is undone),
 * ERR_INVALID_ARGS for unaligned/empty/wrapping ranges or a range that
 * crosses the user/kernel boundary.
 */
int vmm_map(struct vm_space *vs, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);
/* Unmap [va, va+size); unmapped holes are skipped. 2 MiB pages are split. */
int vmm_unmap(struct vm_space *vs, uint64_t va, uint64_t size);
/* Change permissions of mapped pages in the range; ERR_NOT_FOUND on a hole. */
int vmm_protect(struct vm_space *vs, uint64_t va, uint64_t size, unsigned flags);
/* Translate va: 0 with *pa / *flags / *page_size, or ERR_NOT_FOUND. */
int vmm_query(struct vm_space *vs, uint64_t va, uint64_t *pa, unsigned *flags, uint64_t *page_size);

/* Create/destroy a user address space (kernel half shared). */
int vmm_space_create(struct vm_space *vs);
void vmm_space_destroy(struct vm_space *vs);
void vmm_space_activate(struct vm_space *vs);

/* Map device memory uncached into the MMIO window; NULL if out of room. */
void *vmm_map_mmio(uint64_t phys, size_t size);

/* Flush [va, va+size) from every CPU's TLB (all CPUs if kernel address). */
void vmm_shootdown(uint64_t va, uint64_t size);
