/*
 * run.c - the last step of boot: run the in-kernel tests or settle down.
 *
 * With "test" (or "test=<prefix>") on the command line the VM test runner
 * takes over and ends by leaving QEMU. Otherwise the kernel prints a banner
 * and the boot thread becomes idle; user space (Charlotte Exec) starts here
 * once the user-space issue lands.
 */
#include <init/init.h>
#include <boot/bootinfo.h>
#include <lib/log.h>
#include <sched/sched.h>

void vmtest_run_all(const char *prefix, size_t prefix_len);

void kernel_run(struct boot_info *bi)
{
	const char *prefix;
	size_t n;
	if (cmdline_find(bi->cmdline, "test", &prefix, &n))
		vmtest_run_all(prefix, n);
	pr_info("Charlotte Core is up. No user space yet: idling.");
	for (;;)
		sched_sleep_ns(1000000000ull);
}
