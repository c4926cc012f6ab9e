/*
 * arch/mmu.h - x86-64 page tables: the architecture's half of mm/vmm.h.
 *
 * mm/vmm.c is the only caller of the arch_mmu_* functions that change a space:
 * it checks the arguments (aligned, non-empty, on one side of the user/kernel
 * boundary), holds the space's lock with interrupts off across each call and
 * shoots the TLBs down after every change that removes or weakens a mapping.
 * What lives here is what a page-table format decides: 4-level tables (PML4,
 * PDPT, PD, PT) with 4 KiB leaves and 2 MiB leaves (PS) where VM_HUGE allows,
 * the PTE bits behind the VM_* flags of mm/vmm.h, CR3, INVLPG and the IPI
 * that flushes other CPUs. Another architecture provides the same functions
 * and constants under the same names (docs/kernel.md, "The arch boundary").
 *
 * Layout of the kernel half (shared by every address space, because the
 * kernel's 256 PML4 entries are allocated once at boot and copied):
 *   0xffff800000000000  direct map of all physical memory (write-back)
 *   0xffffc00000000000  MMIO window (uncached mappings from vmm_map_mmio)
 *   0xffffffff80000000  kernel image (text RX, rodata R, data RW, all others NX)
 * The lower half (below 0x0000800000000000) belongs to user space.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>

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
#define ARCH_MMU_TRACKED 16
#define ARCH_MMU_UNTRACKED UINT32_MAX /* more than that: destroy walks the tables */

/* One address space's page tables. */
struct arch_mmu {
	uint64_t pml4_phys; /* what CR3 holds while the space is active */
	uint64_t *pml4;
	uint64_t table_pages; /* page-table pages this space owns (lower half) */
	uint32_t ntracked; /* entries of tracked[], or ARCH_MMU_UNTRACKED */
	uint64_t *tracked[ARCH_MMU_TRACKED]; /* every lower-half table but the PML4 */
	/* ports the space's threads may use (ioperm.c): NULL for none (the usual
	   case, which costs nothing at a switch); else IOMAP_BYTES of bitmap */
	uint8_t *io_bits;
	uint32_t io_len; /* bytes of io_bits up to the highest allowed port */
	uint64_t io_gen; /* bumped (atomic) after every change of io_bits */
	uint64_t io_id; /* unique among spaces that ever had ports (CPUs cache by it) */
};

/* Bytes a space's I/O port bitmap costs (charged by its owner: obj/aspace.c). */
#define ARCH_IOPERM_BYTES 8192
/*
 * Let the threads of m use ports [first, first + count) (count >= 1, within
 * 0..65535). bits is a fresh ARCH_IOPERM_BYTES buffer from
 * arch_ioperm_alloc() when m has none yet (it is then m's, and freed by
 * arch_mmu_destroy), else NULL. The calling CPU's TSS is updated at once;
 * others at their next switch to m, or at the #GP a stale copy causes.
 * Caller serializes changes to m (the space's lock).
 */
void arch_ioperm_allow(struct arch_mmu *m, uint8_t *bits, uint32_t first, uint32_t count);
bool arch_ioperm_present(const struct arch_mmu *m);
/* A bitmap for arch_ioperm_allow (every port denied), or NULL; free unused ones. */
uint8_t *arch_ioperm_alloc(void);
void arch_ioperm_free(uint8_t *bits);

/*
 * Build the kernel's tables in k (direct map up to max_phys, kernel image with
 * its sections' permissions, a PDPT for every kernel-half PML4 entry so that
 * spaces can share them) and load them. Boot CPU, once; panics without memory.
 */
void arch_mmu_init_kernel(struct arch_mmu *k, uint64_t max_phys);
/* This CPU: global pages and supervisor write protection on, load k. Every CPU. */
void arch_mmu_init_cpu(const struct arch_mmu *k);

/* An empty user space in m sharing k's kernel half (one table page). ERR_NO_MEMORY. */
int arch_mmu_create(struct arch_mmu *m, const struct arch_mmu *k);
/* Free m's lower-half tables; no CPU may have it loaded. */
void arch_mmu_destroy(struct arch_mmu *m);
/* Load the tables rooted at root on this CPU (nothing if already loaded). Inline:
 * every thread switch (with the root cached in the thread). */
static inline void arch_mmu_load_root(uint64_t root)
{
	if (read_cr3() != root)
		write_cr3(root);
}

/* Load m on this CPU (nothing if already loaded). */
static inline void arch_mmu_activate(const struct arch_mmu *m)
{
	arch_mmu_load_root(m->pml4_phys);
}

/*
 * The functions below run under the space's lock (mm/vmm.c) on a range vmm.c
 * checked: page-aligned, non-empty, on one side of USER_SPACE_END.
 *
 * Map [va, va + size) to [pa, pa + size) with VM_* flags, all or nothing:
 * ERR_ALREADY_EXISTS if any page of the range is mapped (nothing changed),
 * ERR_NO_MEMORY if a table cannot be had (what was mapped is undone).
 */
int arch_mmu_map(struct arch_mmu *m, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);
/* Unmap [va, va + size), holes skipped; a 2 MiB page cut by the range is split
 * (ERR_NO_MEMORY if no table for it: the range is unmapped up to there). */
int arch_mmu_unmap(struct arch_mmu *m, uint64_t va, uint64_t size);
/*
 * Give every page of [va, va + size) the VM_* flags (2 MiB pages split):
 * ERR_NOT_FOUND if a page of the range is not mapped (nothing changed).
 */
int arch_mmu_protect(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags);
/* The same for the 4 KiB pages of the range that are mapped; holes are skipped. */
void arch_mmu_protect_present(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags);
/* Translate va: 0 with *pa / *flags (VM_HUGE on a 2 MiB page) / *page_size, or ERR_NOT_FOUND. */
int arch_mmu_query(const struct arch_mmu *m, uint64_t va, uint64_t *pa, unsigned *flags,
                   uint64_t *page_size);
/*
 * Page-table pages a map of [va, va + len) in 4 KiB pages may add at most: one
 * PT per 2 MiB region, PD per 1 GiB region and PDPT per 512 GiB region it touches.
 */
static inline uint64_t arch_mmu_tables_needed(uint64_t va, uint64_t len)
{
	uint64_t last = va + len - 1, n = 0;
	for (unsigned shift = 21; shift <= 39; shift += 9)
		n += (last >> shift) - (va >> shift) + 1;
	return n;
}

/* Flush [va, va + size) from every CPU's TLB. Interrupts on or off; never blocks. */
void arch_mmu_shootdown(uint64_t va, uint64_t size);
