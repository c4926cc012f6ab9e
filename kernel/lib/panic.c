/*
 * panic.c - the one way the kernel gives up.
 *
 * The first CPU to panic stops the others (NMI-free: an IPI they take at the
 * next instruction boundary with interrupts on, and a flag they poll), breaks
 * the log lock so its message gets out, prints the message and a backtrace,
 * and then halts. Under the test harness it leaves QEMU through
 * isa-debug-exit with status 3 so the harness sees a failure at once. A second
 * panic on another CPU just halts that CPU.
 */
#include <lib/panic.h>
#include <lib/log.h>
#include <lib/printf.h>
#include <arch/arch.h>
#include <arch/irq_flags.h>

static int panicking;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_RELAXED) != 0;
}

void panic(const char *fmt, ...)
{
	arch_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		arch_halt();
	arch_stop_other_cpus();
	log_break_lock();
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("\n*** KERNEL PANIC: %s\n", msg);
	/* start at our caller: its return address and its saved frame pointer */
	arch_backtrace((uint64_t)__builtin_return_address(0),
	               *(uint64_t *)__builtin_frame_address(0));
	kprintf("*** system halted\n");
	arch_debug_exit(1);
	arch_halt();
}
