/*
 * arch.c - small arch hooks: halting and leaving QEMU.
 */
#include <arch/arch.h>
#include <arch/cpu.h>

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

void arch_debug_exit(uint8_t code)
{
	outl(0xf4, code); /* isa-debug-exit: QEMU exits with (code << 1) | 1 */
}
