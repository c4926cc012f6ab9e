/*
 * arch/arch.h - the small set of architecture hooks generic code calls.
 */
#pragma once
#include <stdint.h>
#include <lib/compiler.h>

struct acpi_info;

/*
 * The boot CPU's bring-up, in kmain()'s order: arch_init_early() first of all
 * (boot timestamp, per-CPU data, GDT/TSS, IDT); arch_init_cpu() once the heap is
 * up (CPU features: SMEP/SMAP/XSAVE, SYSCALL); arch_init_interrupts() once the
 * ACPI tables are parsed (legacy PIC off, LAPIC, IOAPIC, timer calibration).
 */
void arch_init_early(void);
void arch_init_cpu(void);
void arch_init_interrupts(const struct acpi_info *acpi);

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

/* I/O port access of 1, 2 or 4 bytes, for ACPI's fixed registers in I/O space. */
void arch_port_write(uint16_t port, unsigned bytes, uint32_t v);
uint32_t arch_port_read(uint16_t port, unsigned bytes);
/*
 * Reset the machine the ways that need no firmware table: the 8042's reset
 * line, then a triple fault. Never returns.
 */
NORETURN void arch_reset_fallback(void);
