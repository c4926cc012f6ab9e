/*
 * usertest.h - the harness of bin/usertest, the user-space test suite.
 *
 * Each test is a function; the runner (usertest.c) prints exactly one line for it:
 *     VMTEST PASS user_<name>
 *     VMTEST FAIL user_<name>: <reason>
 * The CHECK macros record the first failure with the expression, what the kernel
 * returned and what was expected, and return from the test function (so a test
 * cleans up before its checks, or accepts a leak when it fails).
 *
 * Where include/abi/syscall.h names the error a case must give, the test expects
 * exactly that; where the ABI leaves it open (huge sizes, say), EXPECT_ERR2 accepts
 * either of two codes. A call that fails must change nothing, which the pointer tests
 * check through the pool's used bytes.
 */
#pragma once

#define ut_fail ch_test_fail /* charlotte/testing.h */
#define ut_failed ch_test_failed

#include <stdint.h>

#include <charlotte/testing.h>

#include <charlotte/names.h>
#include <charlotte/spawn.h>
#include <charlotte/syscall.h>

/* Our handles (from start_info). */
extern handle_t ut_log, ut_pool, ut_self, ut_as, ut_initrd;

/* Scratch addresses for mappings, one page-aligned region per test file. */
#define UT_VA_MEM UINT64_C(0x0000500000000000)
#define UT_VA_PROC UINT64_C(0x0000510000000000)
#define UT_VA_CAPS UINT64_C(0x0000520000000000)

#define EXPECT_ERR2(expr, want1, want2)                                                            \
	do {                                                                                       \
		long ut_r_ = (expr);                                                               \
		CHECK(ut_r_ == (want1) || ut_r_ == (want2), "%s: got %s, want %s or %s (line %d)", \
		      #expr, ch_error_name(ut_r_), ch_error_name(want1), ch_error_name(want2),     \
		      __LINE__);                                                                   \
	} while (0)

/* Hostile pointers every output argument must refuse with ERR_BAD_ADDRESS. */
extern const uint64_t ut_bad_ptrs[];
extern const unsigned ut_nbad_ptrs;

/* Bytes charged to our pool now (0 if it cannot be read: the caller's check fails). */
uint64_t ut_pool_used(void);

/*
 * Spawns bin/crashme with the arguments (NULL-terminated), granting it self handles
 * unless flags has CH_SPAWN_NO_SELF, and child_pool bytes of pool; waits for it and
 * fills *st. Returns 0 or the error of spawn / wait.
 */
int ut_crashme(const char *const *args, unsigned flags, uint64_t child_pool,
               struct proc_status *st);

/* The tests, one group per file. */
void ut_run_self_tests(void);
void ut_run_cap_tests(void);
void ut_run_mem_tests(void);
void ut_run_proc_tests(void);

/* Runs one test: prints its VMTEST line. */
void ut_run(const char *name, void (*fn)(void));
