/*
 * isr.S - the 256 interrupt entry stubs and the common save/restore path.
 *
 * Each stub pushes a zero error code when the CPU does not push one, then the
 * vector, and jumps to isr_common, which saves the general registers into a
 * struct trap_frame (arch/trap.h), swaps GS when coming from user mode and
 * calls trap_dispatch(frame).
 *
 * GS: from user mode (CS RPL 3) the user's GS is active and is swapped on the
 * way in and out. From kernel mode the kernel's GS is normally active, but not
 * always: an NMI or machine check can arrive between SYSCALL and its SWAPGS,
 * or between the exit path's SWAPGS and SYSRET/IRET, and a fault on that IRET
 * itself would arrive the same way. So an entry from kernel mode does not
 * trust CS: it reads MSR_GS_BASE (the kernel's base is a higher-half address,
 * the user's is always 0: nothing lets a program set it, KERNEL_GS_BASE is 0
 * at boot and CR4.FSGSBASE is off), swaps if the user's GS is active, keeps
 * that fact in r12 (callee-saved, so it survives trap_dispatch) and swaps back
 * before returning to the interrupted code, which expects the GS it had.
 */
#include <arch/msr.h>
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
	/* An interrupt or exception clears neither DF nor AC, and user code may set AC:
	 * close SMAP (the frame keeps the interrupted RFLAGS; an interrupted user copy
	 * gets its AC back from iretq). clac is #UD without SMAP. */
	testb $1, cpu_has_smap(%rip)
	jz 0f
	clac
0:
	testb $3, 24(%rsp)        /* CS of the interrupted context */
	jz from_kernel
	swapgs
	PUSH_GPRS
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_dispatch
	movq %rbx, %rsp
	jmp trap_return

from_kernel:
	PUSH_GPRS
	xorl %r12d, %r12d
	movl $MSR_GS_BASE, %ecx
	rdmsr
	testl %edx, %edx
	js 1f                     /* a higher-half base: the kernel's GS is active */
	swapgs
	movl $1, %r12d
1:	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_dispatch
	movq %rbx, %rsp
	testl %r12d, %r12d
	jz trap_return
	swapgs                    /* give the interrupted code back the user's GS */
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
