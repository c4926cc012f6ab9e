/*
 * arch/trap.h - the saved register frame of an interrupt or exception, and the
 * handlers arch code installs for its own vectors (IPIs, the timer, device
 * interrupts). Generic code installs none: what a trap hands to it is a
 * direct call declared in arch/entry.h.
 */
#pragma once
#include <stdint.h>
#include <lib/compiler.h>
#include <arch/frame.h>

/*
 * The order of the general registers is arch/frame.h's (PUSH_GPRS): the
 * callee-saved ones at the bottom, then SYSCALL's rflags and rip copies, then
 * the action, target and five argument registers of a system call in a row.
 * A system call frame (syscall.S) holds rax, rdi, rsi, rdx, r10, r8, r9, rip,
 * rflags and rsp; the callee-saved six only when the kbus flat path entered
 * (it may leave on another thread's frame); rcx, r11, vector, error, cs and
 * ss are not written (SYSRET takes rip and rflags from rcx and r11, and no
 * system call frame is ever left by IRET).
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx;
	uint64_t r11, rcx;
	uint64_t rax, rdi, rsi, rdx, r10, r8, r9;
	uint64_t vector, error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(__builtin_offsetof(struct trap_frame, r15) == TF_R15 &&
                   __builtin_offsetof(struct trap_frame, r14) == TF_R14 &&
                   __builtin_offsetof(struct trap_frame, r13) == TF_R13 &&
                   __builtin_offsetof(struct trap_frame, r12) == TF_R12 &&
                   __builtin_offsetof(struct trap_frame, rbp) == TF_RBP &&
                   __builtin_offsetof(struct trap_frame, rbx) == TF_RBX &&
                   __builtin_offsetof(struct trap_frame, r11) == TF_R11 &&
                   __builtin_offsetof(struct trap_frame, rcx) == TF_RCX &&
                   __builtin_offsetof(struct trap_frame, rax) == TF_RAX &&
                   __builtin_offsetof(struct trap_frame, rdi) == TF_RDI &&
                   __builtin_offsetof(struct trap_frame, rsi) == TF_RSI &&
                   __builtin_offsetof(struct trap_frame, rdx) == TF_RDX &&
                   __builtin_offsetof(struct trap_frame, r10) == TF_R10 &&
                   __builtin_offsetof(struct trap_frame, r8) == TF_R8 &&
                   __builtin_offsetof(struct trap_frame, r9) == TF_R9 &&
                   __builtin_offsetof(struct trap_frame, vector) == TF_VECTOR &&
                   __builtin_offsetof(struct trap_frame, error) == TF_ERROR &&
                   __builtin_offsetof(struct trap_frame, rip) == TF_RIP &&
                   __builtin_offsetof(struct trap_frame, cs) == TF_CS &&
                   __builtin_offsetof(struct trap_frame, rflags) == TF_RFLAGS &&
                   __builtin_offsetof(struct trap_frame, rsp) == TF_RSP &&
                   __builtin_offsetof(struct trap_frame, ss) == TF_SS &&
                   sizeof(struct trap_frame) == TF_SIZE,
               "arch/frame.h's offsets");

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
