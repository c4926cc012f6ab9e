/*
 * caps.c - usertest: capabilities from user space, bad handles, wrong types and
 * hostile output pointers on every action that writes through one.
 */
#include "usertest.h"

#include <stdio.h>

/* Handles that can never name anything here. */
static const handle_t bogus[] = {
    HANDLE_INVALID,
    0xdeadbeefu,
    0xffffffffu,
    0x000fffffu /* generation 0 */,
    HANDLE_MAKE(HANDLE_INDEX_MASK, 1),
    HANDLE_MAKE(4000, 4095),
};
#define NBOGUS (sizeof(bogus) / sizeof(bogus[0]))

static void test_bad_handles(void)
{
	struct cap_info ci;
	struct pool_info pi;
	struct as_region reg;
	struct proc_status st;
	uint64_t size;
	handle_t h;

	for (unsigned i = 0; i < NBOGUS; i++) {
		handle_t b = bogus[i];
		EXPECT_ERR(ch_cap_inspect(b, &ci), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_cap_derive(b, 0, 0, &h), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_cap_duplicate(b, &h), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_cap_drop(b), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_cap_revoke(b), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_pool_info(b, &pi), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_mem_create(b, 4096, &h), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_mem_info(b, &size), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_as_query(b, UT_VA_CAPS, &reg), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_proc_status(b, &st), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_thread_create(b, &h), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_log_write(b, "x\n", 2), ERR_BAD_HANDLE);
		/* a memory handle argument, not the target */
		EXPECT_ERR(ch_as_map(ut_as, UT_VA_CAPS, b, 0, 4096, PROT_READ), ERR_BAD_HANDLE);
		EXPECT_ERR(ch_proc_grant(ut_self, b, 0, &h), ERR_BAD_HANDLE);
	}
}

static void test_stale_handle(void)
{
	handle_t dup, again;
	struct pool_info pi;

	EXPECT_OK(ch_cap_duplicate(ut_pool, &dup));
	EXPECT_OK(ch_pool_info(dup, &pi));
	EXPECT_OK(ch_cap_drop(dup));
	EXPECT_ERR(ch_pool_info(dup, &pi), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_cap_drop(dup), ERR_BAD_HANDLE);
	/* the slot is reused with another generation: the old handle stays dead */
	EXPECT_OK(ch_cap_duplicate(ut_pool, &again));
	CHECK(again != dup, "a recycled slot gave the same handle 0x%x", dup);
	EXPECT_ERR(ch_pool_info(dup, &pi), ERR_BAD_HANDLE);
	EXPECT_OK(ch_cap_drop(again));
}

static void test_derive_inspect(void)
{
	struct cap_info root, ci;
	handle_t d, dd, bad;
	uint64_t r = RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_CREATE;

	EXPECT_OK(ch_cap_inspect(ut_pool, &root));
	CHECK(root.type == OBJ_MEMORY_POOL, "pool has type %u", root.type);
	EXPECT_OK(ch_cap_derive(ut_pool, r, 42, &d));
	EXPECT_OK(ch_cap_inspect(d, &ci));
	CHECK(ci.type == OBJ_MEMORY_POOL && ci.rights == r && ci.badge == 42 &&
	          ci.object_id == root.object_id,
	      "derived cap: type %u rights 0x%llx badge %llu id %llu (root id %llu)", ci.type,
	      (unsigned long long)ci.rights, (unsigned long long)ci.badge,
	      (unsigned long long)ci.object_id, (unsigned long long)root.object_id);
	/* rights never grow, badges never change */
	EXPECT_ERR(ch_cap_derive(d, r | RIGHT_MANAGE, 42, &bad), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_cap_derive(d, r, 43, &bad), ERR_ACCESS_DENIED);
	EXPECT_ERR2(ch_cap_derive(d, UINT64_C(1) << 60, 42, &bad), ERR_INVALID_ARGS,
	            ERR_ACCESS_DENIED);
	/* no INSPECT: inspect refused */
	EXPECT_OK(ch_cap_derive(d, RIGHT_DUPLICATE, 42, &dd));
	EXPECT_ERR(ch_cap_inspect(dd, &ci), ERR_ACCESS_DENIED);
	/* a pool cap without CREATE cannot create */
	EXPECT_ERR(ch_mem_create(dd, 4096, &bad), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_cap_drop(dd));
	EXPECT_OK(ch_cap_drop(d));
}

static void test_duplicate(void)
{
	handle_t nodup, dup, bad;
	struct cap_info ci;

	EXPECT_OK(ch_cap_derive(ut_pool, RIGHT_INSPECT | RIGHT_DUPLICATE, 0, &dup));
	EXPECT_OK(ch_cap_duplicate(dup, &bad));
	EXPECT_OK(ch_cap_inspect(bad, &ci));
	CHECK(ci.rights == (RIGHT_INSPECT | RIGHT_DUPLICATE), "duplicate changed rights to 0x%llx",
	      (unsigned long long)ci.rights);
	EXPECT_OK(ch_cap_drop(bad));
	EXPECT_OK(ch_cap_derive(ut_pool, RIGHT_INSPECT, 0, &nodup));
	EXPECT_ERR(ch_cap_duplicate(nodup, &bad), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_cap_drop(nodup));
	EXPECT_OK(ch_cap_drop(dup));
}

static void test_revoke(void)
{
	handle_t mid, leaf, leaf2, norevoke;
	struct pool_info pi;

	EXPECT_OK(ch_cap_derive(ut_pool, RIGHTS_ALL, 0, &mid));
	EXPECT_OK(ch_cap_derive(mid, RIGHT_INSPECT | RIGHT_DUPLICATE, 0, &leaf));
	EXPECT_OK(ch_cap_derive(leaf, RIGHT_INSPECT, 0, &leaf2));
	EXPECT_OK(ch_cap_revoke(mid));
	EXPECT_ERR(ch_pool_info(leaf, &pi), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_pool_info(leaf2, &pi), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_cap_drop(leaf), ERR_BAD_HANDLE);
	EXPECT_OK(ch_pool_info(mid, &pi)); /* revoke spares the target itself */
	EXPECT_OK(ch_cap_derive(mid, RIGHT_INSPECT, 0, &norevoke));
	EXPECT_ERR(ch_cap_revoke(norevoke), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_cap_drop(norevoke));
	EXPECT_OK(ch_cap_drop(mid));
	EXPECT_OK(ch_pool_info(ut_pool, &pi)); /* and its parent */
}

static void test_wrong_type(void)
{
	struct pool_info pi;
	struct as_region reg;
	struct proc_status st;
	uint64_t size;
	handle_t h;

	EXPECT_ERR(ch_as_map(ut_pool, UT_VA_CAPS, ut_pool, 0, 4096, PROT_READ), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_as_query(ut_pool, UT_VA_CAPS, &reg), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_pool_info(ut_as, &pi), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_mem_create(ut_log, 4096, &h), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_mem_info(ut_pool, &size), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_proc_status(ut_as, &st), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_proc_wait(ut_initrd, 0, &st), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_thread_create(ut_as, &h), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_thread_start(ut_self, 0x401000, 0x402000, 0, 0), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_thread_wait(ut_self, 0, NULL), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_log_write(ut_pool, "x\n", 2), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_proc_create(ut_as, "x", 1, NULL), ERR_WRONG_TYPE);
	/* the memory argument of AS_MAP must be memory */
	EXPECT_ERR(ch_as_map(ut_as, UT_VA_CAPS, ut_pool, 0, 4096, PROT_READ), ERR_WRONG_TYPE);
}

/* Every action with an output pointer refuses every hostile pointer, creating nothing. */
static void test_bad_out_pointers(void)
{
	struct ch_child c;
	struct proc_create_out pc;
	handle_t mem;
	const char *argv[] = {"bin/crashme", "exit", "0", NULL};
	struct ch_spawn_args a = {.path = "bin/crashme", .argv = argv};

	EXPECT_OK(ch_mem_create(ut_pool, 4096, &mem));
	EXPECT_OK(ch_spawn(&a, &c));
	EXPECT_OK(ch_proc_wait(c.process, UINT64_MAX, NULL));
	struct proc_create_out u; /* SYS_PROC_GRANT's target: not started yet */
	handle_t granted;
	EXPECT_OK(ch_proc_create(ut_pool, "unstarted", 9, &u));
	/* its cspace's table, which never shrinks, is there before we measure */
	EXPECT_OK(ch_proc_grant(u.process, ut_log, RIGHT_WRITE, &granted));
	/* and so is ours (our pool made our process, so it pays for our cspace): room for
	   what the calls below reserve before they fail */
	handle_t room[32];
	for (unsigned i = 0; i < 32; i++)
		EXPECT_OK(ch_cap_duplicate(ut_pool, &room[i]));
	for (unsigned i = 0; i < 32; i++)
		ch_cap_drop(room[i]);
	uint64_t used = ut_pool_used();
	for (unsigned i = 0; i < ut_nbad_ptrs; i++) {
		uint64_t p = ut_bad_ptrs[i];
		void *bp = (void *)(uintptr_t)p;
		EXPECT_ERR(ch_syscall3(SYS_CAP_DERIVE, ut_pool, RIGHT_INSPECT, 0, p),
		           ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_cap_duplicate(ut_pool, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_cap_inspect(ut_pool, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_pool_info(ut_pool, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_mem_create(ut_pool, 4096, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_pool_split(ut_pool, 65536, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_mem_info(mem, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_as_query(ut_as, 0x401000, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_proc_create(ut_pool, "x", 1, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_proc_grant(u.process, ut_log, RIGHT_WRITE, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_proc_status(c.process, bp), ERR_BAD_ADDRESS);
		EXPECT_ERR(ch_thread_create(ut_self, bp), ERR_BAD_ADDRESS);
		if (p != 0) { /* NULL means "no output" for the waits */
			EXPECT_ERR(ch_proc_wait(c.process, 0, bp), ERR_BAD_ADDRESS);
			EXPECT_ERR(ch_thread_wait(c.thread, 0, bp), ERR_BAD_ADDRESS);
		}
		if (p != (uint64_t)(uintptr_t)&ut_run) /* readable: a name that is fine */
			EXPECT_ERR(ch_proc_create(ut_pool, (const char *)bp, 4, &pc),
			           ERR_BAD_ADDRESS);
	}
	CHECK(ut_pool_used() == used, "failed calls changed pool use from %llu to %llu",
	      (unsigned long long)used, (unsigned long long)ut_pool_used());
	/* an output that starts mapped and runs into an unmapped page */
	EXPECT_OK(ch_as_map(ut_as, UT_VA_CAPS, mem, 0, 4096, PROT_READ | PROT_WRITE));
	struct cap_info *edge = (struct cap_info *)(uintptr_t)(UT_VA_CAPS + 4096 - 8);
	EXPECT_ERR(ch_cap_inspect(ut_pool, edge), ERR_BAD_ADDRESS);
	EXPECT_ERR(
	    ch_proc_create(ut_pool, (const char *)(uintptr_t)(UT_VA_CAPS + 4096 - 2), 4, &pc),
	    ERR_BAD_ADDRESS);
	EXPECT_OK(ch_as_unmap(ut_as, UT_VA_CAPS, 4096));
	EXPECT_OK(ch_cap_drop(mem));
	EXPECT_OK(ch_cap_drop(u.address_space));
	EXPECT_OK(ch_cap_drop(u.process));
	ch_child_release(&c);
}

void ut_run_cap_tests(void)
{
	ut_run("bad_handles", test_bad_handles);
	ut_run("stale_handle", test_stale_handle);
	ut_run("cap_derive_inspect", test_derive_inspect);
	ut_run("cap_duplicate", test_duplicate);
	ut_run("cap_revoke", test_revoke);
	ut_run("wrong_type", test_wrong_type);
	ut_run("bad_out_pointers", test_bad_out_pointers);
}
