/*
 * syscall.S - SYSCALL entry/exit and the first entry of a thread into user mode.
 *
 * syscall_entry builds a struct trap_frame (arch/trap.h) on the thread's
 * kernel stack (cpu->kernel_rsp, set at every switch), so system calls,
 * interrupts and faults share one frame layout. It calls
 * syscall_dispatch(frame) with interrupts on (it returns with them off, having
 * checked for a pending reschedule, kill or suspend) and returns with SYSRET when the
 * return address is a canonical user address, IRET otherwise (SYSRET with a
 * non-canonical RCX would fault in ring 0 on Intel CPUs). The IRET case cannot
 * arise from a SYSCALL in user code: the last user page is never mapped (arch/mmu.h,
 * USER_MAP_END), so RCX is always canonical; the check stays as a second wall.
 * GS: %gs:8 is a scratch slot for the user RSP, %gs:16 the kernel stack top.
 */
#include <arch/frame.h>
#include <arch/gdt.h>
#include <arch/flat_asm.h>

/* Switch to the kernel's GS and stack and build the frame (rip = rcx). */
.macro SYSCALL_FRAME vector
	swapgs
	movq %rsp, %gs:8
	movq %gs:16, %rsp
	pushq $(SEL_UDATA | 3)          /* ss */
	pushq %gs:8                     /* rsp */
	pushq %r11                      /* rflags */
	pushq $(SEL_UCODE | 3)          /* cs */
	pushq %rcx                      /* rip */
	pushq $0                        /* error */
	pushq $\vector
	PUSH_GPRS
.endm

	.text
	.globl syscall_entry
syscall_entry:
	SYSCALL_FRAME 0x100             /* vector 0x100 marks a system call frame */
	movq %rsp, %rdi
	leaq -SYSCALL_FLAT_FIRST(%rax), %rcx /* rcx is in the frame (rip) */
	cmpq $1, %rcx
	jbe syscall_flat                /* the two kbus fast actions */
syscall_slow:
	sti
	call syscall_dispatch           /* returns with interrupts off: its last check
	                                   (user_return_work) holds until SYSRET */
	.globl syscall_exit
syscall_exit:                           /* rsp = the frame, interrupts off */
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
 * The kbus flat path (kbus/call.c), interrupts off throughout. kbus_flat()
 * returns the frame to leave on in rax (bit 0: user_return_work() is owed
 * first; 0: not handled here, take the C path) and in rdx the thread that
 * left this CPU (or 0). Its on_cpu is cleared only once we are off its stack.
 */
syscall_flat:
	subq $ARCH_FLAT_GAP, %rsp       /* room for a blocked caller's saved context */
	call kbus_flat
	testq %rax, %rax
	jz 2f
	movq %rax, %rsp
	andq $-2, %rsp
	testq %rdx, %rdx
	jz 1f
	movb $0, THREAD_ON_CPU(%rdx)    /* off its CPU: another may run it now */
1:	testb $1, %al
	jz syscall_exit
	call user_return_work
	jmp syscall_exit
2:	addq $ARCH_FLAT_GAP, %rsp
	movq %rsp, %rdi
	jmp syscall_slow

/* A flat-blocked thread's saved context returns here, rsp = its frame (thread.h). */
	.globl kbus_flat_trampoline
kbus_flat_trampoline:
	movq %rsp, %rdi
	call kbus_flat_resume           /* returns with interrupts off, work done */
	jmp syscall_exit

/*
 * syscall_compat_entry: MSR_CSTAR, where SYSCALL from a compatibility-mode
 * (32-bit) code segment enters on AMD CPUs and under QEMU TCG (Intel raises
 * #UD instead). No such segment exists (gdt.c leaves its slot null and no LDT
 * is ever loaded), so this is unreachable; should it ever be reached, the call
 * is refused the way Intel refuses it: the thread takes #UD in user mode, at
 * the instruction after the SYSCALL, which ends its process like any unhandled
 * exception. The frame claims the 64-bit user code segment so that nothing can
 * ever IRET to a compatibility-mode selector.
 */
	.globl syscall_compat_entry
syscall_compat_entry:
	movl %ecx, %ecx                 /* a 32-bit caller's return address */
	SYSCALL_FRAME 6                 /* #UD */
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_dispatch              /* ends the process; returns only if it is not */
	movq %rbx, %rsp
	jmp trap_return

/*
 * arch_enter_user(struct trap_frame *tf): load the frame's registers and
 * IRET to user mode. Used for a thread's first entry; never returns.
 */
	.globl arch_enter_user
arch_enter_user:
	cli
	movq %rdi, %rsp
	jmp trap_return
