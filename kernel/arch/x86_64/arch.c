/*
 * arch.c - small arch hooks: the boot CPU's bring-up steps, halting and leaving QEMU.
 */
#include <arch/arch.h>
#include <arch/apic.h>
#include <arch/serial.h>
#include <arch/cpu.h>
#include <arch/cpufeatures.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <arch/trap.h>
#include <acpi/acpi.h>

static struct cpu bsp_cpu;

void arch_init_early(void)
{
	uint64_t tsc_entry = rdtsc();
	bsp_cpu.id = 0;
	percpu_setup(&bsp_cpu);
	idt_init();
	idt_load();
	timer_set_boot_tsc(tsc_entry);
}

void arch_init_cpu(void)
{
	cpu_features_init(true);
	syscall_init_cpu();
}

void arch_init_interrupts(const struct acpi_info *acpi)
{
	pic_disable();
	lapic_init(acpi->madt.present ? acpi->madt.lapic_addr : 0);
	ioapic_init(acpi);
	timer_init(acpi);
	serial_rx_init();
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

void arch_debug_exit(uint8_t code)
{
	outl(0xf4, code); /* isa-debug-exit: QEMU exits with (code << 1) | 1 */
}
