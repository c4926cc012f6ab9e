/*
 * notests.c - the product kernel's kernel_run_tests(): the tests and the crash
 * triggers live in the test kernel (build/charlotte-test.elf, tests/vm/boot.c),
 * so a "test" or "crashtest" here only earns a warning and the normal boot.
 */
#include <init/init.h>
#include <boot/bootinfo.h>
#include <lib/log.h>

void kernel_run_tests(struct boot_info *bi)
{
	if (cmdline_find(bi->cmdline, "test", NULL, NULL) ||
	    cmdline_find(bi->cmdline, "crashtest", NULL, NULL))
		pr_warn("this is the product kernel: tests are in build/charlotte-test.elf");
}
