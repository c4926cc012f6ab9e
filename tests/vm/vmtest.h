/*
 * vmtest.h - the in-kernel test runner used by the VM tests.
 *
 * A test is a function registered with VM_TEST(); the runner (tests/vm/runner.c)
 * runs every registered test when the kernel boots with "test" on its command
 * line (or "test=<name-prefix>"). It first prints its plan, one
 *     VMTEST PLAN <name>
 * line per test it will run, then for each test "VMTEST RUN <name>" and one of
 *     VMTEST PASS <name>
 *     VMTEST FAIL <name>: <reason>
 *     VMTEST NA <name>: <why>       (not applicable here: VM_NEEDS_CPUS)
 * then "VMTEST DONE <passed> passed, <failed> failed, <n> n/a" and exits QEMU
 * through isa-debug-exit. A test fails through VM_EXPECT or VM_FAIL; a panic or
 * an unexpected exception during a test is reported by the host harness as a
 * failure because the DONE line is missing. The harness also checks the results
 * against tests/expected-tests: a planned or listed test with no result fails
 * as "did not run" (docs/testing.md).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <lib/compiler.h>

struct vm_test {
	const char *name;
	void (*fn)(void);
};

#define VM_TEST(name)                                                                        \
	static void vmtest_##name(void);                                                     \
	static const struct vm_test vmtest_desc_##name                                       \
	    __attribute__((section(".vmtests"), used, aligned(8))) = {#name, vmtest_##name}; \
	static void vmtest_##name(void)

/* Record a failure of the current test (the first reason is kept) and go on. */
void vmtest_fail(const char *file, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

#define VM_FAIL(...) vmtest_fail(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Mark the current test not applicable in this configuration (printf format:
 * why); it is reported as "VMTEST NA", counted neither passed nor failed. A
 * failure recorded in the same test wins.
 */
void vmtest_not_applicable(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* First statement of a test that means nothing with fewer than n CPUs online: it
 * returns, reported as "VMTEST NA <name>: needs <n> CPUs", when there are fewer. */
#define VM_NEEDS_CPUS(n)                                                       \
	do {                                                                   \
		if (vmtest_cpus() < (n)) {                                     \
			vmtest_not_applicable("needs %u CPUs", (unsigned)(n)); \
			return;                                                \
		}                                                              \
	} while (0)
/* First statement of a test that judges how long things take in guest time: it needs
 * a clock that counts guest instructions (QEMU -icount, the configuration whose
 * command line has icount=1), which no load on the host can stretch. Elsewhere it
 * returns, reported as "VMTEST NA <name>: needs the icount configuration". */
#define VM_NEEDS_ICOUNT()                                                        \
	do {                                                                     \
		if (!vmtest_param("icount", 0)) {                                \
			vmtest_not_applicable("needs the icount configuration"); \
			return;                                                  \
		}                                                                \
	} while (0)
#define VM_EXPECT(cond)                                               \
	do {                                                          \
		if (!(cond))                                          \
			vmtest_fail(__FILE__, __LINE__, "%s", #cond); \
	} while (0)
#define VM_EXPECT_EQ(a, b)                                                                     \
	do {                                                                                   \
		long long va_ = (long long)(a), vb_ = (long long)(b);                          \
		if (va_ != vb_)                                                                \
			vmtest_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, \
			            va_, #b, vb_);                                             \
	} while (0)

/*
 * Run fn(cpu, arg) on every online CPU at once (the caller's CPU included) and
 * return when all have finished. Each runs as a kernel thread pinned to its CPU
 * with interrupts enabled.
 */
void vmtest_run_parallel(void (*fn)(unsigned cpu, void *arg), void *arg);
/* Number of online CPUs. */
unsigned vmtest_cpus(void);
/* A number from the kernel command line ("key=value"), or def if absent or malformed. */
uint64_t vmtest_param(const char *key, uint64_t def);

/* The runner (runner.c), driven by boot.c. */
#include <stddef.h>
/* Run every test whose name starts with prefix (all when prefix_len is 0). */
void vmtest_run_kernel(const char *prefix, size_t prefix_len);
/* A log line from user space: counts its VMTEST PASS / FAIL / NA, if any. */
void vmtest_observe_line(const char *line, size_t len);
/* Record a result that no test function produced (e.g. Exec did not finish). */
void vmtest_record(bool pass, const char *name, const char *reason);
/* Print the DONE line and leave QEMU. */
void vmtest_finish(void) __attribute__((noreturn));
