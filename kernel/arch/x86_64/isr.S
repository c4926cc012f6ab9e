/*
 * isr.S - the 256 interrupt entry stubs and the common save/restore path.
 *
 * Each stub pushes a zero error code when the CPU does not push one, then the
 * vector, and jumps to isr_common, which saves the general registers into a
 * struct trap_frame (arch/trap.h), swaps GS when coming from user mode and
 * calls trap_dispatch(frame).
 */
#include <arch/frame.h>

	.text
	.altmacro

.macro ISR_STUB n
	.balign 16
isr_\n:
	.if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp isr_common
.endm

.set i, 0
.rept 256
	ISR_STUB %i
	.set i, i + 1
.endr

isr_common:
	cld
	testb $3, 24(%rsp)        /* CS of the interrupted context */
	jz 1f
	swapgs
1:	PUSH_GPRS
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_dispatch
	movq %rbx, %rsp
	.globl trap_return
trap_return:
	POP_GPRS
	addq $16, %rsp            /* vector, error */
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

.macro ISR_ADDR n
	.quad isr_\n
.endm
	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
.set i, 0
.rept 256
	ISR_ADDR %i
	.set i, i + 1
.endr
