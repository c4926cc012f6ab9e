/*
 * init.h - what kmain() hands over to once the kernel is up.
 */
#pragma once

struct boot_info;
struct acpi_info;
struct process;
#include <stdbool.h>

/* Run the VM tests ("test" on the command line) or start user space. Never returns. */
void kernel_run(struct boot_info *bi) __attribute__((noreturn));
/*
 * The test kernel (tests/vm/boot.c): if the command line asks for tests or a
 * crash test, run them and leave QEMU (never returns). The product kernel
 * (init/notests.c) has none: it warns and returns.
 */
void kernel_run_tests(struct boot_info *bi);
struct boot_info *kernel_boot_info(void);
const struct acpi_info *kernel_acpi_info(void);

/*
 * Load bin/exec from the initrd and start it with every initial capability;
 * mode (NULL, "test", "bench") becomes argv[1] and picks etc/<mode>.manifest.
 */
int exec_start(const struct boot_info *bi, const char *mode, struct process **out);
