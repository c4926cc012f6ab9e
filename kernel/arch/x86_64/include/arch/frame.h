/*
 * arch/frame.h - the general-register part of struct trap_frame (arch/trap.h),
 * as assembler macros shared by the interrupt and system call entry paths.
 * PUSH_GPRS pushes r9 first and r15 last, so r15 ends up at the lowest
 * address, where struct trap_frame starts; POP_GPRS undoes it.
 *
 * The order serves the system call path (syscall.S): the five argument
 * registers rsi, rdx, r10, r8, r9 lie in that order one after the other, so
 * the dispatcher hands the frame's own words to a handler as its argument
 * array (no copy); the callee-saved registers, which an ordinary system call
 * does not save (C code preserves them), lie together at the bottom.
 * TF_* are the byte offsets, checked against struct trap_frame in arch/trap.h.
 */
#pragma once

#define TF_R15 0
#define TF_R14 8
#define TF_R13 16
#define TF_R12 24
#define TF_RBP 32
#define TF_RBX 40
#define TF_R11 48
#define TF_RCX 56
#define TF_RAX 64
#define TF_RDI 72
#define TF_RSI 80
#define TF_RDX 88
#define TF_R10 96
#define TF_R8 104
#define TF_R9 112
#define TF_VECTOR 120
#define TF_ERROR 128
#define TF_RIP 136
#define TF_CS 144
#define TF_RFLAGS 152
#define TF_RSP 160
#define TF_SS 168
#define TF_SIZE 176

#ifdef __ASSEMBLY__
/* clang-format off */
.macro PUSH_GPRS
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rax
	pushq %rcx
	pushq %r11
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

/* The reverse of PUSH_GPRS. */
.macro POP_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %rcx
	popq %rax
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
.endm
/* clang-format on */
#endif
