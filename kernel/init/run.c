/*
 * run.c - the last step of boot: start Charlotte Exec, or run the tests.
 *
 * Normal boot: start Exec (bin/exec from the initrd) with every initial
 * capability and wait for it; if it ever ends, say how and idle. With
 * "bench": Exec runs etc/bench.manifest, then the kernel leaves QEMU.
 * With "test" (or "test=<prefix>") on the command line: run the in-kernel VM
 * tests, then start Exec in test mode (it runs the user-space suite from
 * etc/test.manifest), count the VMTEST lines user programs log, print the
 * DONE line and leave QEMU.
 */
#include <init/init.h>
#include <abi/syscall.h>
#include <boot/bootinfo.h>
#include <arch/arch.h>
#include <lib/log.h>
#include <lib/string.h>
#include <obj/debuglog.h>
#include <obj/process.h>
#include <sched/sched.h>

/* A cap only: the harness judges a hang by silence on serial (VMTEST_STALL), not by
 * how long a busy host takes to run the suites. */
#define EXEC_TEST_TIMEOUT_NS (3600ull * 1000000000ull)

void vmtest_run_kernel(const char *prefix, size_t prefix_len);
void vmtest_observe_line(const char *line, size_t len);
void vmtest_record(bool pass, const char *name, const char *reason);
void vmtest_finish(void) __attribute__((noreturn));

static void describe(struct process *p)
{
	struct proc_status st;
	process_get_status(p, &st);
	if (st.state == PROC_FAULTED)
		pr_warn("exec: faulted (exception %u at 0x%llx, address 0x%llx)", st.fault_vector,
		        (unsigned long long)st.fault_ip, (unsigned long long)st.fault_addr);
	else
		pr_info("exec: ended (state %u, code %d)", st.state, st.code);
}

static bool wants_user_tests(const char *prefix, size_t n)
{
	size_t k = n < 4 ? n : 4;
	return n == 0 || strncmp(prefix, "user", k) == 0 || strncmp(prefix, "exec", k) == 0;
}

/*
 * "crashtest=pf|ud|gp|de": raise that exception outside any test, so the
 * harness can check the crash report (registers, faulting address,
 * symbolized backtrace) and the panic exit. Separate functions so the
 * backtrace has names to show.
 */
static void __attribute__((noinline)) crashtest_pf(void)
{
	uint64_t addr = 0xdead0000;
	__asm__ volatile("" : "+r"(addr));
	*(volatile uint64_t *)addr = 1;
}

static void __attribute__((noinline)) crashtest_raise(const char *kind)
{
	unsigned zero = 0;
	if (kind[0] == 'p')
		crashtest_pf();
	else if (kind[0] == 'u')
		__asm__ volatile("ud2");
	else if (kind[0] == 'g')
		__asm__ volatile(
		    "movq (%%rax), %%rax" ::"a"(0x8000000000000000ull)); /* non-canonical */
	else if (kind[0] == 'd')
		__asm__ volatile("divl %1" ::"a"(1u), "r"(zero), "d"(0u)); /* #DE */
	pr_err("crashtest: unknown kind \"%s\" (pf, ud, gp, de)", kind);
}

void kernel_run(struct boot_info *bi)
{
	const char *prefix;
	size_t n;
	struct process *exec;
	if (cmdline_find(bi->cmdline, "crashtest", &prefix, &n))
		crashtest_raise(prefix);
	if (cmdline_find(bi->cmdline, "test", &prefix, &n)) {
		vmtest_run_kernel(prefix, n);
		if (wants_user_tests(prefix, n)) {
			debuglog_set_observer(vmtest_observe_line);
			int r = exec_start(bi, "test", &exec);
			if (r) {
				vmtest_record(false, "exec_start", "Exec could not be started");
			} else {
				r = process_wait(exec, EXEC_TEST_TIMEOUT_NS);
				struct proc_status st;
				process_get_status(exec, &st);
				if (r || st.state != PROC_EXITED || st.code != 0)
					vmtest_record(false, "exec_finished",
					              r ? "Exec did not finish in time"
					                : "Exec did not exit with code 0");
				if (r)
					process_kill(exec, PROC_KILLED, 0);
				kobject_put(&exec->obj);
			}
		}
		vmtest_finish();
	}
	/* "bench": run etc/bench.manifest (make bench), then leave QEMU */
	bool bench = cmdline_find(bi->cmdline, "bench", NULL, NULL);
	int r = exec_start(bi, bench ? "bench" : NULL, &exec);
	if (r) {
		pr_err("exec: cannot start bin/exec from the initrd (error %d)", r);
	} else {
		process_wait(exec, WAIT_FOREVER);
		describe(exec);
		kobject_put(&exec->obj);
	}
	if (bench) {
		kprintf("BENCH DONE\n");
		arch_debug_exit(0x10);
	}
	pr_info("Charlotte Core has nothing left to run: idling.");
	for (;;)
		sched_sleep_ns(1000000000ull);
}
