/*
 * usertest.c - bin/usertest: the user-space test suite's runner, shared helpers and
 * the tests of the SYS_SELF_* actions and the log (see usertest.h for the harness).
 *
 * Started by Exec from etc/test.manifest with "log", "initrd" and a 64 MiB "pool".
 * The test groups live in caps.c (capabilities, handles, pointers), mem.c (pools,
 * memory, address spaces) and proc.c (processes, crashes, isolation, threads, churn).
 * Exits with 0 when every test passed, 1 otherwise.
 */
#include "usertest.h"

#include <charlotte/testing.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <charlotte/start.h>

handle_t ut_log, ut_pool, ut_self, ut_as, ut_initrd;

const uint64_t ut_bad_ptrs[] = {
    0, /* NULL */
    0x1000, /* unmapped user page */
    0x00007ffffffff000, /* unmapped, last user page */
    0x0000800000000000, /* first non-canonical address */
    0x8000000000000000, /* non-canonical */
    0xffff800000000000, /* kernel: direct map */
    0xffffffff80000000, /* kernel: image */
    (uint64_t)(uintptr_t)&ut_run, /* our code: read-only */
};
const unsigned ut_nbad_ptrs = sizeof(ut_bad_ptrs) / sizeof(ut_bad_ptrs[0]);

void ut_run(const char *name, void (*fn)(void))
{
	ch_test_run("user_", name, fn);
}

uint64_t ut_pool_used(void)
{
	struct pool_info pi;
	return ch_pool_info(ut_pool, &pi) < 0 ? 0 : pi.used;
}

int ut_crashme(const char *const *args, unsigned flags, uint64_t child_pool, struct proc_status *st)
{
	const char *argv[8] = {"bin/crashme"};
	struct ch_child c;
	unsigned n = 1;

	for (; args && *args && n < 7; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	struct ch_spawn_args a = {
	    .path = "bin/crashme", .argv = argv, .flags = flags, .child_pool = child_pool};
	int err = ch_spawn(&a, &c);
	if (err)
		return err;
	long r = ch_proc_wait(c.process, UINT64_MAX, st);
	ch_child_release(&c);
	return (int)r;
}

/* --- SYS_SELF_* --- */

static void test_null(void)
{
	EXPECT_ERR(ch_null(), 0);
	EXPECT_ERR(ch_syscall0(0, 0), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_syscall0(0x7f, 0), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_syscall0(0x7777, ut_pool), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_syscall0(UINT64_C(1) << 40, 0), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_syscall0(UINT64_MAX, 0), ERR_NOT_SUPPORTED);
}

static void test_clock(void)
{
	int64_t prev = ch_clock_ns();
	CHECK(prev > 0, "clock reads %lld", (long long)prev);
	for (int i = 0; i < 1000; i++) {
		int64_t now = ch_clock_ns();
		CHECK(now >= prev, "clock went back from %lld to %lld", (long long)prev,
		      (long long)now);
		prev = now;
	}
	EXPECT_OK(ch_yield());
	int64_t t0 = ch_clock_ns();
	EXPECT_OK(ch_sleep_ns(2000000));
	int64_t slept = ch_clock_ns() - t0;
	CHECK(slept >= 2000000, "slept only %lld ns of 2 ms", (long long)slept);
	EXPECT_OK(ch_sleep_ns(0));
}

static void test_log_write(void)
{
	static char big[4097];
	handle_t nowrite;

	EXPECT_ERR(ch_log_write(ut_log, "", 0), 0);
	memset(big, '.', sizeof(big));
	big[4095] = '\n';
	EXPECT_ERR(ch_log_write(ut_log, big, 4097), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_log_write(ut_log, big, UINT64_MAX), ERR_INVALID_ARGS);
	for (unsigned i = 0; i + 1 < ut_nbad_ptrs; i++) /* the last one is readable */
		EXPECT_ERR(ch_log_write(ut_log, (const void *)(uintptr_t)ut_bad_ptrs[i], 16),
		           ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_log_write(HANDLE_INVALID, "x\n", 2), ERR_BAD_HANDLE);
	EXPECT_ERR(ch_log_write(ut_pool, "x\n", 2), ERR_WRONG_TYPE);
	EXPECT_OK(ch_cap_derive(ut_log, RIGHT_DUPLICATE, 0, &nowrite));
	EXPECT_ERR(ch_log_write(nowrite, "x\n", 2), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_cap_drop(nowrite));
}

void ut_run_self_tests(void)
{
	ut_run("null_and_unknown_actions", test_null);
	ut_run("clock_yield_sleep", test_clock);
	ut_run("log_write", test_log_write);
}

static void run_all(void)
{
	ut_run_self_tests();
	ut_run_cap_tests();
	ut_run_mem_tests();
	ut_run_proc_tests();
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_log = ch_handle("log");
	ut_pool = ch_handle("pool");
	ut_self = ch_handle("self.process");
	ut_as = ch_handle("self.as");
	ut_initrd = ch_handle("initrd");
	if (!ut_log || !ut_pool || !ut_self || !ut_as || !ut_initrd) {
		printf("VMTEST FAIL user_start_info: missing a capability (log %x pool %x "
		       "self.process %x self.as %x initrd %x)\n",
		       ut_log, ut_pool, ut_self, ut_as, ut_initrd);
		return 1;
	}
	printf("usertest: starting\n");
	int r = ch_test_main(run_all); /* the plan, then the tests */
	printf("usertest: done\n");
	return r;
}
