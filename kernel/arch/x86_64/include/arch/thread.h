/*
 * arch/thread.h - what changes on the CPU when the scheduler switches threads:
 * address space, kernel entry stack and FPU state.
 */
#pragma once

struct thread;

/* Called by schedule() with interrupts off, just before the stack switch. */
void arch_thread_switch(struct thread *prev, struct thread *next);

#include <stdint.h>
/*
 * switch.S: save the callee-saved registers on the current stack, store its
 * pointer in *prev_rsp, load next_rsp and return on that stack. A new thread's
 * first switch "returns" into thread_entry_trampoline, which calls
 * sched_thread_entry() (sched/sched.h).
 */
void arch_context_switch(uint64_t *prev_rsp, uint64_t next_rsp);
void thread_entry_trampoline(void);

struct trap_frame;
/* syscall.S: load tf's registers and IRET to user mode (a thread's first entry). */
void arch_enter_user(struct trap_frame *tf) __attribute__((noreturn));

/* Sleep until the next interrupt, with interrupts enabled for it (the idle loop). */
static inline void arch_wait_for_interrupt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}
