/*
 * Host-test stand-in for arch/mmu.h: a fake architecture for mm/vmm.c (test_vmm.c
 * implements the functions). Its layout is deliberately not x86-64's (a 256 GiB
 * user half, another MMIO window), so vmm.c is checked to depend on the arch
 * contract only. The page tables are a short list of mapped pages.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define USER_SPACE_END 0x0000004000000000ull
#define USER_MAP_END (USER_SPACE_END - 0x1000ull)
#define MMIO_WINDOW_BASE 0xffffffa000000000ull
#define MMIO_WINDOW_SIZE (64ull << 20)

#define FAKE_MMU_PAGES 64

struct arch_mmu {
	uint64_t table_pages;
	unsigned n; /* entries below */
	uint64_t va[FAKE_MMU_PAGES], pa[FAKE_MMU_PAGES];
	unsigned flags[FAKE_MMU_PAGES];
	const struct arch_mmu *kernel; /* what arch_mmu_create shared */
};

void arch_mmu_init_kernel(struct arch_mmu *k, uint64_t max_phys);
int arch_mmu_create(struct arch_mmu *m, const struct arch_mmu *k);
void arch_mmu_destroy(struct arch_mmu *m);
int arch_mmu_map(struct arch_mmu *m, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);
int arch_mmu_unmap(struct arch_mmu *m, uint64_t va, uint64_t size);
int arch_mmu_protect(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags);
void arch_mmu_protect_present(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags);
int arch_mmu_query(const struct arch_mmu *m, uint64_t va, uint64_t *pa, unsigned *flags,
                   uint64_t *page_size);
void arch_mmu_shootdown(uint64_t va, uint64_t size);

/* The fake's activation only counts. */
extern unsigned fake_mmu_activations;
static inline void arch_mmu_activate(const struct arch_mmu *m)
{
	(void)m;
	fake_mmu_activations++;
}

static inline uint64_t arch_mmu_tables_needed(uint64_t va, uint64_t len)
{
	(void)va;
	(void)len;
	return 1;
}
