/*
 * boot.c - the test kernel's side of kernel_run() (kernel/init/run.c): tests are
 * linked only into build/charlotte-test.elf, never into the kernel `make run`
 * boots (that one links kernel/init/notests.c instead).
 *
 * "test" or "test=<prefix>" on the command line: run the in-kernel VM tests (those
 * whose names start with prefix), then, unless the prefix rules them out, start
 * Exec in test mode (it runs the user-space suites of etc/test.manifest), count
 * the VMTEST lines user programs log, print the DONE line and leave QEMU.
 * "crashtest=pf|ud|gp|de": raise that exception, for the crash-report checks.
 * "powertest=off|reboot": Exec runs etc/poweroff.manifest or etc/reboot.manifest,
 * whose program turns the machine off or resets it (tools/run-tests.sh's power
 * cases see QEMU end on its own).
 * "manifest=test<name>" with "test=<prefix>": Exec runs etc/test<name>.manifest
 * instead of etc/test.manifest, whatever the prefix (a configuration that runs one
 * suite in a mode of its own, e.g. nstest's million lookups: etc/testnslookup.manifest).
 * "powercut": Exec runs etc/powercut.manifest, fstest's writer for the power-cut
 * test (tools/power-cut.sh), which kills QEMU in the middle of its writes.
 */
#include <init/init.h>
#include <vmtest.h>
#include <abi/syscall.h>
#include <arch/arch.h>
#include <boot/bootinfo.h>
#include <lib/log.h>
#include <lib/string.h>
#include <obj/debuglog.h>
#include <obj/process.h>

/* A cap only: the harness judges a hang by silence on serial (VMTEST_STALL), not by
 * how long a busy host takes to run the suites. */
#define EXEC_TEST_TIMEOUT_NS (3600ull * 1000000000ull)

static bool wants_user_tests(const char *prefix, size_t n)
{
	size_t k = n < 4 ? n : 4;
	return n == 0 || strncmp(prefix, "user", k) == 0 || strncmp(prefix, "exec", k) == 0;
}

/*
 * The mode Exec starts in (its argv[1], which names its manifest): "test", or the
 * command line's manifest=test<name> (lower-case letters only, as Exec wants, and
 * starting with "test" so that Exec stays in test mode). NULL: a manifest= that is
 * not of that form (the boot reports it and starts no user tests).
 */
static const char *test_mode(const struct boot_info *bi)
{
	static char mode[32];
	const char *v;
	size_t n;
	if (!cmdline_find(bi->cmdline, "manifest", &v, &n))
		return "test";
	if (n < 4 || n >= sizeof(mode) || strncmp(v, "test", 4) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i] < 'a' || v[i] > 'z')
			return NULL;
	memcpy(mode, v, n);
	mode[n] = '\0';
	return mode;
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

/* Exec in mode (etc/<mode>.manifest), waited for until it ends. */
static void exec_mode(struct boot_info *bi, const char *mode)
{
	struct process *exec;
	if (exec_start(bi, mode, &exec) == 0) {
		process_wait(exec, EXEC_TEST_TIMEOUT_NS);
		kobject_put(&exec->obj);
	}
}

/*
 * "powertest=off|reboot": Exec in the mode of that manifest; its program asks
 * for SYS_HW_POWER. Reaching the end means the machine stayed on: say so and
 * leave QEMU through isa-debug-exit (status 0x21), which the harness tells
 * apart from a power-off (status 0).
 */
static void powertest(struct boot_info *bi, const char *what, size_t n)
{
	const char *mode = n == 3 && strncmp(what, "off", 3) == 0 ? "poweroff" : "reboot";
	exec_mode(bi, mode);
	kprintf("POWERTEST FAIL: the machine is still on\n");
	arch_debug_exit(0x10);
}

void kernel_run_tests(struct boot_info *bi)
{
	const char *prefix;
	size_t n;
	struct process *exec;
	if (cmdline_find(bi->cmdline, "crashtest", &prefix, &n))
		crashtest_raise(prefix);
	if (cmdline_find(bi->cmdline, "powertest", &prefix, &n))
		powertest(bi, prefix, n);
	if (cmdline_find(bi->cmdline, "powercut", &prefix, &n)) {
		/* the host cuts the power; Exec ending first (the writer stopped) is its
		 * verdict to read on serial: leave QEMU with status 0x21 */
		exec_mode(bi, "powercut");
		kprintf("POWERCUT: Exec ended\n");
		arch_debug_exit(0x10);
	}
	if (cmdline_find(bi->cmdline, "test", &prefix, &n)) {
		const char *mode = test_mode(bi);
		vmtest_run_kernel(prefix, n);
		if (!mode)
			vmtest_record(false, "exec_manifest",
			              "manifest= wants test<name>, lower-case letters");
		else if (wants_user_tests(prefix, n) || strcmp(mode, "test") != 0) {
			debuglog_set_observer(vmtest_observe_line);
			int r = exec_start(bi, mode, &exec);
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
}
