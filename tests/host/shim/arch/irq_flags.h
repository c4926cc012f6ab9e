/* Host-test stand-in for arch/irq_flags.h: no interrupts on the host. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
/* test_spinlock defines it to a variable to run both ways; ticket order otherwise */
#ifndef HOST_SPIN_FAIR
#define HOST_SPIN_FAIR true
#endif
static inline bool arch_spin_fair(void)
{
	return HOST_SPIN_FAIR;
}
static inline void arch_release_inc(uint32_t *word)
{
	__atomic_store_n(word, *word + 1, __ATOMIC_RELEASE);
}
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
