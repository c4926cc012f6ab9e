/*
 * test_memobj.c - VM tests for the memory kernel objects, called directly:
 * pool quota accounting (also from every CPU at once), memory objects
 * (zero-fill, sizes, out-of-memory through small pools and through physical
 * exhaustion, wrapped physical ranges), and address spaces (map / unmap /
 * protect / query rules, checked against the page tables with vmm_query,
 * concurrent use from every CPU). Each test ends by checking that free pages,
 * heap bytes and live objects are back at their baselines.
 */
#include <vmtest.h>
#include <abi/errors.h>
#include <abi/syscall.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <obj/aspace.h>
#include <obj/memory.h>
#include <obj/pool.h>

#define BIG_QUOTA (UINT64_C(1) << 62)
#define VA 0x400000ull /* a user address inside one 2 MiB region */
#define P PAGE_SIZE

struct baseline {
	uint64_t free_pages, heap, objs;
};

static void baseline_take(struct baseline *b)
{
	kmalloc_shrink();
	b->free_pages = pmm_free_pages();
	b->heap = kmalloc_bytes_in_use();
	b->objs = kobject_live_count(OBJ_NONE);
}

static void baseline_check(const struct baseline *b)
{
	kmalloc_shrink();
	VM_EXPECT_EQ(pmm_free_pages(), b->free_pages);
	VM_EXPECT_EQ(kmalloc_bytes_in_use(), b->heap);
	VM_EXPECT_EQ(kobject_live_count(OBJ_NONE), b->objs);
}

static uint64_t pool_used(struct mem_pool *p)
{
	struct pool_info info;
	pool_info(p, &info);
	return info.used;
}

static uint64_t memory_cost(uint64_t pages)
{
	return pages * P + kmalloc_size(pages * sizeof(uint64_t)) +
	       kmalloc_size(sizeof(struct memory));
}

VM_TEST(memobj_pool_charge)
{
	struct baseline b;
	baseline_take(&b);
	struct mem_pool *p;
	VM_EXPECT_EQ(pool_create_root(10000, &p), 0);
	struct pool_info info;
	pool_info(p, &info);
	VM_EXPECT_EQ(info.quota, 10000);
	VM_EXPECT_EQ(info.used, 0);
	VM_EXPECT_EQ(pool_charge(p, 4000), 0);
	VM_EXPECT_EQ(pool_charge(p, 7000), ERR_NO_MEMORY);
	VM_EXPECT_EQ(pool_used(p), 4000);
	VM_EXPECT_EQ(pool_charge(p, 6000), 0); /* exactly the quota */
	VM_EXPECT_EQ(pool_charge(p, 1), ERR_NO_MEMORY);
	VM_EXPECT_EQ(pool_charge(p, 0), 0);
	VM_EXPECT_EQ(pool_charge(p, UINT64_MAX), ERR_NO_MEMORY); /* no wrap-around */
	pool_uncharge(p, 10000);
	VM_EXPECT_EQ(pool_used(p), 0);
	VM_EXPECT_EQ(pool_charge(p, UINT64_MAX), ERR_NO_MEMORY);
	pool_put(p);
	baseline_check(&b);
}

VM_TEST(memobj_pool_split)
{
	struct baseline b;
	baseline_take(&b);
	struct mem_pool *root, *child, *grandchild, *tmp;
	VM_EXPECT_EQ(pool_create_root(1 << 20, &root), 0);
	VM_EXPECT_EQ(pool_split(root, 256 << 10, &child), 0);
	uint64_t cost = pool_used(root);
	VM_EXPECT(cost >= 256 << 10 && cost < (256 << 10) + 1024); /* quota + metadata */
	VM_EXPECT_EQ(pool_split(root, 1 << 20, &tmp), ERR_NO_MEMORY);
	VM_EXPECT_EQ(pool_split(root, UINT64_MAX, &tmp), ERR_NO_MEMORY);
	VM_EXPECT_EQ(pool_used(root), cost);
	VM_EXPECT_EQ(pool_split(child, 256 << 10, &tmp), ERR_NO_MEMORY); /* no room for metadata */
	VM_EXPECT_EQ(pool_split(child, 64 << 10, &grandchild), 0);
	VM_EXPECT_EQ(pool_charge(grandchild, 64 << 10), 0);
	VM_EXPECT_EQ(pool_charge(grandchild, 1), ERR_NO_MEMORY);
	pool_uncharge(grandchild, 64 << 10);
	/* The grandchild keeps the child alive after the child's owner lets go. */
	pool_put(child);
	VM_EXPECT_EQ(pool_used(root), cost);
	pool_put(grandchild); /* destroys both: all of the quota goes back */
	VM_EXPECT_EQ(pool_used(root), 0);
	VM_EXPECT_EQ(pool_split(root, 0, &tmp), 0);
	pool_put(tmp);
	VM_EXPECT_EQ(pool_used(root), 0);
	pool_put(root);
	baseline_check(&b);
}

struct smp_charge {
	struct mem_pool *pool;
	uint64_t won[64];
};

static void charge_on_cpu(unsigned cpu, void *arg)
{
	struct smp_charge *c = arg;
	if (cpu >= 64)
		return;
	for (int i = 0; i < 20000; i++)
		if (pool_charge(c->pool, 3) == 0)
			c->won[cpu]++;
}

VM_TEST(memobj_pool_charge_smp)
{
	VM_NEEDS_CPUS(2);
	struct smp_charge c;
	memset(&c, 0, sizeof(c));
	VM_EXPECT_EQ(pool_create_root(3 * 10000 + 2, &c.pool), 0);
	vmtest_run_parallel(charge_on_cpu, &c);
	uint64_t won = 0;
	for (unsigned i = 0; i < 64; i++)
		won += c.won[i];
	VM_EXPECT_EQ(won, 10000); /* never one charge more than the quota allows */
	VM_EXPECT_EQ(pool_used(c.pool), 30000);
	pool_uncharge(c.pool, 30000);
	pool_put(c.pool);
}

static bool page_is_zero(uint64_t pa)
{
	const uint64_t *w = phys_to_virt(pa);
	for (unsigned i = 0; i < P / 8; i++)
		if (w[i])
			return false;
	return true;
}

VM_TEST(memobj_memory_zero_fill)
{
	struct baseline b;
	baseline_take(&b);
	struct mem_pool *pool;
	struct memory *m;
	VM_EXPECT_EQ(pool_create_root(BIG_QUOTA, &pool), 0);
	for (int round = 0; round < 2; round++) {
		/* Dirty the pages, free them, and make sure the next object is clean. */
		VM_EXPECT_EQ(memory_create(pool, 3 * P + 1, &m), 0);
		VM_EXPECT_EQ(memory_size(m), 4 * P);
		VM_EXPECT_EQ(pool_used(pool), memory_cost(4));
		for (uint64_t i = 0; i < 4; i++) {
			VM_EXPECT(page_is_zero(memory_page_phys(m, i)));
			memset(phys_to_virt(memory_page_phys(m, i)), 0xa5, P);
		}
		kobject_put(&m->obj);
		VM_EXPECT_EQ(pool_used(pool), 0);
	}
	/* 5 MiB + 1 page: 2 MiB blocks and a tail, every page distinct and zero. */
	uint64_t n = 1281;
	VM_EXPECT_EQ(memory_create(pool, n * P, &m), 0);
	VM_EXPECT_EQ(memory_size(m), n * P);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pa = memory_page_phys(m, i);
		VM_EXPECT(IS_ALIGNED(pa, P));
		if (i > 0 && pa == memory_page_phys(m, i - 1))
			VM_FAIL("page %llu repeats", (unsigned long long)i);
		if (!page_is_zero(pa))
			VM_FAIL("page %llu is not zero", (unsigned long long)i);
	}
	kobject_put(&m->obj);
	VM_EXPECT_EQ(pool_used(pool), 0);
	pool_put(pool);
	baseline_check(&b);
}

VM_TEST(memobj_memory_sizes_and_oom)
{
	struct baseline b;
	baseline_take(&b);
	struct mem_pool *big, *small;
	struct memory *m = NULL;
	VM_EXPECT_EQ(pool_create_root(BIG_QUOTA, &big), 0);
	VM_EXPECT_EQ(memory_create(big, 0, &m), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(memory_create(big, MEMORY_MAX_SIZE + 1, &m), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(memory_create(big, UINT64_MAX, &m), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(memory_create(big, UINT64_MAX - P + 2, &m), ERR_INVALID_ARGS);
	/* Allowed by the pool, impossible for the machine: an error, not a panic. */
	VM_EXPECT_EQ(memory_create(big, MEMORY_MAX_SIZE, &m), ERR_NO_MEMORY);
	/* More than all RAM: the page allocator runs dry halfway, all is given back. */
	VM_EXPECT_EQ(memory_create(big, pmm_total_pages() * P + P, &m), ERR_NO_MEMORY);
	VM_EXPECT_EQ(pool_used(big), 0);
	/* A pool that fits 3 pages (plus metadata) but not 4. */
	VM_EXPECT_EQ(pool_create_root(memory_cost(3), &small), 0);
	VM_EXPECT_EQ(memory_create(small, 4 * P, &m), ERR_NO_MEMORY);
	VM_EXPECT_EQ(pool_used(small), 0);
	VM_EXPECT_EQ(memory_create(small, 3 * P, &m), 0);
	VM_EXPECT_EQ(pool_used(small), memory_cost(3));
	struct memory *m2;
	VM_EXPECT_EQ(memory_create(small, 1, &m2), ERR_NO_MEMORY);
	kobject_put(&m->obj);
	VM_EXPECT_EQ(memory_create(small, 1, &m2), 0);
	kobject_put(&m2->obj);
	pool_put(small);
	pool_put(big);
	baseline_check(&b);
}

VM_TEST(memobj_memory_phys)
{
	struct baseline b;
	void *block = page_alloc(2);
	VM_EXPECT(block != NULL);
	if (!block)
		return;
	baseline_take(&b);
	uint64_t pa = virt_to_phys(block);
	struct memory *m;
	VM_EXPECT_EQ(memory_create_phys(pa + 1, P, &m), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(memory_create_phys(pa, 0, &m), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(memory_create_phys(UINT64_MAX & PAGE_MASK, 2 * P, &m), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(memory_create_phys(pa, 3 * P + 5, &m), 0);
	VM_EXPECT_EQ(memory_size(m), 4 * P);
	for (uint64_t i = 0; i < 4; i++)
		VM_EXPECT_EQ(memory_page_phys(m, i), pa + i * P);
	kobject_put(&m->obj); /* must not free the pages */
	baseline_check(&b);
	page_free(block, 2);
}

/* The page at va is mapped to pa with exactly the flags a user mapping of prot gets. */
static void expect_mapped(struct aspace *as, uint64_t va, uint64_t pa, unsigned prot)
{
	uint64_t got, psize;
	unsigned flags;
	int err = vmm_query(&as->vs, va, &got, &flags, &psize);
	unsigned want =
	    VM_USER | ((prot & PROT_WRITE) ? VM_WRITE : 0) | ((prot & PROT_EXEC) ? VM_EXEC : 0);
	if (err || got != pa || flags != want || psize != P)
		VM_FAIL("va %llx: err %d pa %llx (want %llx) flags %x (want %x)",
		        (unsigned long long)va, err, (unsigned long long)got,
		        (unsigned long long)pa, flags, want);
}

static void expect_unmapped(struct aspace *as, uint64_t va)
{
	if (vmm_query(&as->vs, va, NULL, NULL, NULL) != ERR_NOT_FOUND)
		VM_FAIL("va %llx is still mapped", (unsigned long long)va);
}

static void expect_region(struct aspace *as, uint64_t va, uint64_t base, uint64_t len, uint64_t off,
                          unsigned prot, struct memory *m)
{
	struct as_region r;
	int err = aspace_query(as, va, &r);
	if (err || r.base != base || r.length != len || r.offset != off || r.prot != prot ||
	    r.memory_id != m->obj.id)
		VM_FAIL("query %llx: err %d base %llx len %llx off %llx prot %u",
		        (unsigned long long)va, err, (unsigned long long)r.base,
		        (unsigned long long)r.length, (unsigned long long)r.offset, r.prot);
}

struct fixture {
	struct baseline b;
	struct mem_pool *pool;
	struct memory *m;
	struct aspace *as;
};

static void fixture_up(struct fixture *f, uint64_t pages)
{
	baseline_take(&f->b);
	VM_EXPECT_EQ(pool_create_root(BIG_QUOTA, &f->pool), 0);
	VM_EXPECT_EQ(memory_create(f->pool, pages * P, &f->m), 0);
	VM_EXPECT_EQ(aspace_create(f->pool, &f->as), 0);
}

static void fixture_down(struct fixture *f)
{
	kobject_put(&f->m->obj); /* mappings may keep it alive until the space goes */
	kobject_put(&f->as->obj);
	VM_EXPECT_EQ(pool_used(f->pool), 0);
	pool_put(f->pool);
	baseline_check(&f->b);
}

VM_TEST(memobj_aspace_map_query)
{
	struct fixture f;
	fixture_up(&f, 4);
	struct memory *m = f.m;
	uint64_t used = pool_used(f.pool);
	VM_EXPECT_EQ(aspace_map(f.as, VA, m, P, 2 * P, PROT_READ), 0);
	/* one PT, one PD, one PDPT and 8 records' worth of array */
	VM_EXPECT_EQ(pool_used(f.pool), used + 3 * P + 8 * sizeof(struct as_mapping));
	VM_EXPECT_EQ(kobject_refcount(&m->obj), 2);
	expect_mapped(f.as, VA, memory_page_phys(m, 1), PROT_READ);
	expect_mapped(f.as, VA + P, memory_page_phys(m, 2), PROT_READ);
	expect_unmapped(f.as, VA - P);
	expect_unmapped(f.as, VA + 2 * P);
	expect_region(f.as, VA + P + 17, VA, 2 * P, P, PROT_READ, m);
	struct as_region r;
	VM_EXPECT_EQ(aspace_query(f.as, VA + 2 * P, &r), ERR_NOT_FOUND);
	VM_EXPECT_EQ(aspace_query(f.as, VA - 1, &r), ERR_NOT_FOUND);
	VM_EXPECT_EQ(aspace_query(f.as, UINT64_MAX, &r), ERR_NOT_FOUND);
	/* The same memory again, writable and executable elsewhere: shared pages. */
	used = pool_used(f.pool);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 4 * P, m, 0, 4 * P, PROT_READ | PROT_WRITE), 0);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 3 * P, P, PROT_READ | PROT_EXEC), 0);
	VM_EXPECT_EQ(pool_used(f.pool), used); /* same page table, records had room */
	expect_mapped(f.as, VA + 5 * P, memory_page_phys(m, 1), PROT_READ | PROT_WRITE);
	expect_mapped(f.as, VA + 8 * P, memory_page_phys(m, 3), PROT_READ | PROT_EXEC);
	expect_region(f.as, VA + 8 * P, VA + 8 * P, P, 3 * P, PROT_READ | PROT_EXEC, m);
	/* Far away, at the top of the user half (the last page is never mapped). */
	VM_EXPECT_EQ(aspace_map(f.as, USER_MAP_END - P, m, 0, P, PROT_READ), 0);
	expect_mapped(f.as, USER_MAP_END - P, memory_page_phys(m, 0), PROT_READ);
	VM_EXPECT_EQ(f.as->count, 4);
	VM_EXPECT_EQ(kobject_refcount(&m->obj), 5);
	fixture_down(&f);
}

VM_TEST(memobj_aspace_map_refused)
{
	struct fixture f;
	fixture_up(&f, 4);
	struct memory *m = f.m;
	const unsigned R = PROT_READ, RW = PROT_READ | PROT_WRITE;
	VM_EXPECT_EQ(aspace_map(f.as, VA, m, 0, 2 * P, RW), 0);
	uint64_t used = pool_used(f.pool);
	/* page 0, kernel half, crossing the boundary, unaligned, empty, wrapping */
	VM_EXPECT_EQ(aspace_map(f.as, 0, m, 0, P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, 0, m, 0, 2 * P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, USER_SPACE_END, m, 0, P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, 0xffff800000000000ull, m, 0, P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, USER_SPACE_END - P, m, 0, 2 * P, R), ERR_INVALID_ARGS);
	/* the last user page: no instruction may end at the canonical boundary */
	VM_EXPECT_EQ(aspace_map(f.as, USER_MAP_END, m, 0, P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, USER_MAP_END - P, m, 0, 2 * P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, UINT64_MAX & PAGE_MASK, m, 0, 2 * P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P + 1, m, 0, P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 1, P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 0, P - 1, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 0, 0, R), ERR_INVALID_ARGS);
	/* prot: W^X, none, no read, unknown bits */
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 0, P, PROT_ALL), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 0, P, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 0, P, PROT_WRITE), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 0, P, R | 8), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_map_limited(f.as, VA + 8 * P, m, 0, P, RW, R), ERR_ACCESS_DENIED);
	/* outside the memory object */
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 4 * P, P, R), ERR_OUT_OF_RANGE);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 2 * P, 3 * P, R), ERR_OUT_OF_RANGE);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, UINT64_MAX & PAGE_MASK, 2 * P, R),
	             ERR_OUT_OF_RANGE);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 8 * P, m, 0, 1ull << 46, R), ERR_OUT_OF_RANGE);
	/* overlaps: same, front, back, containing, inside */
	VM_EXPECT_EQ(aspace_map(f.as, VA, m, 0, 2 * P, R), ERR_ALREADY_EXISTS);
	VM_EXPECT_EQ(aspace_map(f.as, VA - P, m, 0, 2 * P, R), ERR_ALREADY_EXISTS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + P, m, 0, 2 * P, R), ERR_ALREADY_EXISTS);
	VM_EXPECT_EQ(aspace_map(f.as, VA - P, m, 0, 4 * P, R), ERR_ALREADY_EXISTS);
	VM_EXPECT_EQ(aspace_map(f.as, VA + P, m, 0, P, R), ERR_ALREADY_EXISTS);
	/* nothing changed */
	VM_EXPECT_EQ(f.as->count, 1);
	VM_EXPECT_EQ(pool_used(f.pool), used);
	VM_EXPECT_EQ(kobject_refcount(&m->obj), 2);
	expect_unmapped(f.as, VA - P);
	expect_unmapped(f.as, VA + 2 * P);
	expect_unmapped(f.as, VA + 8 * P);
	expect_mapped(f.as, VA + P, memory_page_phys(m, 1), RW);
	/* neighbours on both sides are fine */
	VM_EXPECT_EQ(aspace_map(f.as, VA - P, m, 3 * P, P, R), 0);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 2 * P, m, 2 * P, P, R), 0);
	VM_EXPECT_EQ(aspace_map(f.as, P, m, 0, P, R), 0); /* page 1 is the lowest allowed */
	VM_EXPECT_EQ(f.as->count, 4);
	fixture_down(&f);
}

VM_TEST(memobj_aspace_unmap_split)
{
	struct fixture f;
	fixture_up(&f, 8);
	struct memory *m = f.m;
	const unsigned RW = PROT_READ | PROT_WRITE;
	VM_EXPECT_EQ(aspace_map(f.as, VA, m, 0, 8 * P, RW), 0);
	/* a hole in the middle: one mapping becomes two */
	VM_EXPECT_EQ(aspace_unmap(f.as, VA + 2 * P, 2 * P), 0);
	VM_EXPECT_EQ(f.as->count, 2);
	VM_EXPECT_EQ(kobject_refcount(&m->obj), 3);
	expect_region(f.as, VA + P, VA, 2 * P, 0, RW, m);
	expect_region(f.as, VA + 4 * P, VA + 4 * P, 4 * P, 4 * P, RW, m);
	expect_unmapped(f.as, VA + 2 * P);
	expect_unmapped(f.as, VA + 3 * P);
	for (uint64_t i = 0; i < 8; i++)
		if (i < 2 || i >= 4)
			expect_mapped(f.as, VA + i * P, memory_page_phys(m, i), RW);
	/* across the hole, trimming both neighbours */
	VM_EXPECT_EQ(aspace_unmap(f.as, VA + P, 4 * P), 0);
	VM_EXPECT_EQ(f.as->count, 2);
	expect_region(f.as, VA, VA, P, 0, RW, m);
	expect_region(f.as, VA + 7 * P, VA + 5 * P, 3 * P, 5 * P, RW, m);
	expect_unmapped(f.as, VA + 4 * P);
	expect_mapped(f.as, VA + 5 * P, memory_page_phys(m, 5), RW);
	/* holes only: fine; bad ranges refused */
	VM_EXPECT_EQ(aspace_unmap(f.as, VA + P, 4 * P), 0);
	VM_EXPECT_EQ(aspace_unmap(f.as, VA + 1, P), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_unmap(f.as, VA, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_unmap(f.as, VA, UINT64_MAX & PAGE_MASK), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_unmap(f.as, USER_SPACE_END, P), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(f.as->count, 2);
	/* exactly one whole mapping, then everything at once */
	VM_EXPECT_EQ(aspace_unmap(f.as, VA, P), 0);
	VM_EXPECT_EQ(f.as->count, 1);
	VM_EXPECT_EQ(aspace_map(f.as, 16 * P, m, 0, P, RW), 0);
	VM_EXPECT_EQ(aspace_unmap(f.as, 0, USER_SPACE_END), 0);
	VM_EXPECT_EQ(f.as->count, 0);
	VM_EXPECT_EQ(kobject_refcount(&m->obj), 1);
	expect_unmapped(f.as, VA + 6 * P);
	fixture_down(&f);
}

VM_TEST(memobj_aspace_protect)
{
	struct fixture f;
	fixture_up(&f, 8);
	struct memory *m = f.m;
	const unsigned R = PROT_READ, RW = PROT_READ | PROT_WRITE, RX = PROT_READ | PROT_EXEC;
	VM_EXPECT_EQ(aspace_map_limited(f.as, VA, m, 0, 4 * P, RW, RW), 0);
	VM_EXPECT_EQ(aspace_map(f.as, VA + 4 * P, m, 4 * P, 2 * P, RW), 0); /* max: all */
	/* middle of the first mapping read-only: three records */
	VM_EXPECT_EQ(aspace_protect(f.as, VA + P, 2 * P, R), 0);
	VM_EXPECT_EQ(f.as->count, 4);
	expect_region(f.as, VA, VA, P, 0, RW, m);
	expect_region(f.as, VA + P, VA + P, 2 * P, P, R, m);
	expect_region(f.as, VA + 3 * P, VA + 3 * P, P, 3 * P, RW, m);
	expect_mapped(f.as, VA, memory_page_phys(m, 0), RW);
	expect_mapped(f.as, VA + 2 * P, memory_page_phys(m, 2), R);
	expect_mapped(f.as, VA + 3 * P, memory_page_phys(m, 3), RW);
	uint64_t used = pool_used(f.pool);
	unsigned count = f.as->count;
	/* refused: above max_prot, W^X, holes, bad ranges - and nothing changes */
	VM_EXPECT_EQ(aspace_protect(f.as, VA + P, P, RX), ERR_ACCESS_DENIED);
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 3 * P, 2 * P, RX), ERR_ACCESS_DENIED);
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 4 * P, P, PROT_ALL), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 4 * P, P, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 5 * P, 2 * P, R), ERR_NOT_FOUND);
	VM_EXPECT_EQ(aspace_protect(f.as, VA - P, 2 * P, R), ERR_NOT_FOUND);
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 10 * P, P, R), ERR_NOT_FOUND);
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 1, P, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(aspace_protect(f.as, VA, 0, R), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(f.as->count, count);
	VM_EXPECT_EQ(pool_used(f.pool), used);
	expect_mapped(f.as, VA + 3 * P, memory_page_phys(m, 3), RW);
	expect_mapped(f.as, VA + 4 * P, memory_page_phys(m, 4), RW);
	/* across adjacent mappings, splitting the far one */
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 2 * P, 3 * P, R), 0);
	expect_region(f.as, VA + 3 * P, VA + 3 * P, P, 3 * P, R, m);
	expect_region(f.as, VA + 4 * P, VA + 4 * P, P, 4 * P, R, m);
	expect_region(f.as, VA + 5 * P, VA + 5 * P, P, 5 * P, RW, m);
	for (uint64_t i = 1; i < 5; i++)
		expect_mapped(f.as, VA + i * P, memory_page_phys(m, i), R);
	/* the kernel-made mapping may become executable */
	VM_EXPECT_EQ(aspace_protect(f.as, VA + 4 * P, 2 * P, RX), 0);
	expect_mapped(f.as, VA + 5 * P, memory_page_phys(m, 5), RX);
	expect_region(f.as, VA + 5 * P, VA + 5 * P, P, 5 * P, RX, m);
	fixture_down(&f);
}

VM_TEST(memobj_aspace_small_pool)
{
	struct baseline b;
	baseline_take(&b);
	struct mem_pool *big, *small;
	struct memory *m;
	struct aspace *as;
	VM_EXPECT_EQ(pool_create_root(BIG_QUOTA, &big), 0);
	VM_EXPECT_EQ(memory_create(big, 4 * P, &m), 0);
	/* Room for the space itself and its records, not for page tables. */
	uint64_t quota = sizeof(struct aspace) + P + 8 * sizeof(struct as_mapping) + 2 * P;
	VM_EXPECT_EQ(pool_create_root(quota, &small), 0);
	VM_EXPECT_EQ(aspace_create(small, &as), 0);
	uint64_t used = pool_used(small);
	VM_EXPECT_EQ(aspace_map(as, VA, m, 0, P, PROT_READ), ERR_NO_MEMORY);
	VM_EXPECT_EQ(as->count, 0);
	VM_EXPECT_EQ(vmm_table_pages(&as->vs), 1);
	expect_unmapped(as, VA);
	VM_EXPECT_EQ(pool_used(small), used + 8 * sizeof(struct as_mapping));
	VM_EXPECT_EQ(kobject_refcount(&m->obj), 1);
	struct aspace *as2;
	struct mem_pool *tiny;
	VM_EXPECT_EQ(pool_create_root(sizeof(struct aspace), &tiny), 0);
	VM_EXPECT_EQ(aspace_create(tiny, &as2), ERR_NO_MEMORY);
	VM_EXPECT_EQ(pool_used(tiny), 0);
	pool_put(tiny);
	kobject_put(&as->obj);
	VM_EXPECT_EQ(pool_used(small), 0);
	pool_put(small);
	kobject_put(&m->obj);
	pool_put(big);
	baseline_check(&b);
}

/* Every CPU maps, protects and unmaps random slots of one shared space. */
#define SMP_SLOTS 48
struct smp_as {
	struct aspace *as;
	struct memory *m;
};

static void as_on_cpu(unsigned cpu, void *arg)
{
	struct smp_as *s = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (cpu + 3);
	/* a total budget shared by the CPUs: 8 vCPUs on 2 host cores crawl under TCG */
	for (unsigned i = 0; i < 1200 / vmtest_cpus(); i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		uint64_t slot = seed % SMP_SLOTS, pages = 1 + (seed >> 8) % 3;
		uint64_t va = VA + slot * P;
		int err;
		switch ((seed >> 16) % 3) {
		case 0:
			err = aspace_map(s->as, va, s->m, slot * P, pages * P,
			                 PROT_READ | PROT_WRITE);
			if (err && err != ERR_ALREADY_EXISTS && err != ERR_OUT_OF_RANGE)
				VM_FAIL("CPU %u: map: %d", cpu, err);
			break;
		case 1:
			err = aspace_unmap(s->as, va, pages * P);
			if (err)
				VM_FAIL("CPU %u: unmap: %d", cpu, err);
			break;
		default:
			err = aspace_protect(s->as, va, pages * P, PROT_READ);
			if (err && err != ERR_NOT_FOUND)
				VM_FAIL("CPU %u: protect: %d", cpu, err);
			break;
		}
	}
}

VM_TEST(memobj_aspace_smp)
{
	VM_NEEDS_CPUS(2);
	struct fixture f;
	fixture_up(&f, SMP_SLOTS + 3);
	struct smp_as s = {f.as, f.m};
	vmtest_run_parallel(as_on_cpu, &s);
	/* Records sorted and disjoint, and the page tables agree with them page by page. */
	for (uint32_t i = 1; i < f.as->count; i++)
		VM_EXPECT(f.as->map[i - 1].base + f.as->map[i - 1].length <= f.as->map[i].base);
	for (uint64_t slot = 0; slot < SMP_SLOTS + 3; slot++) {
		uint64_t va = VA + slot * P;
		struct as_region r;
		if (aspace_query(f.as, va, &r) == 0)
			expect_mapped(f.as, va, memory_page_phys(f.m, slot), r.prot);
		else
			expect_unmapped(f.as, va);
	}
	VM_EXPECT_EQ(kobject_refcount(&f.m->obj), 1 + f.as->count);
	fixture_down(&f);
}
