/*
 * mmu.c - x86-64 page tables for the kernel and for user address spaces
 * (arch/mmu.h; mm/vmm.c checks, locks and calls these).
 *
 * A walk goes PML4 -> PDPT -> PD -> PT. Leaves are 4 KiB PT entries or 2 MiB
 * PD entries (PS bit). Intermediate entries are always present+writable (and
 * user for the lower half); the leaf alone carries the permissions, so a
 * protect never touches the upper levels. Page-table pages come from the
 * buddy allocator and are counted in arch_mmu.table_pages so callers (memory
 * pools) can charge them. Lower-half tables are freed with the space; the
 * kernel half is shared and never freed.
 *
 * A space lists its first ARCH_MMU_TRACKED lower-half tables (below the
 * PML4) in m->tracked, so arch_mmu_destroy() frees them without scanning
 * 512-entry tables for the few present entries (a small process has about
 * six tables; the scan cost ~19,000 instructions per process). A space with
 * more tables, or one that freed a table early, is walked as before.
 */
#include <arch/mmu.h>
#include <arch/cpu.h>
#include <arch/cpufeatures.h>
#include <arch/smp.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <lib/string.h>
#include <mm/pmm.h>
#include <mm/vmm.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define HUGE_SIZE (2ull << 20)
#define SHOOTDOWN_FULL_PAGES 32
#define CR4_PGE (1u << 7)

extern char _kernel_phys_start[], _text_start[], _text_end[], _rodata_start[], _rodata_end[],
    _data_start[], _data_end[], _kernel_end[];

static uint64_t leaf_bits(unsigned flags)
{
	uint64_t e = PTE_P;
	if (flags & VM_WRITE)
		e |= PTE_W;
	if (!(flags & VM_EXEC))
		e |= PTE_NX;
	if (flags & VM_USER)
		e |= PTE_U;
	if (flags & VM_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	else if (flags & VM_WC) /* PAT entry 1 (cpufeatures.c), or uncached without a PAT */
		e |= cpu_has_pat ? PTE_PWT : PTE_PCD | PTE_PWT;
	return e;
}

static unsigned leaf_flags(uint64_t e)
{
	unsigned f = 0;
	if (e & PTE_W)
		f |= VM_WRITE;
	if (!(e & PTE_NX))
		f |= VM_EXEC;
	if (e & PTE_U)
		f |= VM_USER;
	if (e & PTE_PCD)
		f |= VM_UNCACHED;
	else if (e & PTE_PWT)
		f |= VM_WC;
	return f;
}

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

static uint64_t *alloc_table(struct arch_mmu *m)
{
	uint64_t *t = page_zalloc(0);
	if (t)
		m->table_pages++;
	return t;
}

/* A table for va below the PML4: user ones are listed for arch_mmu_destroy. */
static uint64_t *alloc_lower_table(struct arch_mmu *m, uint64_t va)
{
	uint64_t *t = alloc_table(m);
	if (!t || va >= USER_SPACE_END || m->ntracked == ARCH_MMU_UNTRACKED)
		return t;
	if (m->ntracked < ARCH_MMU_TRACKED)
		m->tracked[m->ntracked++] = t;
	else
		m->ntracked = ARCH_MMU_UNTRACKED;
	return t;
}

/* Split a 2 MiB leaf at *pde into 512 4 KiB leaves with the same bits. */
static int split_huge(struct arch_mmu *m, uint64_t *pde, uint64_t va)
{
	uint64_t *pt = alloc_lower_table(m, va);
	if (!pt)
		return ERR_NO_MEMORY;
	uint64_t base = *pde & PTE_ADDR & ~(HUGE_SIZE - 1), bits = *pde & ~PTE_ADDR & ~PTE_PS;
	for (int i = 0; i < 512; i++)
		pt[i] = (base + ((uint64_t)i << PAGE_SHIFT)) | bits;
	*pde = virt_to_phys(pt) | PTE_P | PTE_W | (bits & PTE_U);
	return 0;
}

/*
 * Entry for va at level (1 = PT, 2 = PD), without changing anything: NULL
 * for a hole, the 2 MiB leaf itself if there is one on the way.
 */
static uint64_t *lookup(const struct arch_mmu *m, uint64_t va, int level)
{
	uint64_t *t = m->pml4;
	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[(va >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PTE_P))
			return NULL;
		if (*e & PTE_PS)
			return e;
		t = table_of(*e);
	}
	return &t[(va >> (12 + 9 * (level - 1))) & 511];
}

/* How many 4 KiB pages of [va, va + size) are mapped. */
static uint64_t mapped_pages(const struct arch_mmu *m, uint64_t va, uint64_t size)
{
	uint64_t n = 0;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		const uint64_t *e = lookup(m, va + off, 1);
		n += e && (*e & PTE_P);
	}
	return n;
}

/*
 * Entry for va at level (1 = PT, 2 = PD), for writing: missing tables are
 * created and a 2 MiB leaf in the way of a level-1 walk is split. NULL with
 * *err set when a table cannot be had.
 */
static uint64_t *walk(struct arch_mmu *m, uint64_t va, int level, int *err)
{
	uint64_t *t = m->pml4;
	uint64_t inter = PTE_P | PTE_W | (va < USER_SPACE_END ? PTE_U : 0);
	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[(va >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PTE_P)) {
			uint64_t *nt = alloc_lower_table(m, va);
			if (!nt) {
				*err = ERR_NO_MEMORY;
				return NULL;
			}
			*e = virt_to_phys(nt) | inter;
		} else if (*e & PTE_PS) {
			int r = split_huge(m, e, va);
			if (r) {
				*err = r;
				return NULL;
			}
		}
		t = table_of(*e);
	}
	return &t[(va >> (12 + 9 * (level - 1))) & 511];
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

int arch_mmu_unmap(struct arch_mmu *m, uint64_t va, uint64_t size)
{
	for (uint64_t off = 0; off < size;) {
		uint64_t v = va + off;
		uint64_t *e = lookup(m, v, 2);
		if (e && (*e & PTE_P) && (*e & PTE_PS)) {
			if (IS_ALIGNED(v, HUGE_SIZE) && size - off >= HUGE_SIZE) {
				*e = 0;
				off += HUGE_SIZE;
				continue;
			}
			int err = split_huge(m, e, v);
			if (err)
				return err;
		}
		e = lookup(m, v, 1);
		if (e)
			*e = 0;
		off += PAGE_SIZE;
	}
	return 0;
}

/* arch_mmu_map() on a range known to be unmapped. */
static int map_range(struct arch_mmu *m, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	uint64_t bits = leaf_bits(flags);
	for (uint64_t off = 0; off < size;) {
		int err = 0;
		uint64_t v = va + off, p = pa + off;
		if ((flags & VM_HUGE) && IS_ALIGNED(v, HUGE_SIZE) && IS_ALIGNED(p, HUGE_SIZE) &&
		    size - off >= HUGE_SIZE) {
			uint64_t *e = walk(m, v, 2, &err);
			if (e && (*e & PTE_P) && !(*e & PTE_PS) && table_empty(table_of(*e))) {
				page_free(table_of(*e), 0); /* left over from earlier 4 KiB maps */
				m->table_pages--;
				if (v < USER_SPACE_END) /* the list names a freed table */
					m->ntracked = ARCH_MMU_UNTRACKED;
				*e = 0;
			}
			if (e && !(*e & PTE_P)) {
				*e = p | bits | PTE_PS;
				off += HUGE_SIZE;
				continue;
			}
		}
		uint64_t *e = walk(m, v, 1, &err);
		if (!e) {
			if (off)
				arch_mmu_unmap(m, va, off);
			return err;
		}
		*e = p | bits;
		off += PAGE_SIZE;
	}
	return 0;
}

int arch_mmu_map(struct arch_mmu *m, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	if (mapped_pages(m, va, size))
		return ERR_ALREADY_EXISTS;
	return map_range(m, va, pa, size, flags);
}

/* arch_mmu_protect() on a range known to be mapped. */
static int protect_range(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags)
{
	uint64_t bits = leaf_bits(flags);
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		int err = 0;
		uint64_t *e = walk(m, va + off, 1, &err); /* splits huge pages */
		if (!e)
			return err;
		*e = (*e & PTE_ADDR) | bits;
	}
	return 0;
}

void arch_mmu_protect_present(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags)
{
	uint64_t bits = leaf_bits(flags);
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t *e = lookup(m, va + off, 1);
		if (e && (*e & PTE_P))
			*e = (*e & PTE_ADDR) | bits;
	}
}

int arch_mmu_protect(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags)
{
	if (mapped_pages(m, va, size) != size / PAGE_SIZE)
		return ERR_NOT_FOUND;
	return protect_range(m, va, size, flags);
}

int arch_mmu_query(const struct arch_mmu *m, uint64_t va, uint64_t *pa, unsigned *flags,
                   uint64_t *page_size)
{
	const uint64_t *e = lookup(m, va, 2);
	uint64_t sz = HUGE_SIZE;
	if (e && (*e & PTE_P) && !(*e & PTE_PS)) {
		e = lookup(m, va, 1);
		sz = PAGE_SIZE;
	}
	if (!e || !(*e & PTE_P))
		return ERR_NOT_FOUND;
	if (pa)
		*pa = (*e & PTE_ADDR & ~(sz - 1)) + (va & (sz - 1) & PAGE_MASK);
	if (flags)
		*flags = leaf_flags(*e) | (sz == HUGE_SIZE ? VM_HUGE : 0);
	if (page_size)
		*page_size = sz;
	return 0;
}

static void map_kernel_range(struct arch_mmu *k, char *start, char *end, unsigned flags)
{
	uint64_t va = ALIGN_DOWN((uint64_t)start, PAGE_SIZE);
	uint64_t size = ALIGN_UP((uint64_t)end, PAGE_SIZE) - va;
	if (size && map_range(k, va, va - KERNEL_VMA, size, flags))
		panic("vmm: out of memory mapping the kernel image");
}

void arch_mmu_init_kernel(struct arch_mmu *k, uint64_t max_phys)
{
	k->pml4 = page_zalloc(0);
	if (!k->pml4)
		panic("vmm: no memory for the kernel page tables");
	k->pml4_phys = virt_to_phys(k->pml4);
	/* Every kernel-half PML4 slot gets its PDPT now, so address spaces can share them. */
	for (int i = 256; i < 512; i++) {
		uint64_t *pdpt = page_zalloc(0);
		if (!pdpt)
			panic("vmm: no memory for the kernel page tables");
		k->pml4[i] = virt_to_phys(pdpt) | PTE_P | PTE_W;
	}
	uint64_t dm_size = ALIGN_UP(MAX(max_phys, 4ull << 30), HUGE_SIZE);
	if (map_range(k, DIRECT_MAP_BASE, 0, dm_size, VM_WRITE | VM_HUGE))
		panic("vmm: out of memory building the direct map");
	map_kernel_range(k, _text_start, _text_end, VM_EXEC);
	map_kernel_range(k, _rodata_start, _rodata_end, VM_READ);
	map_kernel_range(k, _data_start, _data_end, VM_WRITE);
	map_kernel_range(k, _data_end, _kernel_end, VM_READ); /* .ksyms */
	arch_mmu_init_cpu(k);
	/* The image's alias in the direct map is read-only: no writable path to kernel text. */
	uint64_t img = DIRECT_MAP_BASE + ALIGN_DOWN((uint64_t)_kernel_phys_start, PAGE_SIZE);
	uint64_t img_end =
	    DIRECT_MAP_BASE + ALIGN_UP((uint64_t)_kernel_end - KERNEL_VMA, PAGE_SIZE);
	if (protect_range(k, img, img_end - img, VM_READ))
		panic("vmm: cannot write-protect the kernel image in the direct map");
	arch_mmu_shootdown(img, img_end - img);
	pr_info("vmm: direct map %llu MiB, kernel %llu KiB, %llu table pages",
	        (unsigned long long)(dm_size >> 20),
	        (unsigned long long)(((uint64_t)_kernel_end - (uint64_t)_text_start) >> 10),
	        (unsigned long long)k->table_pages);
}

void arch_mmu_init_cpu(const struct arch_mmu *k)
{
	write_cr4(read_cr4() | CR4_PGE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(k->pml4_phys);
}

int arch_mmu_create(struct arch_mmu *m, const struct arch_mmu *k)
{
	m->ntracked = 0;
	m->io_bits = NULL;
	m->io_len = 0;
	m->io_gen = 0;
	m->io_id = 0;
	m->pml4 = page_alloc(0); /* every entry is written below */
	if (!m->pml4)
		return ERR_NO_MEMORY;
	m->table_pages = 1;
	m->pml4_phys = virt_to_phys(m->pml4);
	memset(m->pml4, 0, 256 * sizeof(uint64_t));
	memcpy(m->pml4 + 256, k->pml4 + 256, 256 * sizeof(uint64_t));
	return 0;
}

static void free_tables(uint64_t *t, int level)
{
	for (int i = 0; level > 1 && i < 512; i++)
		if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
			free_tables(table_of(t[i]), level - 1);
	page_free(t, 0);
}

void arch_mmu_destroy(struct arch_mmu *m)
{
	if (m->ntracked != ARCH_MMU_UNTRACKED) {
		ASSERT(m->ntracked + 1 == m->table_pages);
		for (uint32_t i = 0; i < m->ntracked; i++)
			page_free(m->tracked[i], 0);
	} else {
		for (int i = 0; i < 256; i++)
			if (m->pml4[i] & PTE_P)
				free_tables(table_of(m->pml4[i]), 3);
	}
	page_free(m->pml4, 0);
	m->pml4 = NULL;
	m->table_pages = 0;
	m->ntracked = 0;
	if (m->io_bits) /* no CPU runs the space: its TSS copies are stale by io_id */
		arch_ioperm_free(m->io_bits);
	m->io_bits = NULL;
}

struct shootdown {
	uint64_t va, size;
};

static void flush_local(void *arg)
{
	struct shootdown *s = arg;
	if (s->size / PAGE_SIZE > SHOOTDOWN_FULL_PAGES) {
		write_cr3(read_cr3());
		return;
	}
	for (uint64_t off = 0; off < s->size; off += PAGE_SIZE)
		invlpg(s->va + off);
}

void arch_mmu_shootdown(uint64_t va, uint64_t size)
{
	struct shootdown s = {va, size};
	flush_local(&s);
	smp_call_others(flush_local, &s);
}
