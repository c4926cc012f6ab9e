/*
 * pmm.c - the kernel's physical page allocator: one buddy allocator over all
 * RAM, fed from the boot memory map.
 *
 * Start-up happens in two phases because the boot page tables only map the
 * first 4 GiB: pmm_init() places the buddy metadata below 4 GiB and frees
 * the usable memory below 4 GiB (vmm_init() then builds the full direct map
 * from it); pmm_init_high() frees the rest. Never handed out: the first MiB
 * (BIOS data, AP trampoline), the kernel image, the boot modules, the boot
 * loader's information block and the metadata itself.
 *
 * Locking: one spinlock around the buddy, taken with interrupts off.
 */
#include <mm/pmm.h>
#include <mm/buddy.h>
#include <mm/vmm.h>
#include <boot/bootinfo.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <lib/spinlock.h>
#include <lib/string.h>

#define LOW_LIMIT (4ull << 30)
#define MAX_RESERVED (BOOT_MAX_MODULES + 8)

struct range {
	uint64_t start, end;
};

static struct buddy buddy;
static struct spinlock pmm_lock = SPINLOCK_INIT;
static uint64_t total_pages;
static struct range reserved[MAX_RESERVED];
static unsigned nreserved;
static const struct boot_info *boot;

extern char _kernel_phys_start[], _kernel_end[];

static void reserve(uint64_t start, uint64_t end)
{
	if (end > start && nreserved < MAX_RESERVED)
		reserved[nreserved++] =
		    (struct range){ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE)};
}

/* Free [start, end) minus reserved ranges, clipped to [lo, hi). */
static void free_range(uint64_t start, uint64_t end, uint64_t lo, uint64_t hi)
{
	start = MAX(ALIGN_UP(start, PAGE_SIZE), lo);
	end = MIN(ALIGN_DOWN(end, PAGE_SIZE), hi);
	while (start < end) {
		uint64_t cut = end;
		bool skipped = false;
		for (unsigned i = 0; i < nreserved; i++) {
			if (reserved[i].start <= start && reserved[i].end > start) {
				start = reserved[i].end; /* inside a reservation: skip it */
				skipped = true;
				break;
			}
			if (reserved[i].start > start && reserved[i].start < cut)
				cut = reserved[i].start;
		}
		if (skipped)
			continue;
		buddy_add_free_range(&buddy, start >> PAGE_SHIFT, (cut - start) >> PAGE_SHIFT);
		total_pages += (cut - start) >> PAGE_SHIFT;
		start = cut;
	}
}

static uint64_t find_meta_home(uint64_t bytes)
{
	for (unsigned i = 0; i < boot->mmap_count; i++) {
		const struct boot_mem_range *r = &boot->mmap[i];
		if (r->type != BOOT_MEM_USABLE)
			continue;
		uint64_t start = MAX(ALIGN_UP(r->base, PAGE_SIZE), 1ull << 20);
		uint64_t end = MIN(r->base + r->len, LOW_LIMIT);
		for (unsigned j = 0; j < nreserved && start < end; j++)
			if (start < reserved[j].end && start + bytes > reserved[j].start) {
				start = reserved[j].end; /* move past it and look again */
				j = (unsigned)-1;
			}
		if (start + bytes <= end)
			return start;
	}
	return 0;
}

void pmm_init(const struct boot_info *bi)
{
	boot = bi;
	uint64_t max_phys = 0;
	for (unsigned i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type == BOOT_MEM_USABLE)
			max_phys = MAX(max_phys, bi->mmap[i].base + bi->mmap[i].len);
	if (max_phys == 0)
		panic("pmm: the boot loader reported no usable memory");
	reserve(0, 1ull << 20);
	reserve((uint64_t)_kernel_phys_start, (uint64_t)_kernel_end - KERNEL_VMA);
	for (unsigned i = 0; i < bi->module_count; i++)
		reserve(bi->modules[i].start, bi->modules[i].end);
	reserve(bi->info_phys, bi->info_phys + bi->info_len);
	uint64_t npages = ALIGN_UP(max_phys, PAGE_SIZE) >> PAGE_SHIFT;
	uint64_t meta_bytes = ALIGN_UP(buddy_meta_size(npages), PAGE_SIZE);
	uint64_t meta = find_meta_home(meta_bytes);
	if (!meta)
		panic("pmm: no room below 4 GiB for %llu KiB of page metadata",
		      (unsigned long long)(meta_bytes >> 10));
	reserve(meta, meta + meta_bytes);
	buddy_init(&buddy, 0, npages, phys_to_virt(meta));
	for (unsigned i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type == BOOT_MEM_USABLE)
			free_range(bi->mmap[i].base, bi->mmap[i].base + bi->mmap[i].len, 0,
			           LOW_LIMIT);
}

void pmm_init_high(void)
{
	for (unsigned i = 0; i < boot->mmap_count; i++)
		if (boot->mmap[i].type == BOOT_MEM_USABLE)
			free_range(boot->mmap[i].base, boot->mmap[i].base + boot->mmap[i].len,
			           LOW_LIMIT, UINT64_MAX);
	pr_info("pmm: %llu MiB usable, %llu MiB free",
	        (unsigned long long)(total_pages >> (20 - PAGE_SHIFT)),
	        (unsigned long long)(pmm_free_pages() >> (20 - PAGE_SHIFT)));
}

uint64_t pmm_max_phys(void)
{
	return buddy.npages << PAGE_SHIFT;
}

void *page_alloc(unsigned order)
{
	uint64_t pfn;
	uint64_t irq = spin_lock_irqsave(&pmm_lock);
	int r = buddy_alloc(&buddy, order, &pfn);
	spin_unlock_irqrestore(&pmm_lock, irq);
	return r ? NULL : phys_to_virt(pfn << PAGE_SHIFT);
}

void *page_zalloc(unsigned order)
{
	void *p = page_alloc(order);
	if (p)
		memset(p, 0, PAGE_SIZE << order);
	return p;
}

void page_free(void *va, unsigned order)
{
	if (!va)
		return;
	uint64_t pfn = virt_to_phys(va) >> PAGE_SHIFT;
	uint64_t irq = spin_lock_irqsave(&pmm_lock);
	buddy_free(&buddy, pfn, order);
	spin_unlock_irqrestore(&pmm_lock, irq);
}

uint64_t pmm_free_pages(void)
{
	return buddy_free_pages(&buddy);
}

uint64_t pmm_total_pages(void)
{
	return total_pages;
}
