/*
 * arch/trap.h - the saved register frame of an interrupt or exception, and the
 * handlers arch code installs for its own vectors (IPIs, the timer, device
 * interrupts). Generic code installs none: what a trap hands to it is a
 * direct call declared in arch/entry.h.
 */
#pragma once
#include <stdint.h>
#include <lib/compiler.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

#define VEC_DE 0
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MC 18
#define VEC_IRQ_BASE 32 /* IOAPIC-routed device interrupts: 32..47 */
#define VEC_TIMER 0xf0 /* LAPIC timer */
#define VEC_IPI_CALL 0xf1 /* cross-CPU function call */
#define VEC_IPI_RESCHED 0xf2 /* wake the scheduler */
#define VEC_IPI_STOP 0xf3 /* panic: stop this CPU */
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_fn)(struct trap_frame *tf);

/* Install a handler for vector 32..255 (arch code and tests). Boot-time; not locked. */
void trap_set_handler(unsigned vector, irq_handler_fn fn);
void idt_init(void); /* build the shared IDT (BSP, once) */
void idt_load(void); /* load it on this CPU */

/* isr.S: every vector's common entry, with the frame built; idt.c. */
void trap_dispatch(struct trap_frame *tf);

/* Print a register dump and backtrace of tf to the log. */
void trap_dump(const struct trap_frame *tf);

/*
 * Run fn(arg); if it raises a CPU exception in kernel mode, unwind back here
 * and return the vector (>= 0) with *tf_out (optional) filled in; -1 if fn
 * returned normally. Used by tests that raise faults on purpose.
 */
int arch_try(void (*fn)(void *), void *arg, struct trap_frame *tf_out);

/* setjmp.S, for arch_try(): callee-saved registers, rsp and rip. */
struct jmp_buf_k {
	uint64_t regs[8];
};
int k_setjmp(struct jmp_buf_k *b);
NORETURN void k_longjmp(struct jmp_buf_k *b, int v);
