/*
 * syscall.S - SYSCALL entry/exit and the first entry of a thread into user mode.
 *
 * syscall_entry builds a struct trap_frame (arch/trap.h) on the thread's
 * kernel stack (cpu->kernel_rsp, set at every switch), so system calls,
 * interrupts and faults share one frame layout. It calls
 * syscall_dispatch(frame) with interrupts on and returns with SYSRET when the
 * return address is a canonical user address, IRET otherwise (SYSRET with a
 * non-canonical RCX would fault in ring 0 on Intel CPUs).
 * GS: %gs:8 is a scratch slot for the user RSP, %gs:16 the kernel stack top.
 */
#include <arch/frame.h>
#include <arch/gdt.h>

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:8
	movq %gs:16, %rsp
	pushq $(SEL_UDATA | 3)          /* ss */
	pushq %gs:8                     /* rsp */
	pushq %r11                      /* rflags */
	pushq $(SEL_UCODE | 3)          /* cs */
	pushq %rcx                      /* rip */
	pushq $0                        /* error */
	pushq $0x100                    /* vector: marks a system call frame */
	PUSH_GPRS
	movq %rsp, %rdi
	sti
	call syscall_dispatch
	cli
	/* fast return needs a canonical rip below the user limit */
	movq 15*8+16(%rsp), %rcx        /* frame rip */
	movq $0x00007fffffffffff, %rax
	cmpq %rax, %rcx
	ja slow_return
	POP_GPRS                        /* rcx is reloaded from rip below */
	addq $16, %rsp                  /* vector, error */
	popq %rcx                       /* rip */
	addq $8, %rsp                   /* cs */
	popq %r11                       /* rflags */
	popq %rsp                       /* user rsp */
	swapgs
	sysretq
slow_return:
	jmp trap_return                 /* iretq path (swaps GS for user CS) */

/*
 * arch_enter_user(struct trap_frame *tf): load the frame's registers and
 * IRET to user mode. Used for a thread's first entry; never returns.
 */
	.globl arch_enter_user
arch_enter_user:
	cli
	movq %rdi, %rsp
	jmp trap_return
