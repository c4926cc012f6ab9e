/*
 * test_vmm.c - mm/vmm.c, the generic half of paging, over a fake architecture.
 *
 * vmm.c owns the rules every architecture shares: which ranges are valid, the
 * space's lock around each page-table change, the TLB shootdown after an
 * unmap or protect (with the lock released), the user half staying user
 * memory, the MMIO window's allocator and virt_to_phys(). Here it is compiled
 * against tests/host/shim/arch/mmu.h, a fake arch_mmu with another layout
 * than x86-64's, whose functions below record each call and the state of the
 * space's lock during it. So vmm.c is checked to reach the page tables only
 * through the arch contract, and its rules are checked without a page table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/compiler.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <abi/errors.h>

/* --- the fake architecture --- */

enum fake_op { OP_NONE, OP_MAP, OP_UNMAP, OP_PROTECT, OP_QUERY, OP_SHOOTDOWN };

struct fake_call {
	enum fake_op op;
	uint64_t va, pa, size;
	unsigned flags;
	bool locked; /* the space's lock was held during the call */
};

static struct fake_call calls[8];
static unsigned ncalls;
static int fake_result; /* what the next map / unmap / protect returns */
unsigned fake_mmu_activations;

static bool space_locked(const struct arch_mmu *m)
{
	return spin_is_locked(&container_of(m, struct vm_space, mmu)->lock);
}

static void record(enum fake_op op, const struct arch_mmu *m, uint64_t va, uint64_t pa,
                   uint64_t size, unsigned flags)
{
	assert_true(ncalls < ARRAY_SIZE(calls));
	calls[ncalls++] = (struct fake_call){op, va, pa, size, flags, m && space_locked(m)};
}

void arch_mmu_init_kernel(struct arch_mmu *k, uint64_t max_phys)
{
	(void)max_phys;
	memset(k, 0, sizeof(*k));
	k->table_pages = 3;
}

int arch_mmu_create(struct arch_mmu *m, const struct arch_mmu *k)
{
	memset(m, 0, sizeof(*m));
	m->table_pages = 1;
	m->kernel = k;
	return 0;
}

void arch_mmu_destroy(struct arch_mmu *m)
{
	m->table_pages = 0;
	m->n = 0;
}

int arch_mmu_map(struct arch_mmu *m, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	record(OP_MAP, m, va, pa, size, flags);
	if (fake_result)
		return fake_result;
	for (uint64_t off = 0; off < size && m->n < FAKE_MMU_PAGES; off += PAGE_SIZE) {
		m->va[m->n] = va + off;
		m->pa[m->n] = pa + off;
		m->flags[m->n++] = flags;
	}
	return 0;
}

int arch_mmu_unmap(struct arch_mmu *m, uint64_t va, uint64_t size)
{
	record(OP_UNMAP, m, va, 0, size, 0);
	return fake_result;
}

int arch_mmu_protect(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags)
{
	record(OP_PROTECT, m, va, 0, size, flags);
	return fake_result;
}

void arch_mmu_protect_present(struct arch_mmu *m, uint64_t va, uint64_t size, unsigned flags)
{
	record(OP_PROTECT, m, va, 0, size, flags);
}

int arch_mmu_query(const struct arch_mmu *m, uint64_t va, uint64_t *pa, unsigned *flags,
                   uint64_t *page_size)
{
	record(OP_QUERY, m, va, 0, 0, 0);
	for (unsigned i = 0; i < m->n; i++) {
		if (m->va[i] != (va & PAGE_MASK))
			continue;
		if (pa)
			*pa = m->pa[i];
		if (flags)
			*flags = m->flags[i];
		if (page_size)
			*page_size = PAGE_SIZE;
		return 0;
	}
	return ERR_NOT_FOUND;
}

void arch_mmu_shootdown(uint64_t va, uint64_t size)
{
	/* kernel_space's lock stands for "some space": vmm.c lets go before a shootdown */
	record(OP_SHOOTDOWN, NULL, va, 0, size, 0);
	calls[ncalls - 1].locked = spin_is_locked(&kernel_space.lock);
}

static int setup(void **state)
{
	(void)state;
	memset(calls, 0, sizeof(calls));
	ncalls = 0;
	fake_result = 0;
	vmm_init(1ull << 30);
	return 0;
}

static void expect_call(unsigned i, enum fake_op op, uint64_t va, uint64_t size, bool locked)
{
	assert_true(i < ncalls);
	assert_int_equal(calls[i].op, op);
	assert_int_equal(calls[i].va, va);
	assert_int_equal(calls[i].size, size);
	assert_int_equal(calls[i].locked, locked);
}

/* --- the tests --- */

#define KVA (MMIO_WINDOW_BASE - (1ull << 30)) /* some kernel-half address */
#define P PAGE_SIZE

static void test_map_refuses_bad_ranges(void **state)
{
	(void)state;
	struct vm_space *ks = &kernel_space;
	assert_int_equal(vmm_map(ks, KVA + 1, 0, P, 0), ERR_INVALID_ARGS);
	assert_int_equal(vmm_map(ks, KVA, 1, P, 0), ERR_INVALID_ARGS);
	assert_int_equal(vmm_map(ks, KVA, 0, 0, 0), ERR_INVALID_ARGS);
	assert_int_equal(vmm_map(ks, KVA, 0, P + 1, 0), ERR_INVALID_ARGS);
	assert_int_equal(vmm_map(ks, -2 * P, 0, 4 * P, 0), ERR_INVALID_ARGS); /* wraps */
	assert_int_equal(vmm_map(ks, KVA, -2 * P, 4 * P, 0), ERR_INVALID_ARGS); /* pa wraps */
	/* across the fake's user/kernel boundary, and user pages in the kernel half */
	assert_int_equal(vmm_map(ks, USER_SPACE_END - P, 0, 2 * P, 0), ERR_INVALID_ARGS);
	assert_int_equal(vmm_map(ks, USER_SPACE_END, 0, P, VM_USER), ERR_INVALID_ARGS);
	assert_int_equal(ncalls, 0); /* none reached the page tables */
	/* a range ending exactly at 2^64 is fine */
	assert_int_equal(vmm_map(ks, -2 * P, 0, 2 * P, VM_WRITE), 0);
	expect_call(0, OP_MAP, -2 * P, 2 * P, true);
}

static void test_map_passes_through_under_the_lock(void **state)
{
	(void)state;
	struct vm_space vs;
	assert_int_equal(vmm_space_create(&vs), 0);
	assert_ptr_equal(vs.mmu.kernel, &kernel_space.mmu); /* the kernel half is shared */
	assert_int_equal(vmm_table_pages(&vs), 1);
	assert_int_equal(vmm_map(&vs, 0x400000, 0x9000, 2 * P, VM_USER | VM_WRITE), 0);
	expect_call(0, OP_MAP, 0x400000, 2 * P, true);
	assert_int_equal(calls[0].pa, 0x9000);
	assert_int_equal(calls[0].flags, VM_USER | VM_WRITE);
	assert_false(spin_is_locked(&vs.lock));
	fake_result = ERR_ALREADY_EXISTS; /* the arch's all-or-nothing answer comes back */
	assert_int_equal(vmm_map(&vs, 0x400000, 0x9000, P, VM_USER), ERR_ALREADY_EXISTS);
	assert_false(spin_is_locked(&vs.lock));
	fake_result = 0;
	uint64_t pa = 0, size = 0;
	unsigned flags = 0;
	assert_int_equal(vmm_query(&vs, 0x401123, &pa, &flags, &size), 0);
	assert_int_equal(pa, 0xa000);
	assert_int_equal(flags, VM_USER | VM_WRITE);
	assert_int_equal(size, P);
	expect_call(2, OP_QUERY, 0x401123, 0, true);
	unsigned before = fake_mmu_activations;
	vmm_space_activate(&vs);
	assert_int_equal(fake_mmu_activations, before + 1);
	vmm_space_destroy(&vs);
	assert_int_equal(vmm_table_pages(&vs), 0);
}

static void test_unmap_shoots_down_after_unlocking(void **state)
{
	(void)state;
	assert_int_equal(vmm_unmap(&kernel_space, KVA + 1, P), ERR_INVALID_ARGS);
	assert_int_equal(ncalls, 0);
	assert_int_equal(vmm_unmap(&kernel_space, KVA, 3 * P), 0);
	expect_call(0, OP_UNMAP, KVA, 3 * P, true);
	expect_call(1, OP_SHOOTDOWN, KVA, 3 * P, false);
	/* an unmap cut short (no table to split a large page) still flushes what it did */
	fake_result = ERR_NO_MEMORY;
	assert_int_equal(vmm_unmap(&kernel_space, KVA, P), ERR_NO_MEMORY);
	expect_call(3, OP_SHOOTDOWN, KVA, P, false);
	assert_int_equal(ncalls, 4);
}

static void test_protect_keeps_the_user_half_user(void **state)
{
	(void)state;
	struct vm_space vs;
	assert_int_equal(vmm_space_create(&vs), 0);
	assert_int_equal(vmm_protect(&vs, 0x400000, P, VM_READ), 0);
	expect_call(0, OP_PROTECT, 0x400000, P, true);
	assert_int_equal(calls[0].flags, VM_USER);
	expect_call(1, OP_SHOOTDOWN, 0x400000, P, false);
	assert_int_equal(vmm_protect(&kernel_space, KVA, P, VM_WRITE), 0);
	assert_int_equal(calls[2].flags, VM_WRITE); /* no VM_USER in the kernel half */
	fake_result = ERR_NOT_FOUND; /* a hole: the arch refuses, the error comes back */
	assert_int_equal(vmm_protect(&vs, 0x400000, 2 * P, VM_READ), ERR_NOT_FOUND);
	assert_int_equal(vmm_protect(&vs, USER_SPACE_END - P, 2 * P, 0), ERR_INVALID_ARGS);
	vmm_space_destroy(&vs);
}

static void test_mmio_window(void **state)
{
	(void)state;
	/* the offset within the page survives; windows are apart by a guard page */
	uint8_t *a = vmm_map_mmio(0xfee00010, 16);
	assert_non_null(a);
	assert_true((uint64_t)a >= MMIO_WINDOW_BASE);
	assert_int_equal((uint64_t)a & (P - 1), 0x10);
	expect_call(0, OP_MAP, (uint64_t)a & PAGE_MASK, P, true);
	assert_int_equal(calls[0].pa, 0xfee00000);
	assert_int_equal(calls[0].flags, VM_WRITE | VM_UNCACHED);
	uint8_t *b = vmm_map_mmio(0xfec00ffc, 8); /* straddles a page boundary: two pages */
	assert_non_null(b);
	assert_int_equal((uint64_t)b, ((uint64_t)a & PAGE_MASK) + 2 * P + 0xffc);
	assert_int_equal(calls[1].size, 2 * P);
	assert_int_equal(virt_to_phys(b), 0xfec00ffc); /* through the page tables */
	/* a failed map is NULL, and so is a request the window has no room for */
	fake_result = ERR_NO_MEMORY;
	assert_null(vmm_map_mmio(0x1000, P));
	fake_result = 0;
	assert_null(vmm_map_mmio(0, MMIO_WINDOW_SIZE));
}

static void test_virt_to_phys(void **state)
{
	(void)state;
	assert_int_equal(virt_to_phys((void *)(KERNEL_VMA + 0x123456)), 0x123456);
	assert_int_equal(virt_to_phys((void *)(DIRECT_MAP_BASE + 0x5000)), 0x5000);
	assert_int_equal(virt_to_phys(phys_to_virt(0x77000)), 0x77000);
	assert_int_equal(ncalls, 0); /* arithmetic, no page-table walk */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_map_refuses_bad_ranges, setup),
	    cmocka_unit_test_setup(test_map_passes_through_under_the_lock, setup),
	    cmocka_unit_test_setup(test_unmap_shoots_down_after_unlocking, setup),
	    cmocka_unit_test_setup(test_protect_keeps_the_user_half_user, setup),
	    cmocka_unit_test_setup(test_mmio_window, setup),
	    cmocka_unit_test_setup(test_virt_to_phys, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
