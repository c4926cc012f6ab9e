/*
 * test_mm.c - VM tests for physical memory, the kernel heap and paging:
 * allocator stress on every CPU at once, out-of-memory as an error, map /
 * unmap / protect / query with 4 KiB and 2 MiB pages, and TLB shootdown.
 */
#include <vmtest.h>
#include <abi/errors.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <sched/sched.h>

#define TEST_VA 0xffffd00000000000ull
/*
 * Stress budgets are totals shared by the CPUs: with more virtual CPUs than
 * host cores, TCG deschedules lock holders and per-CPU budgets would make
 * the 8-CPU run take minutes without testing anything more.
 */
#define PMM_STRESS_OPS 12000u
#define KMALLOC_STRESS_OPS 16000u

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void pmm_stress(unsigned cpu, void *arg)
{
	(void)arg;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (cpu + 1);
	void *held[32] = {0};
	unsigned order[32];
	for (unsigned i = 0; i < PMM_STRESS_OPS / vmtest_cpus(); i++) {
		unsigned slot = rng_next(&seed) % 32;
		if (held[slot]) {
			uint64_t *p = held[slot];
			if (p[0] != (uint64_t)p || p[(PAGE_SIZE << order[slot]) / 8 - 1] != cpu)
				VM_FAIL("CPU %u: block %p was overwritten", cpu, (void *)p);
			page_free(held[slot], order[slot]);
			held[slot] = NULL;
		} else {
			order[slot] = rng_next(&seed) % 5;
			uint64_t *p = page_alloc(order[slot]);
			if (!p)
				continue;
			if ((uint64_t)p & ((PAGE_SIZE << order[slot]) - 1))
				VM_FAIL("misaligned block");
			p[0] = (uint64_t)p;
			p[(PAGE_SIZE << order[slot]) / 8 - 1] = cpu;
			held[slot] = p;
		}
	}
	for (int s = 0; s < 32; s++)
		if (held[s])
			page_free(held[s], order[s]);
}

VM_TEST(pmm_smp_stress)
{
	VM_NEEDS_CPUS(2);
	kmalloc_shrink(); /* empty slabs an earlier test left would count as freed here */
	uint64_t before = pmm_free_pages();
	vmtest_run_parallel(pmm_stress, NULL);
	kmalloc_shrink();
	VM_EXPECT_EQ(pmm_free_pages(), before);
}

VM_TEST(pmm_exhaustion_is_an_error)
{
	uint64_t before = pmm_free_pages();
	void **list = NULL; /* a chain through the blocks themselves */
	unsigned n = 0;
	for (;;) {
		void **p = page_alloc(10);
		if (!p)
			break;
		*p = list;
		list = p;
		n++;
	}
	VM_EXPECT(n > 0);
	VM_EXPECT(kmalloc(1ull << 40) == NULL);
	while (list) {
		void **next = *list;
		page_free(list, 10);
		list = next;
	}
	VM_EXPECT_EQ(pmm_free_pages(), before);
}

static void kmalloc_stress(unsigned cpu, void *arg)
{
	(void)arg;
	uint64_t seed = 0x2545f4914f6cdd1dull * (cpu + 7);
	unsigned char *held[64] = {0};
	size_t size[64];
	for (unsigned i = 0; i < KMALLOC_STRESS_OPS / vmtest_cpus(); i++) {
		unsigned s = rng_next(&seed) % 64;
		if (held[s]) {
			for (size_t k = 0; k < size[s]; k += 61)
				if (held[s][k] != (unsigned char)(s + cpu)) {
					VM_FAIL("CPU %u: object overwritten", cpu);
					break;
				}
			kfree(held[s]);
			held[s] = NULL;
		} else {
			size[s] = 1 + rng_next(&seed) % (i % 10 == 0 ? 20000 : 600);
			held[s] = kmalloc(size[s]);
			if (held[s])
				memset(held[s], (int)(s + cpu), size[s]);
		}
	}
	for (int s = 0; s < 64; s++)
		kfree(held[s]);
}

VM_TEST(kmalloc_smp_stress)
{
	VM_NEEDS_CPUS(2);
	uint64_t bytes = kmalloc_bytes_in_use();
	uint64_t pages = pmm_free_pages();
	vmtest_run_parallel(kmalloc_stress, NULL);
	VM_EXPECT_EQ(kmalloc_bytes_in_use(), bytes);
	kmalloc_shrink();
	VM_EXPECT(pmm_free_pages() >= pages);
}

/*
 * kmalloc's per-CPU magazines: a freed small block is handed out again
 * first (last freed, first reused), counts as free meanwhile, and comes back
 * with its mark cleared; a block whose data only looks marked is freed like
 * any other (no false double free); kmalloc_shrink() empties the magazines.
 */
VM_TEST(kmalloc_magazine)
{
	kmalloc_shrink(); /* empty magazines: a full one would send a free to its slab */
	uint64_t objs = kmalloc_objects_in_use(), bytes = kmalloc_bytes_in_use();
	uint64_t irq = arch_irq_save(); /* one CPU's magazine throughout */
	uint64_t *a = kmalloc(100), *b = kmalloc(100);
	VM_EXPECT(a && b && a != b);
	VM_EXPECT_EQ(kmalloc_objects_in_use(), objs + 2);
	kfree(a);
	kfree(b);
	VM_EXPECT_EQ(kmalloc_objects_in_use(), objs);
	VM_EXPECT_EQ(kmalloc_bytes_in_use(), bytes);
	VM_EXPECT_EQ(b[1], KMALLOC_MAG_MARK ^ (uintptr_t)b); /* kept, marked */
	uint64_t *c = kmalloc(120), *d = kmalloc(128); /* same class (128) */
	VM_EXPECT(c == b && d == a);
	VM_EXPECT(c[1] == 0 && d[1] == 0);
	c[1] = KMALLOC_MAG_MARK ^ (uintptr_t)c; /* data that looks kept */
	kfree(c);
	kfree(d);
	arch_irq_restore(irq);
	VM_EXPECT_EQ(kmalloc_objects_in_use(), objs);
	kmalloc_shrink();
	VM_EXPECT_EQ(kmalloc_objects_in_use(), objs);
	VM_EXPECT_EQ(kmalloc_bytes_in_use(), bytes);
}

static void write_va(void *arg)
{
	*(volatile uint64_t *)arg = 7;
}

static void read_va(void *arg)
{
	(void)*(volatile uint64_t *)arg;
}

VM_TEST(vmm_map_protect_unmap)
{
	uint64_t *page = page_zalloc(0);
	uint64_t pa = virt_to_phys(page), got_pa;
	unsigned flags;
	uint64_t psize;
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, pa, PAGE_SIZE, VM_WRITE), 0);
	VM_EXPECT_EQ(vmm_query(&kernel_space, TEST_VA + 123, &got_pa, &flags, &psize), 0);
	VM_EXPECT_EQ(got_pa, pa);
	VM_EXPECT_EQ(flags, VM_WRITE);
	VM_EXPECT_EQ(psize, PAGE_SIZE);
	*(volatile uint64_t *)TEST_VA = 0x1234;
	VM_EXPECT_EQ(page[0], 0x1234);
	/* overlapping map is refused and changes nothing */
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, pa, PAGE_SIZE, VM_WRITE), ERR_ALREADY_EXISTS);
	/* read-only: writes fault, reads work */
	VM_EXPECT_EQ(vmm_protect(&kernel_space, TEST_VA, PAGE_SIZE, VM_READ), 0);
	VM_EXPECT_EQ(arch_try(write_va, (void *)TEST_VA, NULL), VEC_PF);
	VM_EXPECT_EQ(arch_try(read_va, (void *)TEST_VA, NULL), -1);
	VM_EXPECT_EQ(page[0], 0x1234);
	VM_EXPECT_EQ(vmm_unmap(&kernel_space, TEST_VA, PAGE_SIZE), 0);
	VM_EXPECT_EQ(arch_try(read_va, (void *)TEST_VA, NULL), VEC_PF);
	VM_EXPECT_EQ(vmm_query(&kernel_space, TEST_VA, NULL, NULL, NULL), ERR_NOT_FOUND);
	VM_EXPECT_EQ(vmm_protect(&kernel_space, TEST_VA, PAGE_SIZE, VM_WRITE), ERR_NOT_FOUND);
	/* hostile arguments */
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA + 1, pa, PAGE_SIZE, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, pa + 1, PAGE_SIZE, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, pa, 0, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(vmm_map(&kernel_space, USER_SPACE_END - PAGE_SIZE, pa, 2 * PAGE_SIZE, 0),
	             ERR_INVALID_ARGS);
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, UINT64_MAX & PAGE_MASK, 2 * PAGE_SIZE, 0),
	             ERR_INVALID_ARGS);
	page_free(page, 0);
}

VM_TEST(vmm_huge_pages_split)
{
	/* a 2 MiB mapping, then unmap one 4 KiB page inside it */
	void *block = page_alloc(9);
	VM_EXPECT(block != NULL);
	if (!block)
		return;
	uint64_t pa = virt_to_phys(block), psize, got;
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, pa, 2ull << 20, VM_WRITE | VM_HUGE), 0);
	VM_EXPECT_EQ(vmm_query(&kernel_space, TEST_VA + 5 * PAGE_SIZE, &got, NULL, &psize), 0);
	VM_EXPECT_EQ(psize, 2ull << 20);
	VM_EXPECT_EQ(got, pa + 5 * PAGE_SIZE);
	VM_EXPECT_EQ(vmm_unmap(&kernel_space, TEST_VA + 5 * PAGE_SIZE, PAGE_SIZE), 0);
	VM_EXPECT_EQ(arch_try(read_va, (void *)(TEST_VA + 5 * PAGE_SIZE), NULL), VEC_PF);
	VM_EXPECT_EQ(arch_try(read_va, (void *)(TEST_VA + 6 * PAGE_SIZE), NULL), -1);
	VM_EXPECT_EQ(vmm_query(&kernel_space, TEST_VA + 6 * PAGE_SIZE, &got, NULL, &psize), 0);
	VM_EXPECT_EQ(psize, PAGE_SIZE);
	VM_EXPECT_EQ(got, pa + 6 * PAGE_SIZE);
	VM_EXPECT_EQ(vmm_unmap(&kernel_space, TEST_VA, 2ull << 20), 0);
	page_free(block, 9);
}

struct shoot {
	uint64_t expect;
	bool expect_fault;
};

static void read_on_cpu(unsigned cpu, void *arg)
{
	struct shoot *s = arg;
	uint64_t v = 0;
	for (int i = 0; i < 50; i++) {
		int r = arch_try(read_va, (void *)TEST_VA, NULL);
		if (s->expect_fault && r != VEC_PF)
			VM_FAIL("CPU %u read an unmapped page (stale TLB)", cpu);
		if (!s->expect_fault) {
			v = *(volatile uint64_t *)TEST_VA;
			if (v != s->expect)
				VM_FAIL("CPU %u saw %llx, expected %llx (stale TLB)", cpu,
				        (unsigned long long)v, (unsigned long long)s->expect);
		}
	}
}

VM_TEST(vmm_tlb_shootdown)
{
	uint64_t *a = page_zalloc(0), *b = page_zalloc(0);
	a[0] = 0xaaaa;
	b[0] = 0xbbbb;
	struct shoot s = {0xaaaa, false};
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, virt_to_phys(a), PAGE_SIZE, VM_WRITE), 0);
	vmtest_run_parallel(read_on_cpu, &s); /* every CPU caches the translation */
	vmm_unmap(&kernel_space, TEST_VA, PAGE_SIZE);
	VM_EXPECT_EQ(vmm_map(&kernel_space, TEST_VA, virt_to_phys(b), PAGE_SIZE, VM_WRITE), 0);
	s.expect = 0xbbbb;
	vmtest_run_parallel(read_on_cpu, &s);
	vmm_unmap(&kernel_space, TEST_VA, PAGE_SIZE);
	s.expect_fault = true;
	vmtest_run_parallel(read_on_cpu, &s);
	page_free(a, 0);
	page_free(b, 0);
}

VM_TEST(vmm_address_space_lifecycle)
{
	uint64_t before = pmm_free_pages();
	for (int i = 0; i < 50; i++) {
		struct vm_space vs;
		VM_EXPECT_EQ(vmm_space_create(&vs), 0);
		void *p = page_alloc(0);
		VM_EXPECT_EQ(vmm_map(&vs, 0x400000 + (uint64_t)i * PAGE_SIZE, virt_to_phys(p),
		                     PAGE_SIZE, VM_WRITE | VM_USER),
		             0);
		VM_EXPECT(vmm_table_pages(&vs) >= 4);
		/* kernel half is shared */
		VM_EXPECT_EQ(vs.mmu.pml4[511], kernel_space.mmu.pml4[511]);
		vmm_space_destroy(&vs);
		page_free(p, 0);
	}
	VM_EXPECT_EQ(pmm_free_pages(), before);
}

extern char _text_start[];

VM_TEST(vmm_kernel_text_not_writable)
{
	/* neither through the image mapping nor through the direct map alias */
	VM_EXPECT_EQ(arch_try(write_va, _text_start, NULL), VEC_PF);
	void *alias = phys_to_virt(virt_to_phys(_text_start));
	VM_EXPECT_EQ(arch_try(write_va, alias, NULL), VEC_PF);
	VM_EXPECT_EQ(arch_try(read_va, alias, NULL), -1);
}
