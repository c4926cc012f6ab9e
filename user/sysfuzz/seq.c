/*
 * seq.c - sysfuzz: fixed call sequences that the fuzzer once found going wrong, kept
 * as regression cases. The parent runs each in a child ("bin/sysfuzz seq <name>")
 * with a sub-pool, and checks that it exits with 0 and that the pool is back at its
 * baseline once the child is gone (fz_run_sequences() in sysfuzz.c). A sequence
 * returns 0, or a small number saying which of its steps went wrong.
 */
#include "sysfuzz.h"

#include <string.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <charlotte/kbus.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

/*
 * Found by seed 0xbbea42bd69484adc: a thread receives a call (with SYS_KBUS_RECV)
 * while it still has an unanswered one. The answerer takes a reference on the
 * endpoint a call came from; receiving the second call replaced the first without
 * putting that reference (or failing the first call), so the channel, and the pool
 * that paid for it, were never freed. Here both callers gave up (timeouts), so the
 * calls stay queued and are received as abandoned ones.
 */
static int recv_calls(int n)
{
	handle_t pool = ch_handle("pool"), e[2];
	uint64_t w[4] = {1, 2, 3, 4}, out[4];
	uint8_t data[64];
	struct kbus_buf b = {.data = data, .capacity = sizeof(data)};

	if (ch_channel_create(pool, 0, e) < 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (ch_kbus_call_fast(e[0], w, out, 1) != ERR_TIMED_OUT)
			return 2;
	for (int i = 0; i < n; i++) {
		b.len = b.flags = 0;
		if (ch_kbus_recv(e[1], &b, KBUS_NONBLOCK, 0) != 0 || !(b.flags & KBUS_MSG_CALL))
			return 3;
	}
	if (ch_cap_drop(e[0]) < 0 || ch_cap_drop(e[1]) < 0)
		return 4;
	return 0;
}

/* A thread that only ends itself (needs no stack). */
__asm__(".text\n"
        "fz_exit_stub:\n"
        "	movl $2, %eax\n" /* SYS_SELF_THREAD_EXIT */
        "	xorl %edi, %edi\n"
        "	syscall\n"
        "	ud2\n");
void fz_exit_stub(void);

/*
 * Found by seed 0x5eed (children 465..467 of bin/sysfuzz 0x5eed 1000000 2500 3, 4
 * CPUs): a kernel panic, #PF in sched_kill() from sys_thread_kill(). uthread_kill()
 * reads the thread's state under the process lock, lets go of it, and then pokes the
 * kernel thread, which a thread ending at that moment on another CPU has already
 * freed. Here: kill threads that are busy ending themselves, many times over. The
 * window is a few instructions wide: this stress did not hit it in 30,000 rounds
 * under TCG, so it guards the path rather than proving the fix; the fuzz run is
 * what found it.
 */
static int seq_kill_exiting_thread(void)
{
	handle_t self = ch_handle("self.process"), t;
	static uint8_t stack[4096] __attribute__((aligned(16)));

	for (int i = 0; i < 5000; i++) {
		if (ch_thread_create(self, &t) < 0)
			return 1;
		if (ch_thread_start(t, (uint64_t)(uintptr_t)fz_exit_stub,
		                    (uint64_t)(uintptr_t)(stack + sizeof(stack)), 0, 0) < 0)
			return 2;
		for (int k = 0; k < 64 && ch_thread_wait(t, 0, NULL) == ERR_TIMED_OUT; k++)
			ch_thread_kill(t);
		if (ch_thread_wait(t, UINT64_C(60000000000), NULL) !=
		    0) /* a hang, not a slow host */
			return 3;
		ch_cap_drop(t);
	}
	return 0;
}

/*
 * Found by seeds 0x1289a69805c125b1 / 0xdaa27fb8dacb9e73 (children 8/9 of the default
 * run): the kernel hung. SYS_PROC_GRANT held the target's process lock while it
 * dropped the new capability again (the output pointer faulted); when the source
 * capability had been dropped meanwhile, that drop destroyed a thread of the target,
 * which takes the same lock: a CPU spun on a lock it held, and every CPU that then
 * touched the process followed. Here a second thread drops thread handles of a
 * child process while the main thread grants them to it with a faulting pointer.
 * The window is a few microseconds, so this stress guards the path rather than
 * proving the fix.
 */
static handle_t grant_victim;
static int grant_stop;

static void __attribute__((noreturn, used)) grant_dropper(void)
{
	while (!__atomic_load_n(&grant_stop, __ATOMIC_ACQUIRE)) {
		handle_t h = __atomic_exchange_n(&grant_victim, 0, __ATOMIC_ACQ_REL);
		if (h)
			ch_syscall0(SYS_CAP_DROP, h);
		else
			ch_yield(); /* one CPU: let the granter run */
	}
	ch_syscall0(SYS_SELF_THREAD_EXIT, 0);
	__builtin_unreachable();
}

static int seq_grant_dropped_thread(void)
{
	handle_t self = ch_handle("self.process"), t, d;
	static uint8_t stack[4096] __attribute__((aligned(16)));
	struct proc_create_out pc;
	uint64_t bad = 0x1000; /* user, unmapped: the copy-out faults */

	if (ch_proc_create(ch_handle("pool"), "grantee", 7, &pc) < 0)
		return 1;
	if (ch_thread_create(self, &d) < 0 ||
	    ch_thread_start(d, (uint64_t)(uintptr_t)grant_dropper,
	                    (uint64_t)(uintptr_t)(stack + sizeof(stack) - 8), 0, 0) < 0)
		return 2;
	for (int i = 0; i < 500; i++) { /* each a race of the grant against the drop */
		if (ch_thread_create(pc.process, &t) < 0)
			return 3;
		__atomic_store_n(&grant_victim, t, __ATOMIC_RELEASE);
		long r;
		for (int k = 1;
		     (r = ch_syscall3(SYS_PROC_GRANT, pc.process, t, 0, bad)) == ERR_BAD_ADDRESS;
		     k++)
			if (k % 8 == 0)
				ch_yield(); /* one CPU: let the dropper run */
		if (r != ERR_BAD_HANDLE)
			return 4;
		while (__atomic_load_n(&grant_victim, __ATOMIC_ACQUIRE))
			ch_yield();
	}
	__atomic_store_n(&grant_stop, 1, __ATOMIC_RELEASE);
	if (ch_thread_wait(d, UINT64_C(60000000000), NULL) != 0) /* a hang, not a slow host */
		return 5;
	ch_cap_drop(d);
	ch_cap_drop(pc.process);
	ch_cap_drop(pc.address_space);
	return 0;
}

/* The control: one abandoned call received, and the thread ends holding it. */
static int seq_recv_one_call(void)
{
	return recv_calls(1);
}

static int seq_recv_two_calls(void)
{
	return recv_calls(2);
}

/*
 * Found by the fuzzer's target check: SYS_CAP_DUPLICATE / SYS_CAP_DERIVE with a stale
 * handle and a bad output pointer said ERR_BAD_ADDRESS (the pointer was checked up
 * front) where abi/syscall.h promises the handle is checked first (ERR_BAD_HANDLE).
 * A live handle with a bad pointer still fails with ERR_BAD_ADDRESS and leaves no
 * capability behind (the parent checks the pool).
 */
static int seq_stale_handle_bad_out(void)
{
	handle_t e[2], h;
	uint64_t kernel_ptr = UINT64_C(0xffff800000000000);

	if (ch_channel_create(ch_handle("pool"), 0, e) < 0)
		return 1;
	if (ch_cap_duplicate(e[0], &h) < 0 || ch_cap_drop(h) < 0)
		return 2;
	/* h is stale now */
	if (ch_syscall1(SYS_CAP_DUPLICATE, h, 0) != ERR_BAD_HANDLE ||
	    ch_syscall1(SYS_CAP_DUPLICATE, h, kernel_ptr) != ERR_BAD_HANDLE)
		return 3;
	if (ch_syscall3(SYS_CAP_DERIVE, h, 0, 0, 0) != ERR_BAD_HANDLE)
		return 4;
	/* a live handle: the pointer is refused and no capability is left behind */
	for (int i = 0; i < 64; i++)
		if (ch_syscall1(SYS_CAP_DUPLICATE, e[0], i & 1 ? 0 : kernel_ptr) !=
		        ERR_BAD_ADDRESS ||
		    ch_syscall3(SYS_CAP_DERIVE, e[0], 0, 0, 0) != ERR_BAD_ADDRESS)
			return 5;
	if (ch_cap_drop(e[0]) < 0 || ch_cap_drop(e[1]) < 0)
		return 6;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} seqs[] = {
    {"recv_one_call", seq_recv_one_call},
    {"recv_two_calls", seq_recv_two_calls},
    {"kill_exiting_thread", seq_kill_exiting_thread},
    {"stale_handle_bad_out", seq_stale_handle_bad_out},
    {"grant_dropped_thread", seq_grant_dropped_thread},
};

unsigned fz_nsequences(void)
{
	return sizeof(seqs) / sizeof(seqs[0]);
}

const char *fz_sequence_name(unsigned i)
{
	return i < fz_nsequences() ? seqs[i].name : NULL;
}

int fz_sequence_main(const char *name)
{
	for (unsigned i = 0; i < fz_nsequences(); i++)
		if (strcmp(seqs[i].name, name) == 0)
			return seqs[i].fn();
	return 100;
}
