/*
 * arch/irq_flags.h - save, disable and restore the local CPU's interrupt flag.
 * Generic code (spinlocks) uses only these three and arch_cpu_relax().
 */
#pragma once
#include <stdint.h>

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
