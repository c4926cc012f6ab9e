/*
 * arch/irq_flags.h - save, disable and restore the local CPU's interrupt flag.
 * Generic code (spinlocks) uses only these three, arch_cpu_relax(),
 * arch_spin_fair() and arch_release_inc().
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

/*
 * Add one to a word only the caller writes (a spinlock's owner), as a release
 * store: one instruction (x86 stores are release stores; no lock prefix, since
 * no other CPU writes the word). The compiler's atomic store would load, add
 * and store: three.
 */
static inline __attribute__((always_inline)) void arch_release_inc(uint32_t *word)
{
	__asm__ volatile("addl $1, %0" : "+m"(*word)::"memory");
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
