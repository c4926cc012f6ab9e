/*
 * run.c - the last step of boot: start Charlotte Exec, or run the tests.
 *
 * Normal boot: start Exec (bin/exec from the initrd) with every initial
 * capability and wait for it; if it ever ends, say how and idle. With
 * "bench": Exec runs etc/bench.manifest, then the kernel leaves QEMU.
 * Tests live in a separate kernel (build/charlotte-test.elf, tests/vm/boot.c):
 * kernel_run_tests() takes over there when the command line asks for them; in
 * this, the product kernel, it only says that they are not here.
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

void kernel_run(struct boot_info *bi)
{
	struct process *exec;
	kernel_run_tests(bi); /* the test kernel: "test", "crashtest"; returns if neither */
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
