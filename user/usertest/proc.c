/*
 * proc.c - usertest: processes and threads. Crash cases (each in its own child, each
 * ending only that child with the right proc_status), isolation (a child cannot read
 * our memory or use capabilities it was not given), kill, grant, building a child's
 * address space from outside, threads sharing memory, and 1,000 spawn/exit cycles
 * that must give every byte back to the pool.
 */
#include "usertest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/thread.h>

#define PAGE 4096u

/* Runs crashme with args and checks it ended with state (and vector for faults). */
static void expect_end(const char *const *args, unsigned flags, uint64_t pool, uint32_t state,
                       uint32_t vector, struct proc_status *st)
{
	char how[160];
	int r = ut_crashme(args, flags, pool, st);

	CHECK(r == 0, "crashme %s: %s", args[0], ch_error_name(r));
	ch_proc_status_describe(st, how, sizeof(how));
	CHECK(st->state == state && (state != PROC_FAULTED || st->fault_vector == vector),
	      "crashme %s %s", args[0], how);
	CHECK(st->threads == 0, "crashme %s ended with %u threads alive", args[0], st->threads);
}

#define EXPECT_FAULT(vector, ...)                                     \
	do {                                                          \
		const char *args_[] = {__VA_ARGS__, NULL};            \
		expect_end(args_, 0, 0, PROC_FAULTED, (vector), &st); \
	} while (0)

static void test_exit_code(void)
{
	struct proc_status st;
	const char *a7[] = {"exit", "7", NULL}, *am[] = {"exit", "-3", NULL};

	expect_end(a7, 0, 0, PROC_EXITED, 0, &st);
	CHECK(st.code == 7, "exit 7 gave code %d", st.code);
	expect_end(am, 0, 0, PROC_EXITED, 0, &st);
	CHECK(st.code == -3, "exit -3 gave code %d", st.code);
}

static void test_crash_page_fault(void)
{
	struct proc_status st;

	EXPECT_FAULT(14, "null");
	CHECK(st.fault_addr == 0, "null deref faulted at address 0x%llx",
	      (unsigned long long)st.fault_addr);
	EXPECT_FAULT(14, "writetext");
	CHECK(st.fault_addr >= 0x400000 && st.fault_addr < 0x800000,
	      "text write faulted at address 0x%llx", (unsigned long long)st.fault_addr);
}

static void test_crash_privileged(void)
{
	struct proc_status st;

	EXPECT_FAULT(13, "hlt");
	EXPECT_FAULT(13, "cli");
	EXPECT_FAULT(13, "in");
	EXPECT_FAULT(13, "out");
}

/*
 * UMIP: the instructions that read where the kernel keeps its descriptor tables
 * and its CR0 fault in user mode on a CPU that has it (the kernel turns it on:
 * cpufeatures.c). Without UMIP they run (exit 98), and the test is n/a.
 */
static void test_umip(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	if (a < 7) {
		ch_test_not_applicable("no CPUID leaf 7");
		return;
	}
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	struct proc_status st;
	static const char *const insns[] = {"sgdt", "sidt", "sldt", "smsw", "str"};
	for (unsigned i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		const char *args[] = {insns[i], NULL};
		if (c & (1u << 2)) {
			expect_end(args, 0, 0, PROC_FAULTED, 13, &st);
		} else {
			expect_end(args, 0, 0, PROC_EXITED, 0, &st);
			CHECK(st.code == 98, "crashme %s exited %d", insns[i], st.code);
		}
		if (ch_test_failed())
			return;
	}
	if (!(c & (1u << 2)))
		ch_test_not_applicable("this CPU has no UMIP (each instruction ran)");
}

static void test_crash_div0(void)
{
	struct proc_status st;
	EXPECT_FAULT(0, "div0");
}

static void test_crash_ud2(void)
{
	struct proc_status st;
	EXPECT_FAULT(6, "ud2");
}

static void test_crash_int3(void)
{
	struct proc_status st;
	EXPECT_FAULT(3, "int3");
}

static void test_crash_stack_overflow(void)
{
	struct proc_status st;
	uint64_t bottom = CH_STACK_TOP - CH_STACK_SIZE;

	EXPECT_FAULT(14, "stack");
	CHECK(st.fault_addr < bottom && st.fault_addr >= bottom - 64 * 1024,
	      "stack overflow faulted at 0x%llx, stack bottom 0x%llx",
	      (unsigned long long)st.fault_addr, (unsigned long long)bottom);
}

static void test_protect_then_write(void)
{
	struct proc_status st;
	const char *args[] = {"protect", NULL};

	expect_end(args, 0, 1024 * 1024, PROC_FAULTED, 14, &st);
	CHECK(st.fault_addr == 0x0000400000000000, "protect: faulted at 0x%llx",
	      (unsigned long long)st.fault_addr);
}

/* A child reads an address that holds a secret in our space: it must fault there. */
static void test_isolation_read(void)
{
	struct proc_status st;
	handle_t m;
	char addr[32];

	EXPECT_OK(ch_mem_create(ut_pool, PAGE, &m));
	EXPECT_OK(ch_as_map(ut_as, UT_VA_PROC, m, 0, PAGE, PROT_READ | PROT_WRITE));
	*(volatile uint64_t *)(uintptr_t)UT_VA_PROC = 0x5ec2e7;
	snprintf(addr, sizeof(addr), "%llx", (unsigned long long)UT_VA_PROC);
	const char *args[] = {"read", addr, NULL};
	expect_end(args, 0, 0, PROC_FAULTED, 14, &st);
	CHECK(st.fault_addr == UT_VA_PROC, "read faulted at 0x%llx",
	      (unsigned long long)st.fault_addr);
	/* and our heap */
	char *heap = malloc(64);
	CHECK(heap, "malloc failed");
	snprintf(addr, sizeof(addr), "%llx", (unsigned long long)(uintptr_t)heap);
	expect_end(args, 0, 0, PROC_FAULTED, 14, &st);
	free(heap);
	EXPECT_OK(ch_as_unmap(ut_as, UT_VA_PROC, PAGE));
	EXPECT_OK(ch_cap_drop(m));
}

static void test_isolation_nocaps(void)
{
	struct proc_status st;
	const char *args[] = {"nocaps", NULL};

	expect_end(args, CH_SPAWN_NO_SELF, 0, PROC_EXITED, 0, &st);
	CHECK(st.code == 0, "a process with no capabilities got action #%d to succeed",
	      st.code - 1);
}

static void test_kill_and_wait(void)
{
	const char *argv[] = {"bin/crashme", "spin", NULL};
	struct ch_spawn_args a = {.path = "bin/crashme", .argv = argv};
	struct ch_child c;
	struct proc_status st;

	EXPECT_OK(ch_spawn(&a, &c));
	EXPECT_ERR(ch_proc_wait(c.process, 10 * 1000 * 1000, &st), ERR_TIMED_OUT);
	EXPECT_OK(ch_proc_status(c.process, &st));
	CHECK(st.state == PROC_RUNNING && st.threads == 1, "spinning child: state %u threads %u",
	      st.state, st.threads);
	EXPECT_OK(ch_proc_kill(c.process));
	EXPECT_OK(ch_proc_wait(c.process, UINT64_MAX, &st));
	CHECK(st.state == PROC_KILLED, "killed child has state %u", st.state);
	EXPECT_OK(ch_proc_wait(c.process, 0, NULL)); /* ended stays ended */
	ch_child_release(&c);
}

/* SYS_PROC_GRANT's rights rules, on a process not started yet (the only kind it grants to). */
static void test_grant_rules(void)
{
	const char *argv[] = {"bin/crashme", "spin", NULL};
	struct ch_spawn_args a = {.path = "bin/crashme", .argv = argv};
	struct ch_child c;
	struct proc_create_out u;
	handle_t notransfer, weak, h;
	struct cap_info ci;

	EXPECT_OK(ch_spawn(&a, &c));
	EXPECT_OK(ch_proc_create(ut_pool, "unstarted", 9, &u));
	EXPECT_OK(ch_cap_derive(ut_log, RIGHT_WRITE | RIGHT_DUPLICATE, 0, &notransfer));
	EXPECT_ERR(ch_proc_grant(u.process, notransfer, RIGHT_WRITE, &h), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_proc_grant(u.process, ut_log, RIGHTS_ALL, &h), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_cap_derive(c.process, RIGHT_INSPECT | RIGHT_WAIT, 0, &weak));
	EXPECT_ERR(ch_proc_grant(weak, ut_log, RIGHT_WRITE, &h), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_proc_kill(weak), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_thread_create(weak, &h), ERR_ACCESS_DENIED);
	/* a good grant: the child's handle means nothing here (or something else) */
	EXPECT_OK(ch_proc_grant(u.process, ut_log, RIGHT_WRITE, &h));
	long r = ch_cap_inspect(h, &ci);
	CHECK(r < 0 || ci.type != OBJ_DEBUG_LOG || ci.rights != RIGHT_WRITE,
	      "the child's handle 0x%x names our own copy", h);
	EXPECT_OK(ch_proc_kill(c.process));
	EXPECT_OK(ch_proc_wait(c.process, UINT64_MAX, NULL));
	EXPECT_OK(ch_cap_drop(u.address_space));
	EXPECT_OK(ch_cap_drop(u.process));
	EXPECT_OK(ch_cap_drop(weak));
	EXPECT_OK(ch_cap_drop(notransfer));
	ch_child_release(&c);
}

/*
 * kbus is the only path for capabilities into a running process: SYS_PROC_GRANT
 * works until a thread of the process has started, then says ERR_BAD_STATE, for a
 * process still running, one that has ended, and the caller itself
 * (docs/capabilities.md). The old kernel granted into any of them.
 */
static void test_grant_after_start(void)
{
	const char *argv[] = {"bin/crashme", "spin", NULL};
	struct ch_spawn_args a = {.path = "bin/crashme", .argv = argv};
	struct ch_child c;
	struct proc_create_out u;
	handle_t h, t;

	EXPECT_OK(ch_proc_create(ut_pool, "unstarted", 9, &u));
	EXPECT_OK(ch_thread_create(u.process, &t)); /* a thread, never started */
	EXPECT_OK(ch_proc_grant(u.process, ut_log, RIGHT_WRITE, &h));
	EXPECT_OK(ch_spawn(&a, &c)); /* spawn itself grants before it starts the child */
	EXPECT_ERR(ch_proc_grant(c.process, ut_log, RIGHT_WRITE, &h), ERR_BAD_STATE);
	EXPECT_ERR(ch_proc_grant(ut_self, ut_log, RIGHT_WRITE, &h), ERR_BAD_STATE);
	EXPECT_OK(ch_proc_kill(c.process));
	EXPECT_OK(ch_proc_wait(c.process, UINT64_MAX, NULL));
	EXPECT_ERR(ch_proc_grant(c.process, ut_log, RIGHT_WRITE, &h), ERR_BAD_STATE);
	EXPECT_OK(ch_cap_drop(t));
	EXPECT_OK(ch_cap_drop(u.address_space));
	EXPECT_OK(ch_cap_drop(u.process));
	ch_child_release(&c);
}

/* The parent maps into a child's address space and queries it; ours is unchanged. */
static void test_child_address_space(void)
{
	const char *argv[] = {"bin/crashme", "spin", NULL};
	struct ch_spawn_args a = {.path = "bin/crashme", .argv = argv};
	struct ch_child c;
	struct as_region reg;
	handle_t m;

	EXPECT_OK(ch_spawn(&a, &c));
	EXPECT_OK(ch_as_query(c.as, c.entry, &reg));
	CHECK(reg.prot == (PROT_READ | PROT_EXEC), "child text has prot %u", reg.prot);
	EXPECT_OK(ch_as_query(c.as, CH_STACK_TOP - 8, &reg));
	CHECK(reg.prot == (PROT_READ | PROT_WRITE) && reg.base + reg.length == CH_STACK_TOP,
	      "child stack: base 0x%llx length %llu prot %u", (unsigned long long)reg.base,
	      (unsigned long long)reg.length, reg.prot);
	EXPECT_ERR(ch_as_query(c.as, CH_STACK_TOP - CH_STACK_SIZE - 8, &reg), ERR_NOT_FOUND);
	EXPECT_OK(ch_mem_create(ut_pool, PAGE, &m));
	EXPECT_OK(ch_as_map(c.as, UT_VA_PROC, m, 0, PAGE, PROT_READ));
	EXPECT_ERR(ch_as_query(ut_as, UT_VA_PROC, &reg), ERR_NOT_FOUND);
	EXPECT_OK(ch_as_query(c.as, UT_VA_PROC, &reg));
	EXPECT_OK(ch_proc_kill(c.process));
	EXPECT_OK(ch_proc_wait(c.process, UINT64_MAX, NULL));
	EXPECT_OK(ch_cap_drop(m));
	ch_child_release(&c);
}

/* --- threads --- */

#define NTHREADS 4
#define NINCS 20000
#define TSTACK (16 * 1024)

static volatile uint64_t counter;
static volatile int stop_spinning;

static int count_up(void *arg)
{
	for (int i = 0; i < NINCS; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	return 100 + (int)(uintptr_t)arg;
}

static int spin(void *arg)
{
	(void)arg;
	while (!stop_spinning)
		;
	return 1;
}

static void test_threads(void)
{
	handle_t t[NTHREADS];
	char *stacks = malloc(NTHREADS * TSTACK);
	int64_t code;

	CHECK(stacks, "no memory for thread stacks");
	counter = 0;
	for (int i = 0; i < NTHREADS; i++) {
		int err = ch_thread_spawn(count_up, (void *)(uintptr_t)i, stacks + i * TSTACK,
		                          TSTACK, &t[i]);
		CHECK(err == 0, "thread %d: %s", i, ch_error_name(err));
	}
	for (int i = 0; i < NTHREADS; i++) {
		EXPECT_OK(ch_thread_wait(t[i], UINT64_MAX, &code));
		CHECK(code == 100 + i, "thread %d exited with %lld", i, (long long)code);
		EXPECT_OK(ch_cap_drop(t[i]));
	}
	CHECK(counter == NTHREADS * NINCS, "counter %llu, want %u", (unsigned long long)counter,
	      NTHREADS * NINCS);
	free(stacks);
}

/*
 * FPU/SSE state is per thread: each thread keeps its own pattern in xmm0,
 * xmm7 and xmm15 across yields, spins long enough to be preempted by the
 * timer, and reads it back in the same asm block (so the compiler cannot
 * touch the registers in between). One failure is any register changing.
 */
#define FPU_THREADS 4
#define FPU_ROUNDS 60
static volatile uint64_t fpu_bad;

static int fpu_worker(void *arg)
{
	uint64_t pat = 0x0101010101010101ull * ((uintptr_t)arg + 1);
	for (int i = 0; i < FPU_ROUNDS; i++) {
		uint64_t a, b, c;
		uint64_t action = SYS_SELF_YIELD;
		__asm__ volatile("movq %[p], %%xmm0\n\t"
		                 "pshufd $0, %%xmm0, %%xmm0\n\t"
		                 "movdqa %%xmm0, %%xmm7\n\t"
		                 "movdqa %%xmm0, %%xmm15\n\t"
		                 "xorl %%edi, %%edi\n\t"
		                 "syscall\n\t"
		                 "movl $20000, %%ecx\n"
		                 "1:\tpause\n\t"
		                 "decl %%ecx\n\t"
		                 "jnz 1b\n\t"
		                 "movq %%xmm0, %[a]\n\t"
		                 "movq %%xmm7, %[b]\n\t"
		                 "movq %%xmm15, %[c]"
		                 : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), "+a"(action)
		                 : [p] "r"(pat)
		                 : "rdi", "rcx", "r11", "xmm0", "xmm7", "xmm15", "memory");
		if (a != pat || b != pat || c != pat)
			__atomic_fetch_add(&fpu_bad, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static void test_fpu_state_per_thread(void)
{
	static char stacks[FPU_THREADS][TSTACK] __attribute__((aligned(16)));
	handle_t t[FPU_THREADS];

	fpu_bad = 0;
	for (int i = 0; i < FPU_THREADS; i++) {
		int err =
		    ch_thread_spawn(fpu_worker, (void *)(uintptr_t)i, stacks[i], TSTACK, &t[i]);
		CHECK(err == 0, "thread %d: %s", i, ch_error_name(err));
	}
	fpu_worker((void *)(uintptr_t)FPU_THREADS); /* this thread takes part too */
	for (int i = 0; i < FPU_THREADS; i++) {
		EXPECT_OK(ch_thread_wait(t[i], UINT64_MAX, NULL));
		EXPECT_OK(ch_cap_drop(t[i]));
	}
	CHECK(fpu_bad == 0, "%llu of %d checks saw another thread's SSE registers",
	      (unsigned long long)fpu_bad, (FPU_THREADS + 1) * FPU_ROUNDS);
}

static void test_thread_kill(void)
{
	static char stack[TSTACK] __attribute__((aligned(16)));
	handle_t t;
	int64_t code;

	stop_spinning = 0;
	int err = ch_thread_spawn(spin, NULL, stack, sizeof(stack), &t);
	CHECK(err == 0, "spawn: %s", ch_error_name(err));
	EXPECT_ERR(ch_thread_wait(t, 5 * 1000 * 1000, &code), ERR_TIMED_OUT);
	EXPECT_ERR(ch_thread_start(t, (uint64_t)(uintptr_t)&spin, (uint64_t)(uintptr_t)stack, 0, 0),
	           ERR_BAD_STATE);
	EXPECT_OK(ch_thread_kill(t));
	EXPECT_OK(ch_thread_wait(t, UINT64_MAX, NULL));
	EXPECT_OK(ch_cap_drop(t));
}

static void test_thread_start_args(void)
{
	handle_t t;
	uint64_t sp = (uint64_t)(uintptr_t)&t;

	EXPECT_OK(ch_thread_create(ut_self, &t));
	EXPECT_ERR(ch_thread_start(t, 0x0000800000000000, sp, 0, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_thread_start(t, 0xffffffff80000000, sp, 0, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_thread_start(t, 0x401000, 0xffff800000000000, 0, 0), ERR_INVALID_ARGS);
	EXPECT_OK(ch_cap_drop(t)); /* never started */
}

/* --- shared read-only segments (spawn's segment cache) --- */

/* The object id mapped at va in as; distinct made-up ids for holes, so they never match. */
static uint64_t mapped_id(handle_t as, uint64_t va)
{
	static uint64_t hole = UINT64_MAX;
	struct as_region r = {0};
	return ch_as_query(as, va, &r) == 0 ? r.memory_id : hole--;
}

static void test_spawn_shared_text(void)
{
	const char *argv[] = {"bin/crashme", "exit", "0", NULL};
	struct ch_spawn_args a = {.path = "bin/crashme", .argv = argv};
	struct ch_child c[3];
	const uint64_t text = 0x401000, stack = CH_STACK_TOP - 4096;

	for (int i = 0; i < 3; i++) {
		a.flags = i == 2 ? CH_SPAWN_NO_CACHE : 0;
		EXPECT_OK(ch_spawn(&a, &c[i]));
		EXPECT_OK(ch_proc_wait(c[i].process, UINT64_MAX, NULL));
	}
	CHECK(mapped_id(c[0].as, text) == mapped_id(c[1].as, text),
	      "two children of one image do not share their text");
	CHECK(mapped_id(c[0].as, stack) != mapped_id(c[1].as, stack), "two children share a stack");
	CHECK(mapped_id(c[2].as, text) != mapped_id(c[0].as, text),
	      "CH_SPAWN_NO_CACHE still shared the text");
	/* the shared text can never become writable, even to a holder of the whole space */
	EXPECT_ERR(ch_as_protect(c[0].as, text, 4096, PROT_READ | PROT_WRITE), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_as_protect(c[0].as, text, 4096, PROT_READ));
	EXPECT_OK(ch_as_protect(c[2].as, text, 4096, PROT_READ | PROT_WRITE));
	for (int i = 0; i < 3; i++)
		ch_child_release(&c[i]);
}

/* --- churn --- */

static void test_churn(void)
{
	const char *argv[] = {"bin/crashme", "exit", "0", NULL};
	struct ch_spawn_args a = {.path = "bin/crashme", .argv = argv};
	struct ch_child c;
	struct proc_status st;
	uint64_t base = 0;

	for (int i = 0; i < 1010; i++) {
		if (i == 10)
			base = ut_pool_used(); /* after our own page tables and slots settled */
		int err = ch_spawn(&a, &c);
		CHECK(err == 0, "cycle %d: spawn: %s", i, ch_error_name(err));
		EXPECT_OK(ch_proc_wait(c.process, UINT64_MAX, &st));
		CHECK(st.state == PROC_EXITED && st.code == 0, "cycle %d: state %u code %d", i,
		      st.state, st.code);
		ch_child_release(&c);
	}
	uint64_t after = ut_pool_used();
	CHECK(after == base, "1,000 spawn/exit cycles: pool use %llu -> %llu",
	      (unsigned long long)base, (unsigned long long)after);
}

void ut_run_proc_tests(void)
{
	ut_run("proc_exit_code", test_exit_code);
	ut_run("crash_page_fault", test_crash_page_fault);
	ut_run("crash_privileged", test_crash_privileged);
	ut_run("umip_descriptor_tables", test_umip);
	ut_run("crash_divide_by_zero", test_crash_div0);
	ut_run("crash_invalid_opcode", test_crash_ud2);
	ut_run("crash_breakpoint", test_crash_int3);
	ut_run("crash_stack_overflow", test_crash_stack_overflow);
	ut_run("protect_then_write", test_protect_then_write);
	ut_run("isolation_read", test_isolation_read);
	ut_run("isolation_no_caps", test_isolation_nocaps);
	ut_run("proc_kill_wait", test_kill_and_wait);
	ut_run("proc_grant_rules", test_grant_rules);
	ut_run("proc_grant_after_start", test_grant_after_start);
	ut_run("child_address_space", test_child_address_space);
	ut_run("threads_shared_counter", test_threads);
	ut_run("thread_kill", test_thread_kill);
	ut_run("fpu_state_per_thread", test_fpu_state_per_thread);
	ut_run("thread_start_args", test_thread_start_args);
	ut_run("spawn_shared_text", test_spawn_shared_text);
	ut_run("spawn_churn", test_churn);
}
