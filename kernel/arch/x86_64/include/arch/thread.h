/*
 * arch/thread.h - what changes on the CPU when the scheduler switches threads:
 * address space, kernel entry stack and FPU state.
 */
#pragma once

struct thread;

/* arch_thread_switch(prev, next): arch/thread_switch.h (inline, for the scheduler). */

#include <stdint.h>
/*
 * switch.S: save the callee-saved registers on the current stack, store its
 * pointer in *prev_rsp, load next_rsp and return on that stack. A new thread's
 * first switch "returns" into thread_entry_trampoline, which calls
 * sched_thread_entry() (sched/sched.h).
 */
void arch_context_switch(uint64_t *prev_rsp, uint64_t next_rsp);
void arch_context_load(uint64_t next_rsp) __attribute__((noreturn));
void thread_entry_trampoline(void);

#include <arch/gdt.h>
#include <arch/trap.h>
#include <lib/string.h>
/* syscall.S: load tf's registers and IRET to user mode (a thread's first entry). */
void arch_enter_user(struct trap_frame *tf) __attribute__((noreturn));

/* A user thread's first frame: at rip with rsp, args[0..3] in its first four
 * argument registers (rdi rsi rdx rcx), interrupts on. */
static inline void arch_user_frame_init(struct trap_frame *tf, uint64_t rip, uint64_t rsp,
                                        const uint64_t args[4])
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = rip;
	tf->rsp = rsp;
	tf->rdi = args[0];
	tf->rsi = args[1];
	tf->rdx = args[2];
	tf->rcx = args[3];
	tf->cs = SEL_UCODE | 3;
	tf->ss = SEL_UDATA | 3;
	tf->rflags = 0x202; /* IF */
}

/* Where a switched-out thread resumes: arch_context_switch() left rbp and the
 * return address above the other callee-saved registers (switch.S). */
static inline void arch_context_frame(uint64_t rsp, uint64_t *rip, uint64_t *rbp)
{
	const uint64_t *saved = (const uint64_t *)rsp; /* r15 r14 r13 r12 rbx rbp ret */
	*rbp = saved[5];
	*rip = saved[6];
}

/* Sleep until the next interrupt, with interrupts enabled for it (the idle loop). */
static inline void arch_wait_for_interrupt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

/*
 * The kbus flat path (kbus/flat.c). A user thread's system call frame sits at
 * the top of its kernel stack. syscall.S enters it with ARCH_FLAT_GAP bytes
 * left free below the frame; a thread blocked there gets
 * a saved context in that gap that arch_context_switch/_load "return" into
 * kbus_flat_trampoline, which runs kbus_flat_resume(frame) and leaves through
 * the system call exit.
 */
#include <arch/flat_asm.h> /* ARCH_FLAT_GAP */

static inline struct trap_frame *arch_thread_frame(void *stack, unsigned long stack_bytes)
{
	return (struct trap_frame *)((char *)stack + stack_bytes) - 1;
}

void kbus_flat_trampoline(void);

/* Make the saved context of a thread blocked with frame tf: its rsp value. */
static inline uint64_t arch_flat_context(struct trap_frame *tf)
{
	uint64_t *ret = (uint64_t *)tf - 1; /* arch_context_switch pops six, then returns */
	*ret = (uint64_t)kbus_flat_trampoline;
	return (uint64_t)(ret - 6);
}
