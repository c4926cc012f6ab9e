/* Host-test stand-in for arch/irq_flags.h: no interrupts on the host. */
#pragma once
#include <stdint.h>
static inline uint64_t arch_irq_save(void)
{
	return 0;
}
static inline void arch_irq_restore(uint64_t flags)
{
	(void)flags;
}
static inline void arch_irq_enable(void) {}
static inline void arch_irq_disable(void) {}
static inline void arch_cpu_relax(void) {}
