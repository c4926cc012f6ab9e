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

#include <abi/kbus.h>
#include <charlotte/kbus.h>
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

/*
 * Every register but rax (the result), rcx and r11 (the CPU's) comes back from a
 * system call as it went in (abi/syscall.h). The kernel saves only some of them
 * in the frame for an ordinary call and relies on its C code to give back the
 * callee-saved ones (arch/x86_64/syscall.S), so check all twelve across calls
 * that return at once, that switch away (yield, sleep: another thread or the
 * idle loop runs meanwhile), and that fail in the decode or the table.
 */
struct regs_call {
	uint64_t nr; /* 0 */
	uint64_t in[12]; /* 8: rbx rbp rdi rsi rdx r8 r9 r10 r12 r13 r14 r15 */
	uint64_t out[12]; /* 104 */
	uint64_t result; /* 200 */
};
_Static_assert(__builtin_offsetof(struct regs_call, out) == 104 &&
                   __builtin_offsetof(struct regs_call, result) == 200,
               "asm offsets");
static const char *const regs_names[12] = {"rbx", "rbp", "rdi", "rsi", "rdx", "r8",
                                           "r9",  "r10", "r12", "r13", "r14", "r15"};

static void regs_syscall(struct regs_call *c)
{
	/* below the red zone; rbp by hand (it may be the frame pointer) */
	/* clang-format off */
	__asm__ volatile(
	    "push %%rbp\n\t"
	    "sub $128, %%rsp\n\t"
	    "push %%rax\n\t"
	    "mov 8(%%rax), %%rbx\n\t"
	    "mov 16(%%rax), %%rbp\n\t"
	    "mov 24(%%rax), %%rdi\n\t"
	    "mov 32(%%rax), %%rsi\n\t"
	    "mov 40(%%rax), %%rdx\n\t"
	    "mov 48(%%rax), %%r8\n\t"
	    "mov 56(%%rax), %%r9\n\t"
	    "mov 64(%%rax), %%r10\n\t"
	    "mov 72(%%rax), %%r12\n\t"
	    "mov 80(%%rax), %%r13\n\t"
	    "mov 88(%%rax), %%r14\n\t"
	    "mov 96(%%rax), %%r15\n\t"
	    "mov 0(%%rax), %%rax\n\t"
	    "syscall\n\t"
	    "xchg %%rax, (%%rsp)\n\t"
	    "mov %%rbx, 104(%%rax)\n\t"
	    "mov %%rbp, 112(%%rax)\n\t"
	    "mov %%rdi, 120(%%rax)\n\t"
	    "mov %%rsi, 128(%%rax)\n\t"
	    "mov %%rdx, 136(%%rax)\n\t"
	    "mov %%r8, 144(%%rax)\n\t"
	    "mov %%r9, 152(%%rax)\n\t"
	    "mov %%r10, 160(%%rax)\n\t"
	    "mov %%r12, 168(%%rax)\n\t"
	    "mov %%r13, 176(%%rax)\n\t"
	    "mov %%r14, 184(%%rax)\n\t"
	    "mov %%r15, 192(%%rax)\n\t"
	    "pop %%rcx\n\t"
	    "mov %%rcx, 200(%%rax)\n\t"
	    "add $128, %%rsp\n\t"
	    "pop %%rbp"
	    : "+a"(c)
	    :
	    : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
	      "r14", "r15", "memory", "cc");
	/* clang-format on */
}

/* c's registers in[] for call k of round round: a pattern no two share. */
static void regs_fill(struct regs_call *c, uint64_t nr, uint64_t seed, unsigned round, unsigned k)
{
	c->nr = nr;
	for (unsigned i = 0; i < 12; i++)
		c->in[i] =
		    seed ^ (uint64_t)round << 24 ^ (uint64_t)k << 16 ^ (uint64_t)(i + 1) * 0x0101;
}

/* Make call k of c: it must return want and give back every register it got. */
static bool regs_call_ok(struct regs_call *c, unsigned k, long want)
{
	memset(c->out, 0, sizeof(c->out));
	regs_syscall(c);
	if ((long)c->result != want) {
		ch_test_fail("action %#llx (%u) returned %s, want %s", (unsigned long long)c->nr, k,
		             ch_error_name((long)c->result), ch_error_name(want));
		return false;
	}
	for (unsigned i = 0; i < 12; i++) {
		if (c->out[i] != c->in[i]) {
			ch_test_fail("action %#llx (%u) changed %s: %#llx -> %#llx",
			             (unsigned long long)c->nr, k, regs_names[i],
			             (unsigned long long)c->in[i], (unsigned long long)c->out[i]);
			return false;
		}
	}
	return true;
}

static void test_syscall_regs(void)
{
	static const struct {
		uint64_t nr, rsi; /* rsi: the first argument where the call reads it */
		long want;
	} calls[] = {
	    {SYS_SELF_NULL, 0, 0},
	    {SYS_SELF_YIELD, 0, 0},
	    {SYS_SELF_SLEEP, 50000, 0}, /* blocks: the CPU runs something else */
	    {0x7777, 0, ERR_NOT_SUPPORTED},
	    {SYS_KBUS_SEND, 0, ERR_BAD_HANDLE}, /* rdi is a tag, wider than a handle */
	};
	struct regs_call c;
	for (unsigned round = 0; round < 40; round++) {
		for (unsigned k = 0; k < sizeof(calls) / sizeof(calls[0]); k++) {
			regs_fill(&c, calls[k].nr, UINT64_C(0x5ca1ab1e00000000), round, k);
			if (calls[k].rsi)
				c.in[3] = calls[k].rsi;
			if (!regs_call_ok(&c, k, calls[k].want))
				return;
		}
	}
}

/*
 * The kbus flat path's ways back to the C path: kernel/kbus/flat.c is built
 * with rbx and r12-r15 call-clobbered, so syscall.S must reload them from the
 * frame whenever the flat path gives an action back (here after a lookup, a
 * channel lock and the peer checks, or at once). Every register but rax
 * comes back as it went in, and the error is the C path's.
 */
static void test_syscall_regs_flat(void)
{
	handle_t ch[2];
	long r = ch_channel_create(ut_pool, 4, ch);
	CHECK(r == 0, "channel: %s", ch_error_name(r));
	if (r)
		return;
	ch_cap_drop(ch[1]); /* the peer closed: nobody will ever be parked there */
	const struct {
		uint64_t nr, target, r9;
		long want;
	} calls[] = {
	    {SYS_KBUS_CALL_FAST, ch[0], CH_FOREVER, ERR_PEER_CLOSED}, /* looked up, locked */
	    {SYS_KBUS_CALL_FAST, ch[0], 1000000, ERR_PEER_CLOSED}, /* a timeout: the C path */
	    {SYS_KBUS_REPLY_RECV_FAST, ch[0], 0, ERR_PEER_CLOSED}, /* receive, peer gone */
	    {SYS_KBUS_REPLY_RECV_FAST, ch[0], 1, ERR_PEER_CLOSED}, /* nothing to answer */
	    {SYS_KBUS_CALL_FAST, ut_log, CH_FOREVER, ERR_WRONG_TYPE}, /* not an endpoint */
	    {SYS_KBUS_REPLY_RECV_FAST, 0x7fff0, 0, ERR_BAD_HANDLE}, /* no such handle */
	};
	struct regs_call c;
	bool ok = true;
	for (unsigned round = 0; round < 20 && ok; round++) {
		for (unsigned k = 0; k < sizeof(calls) / sizeof(calls[0]) && ok; k++) {
			regs_fill(&c, calls[k].nr, UINT64_C(0xf1a7c0de00000000), round, k);
			c.in[2] = calls[k].target; /* rdi */
			c.in[6] = calls[k].r9;
			ok = regs_call_ok(&c, k, calls[k].want); /* the first failure ends it */
		}
	}
	ch_cap_drop(ch[0]);
}

void ut_run_self_tests(void)
{
	ut_run("null_and_unknown_actions", test_null);
	ut_run("syscall_regs_preserved", test_syscall_regs);
	ut_run("syscall_regs_preserved_flat", test_syscall_regs_flat);
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
