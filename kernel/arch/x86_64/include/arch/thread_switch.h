/*
 * arch/thread_switch.h - per-switch CPU state: CR3, TSS rsp0 / syscall stack, FPU.
 *
 * A user thread runs in its address space; a kernel thread runs in whatever
 * is loaded unless that belongs to a user thread, in which case the kernel's
 * own page tables are loaded, so no CPU keeps a dead address space's tables
 * in CR3. FPU state is switched eagerly between user threads only (kernel
 * code never touches the FPU).
 */
#pragma once
#include <arch/cpufeatures.h>
#include <arch/gdt.h>
#include <arch/ioperm.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/timer.h> /* arch_clock_ns(): the switch's clock read, inline */
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <sched/sched.h>

/* The kernel stack entries from user mode use: TSS rsp0 (interrupts,
 * exceptions) and cpu->kernel_rsp (%gs:16, the SYSCALL entry). */
static inline void arch_set_kernel_stack(struct cpu *c, uint64_t rsp0)
{
	c->gdt.tss.rsp[0] = rsp0;
	c->kernel_rsp = rsp0;
}

/* t runs in vs from its next switch-in (NULL: the kernel's tables). */
static inline void thread_set_space(struct thread *t, struct vm_space *vs)
{
	t->vs = vs;
	t->space_root = (vs ? &vs->mmu : &kernel_space.mmu)->pml4_phys;
}

/*
 * Called by the scheduler with interrupts off, just before the stack switch
 * (inline: twice per kbus round trip). users: both are user threads that
 * have not ended (the kbus flat path: the caller is in a system call, the
 * other blocked in one), so each has its FPU area, space and kernel stack
 * (set at creation, gone only at its end) and the tests for them are left
 * out; and the caller has checked arch_switch_calls_nothing(), so the I/O
 * bitmap stays as it is and the switch calls nothing.
 */
static inline __attribute__((always_inline)) void
arch_thread_switch_as(struct cpu *c, struct thread *prev, struct thread *next, bool users)
{
	if (users) {
		fpu_switch(prev->fpu, next->fpu);
	} else {
		if (prev->fpu)
			fpu_save(prev->fpu);
		if (next->fpu)
			fpu_restore(next->fpu);
	}
	arch_mmu_load_root(next->space_root);
	if (!users)
		ioperm_switch_check(c, next->vs ? &next->vs->mmu : NULL);
	if (users || next->stack)
		arch_set_kernel_stack(c, (uint64_t)next->stack + (PAGE_SIZE << THREAD_STACK_ORDER));
}

/* May a switch to the user thread next be arch_thread_switch_as(.., true)?
   Not if this CPU's I/O bitmap would change (a space with ports, ioperm.c). */
static inline __attribute__((always_inline)) bool arch_switch_calls_nothing(struct cpu *c,
                                                                            struct thread *next)
{
	return !ioperm_switch_needed(c, &next->vs->mmu);
}

static inline void arch_thread_switch(struct thread *prev, struct thread *next)
{
	arch_thread_switch_as(this_cpu(), prev, next, false);
}
