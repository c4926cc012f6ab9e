/*
 * arch/frame.h - the general-register part of struct trap_frame (arch/trap.h),
 * as assembler macros shared by the interrupt and system call entry paths.
 * PUSH_GPRS pushes rax first and r15 last, so r15 ends up at the lowest
 * address, where struct trap_frame starts; POP_GPRS undoes it.
 */
#pragma once

#ifdef __ASSEMBLY__
/* clang-format off */
.macro PUSH_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
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
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm
/* clang-format on */
#endif
