/*
 * mem.c - usertest: memory pools, memory objects and address spaces: create, info,
 * quotas, map / unmap / protect / query with good and hostile arguments, rights,
 * W^X, shared and executable mappings.
 */
#include "usertest.h"

#include <string.h>

#define VA UT_VA_MEM
#define PAGE 4096u

static void test_mem_create(void)
{
	handle_t m;
	uint64_t size;

	/* our pool made our address space, so it pays for its page tables, which stay
	   after an unmap: those for VA are made before we measure */
	EXPECT_OK(ch_mem_create(ut_pool, PAGE, &m));
	EXPECT_OK(ch_as_map(ut_as, VA, m, 0, PAGE, PROT_READ));
	EXPECT_OK(ch_as_unmap(ut_as, VA, PAGE));
	EXPECT_OK(ch_cap_drop(m));
	uint64_t used = ut_pool_used();

	EXPECT_ERR(ch_mem_create(ut_pool, 0, &m), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_syscall3(SYS_POOL_MEM_CREATE, ut_pool, PAGE, 0x80, (uint64_t)(uintptr_t)&m),
	           ERR_INVALID_ARGS);
	EXPECT_ERR2(ch_mem_create(ut_pool, UINT64_MAX, &m), ERR_INVALID_ARGS, ERR_NO_MEMORY);
	EXPECT_ERR2(ch_mem_create(ut_pool, UINT64_MAX - PAGE + 2, &m), ERR_INVALID_ARGS,
	            ERR_NO_MEMORY);
	EXPECT_ERR2(ch_mem_create(ut_pool, UINT64_C(1) << 62, &m), ERR_INVALID_ARGS, ERR_NO_MEMORY);
	CHECK(ut_pool_used() == used, "failed creates changed pool use");

	EXPECT_OK(ch_mem_create(ut_pool, PAGE + 1, &m));
	EXPECT_OK(ch_mem_info(m, &size));
	CHECK(size == 2 * PAGE, "4097 bytes made a %llu-byte object", (unsigned long long)size);
	/* the pages, plus the kernel's own bookkeeping for the object (under a page) */
	uint64_t grew = ut_pool_used() - used;
	CHECK(grew >= 2 * PAGE && grew < 3 * PAGE, "pool use grew by %llu for 8 KiB",
	      (unsigned long long)grew);
	EXPECT_OK(ch_as_map(ut_as, VA, m, 0, 2 * PAGE, PROT_READ | PROT_WRITE));
	const uint64_t *p = (const uint64_t *)(uintptr_t)VA;
	for (unsigned i = 0; i < 2 * PAGE / 8; i++)
		CHECK(p[i] == 0, "new memory not zero at byte %u", i * 8);
	EXPECT_OK(ch_as_unmap(ut_as, VA, 2 * PAGE));
	EXPECT_OK(ch_cap_drop(m));
	CHECK(ut_pool_used() == used, "dropping the memory left pool use at +%llu",
	      (unsigned long long)(ut_pool_used() - used));
}

/* MEM_CREATE_FILL: the range holds the source bytes, every other byte is zero. */
static void test_mem_create_fill(void)
{
	static uint8_t src[5000];
	handle_t m;
	uint64_t used = ut_pool_used();

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	struct mem_fill f = {.offset = 100, .len = sizeof(src), .src = (uint64_t)(uintptr_t)src};
	EXPECT_OK(ch_mem_create_filled(ut_pool, 3 * PAGE, &f, &m));
	EXPECT_OK(ch_as_map(ut_as, VA, m, 0, 3 * PAGE, PROT_READ));
	const uint8_t *p = (const uint8_t *)(uintptr_t)VA;
	unsigned bad = 3 * PAGE;
	for (unsigned i = 0; i < 3 * PAGE && bad == 3 * PAGE; i++) {
		bool in = i >= 100 && i < 100 + sizeof(src);
		if (p[i] != (in ? src[i - 100] : 0))
			bad = i;
	}
	CHECK(bad == 3 * PAGE, "filled memory wrong at byte %u", bad);
	EXPECT_OK(ch_as_unmap(ut_as, VA, 3 * PAGE));
	EXPECT_OK(ch_cap_drop(m));

	/* the range must lie inside the object (rounded up to pages), without wrapping */
	f = (struct mem_fill){.offset = 2 * PAGE - 10, .len = 11, .src = f.src};
	EXPECT_ERR(ch_mem_create_filled(ut_pool, 2 * PAGE - 100, &f, &m), ERR_OUT_OF_RANGE);
	f.offset = UINT64_MAX - 4;
	f.len = 10;
	EXPECT_ERR(ch_mem_create_filled(ut_pool, PAGE, &f, &m), ERR_OUT_OF_RANGE);
	/* unreadable sources, including one that runs into an unmapped page mid-copy */
	static const uint64_t bad_src[] = {0, 8, UINT64_C(0xffffffff80000000),
	                                   UINT64_C(0x0000800000000000) - 8, VA};
	for (unsigned i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		f = (struct mem_fill){.offset = 0, .len = 16, .src = bad_src[i]};
		EXPECT_ERR(ch_mem_create_filled(ut_pool, 2 * PAGE, &f, &m), ERR_BAD_ADDRESS);
	}
	handle_t one;
	EXPECT_OK(ch_mem_create(ut_pool, PAGE, &one));
	EXPECT_OK(ch_as_map(ut_as, VA, one, 0, PAGE, PROT_READ));
	f = (struct mem_fill){.offset = 0, .len = 2 * PAGE, .src = VA};
	EXPECT_ERR(ch_mem_create_filled(ut_pool, 3 * PAGE, &f, &m), ERR_BAD_ADDRESS);
	EXPECT_OK(ch_as_unmap(ut_as, VA, PAGE));
	EXPECT_OK(ch_cap_drop(one));
	EXPECT_ERR(ch_syscall4(SYS_POOL_MEM_CREATE, ut_pool, PAGE, MEM_CREATE_FILL,
	                       (uint64_t)(uintptr_t)&m, 0),
	           ERR_BAD_ADDRESS);
	CHECK(ut_pool_used() == used, "failed filled creates changed pool use by %lld",
	      (long long)(ut_pool_used() - used));

	/* nothing to copy: all zero */
	f = (struct mem_fill){.offset = PAGE, .len = 0, .src = 0};
	EXPECT_OK(ch_mem_create_filled(ut_pool, PAGE, &f, &m));
	EXPECT_OK(ch_as_map(ut_as, VA, m, 0, PAGE, PROT_READ));
	for (unsigned i = 0; i < PAGE; i++)
		if (p[i]) {
			CHECK(false, "empty fill left byte %u nonzero", i);
			break;
		}
	EXPECT_OK(ch_as_unmap(ut_as, VA, PAGE));
	EXPECT_OK(ch_cap_drop(m));
	CHECK(ut_pool_used() == used, "pool use +%lld after filled objects were dropped",
	      (long long)(ut_pool_used() - used));
}

/* One round: a 256 KiB sub-pool filled until it refuses, then given back. */
static void pool_quota_round(void)
{
	handle_t sub, m[64], big;
	struct pool_info pi;
	unsigned n = 0;
	long r;

	EXPECT_OK(ch_pool_split(ut_pool, 256 * 1024, &sub));
	EXPECT_OK(ch_pool_info(sub, &pi));
	CHECK(pi.quota == 256 * 1024 && pi.used == 0, "new sub-pool: quota %llu used %llu",
	      (unsigned long long)pi.quota, (unsigned long long)pi.used);
	while (n < 64 && (r = ch_mem_create(sub, 64 * 1024, &m[n])) == 0)
		n++;
	/* 4 would fit but for the objects' bookkeeping, which is charged too */
	CHECK((n == 3 || n == 4) && r == ERR_NO_MEMORY,
	      "256 KiB pool gave %u 64 KiB objects, then %s", n, ch_error_name(r));
	/* fill what is left page by page: the pool then refuses even a page */
	while (n < 64 && (r = ch_mem_create(sub, PAGE, &m[n])) == 0)
		n++;
	CHECK(n < 64 && r == ERR_NO_MEMORY, "page-sized creates: %u, then %s", n, ch_error_name(r));
	EXPECT_ERR(ch_pool_split(sub, PAGE, &big), ERR_NO_MEMORY);
	EXPECT_ERR(ch_pool_split(ut_pool, UINT64_C(1) << 50, &big), ERR_NO_MEMORY);
	EXPECT_ERR2(r = ch_pool_split(ut_pool, 0, &big), ERR_INVALID_ARGS, 0);
	if (r == 0) /* an empty pool is allowed too */
		EXPECT_OK(ch_cap_drop(big));
	/* the system is still up: the parent pool still works */
	EXPECT_OK(ch_mem_create(ut_pool, PAGE, &big));
	EXPECT_OK(ch_cap_drop(big));
	while (n)
		EXPECT_OK(ch_cap_drop(m[--n]));
	EXPECT_OK(ch_pool_info(sub, &pi));
	CHECK(pi.used == 0, "sub-pool still uses %llu after drops", (unsigned long long)pi.used);
	EXPECT_OK(ch_cap_drop(sub));
}

/*
 * The first round may leave one-time growth behind (our cspace's slot table, which is
 * charged to the pool and kept); a second round must leave nothing more.
 */
static void test_pool_quota(void)
{
	pool_quota_round();
	uint64_t used = ut_pool_used();
	for (int i = 0; i < 3 && !ut_failed(); i++)
		pool_quota_round();
	CHECK(ut_pool_used() == used, "pool use +%llu after three more sub-pools came and went",
	      (unsigned long long)(ut_pool_used() - used));
}

static void test_as_map_args(void)
{
	handle_t m;
	struct as_region reg;

	EXPECT_OK(ch_mem_create(ut_pool, 4 * PAGE, &m));
	/* alignment, ranges, prot */
	EXPECT_ERR(ch_as_map(ut_as, VA + 1, m, 0, PAGE, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 1, PAGE, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, PAGE + 1, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, 0, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, PAGE, 8), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, PAGE, PROT_WRITE | PROT_EXEC), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC),
	           ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, 5 * PAGE, PROT_READ), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 4 * PAGE, PAGE, PROT_READ), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, UINT64_MAX & ~(uint64_t)(PAGE - 1), 2 * PAGE, PROT_READ),
	           ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_as_map(ut_as, 0, m, 0, PAGE, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, 0x0000800000000000 - PAGE, m, 0, 2 * PAGE, PROT_READ),
	           ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, 0xffff800000000000, m, 0, PAGE, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, 0x0000800000000000, m, 0, PAGE, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_map(ut_as, UINT64_MAX & ~(uint64_t)(PAGE - 1), m, 0, 2 * PAGE, PROT_READ),
	           ERR_INVALID_ARGS);
	/* a good map, then overlaps */
	EXPECT_OK(ch_as_map(ut_as, VA + PAGE, m, 0, 2 * PAGE, PROT_READ | PROT_WRITE));
	EXPECT_ERR(ch_as_map(ut_as, VA + PAGE, m, 0, 2 * PAGE, PROT_READ), ERR_ALREADY_EXISTS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, 2 * PAGE, PROT_READ), ERR_ALREADY_EXISTS);
	EXPECT_ERR(ch_as_map(ut_as, VA + 2 * PAGE, m, 0, 2 * PAGE, PROT_READ), ERR_ALREADY_EXISTS);
	EXPECT_ERR(ch_as_map(ut_as, VA, m, 0, 4 * PAGE, PROT_READ), ERR_ALREADY_EXISTS);
	EXPECT_ERR(ch_as_map(ut_as, 0x400000, m, 0, PAGE, PROT_READ), ERR_ALREADY_EXISTS);
	/* query */
	EXPECT_OK(ch_as_query(ut_as, VA + 2 * PAGE + 123, &reg));
	CHECK(reg.base == VA + PAGE && reg.length == 2 * PAGE && reg.offset == 0 &&
	          reg.prot == (PROT_READ | PROT_WRITE),
	      "query: base 0x%llx length %llu offset %llu prot %u", (unsigned long long)reg.base,
	      (unsigned long long)reg.length, (unsigned long long)reg.offset, reg.prot);
	EXPECT_ERR(ch_as_query(ut_as, VA, &reg), ERR_NOT_FOUND);
	EXPECT_ERR(ch_as_query(ut_as, VA + 3 * PAGE, &reg), ERR_NOT_FOUND);
	/* protect: whole range must be mapped; prot checked */
	EXPECT_ERR(ch_as_protect(ut_as, VA, 2 * PAGE, PROT_READ), ERR_NOT_FOUND);
	EXPECT_ERR(ch_as_protect(ut_as, VA + PAGE, 2 * PAGE, PROT_WRITE | PROT_EXEC),
	           ERR_INVALID_ARGS);
	EXPECT_ERR(ch_as_protect(ut_as, VA + PAGE + 1, PAGE, PROT_READ), ERR_INVALID_ARGS);
	EXPECT_OK(ch_as_protect(ut_as, VA + PAGE, 2 * PAGE, PROT_READ));
	EXPECT_OK(ch_as_query(ut_as, VA + PAGE, &reg));
	CHECK(reg.prot == PROT_READ, "protect left prot %u", reg.prot);
	/* unmap, holes ignored */
	EXPECT_ERR(ch_as_unmap(ut_as, VA + 1, PAGE), ERR_INVALID_ARGS);
	EXPECT_OK(ch_as_unmap(ut_as, VA, 8 * PAGE));
	EXPECT_ERR(ch_as_query(ut_as, VA + PAGE, &reg), ERR_NOT_FOUND);
	EXPECT_OK(ch_as_unmap(ut_as, VA, 8 * PAGE));
	EXPECT_OK(ch_cap_drop(m));
}

static void test_map_rights(void)
{
	handle_t m, nomap, ro, nox, as_nomap;

	EXPECT_OK(ch_mem_create(ut_pool, PAGE, &m));
	EXPECT_OK(ch_cap_derive(m, RIGHT_READ | RIGHT_WRITE, 0, &nomap));
	EXPECT_OK(ch_cap_derive(m, RIGHT_READ | RIGHT_MAP, 0, &ro));
	EXPECT_OK(ch_cap_derive(m, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP, 0, &nox));
	EXPECT_OK(ch_cap_derive(ut_as, RIGHT_INSPECT, 0, &as_nomap));
	EXPECT_ERR(ch_as_map(ut_as, VA, nomap, 0, PAGE, PROT_READ), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_as_map(ut_as, VA, ro, 0, PAGE, PROT_READ | PROT_WRITE), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_as_map(ut_as, VA, nox, 0, PAGE, PROT_READ | PROT_EXEC), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_as_map(as_nomap, VA, m, 0, PAGE, PROT_READ), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_as_map(ut_as, VA, ro, 0, PAGE, PROT_READ));
	/* a read-only capability's mapping cannot be made writable by protect */
	EXPECT_ERR(ch_as_protect(ut_as, VA, PAGE, PROT_READ | PROT_WRITE), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_as_unmap(as_nomap, VA, PAGE), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_as_unmap(ut_as, VA, PAGE));
	handle_t hs[] = {nomap, ro, nox, as_nomap, m};
	for (unsigned i = 0; i < 5; i++)
		EXPECT_OK(ch_cap_drop(hs[i]));
}

static void test_shared_and_exec(void)
{
	static const unsigned char code[] = {0xb8, 42, 0, 0, 0, 0xc3}; /* mov eax, 42; ret */
	handle_t m;

	EXPECT_OK(ch_mem_create(ut_pool, PAGE, &m));
	EXPECT_OK(ch_as_map(ut_as, VA, m, 0, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_OK(ch_as_map(ut_as, VA + 4 * PAGE, m, 0, PAGE, PROT_READ));
	volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)VA;
	volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)(VA + 4 * PAGE);
	w[100] = 0xc0ffee;
	CHECK(r[100] == 0xc0ffee, "shared mapping reads 0x%x", r[100]);
	memcpy((void *)(uintptr_t)VA, code, sizeof(code));
	EXPECT_OK(ch_as_map(ut_as, VA + 8 * PAGE, m, 0, PAGE, PROT_READ | PROT_EXEC));
	int (*fn)(void) = (int (*)(void))(uintptr_t)(VA + 8 * PAGE);
	int got = fn();
	CHECK(got == 42, "code in an exec mapping returned %d", got);
	EXPECT_OK(ch_as_unmap(ut_as, VA, 9 * PAGE));
	EXPECT_OK(ch_cap_drop(m));
}

void ut_run_mem_tests(void)
{
	ut_run("mem_create_info", test_mem_create);
	ut_run("mem_create_fill", test_mem_create_fill);
	ut_run("pool_quota", test_pool_quota);
	ut_run("as_map_args", test_as_map_args);
	ut_run("map_rights", test_map_rights);
	ut_run("shared_and_exec_mappings", test_shared_and_exec);
}
