/*
 * vmm.c - address spaces over the architecture's page tables (mm/vmm.h).
 *
 * Each operation checks its arguments, then holds the space's lock across
 * the arch_mmu_* call (arch/mmu.h) that does it. After
 * an unmap or protect, and with the lock released, the range leaves every
 * CPU's TLB (arch_mmu_shootdown) before the call returns.
 */
#include <mm/vmm.h>
#include <abi/errors.h>
#include <lib/compiler.h>
#include <mm/pmm.h>

struct vm_space kernel_space;
static uint64_t mmio_next = MMIO_WINDOW_BASE;
static struct spinlock mmio_lock = SPINLOCK_INIT;

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

int vmm_map(struct vm_space *vs, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	if (!range_ok(va, size) || !IS_ALIGNED(pa, PAGE_SIZE) || pa + size < pa)
		return ERR_INVALID_ARGS;
	if ((flags & VM_USER) && va >= USER_SPACE_END)
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = arch_mmu_map(&vs->mmu, va, pa, size, flags);
	spin_unlock_irqrestore(&vs->lock, irq);
	return r;
}

int vmm_unmap(struct vm_space *vs, uint64_t va, uint64_t size)
{
	if (!range_ok(va, size))
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = arch_mmu_unmap(&vs->mmu, va, size);
	spin_unlock_irqrestore(&vs->lock, irq);
	arch_mmu_shootdown(va, size);
	return r;
}

int vmm_protect(struct vm_space *vs, uint64_t va, uint64_t size, unsigned flags)
{
	if (!range_ok(va, size))
		return ERR_INVALID_ARGS;
	if (va < USER_SPACE_END)
		flags |= VM_USER; /* the user half stays user memory */
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = arch_mmu_protect(&vs->mmu, va, size, flags);
	spin_unlock_irqrestore(&vs->lock, irq);
	arch_mmu_shootdown(va, size);
	return r;
}

int vmm_protect_present(struct vm_space *vs, uint64_t va, uint64_t size, unsigned flags)
{
	if (!range_ok(va, size) || va >= USER_SPACE_END)
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	arch_mmu_protect_present(&vs->mmu, va, size, flags | VM_USER);
	spin_unlock_irqrestore(&vs->lock, irq);
	arch_mmu_shootdown(va, size);
	return 0;
}

int vmm_query(struct vm_space *vs, uint64_t va, uint64_t *pa, unsigned *flags, uint64_t *page_size)
{
	uint64_t irq = spin_lock_irqsave(&vs->lock);
	int r = arch_mmu_query(&vs->mmu, va, pa, flags, page_size);
	spin_unlock_irqrestore(&vs->lock, irq);
	return r;
}

void vmm_init(uint64_t max_phys)
{
	spin_init(&kernel_space.lock);
	arch_mmu_init_kernel(&kernel_space.mmu, max_phys);
}

int vmm_space_create(struct vm_space *vs)
{
	spin_init(&vs->lock);
	return arch_mmu_create(&vs->mmu, &kernel_space.mmu);
}

void vmm_space_destroy(struct vm_space *vs)
{
	arch_mmu_destroy(&vs->mmu);
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
