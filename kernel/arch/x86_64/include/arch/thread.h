/*
 * arch/thread.h - what changes on the CPU when the scheduler switches threads:
 * address space, kernel entry stack and FPU state.
 */
#pragma once

struct thread;

/* Called by schedule() with interrupts off, just before the stack switch. */
void arch_thread_switch(struct thread *prev, struct thread *next);
