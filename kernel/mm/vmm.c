/*
 * vmm.c - page tables for the kernel and for user address spaces.
 *
 * A walk goes PML4 -> PDPT -> PD -> PT. Leaves are 4 KiB PT entries or 2 MiB
 * PD entries (PS bit). Intermediate entries are always present+writable (and
 * user for the lower half); the leaf alone carries the permissions, so a
 * protect never touches the upper levels. Page-table pages come from the
 * buddy allocator and are counted in vm_space.table_pages so callers (memory
 * pools, later) can charge them. Lower-half tables are freed with the space;
 * the kernel half is shared and never freed.
 *
 * A space lists its first VMM_TRACKED_TABLES lower-half tables (below the
 * PML4) in vs->tracked, so vmm_space_destroy() frees them without scanning
 * 512-entry tables for the few present entries (a small process has about
 * six tables; the scan cost ~19,000 instructions per process). A space with
 * more tables, or one that freed a table early, is walked as before.
 */
#include <mm/vmm.h>
#include <mm/pmm.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <lib/string.h>

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

struct vm_space kernel_space;
static uint64_t mmio_next = MMIO_WINDOW_BASE;
static struct spinlock mmio_lock = SPINLOCK_INIT;

extern char _kernel_phys_start[], _text_start[], _text_end[], _rodata_start[], _rodata_end[],
    _data_start[], _data_end[], _kernel_end[];

uint64_t virt_to_phys(const void *p)
{
	uint64_t va = (uint64_t)p;
	if (va >= KERNEL_VMA)
		return va - KERNEL_VMA;
	if (va >= DIRECT_MAP_BASE && va < MMIO_WINDOW_BASE)
		return va - DIRECT_MAP_BASE;
	uint64_t pa = 0;
	vmm_query(&kernel_space, va & PAGE_MASK, &pa, NULL, NULL);
	return pa + (va & ~PAGE_MASK);
}

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
	return f;
}

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

static uint64_t *alloc_table(struct vm_space *vs)
{
	uint64_t *t = page_zalloc(0);
	if (t)
		vs->table_pages++;
	return t;
}

/* A table for va below the PML4: user ones are listed for vmm_space_destroy. */
static uint64_t *alloc_lower_table(struct vm_space *vs, uint64_t va)
{
	uint64_t *t = alloc_table(vs);
	if (!t || va >= USER_SPACE_END || vs->ntracked == VMM_UNTRACKED)
		return t;
	if (vs->ntracked < VMM_TRACKED_TABLES)
		vs->tracked[vs->ntracked++] = t;
	else
		vs->ntracked = VMM_UNTRACKED;
	return t;
}

/* Split a 2 MiB leaf at *pde into 512 4 KiB leaves with the same bits. */
static int split_huge(struct vm_space *vs, uint64_t *pde, uint64_t va)
{
	uint64_t *pt = alloc_lower_table(vs, va);
	if (!pt)
		return ERR_NO_MEMORY;
	uint64_t base = *pde & PTE_ADDR & ~(HUGE_SIZE - 1), bits = *pde & ~PTE_ADDR & ~PTE_PS;
	for (int i = 0; i < 512; i++)
		pt[i] = (base + ((uint64_t)i << PAGE_SHIFT)) | bits;
	*pde = virt_to_phys(pt) | PTE_P | PTE_W | (bits & PTE_U);
	return 0;
}

/*
 * Entry for va at level (1 = PT, 2 = PD). With alloc, missing tables are
 * created and a 2 MiB leaf in the way of a level-1 walk is split. Without
 * alloc, returns NULL for a hole and the 2 MiB leaf itself if there is one.
 */
static uint64_t *walk(struct vm_space *vs, uint64_t va, int level, bool alloc, int *err)
{
	uint64_t *t = vs->pml4;
	uint64_t inter = PTE_P | PTE_W | (va < USER_SPACE_END ? PTE_U : 0);
	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[(va >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PTE_P)) {
			if (!alloc)
				return NULL;
			uint64_t *nt = alloc_lower_table(vs, va);
			if (!nt) {
				*err = ERR_NO_MEMORY;
				return NULL;
			}
			*e = virt_to_phys(nt) | inter;
		} else if (*e & PTE_PS) {
			if (!alloc)
				return e;
			int r = split_huge(vs, e, va);
			if (r) {
				*err = r;
				return NULL;
			}
		}
		t = table_of(*e);
	}
	return &t[(va >> (12 + 9 * (level - 1))) & 511];
}

static bool range_ok(uint64_t va, uint64_t size)
{
	if (size == 0 || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
		return false;
	if (va + size < va)
		return va + size == 0; /* a range ending exactly at 2^64 is fine */
	if (va < USER_SPACE_END && va + size > USER_SPACE_END)
		return false;
	return va >= USER_SPACE_END || va + size <= USER_SPACE_END;
}

static bool is_mapped(struct vm_space *vs, uint64_t va)
{
	uint64_t *e = walk(vs, va, 1, false, NULL);
	return e && (*e & PTE_P);
}

static int unmap_locked(struct vm_space *vs, uint64_t va, uint64_t size);

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

static int map_locked(struct vm_space *vs, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	uint64_t bits = leaf_bits(flags);
	for (uint64_t off = 0; off < size;) {
		int err = 0;
		uint64_t v = va + off, p = pa + off;
		if ((flags & VM_HUGE) && IS_ALIGNED(v, HUGE_SIZE) && IS_ALIGNED(p, HUGE_SIZE) &&
		    size - off >= HUGE_SIZE) {
			uint64_t *e = walk(vs, v, 2, true, &err);
			if (e && (*e & PTE_P) && !(*e & PTE_PS) && table_empty(table_of(*e))) {
				page_free(table_of(*e), 0); /* left over from earlier 4 KiB maps */
				vs->table_pages--;
				if (v < USER_SPACE_END) /* the list names a freed table */
					vs->ntracked = VMM_UNTRACKED;
				*e = 0;
			}
			if (e && !(*e & PTE_P)) {
				*e = p | bits | PTE_PS;
				off += HUGE_SIZE;
				continue;
			}
		}
		uint64_t *e = walk(vs, v, 1, true, &err);
		if (!e) {
			if (off)
				unmap_locked(vs, va, off);
			return err;
		}
		*e = p | bits;
		off += PAGE_SIZE;
	}
	return 0;
}

int vmm_map(struct vm_space *vs, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	if (!range_ok(va, size) || !IS_ALIGNED(pa, PAGE_SIZE) || pa + size < pa)
		return ERR_INVALID_ARGS;
	if ((flags & VM_USER) && va >= USER_SPACE_END)
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = 0;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		if (is_mapped(vs, va + off)) {
			r = ERR_ALREADY_EXISTS;
			break;
		}
	}
	if (r == 0)
		r = map_locked(vs, va, pa, size, flags);
	spin_unlock_irqrestore(&vs->lock, irq);
	return r;
}

static int unmap_locked(struct vm_space *vs, uint64_t va, uint64_t size)
{
	for (uint64_t off = 0; off < size;) {
		uint64_t v = va + off;
		uint64_t *e = walk(vs, v, 2, false, NULL);
		if (e && (*e & PTE_P) && (*e & PTE_PS)) {
			if (IS_ALIGNED(v, HUGE_SIZE) && size - off >= HUGE_SIZE) {
				*e = 0;
				off += HUGE_SIZE;
				continue;
			}
			int err = split_huge(vs, e, v);
			if (err)
				return err;
		}
		int err = 0;
		e = walk(vs, v, 1, false, &err);
		if (e)
			*e = 0;
		off += PAGE_SIZE;
	}
	return 0;
}

int vmm_unmap(struct vm_space *vs, uint64_t va, uint64_t size)
{
	if (!range_ok(va, size))
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = unmap_locked(vs, va, size);
	spin_unlock_irqrestore(&vs->lock, irq);
	vmm_shootdown(va, size);
	return r;
}

int vmm_protect(struct vm_space *vs, uint64_t va, uint64_t size, unsigned flags)
{
	if (!range_ok(va, size))
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = 0;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		if (!is_mapped(vs, va + off)) {
			r = ERR_NOT_FOUND;
			break;
		}
	}
	for (uint64_t off = 0; r == 0 && off < size; off += PAGE_SIZE) {
		int err = 0;
		uint64_t *e = walk(vs, va + off, 1, true, &err); /* splits huge pages */
		if (!e) {
			r = err;
			break;
		}
		*e = (*e & PTE_ADDR) | leaf_bits(flags | (va < USER_SPACE_END ? VM_USER : 0));
	}
	spin_unlock_irqrestore(&vs->lock, irq);
	vmm_shootdown(va, size);
	return r;
}

int vmm_query(struct vm_space *vs, uint64_t va, uint64_t *pa, unsigned *flags, uint64_t *page_size)
{
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = ERR_NOT_FOUND;
	uint64_t *e = walk(vs, va, 2, false, NULL);
	uint64_t sz = HUGE_SIZE;
	if (e && (*e & PTE_P) && !(*e & PTE_PS)) {
		e = walk(vs, va, 1, false, NULL);
		sz = PAGE_SIZE;
	}
	if (e && (*e & PTE_P)) {
		if (pa)
			*pa = (*e & PTE_ADDR & ~(sz - 1)) + (va & (sz - 1) & PAGE_MASK);
		if (flags)
			*flags = leaf_flags(*e) | (sz == HUGE_SIZE ? VM_HUGE : 0);
		if (page_size)
			*page_size = sz;
		r = 0;
	}
	spin_unlock_irqrestore(&vs->lock, irq);
	return r;
}

static void map_kernel_range(char *start, char *end, unsigned flags)
{
	uint64_t va = ALIGN_DOWN((uint64_t)start, PAGE_SIZE);
	uint64_t size = ALIGN_UP((uint64_t)end, PAGE_SIZE) - va;
	if (size && map_locked(&kernel_space, va, va - KERNEL_VMA, size, flags))
		panic("vmm: out of memory mapping the kernel image");
}

void vmm_init(uint64_t max_phys)
{
	struct vm_space *ks = &kernel_space;
	spin_init(&ks->lock);
	ks->pml4 = page_zalloc(0);
	if (!ks->pml4)
		panic("vmm: no memory for the kernel page tables");
	ks->pml4_phys = virt_to_phys(ks->pml4);
	/* Every kernel-half PML4 slot gets its PDPT now, so address spaces can share them. */
	for (int i = 256; i < 512; i++) {
		uint64_t *pdpt = page_zalloc(0);
		if (!pdpt)
			panic("vmm: no memory for the kernel page tables");
		ks->pml4[i] = virt_to_phys(pdpt) | PTE_P | PTE_W;
	}
	uint64_t dm_size = ALIGN_UP(MAX(max_phys, 4ull << 30), HUGE_SIZE);
	if (map_locked(ks, DIRECT_MAP_BASE, 0, dm_size, VM_WRITE | VM_HUGE))
		panic("vmm: out of memory building the direct map");
	map_kernel_range(_text_start, _text_end, VM_EXEC);
	map_kernel_range(_rodata_start, _rodata_end, VM_READ);
	map_kernel_range(_data_start, _data_end, VM_WRITE);
	map_kernel_range(_data_end, _kernel_end, VM_READ); /* .ksyms */
	vmm_init_ap();
	/* The image's alias in the direct map is read-only: no writable path to kernel text. */
	uint64_t img = ALIGN_DOWN((uint64_t)_kernel_phys_start, PAGE_SIZE);
	uint64_t img_end = ALIGN_UP((uint64_t)_kernel_end - KERNEL_VMA, PAGE_SIZE);
	if (vmm_protect(ks, DIRECT_MAP_BASE + img, img_end - img, VM_READ))
		panic("vmm: cannot write-protect the kernel image in the direct map");
	pr_info("vmm: direct map %llu MiB, kernel %llu KiB, %llu table pages",
	        (unsigned long long)(dm_size >> 20),
	        (unsigned long long)(((uint64_t)_kernel_end - (uint64_t)_text_start) >> 10),
	        (unsigned long long)ks->table_pages);
}

void vmm_init_ap(void)
{
	write_cr4(read_cr4() | (1u << 7) /* PGE */);
	write_cr0(read_cr0() | (1u << 16) /* WP */);
	write_cr3(kernel_space.pml4_phys);
}

int vmm_space_create(struct vm_space *vs)
{
	spin_init(&vs->lock);
	vs->ntracked = 0;
	vs->pml4 = page_alloc(0); /* every entry is written below */
	if (!vs->pml4)
		return ERR_NO_MEMORY;
	vs->table_pages = 1;
	vs->pml4_phys = virt_to_phys(vs->pml4);
	memset(vs->pml4, 0, 256 * sizeof(uint64_t));
	memcpy(vs->pml4 + 256, kernel_space.pml4 + 256, 256 * sizeof(uint64_t));
	return 0;
}

static void free_tables(uint64_t *t, int level)
{
	for (int i = 0; level > 1 && i < 512; i++)
		if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
			free_tables(table_of(t[i]), level - 1);
	page_free(t, 0);
}

void vmm_space_destroy(struct vm_space *vs)
{
	if (vs->ntracked != VMM_UNTRACKED) {
		ASSERT(vs->ntracked + 1 == vs->table_pages);
		for (uint32_t i = 0; i < vs->ntracked; i++)
			page_free(vs->tracked[i], 0);
	} else {
		for (int i = 0; i < 256; i++)
			if (vs->pml4[i] & PTE_P)
				free_tables(table_of(vs->pml4[i]), 3);
	}
	page_free(vs->pml4, 0);
	vs->pml4 = NULL;
	vs->table_pages = 0;
	vs->ntracked = 0;
}

void vmm_space_activate(struct vm_space *vs)
{
	if (read_cr3() != vs->pml4_phys)
		write_cr3(vs->pml4_phys);
}

void *vmm_map_mmio(uint64_t phys, size_t size)
{
	uint64_t base = ALIGN_DOWN(phys, PAGE_SIZE);
	uint64_t len = ALIGN_UP(phys + size, PAGE_SIZE) - base;
	uint64_t irq = spin_lock_irqsave(&mmio_lock);
	uint64_t va = mmio_next;
	if (va + len > MMIO_WINDOW_BASE + MMIO_WINDOW_SIZE) {
		spin_unlock_irqrestore(&mmio_lock, irq);
		return NULL;
	}
	mmio_next += len + PAGE_SIZE; /* guard page between windows */
	spin_unlock_irqrestore(&mmio_lock, irq);
	if (vmm_map(&kernel_space, va, base, len, VM_WRITE | VM_UNCACHED))
		return NULL;
	return (void *)(va + (phys - base));
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

void vmm_shootdown(uint64_t va, uint64_t size)
{
	struct shootdown s = {va, size};
	flush_local(&s);
	smp_call_others(flush_local, &s);
}
