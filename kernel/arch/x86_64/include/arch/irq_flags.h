/*
 * arch/irq_flags.h - save, disable and restore the local CPU's interrupt flag.
 * Generic code (spinlocks) uses only these three, arch_cpu_relax() and
 * arch_spin_fair().
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Set once on the boot CPU, before any other runs: CPUID says a hypervisor. */
extern bool arch_virtual_cpus;

/* Ticket order for contended spinlocks: not under a hypervisor (lib/spinlock.h). */
static inline bool arch_spin_fair(void)
{
	return !arch_virtual_cpus;
}

static inline uint64_t arch_irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags;
}

static inline void arch_irq_restore(uint64_t flags)
{
	if (flags & (1u << 9))
		__asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
