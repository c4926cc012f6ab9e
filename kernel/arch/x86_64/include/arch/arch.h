/*
 * arch/arch.h - the small set of architecture hooks generic code calls.
 */
#pragma once
#include <stdint.h>
#include <lib/compiler.h>

/* What CPU exception number vector is, for the log ("page fault (#PF)", ...). */
const char *arch_exception_name(uint32_t vector);
/* Print "  #n 0x... func+off" lines walking frame pointers from rbp. */
void arch_backtrace(uint64_t rip, uint64_t rbp);
/* Stop the other CPUs (panic); safe before SMP is up. */
void arch_stop_other_cpus(void);
/* Halt this CPU forever with interrupts off. */
NORETURN void arch_halt(void);
/*
 * Leave QEMU through isa-debug-exit (exit status (code << 1) | 1). Returns if
 * there is no such device (real hardware): callers then halt.
 */
void arch_debug_exit(uint8_t code);
