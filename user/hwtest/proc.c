/*
 * proc.c - `bin/hwtest proc`: suspending and resuming processes, and the CPU
 * time and switch counts the kernel keeps per thread and per process
 * (SYS_PROC_SUSPEND, SYS_PROC_RESUME, SYS_PROC_STATUS, SYS_THREAD_INFO;
 * include/abi/syscall.h). A suite of its own that lives in bin/hwtest only to
 * keep the initrd small (every program is a few hundred KiB of it, and the
 * 64 MiB test machine has no room to spare). Started by Exec from
 * etc/test.manifest with "log", "initrd" and a pool, argv[1] == "proc"; with
 * argv[2] == "child" it plays argv[3] instead: "spin" counts in a shared page as
 * fast as it can, "sleep" counts once per short sleep (so it is nearly always
 * blocked in a wait), "exit" ends at once.
 *
 * Nothing here depends on the host's speed: a test waits for a condition to
 * hold (a counter moved, every thread parked), never for a time to pass; the
 * harness judges a hang by silence.
 */
#include <stdio.h>
#include <string.h>

#include "hwtest.h"

#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define MS 1000000ull
#define COUNTER_VA 0x500000000000ull

static handle_t pool, as, log_h;

/* A child's shared counter: ours mapped at COUNTER_VA + slot pages. */
struct kid {
	struct ch_child c;
	handle_t mem;
	volatile uint64_t *counter;
};

static int child_main(const char *role)
{
	if (strcmp(role, "exit") == 0)
		return 0;
	handle_t mem = ch_handle("counter"), self_as = ch_handle("self.as");
	if (mem == HANDLE_INVALID || self_as == HANDLE_INVALID ||
	    ch_as_map(self_as, COUNTER_VA, mem, 0, 4096, PROT_READ | PROT_WRITE) < 0)
		return 2;
	volatile uint64_t *counter = (volatile uint64_t *)COUNTER_VA;
	bool sleeper = strcmp(role, "sleep") == 0;
	for (;;) {
		(*counter)++;
		if (sleeper)
			ch_sleep_ns(2 * MS);
	}
}

static long kid_start(const char *role, unsigned slot, struct kid *k)
{
	const char *argv[] = {"bin/hwtest", "proc", "child", role, NULL};
	memset(k, 0, sizeof(*k));
	long r = ch_mem_create(pool, 4096, &k->mem);
	if (r < 0)
		return r;
	uint64_t va = COUNTER_VA + slot * 4096ull;
	r = ch_as_map(as, va, k->mem, 0, 4096, PROT_READ | PROT_WRITE);
	if (r < 0)
		return r;
	k->counter = (volatile uint64_t *)va;
	struct ch_grant g[2] = {{"log", log_h, RIGHT_WRITE},
	                        {"counter", k->mem, RIGHT_MAP | RIGHT_READ | RIGHT_WRITE}};
	struct ch_spawn_args a = {
	    .path = "bin/hwtest", .argv = argv, .grants = g, .ngrants = 2, .child_pool = 1u << 20};
	return ch_spawn(&a, &k->c);
}

/* One per test (its slot), so that a test that fails midway leaves its child to
 * kids_end() rather than running on. */
#define KIDS 6
static struct kid kids[KIDS];

static void kid_end(struct kid *k, unsigned slot)
{
	if (k->c.process) {
		ch_proc_kill(k->c.process);
		ch_proc_wait(k->c.process, UINT64_MAX, NULL);
		ch_child_release(&k->c);
	}
	ch_as_unmap(as, COUNTER_VA + slot * 4096ull, 4096);
	if (k->mem)
		ch_cap_drop(k->mem);
	memset(k, 0, sizeof(*k));
}

static void kids_end(void)
{
	for (unsigned i = 0; i < KIDS; i++)
		kid_end(&kids[i], i);
}

/* Wait until the counter passes `than` (the child runs). */
static bool moves_past(struct kid *k, uint64_t than)
{
	for (unsigned i = 0; i < 20000; i++) {
		if (*k->counter > than)
			return true;
		ch_sleep_ns(MS);
	}
	return false;
}

/* Wait until every live thread of the child is parked; its status in *st. */
static bool all_parked(struct kid *k, struct proc_status *st)
{
	for (unsigned i = 0; i < 20000; i++) {
		if (ch_proc_status(k->c.process, st) < 0)
			return false;
		if (st->threads > 0 && st->stopped == st->threads)
			return true;
		ch_sleep_ns(MS);
	}
	return false;
}

/*
 * Start a child playing role, wait until it counts, suspend it and wait until
 * every thread of it is parked. A failure is recorded (ch_test_failed()); the
 * caller ends the child either way.
 */
static void start_parked(const char *role, unsigned slot, struct kid *k, struct proc_status *st)
{
	EXPECT_OK(kid_start(role, slot, k));
	CHECK(moves_past(k, 0), "the child never counted");
	EXPECT_OK(ch_proc_suspend(k->c.process));
	CHECK(all_parked(k, st), "threads %u, parked %u", st->threads, st->stopped);
}

/* Suspend stops a spinning child for good; resume lets it go on; both are idempotent. */
static void test_suspend_resume(void)
{
	struct kid *k = &kids[0];
	struct proc_status st;
	start_parked("spin", 0, k, &st);
	CHECK(!ch_test_failed() && st.state == PROC_RUNNING && (st.flags & PROC_FLAG_SUSPENDED),
	      "status after suspend: state %u flags %#x", st.state, st.flags);
	uint64_t c1 = *k->counter;
	ch_sleep_ns(20 * MS);
	uint64_t c2 = *k->counter;
	CHECK(c1 == c2, "a parked child counted on: %llu -> %llu", (unsigned long long)c1,
	      (unsigned long long)c2);
	EXPECT_OK(ch_proc_suspend(k->c.process)); /* twice: nothing changes */
	EXPECT_OK(ch_proc_status(k->c.process, &st));
	CHECK(st.flags & PROC_FLAG_SUSPENDED, "not suspended after the second suspend");
	EXPECT_OK(ch_proc_resume(k->c.process));
	EXPECT_OK(ch_proc_status(k->c.process, &st));
	CHECK(!(st.flags & PROC_FLAG_SUSPENDED), "still suspended after resume: %#x", st.flags);
	CHECK(moves_past(k, c2), "the child did not run again after resume");
	EXPECT_OK(ch_proc_resume(k->c.process)); /* not suspended: nothing to do */
	kid_end(k, 0);
}

/* A child blocked in a wait stays in it, parks when the wait returns, and resumes. */
static void test_suspend_waiting(void)
{
	struct kid *k = &kids[1];
	struct proc_status st;
	start_parked("sleep", 1, k, &st);
	CHECK(!ch_test_failed(), "not parked");
	uint64_t c1 = *k->counter;
	ch_sleep_ns(20 * MS);
	CHECK(*k->counter == c1, "a parked sleeper counted on");
	EXPECT_OK(ch_proc_resume(k->c.process));
	CHECK(moves_past(k, c1), "the sleeper did not run again after resume");
	kid_end(k, 1);
}

/* A suspended process is killed like any other: it ends, it does not stay parked. */
static void test_suspend_kill(void)
{
	struct kid *k = &kids[2];
	struct proc_status st;
	start_parked("spin", 2, k, &st);
	CHECK(!ch_test_failed(), "not parked");
	EXPECT_OK(ch_proc_kill(k->c.process));
	EXPECT_OK(ch_proc_wait(k->c.process, UINT64_MAX, &st));
	CHECK(st.state == PROC_KILLED && st.threads == 0 && !(st.flags & PROC_FLAG_SUSPENDED),
	      "after the kill: state %u threads %u flags %#x", st.state, st.threads, st.flags);
	EXPECT_ERR(ch_proc_suspend(k->c.process), ERR_BAD_STATE);
	EXPECT_ERR(ch_proc_resume(k->c.process), ERR_BAD_STATE);
	kid_end(k, 2);
}

/* An ended process cannot be suspended; rights and types are checked first. */
static void test_suspend_refused(void)
{
	struct kid *k = &kids[3];
	struct proc_status st;
	handle_t weak;
	EXPECT_OK(kid_start("exit", 3, k));
	EXPECT_OK(ch_proc_wait(k->c.process, UINT64_MAX, &st));
	CHECK(st.state == PROC_EXITED, "the child ended in state %u", st.state);
	EXPECT_ERR(ch_proc_suspend(k->c.process), ERR_BAD_STATE);
	EXPECT_ERR(ch_proc_resume(k->c.process), ERR_BAD_STATE);
	EXPECT_OK(ch_cap_derive(k->c.process, RIGHTS_ALL & ~RIGHT_MANAGE, 0, &weak));
	EXPECT_ERR(ch_proc_suspend(weak), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_proc_resume(weak), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_ERR(ch_proc_suspend(k->c.thread), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_proc_resume(log_h), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_proc_suspend(0x7fffffffu), ERR_BAD_HANDLE);
	kid_end(k, 3);
}

/* Wait until the child's process has run more than ns and been switched more than sw times. */
static bool ran_past(struct kid *k, uint64_t ns, uint64_t sw, struct proc_status *st)
{
	for (unsigned i = 0; i < 20000; i++) {
		if (ch_proc_status(k->c.process, st) < 0)
			return false;
		if (st->cpu_ns > ns && st->switches >= sw)
			return true;
		ch_sleep_ns(MS);
	}
	return false;
}

/* CPU time and switches of a child that sleeps between counts: per thread, summed per
 * process, kept after the end; rights and types. */
static void test_accounting(void)
{
	struct kid *k = &kids[4];
	struct proc_status st;
	struct thread_info ti, after;
	EXPECT_OK(kid_start("sleep", 4, k));
	CHECK(moves_past(k, 2), "the child never counted");
	CHECK(ran_past(k, 0, 1, &st), "process: %llu ns, %llu switches",
	      (unsigned long long)st.cpu_ns, (unsigned long long)st.switches);
	EXPECT_OK(ch_thread_info(k->c.thread, &ti));
	CHECK(ti.state == 1 && ti.cpu_ns > 0 && ti.switches > 0, "thread: state %u %llu ns %llu",
	      ti.state, (unsigned long long)ti.cpu_ns, (unsigned long long)ti.switches);
	EXPECT_OK(ch_proc_kill(k->c.process));
	EXPECT_OK(ch_proc_wait(k->c.process, UINT64_MAX, &st));
	EXPECT_OK(ch_thread_info(k->c.thread, &after));
	CHECK(after.state == 2 && after.cpu_ns >= ti.cpu_ns && after.switches >= ti.switches,
	      "ended thread: state %u %llu ns %llu switches", after.state,
	      (unsigned long long)after.cpu_ns, (unsigned long long)after.switches);
	/* its one thread's time is all the process's (ended threads included) */
	CHECK(st.cpu_ns >= after.cpu_ns && st.switches >= after.switches,
	      "process %llu ns %llu sw < thread %llu ns %llu sw", (unsigned long long)st.cpu_ns,
	      (unsigned long long)st.switches, (unsigned long long)after.cpu_ns,
	      (unsigned long long)after.switches);
	handle_t weak;
	EXPECT_OK(ch_cap_derive(k->c.thread, RIGHTS_ALL & ~RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_thread_info(weak, &ti), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_ERR(ch_thread_info(k->c.process, &ti), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_thread_info(k->c.thread, (struct thread_info *)0xffff800000000000ull),
	           ERR_BAD_ADDRESS);
	kid_end(k, 4);
}

/*
 * A spinner alone on its CPU is never switched off it, and its time still counts
 * (at each tick): the time went on growing with no switch needed (found on pc with
 * two CPUs, where the first version counted only at switches and saw 0 forever).
 */
static void test_accounting_spinner(void)
{
	struct kid *k = &kids[5];
	struct proc_status st;
	EXPECT_OK(kid_start("spin", 5, k));
	CHECK(moves_past(k, 0), "the child never counted");
	CHECK(ran_past(k, 0, 0, &st), "no CPU time: %llu ns", (unsigned long long)st.cpu_ns);
	uint64_t first = st.cpu_ns;
	CHECK(ran_past(k, first, 0, &st), "CPU time stuck at %llu ns", (unsigned long long)first);
	kid_end(k, 5);
}

static void run_all(void)
{
	ch_test_run("proc_", "suspend_resume", test_suspend_resume);
	ch_test_run("proc_", "suspend_waiting", test_suspend_waiting);
	ch_test_run("proc_", "suspend_kill", test_suspend_kill);
	ch_test_run("proc_", "suspend_refused", test_suspend_refused);
	ch_test_run("proc_", "accounting", test_accounting);
	ch_test_run("proc_", "accounting_spinner", test_accounting_spinner);
	kids_end(); /* what a failed test left */
}

int proc_main(int argc, char **argv)
{
	log_h = ch_handle("log");
	if (argc >= 4 && strcmp(argv[2], "child") == 0)
		return child_main(argv[3]);
	pool = ch_handle("pool");
	as = ch_handle("self.as");
	if (pool == HANDLE_INVALID || as == HANDLE_INVALID) {
		printf("VMTEST FAIL proc_start: missing a capability (pool %x self.as %x)\n", pool,
		       as);
		return 1;
	}
	return ch_test_main(run_all);
}
