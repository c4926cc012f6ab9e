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

void arch_port_write(uint16_t port, unsigned bytes, uint32_t v)
{
	if (bytes == 1)
		outb(port, (uint8_t)v);
	else if (bytes == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

uint32_t arch_port_read(uint16_t port, unsigned bytes)
{
	if (bytes == 1)
		return inb(port);
	if (bytes == 2)
		return inw(port);
	return inl(port);
}

#define I8042_STATUS 0x64
#define I8042_INPUT_FULL 0x02
#define I8042_PULSE_RESET 0xfe

void arch_reset_fallback(void)
{
	__asm__ volatile("cli");
	/* the controller takes a command once its input buffer is empty (bounded wait) */
	for (unsigned i = 0; i < 100000 && (inb(I8042_STATUS) & I8042_INPUT_FULL); i++)
		io_wait();
	outb(I8042_STATUS, I8042_PULSE_RESET);
	udelay(100000);
	/* no 8042, or it did not reset us: an exception with no IDT is a triple fault */
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = {0, 0};
	__asm__ volatile("lidt %0; int3" ::"m"(no_idt) : "memory");
	arch_halt();
}
