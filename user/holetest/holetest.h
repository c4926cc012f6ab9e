/*
 * holetest.h - bin/holetest: regression tests for the holes a hostile review found
 * (issue "close the holes"), each one a hostile unprivileged program's attack.
 *
 * Each test is a function registered with HOLE_TEST(name) in any file of this
 * directory; the runner (holetest.c) finds them through the linker section
 * "holetests", so adding a test never edits a shared list. Each prints one
 *     VMTEST PASS hole_<name>
 *     VMTEST FAIL hole_<name>: <reason>
 * line. A test that needs to crash, hang or starve something does it in a child
 * process (ht_spawn), never in the runner, and never waits without a timeout.
 *
 * Tests are named after the hole they close and must fail on the kernel that had
 * the hole (commit f450500): a crash (the suite never prints DONE), a bystander's
 * ERR_NO_MEMORY, a victim thread that made no progress, a kill that did not end.
 */
#pragma once

#include <stdint.h>

#include <charlotte/testing.h>

#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/spawn.h>
#include <charlotte/syscall.h>

/* Our handles (from start_info). */
extern handle_t ht_log, ht_pool, ht_self, ht_as, ht_initrd;

#define HT_SECOND UINT64_C(1000000000)
#define HT_MS UINT64_C(1000000)
/* Long enough for anything under TCG on a loaded host; reaching it means a hang. */
#define HT_LONG (60 * HT_SECOND)

struct hole_test {
	const char *name;
	void (*fn)(void);
};

#define HOLE_TEST(n)                                                                  \
	static void hole_##n(void);                                                   \
	static const struct hole_test hole_reg_##n                                    \
	    __attribute__((used, section("holetests"), aligned(8))) = {#n, hole_##n}; \
	static void hole_##n(void)

/*
 * Child processes: bin/holetest runs again with argv = {"bin/holetest", "child",
 * role, arg}; the role's function (registered with HOLE_CHILD(role)) gets arg and
 * its return value is the exit code. The child gets "log", "ep" (if ep is not
 * HANDLE_INVALID, with all channel rights) and a pool of pool_bytes.
 */
struct hole_child {
	const char *role;
	int (*fn)(const char *arg);
};

#define HOLE_CHILD(r)                                                                          \
	static int hole_child_##r(const char *arg);                                            \
	static const struct hole_child hole_creg_##r                                           \
	    __attribute__((used, section("holechildren"), aligned(8))) = {#r, hole_child_##r}; \
	static int hole_child_##r(const char *arg)

int ht_spawn(const char *role, const char *arg, handle_t ep, uint64_t pool_bytes,
             struct ch_child *c);
/* What our pool has charged now (0 if it cannot be read). */
uint64_t ht_pool_used(void);
/*
 * Our pool's charge once it has come down to base or 10 s have passed: a child's
 * pool comes back when its last object goes, a little after the child was reaped.
 * Less than base is fine (an earlier test's memory came back meanwhile); more is
 * a leak.
 */
uint64_t ht_pool_settle(uint64_t base);
/* map.c: a child tells its parent (through "ep") that it has started. */
void ht_say_started(void);
/*
 * map.c: spawn role (with arg), wait for it to start, let it run, kill it: it
 * must end (waited for as long as its pool keeps shrinking, HT_LONG without
 * progress is a hang) as PROC_KILLED and give its pool back. Records a failure.
 */
void ht_kill_child(const char *role, const char *arg);
/* Wait for c up to timeout; kill it if it has not ended. Returns the wait's result. */
long ht_reap(struct ch_child *c, uint64_t timeout, struct proc_status *st);
