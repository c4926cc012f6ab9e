/*
 * syscall.S - SYSCALL entry/exit and the first entry of a thread into user mode.
 *
 * syscall_entry fills a struct trap_frame (arch/trap.h) at the top of the
 * thread's kernel stack (cpu->kernel_rsp, set at every switch), the layout
 * interrupts and faults use too, but only the words a system call needs:
 * rax, rdi and the five argument registers, rip (rcx), rflags (r11) and the
 * user rsp. The callee-saved registers are not saved for an ordinary system
 * call: syscall_dispatch() is C and gives them back unchanged, so the exit
 * reloads only what C may clobber. The kbus flat path, which may leave on
 * another thread's frame, saves them too and leaves by syscall_exit_full.
 * No constant word (cs, ss, vector, error) is written: no system call frame
 * is ever left by IRET. syscall_dispatch(frame) runs with interrupts on and
 * returns with them off, having checked for a pending reschedule, kill or
 * suspend.
 *
 * SYSRET with a non-canonical RCX would fault in ring 0 on Intel CPUs. The
 * frame's rip is written only here, from SYSCALL's rcx: the address after a
 * SYSCALL instruction in a mapped user page, and the last user page is never
 * mapped (arch/mmu.h, USER_MAP_END), so it is always canonical and below the
 * user limit; the exit does not check it. (A thread's first entry, whose rip
 * comes from its creator, goes by arch_enter_user and IRET.)
 * GS: %gs:8 is a scratch slot for the user RSP, %gs:16 the kernel stack top.
 */
#include <arch/frame.h>
#include <arch/gdt.h>
#include <arch/flat_asm.h>

/* Switch to the kernel's GS and stack and build a whole frame (rip = rcx),
   for the compatibility entry, which leaves by IRET. */
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

/* Reload what C code may have changed (rax is the result) and SYSRET on the
   frame at rsp: rcx = rip, r11 = rflags. */
.macro SYSRET_FRAME
	movq TF_RAX(%rsp), %rax
	SYSRET_FRAME_RAX
.endm

/* The same with rax already the result. */
.macro SYSRET_FRAME_RAX
	movq TF_RSI(%rsp), %rsi
	movq TF_RDX(%rsp), %rdx
	movq TF_R10(%rsp), %r10
	movq TF_R8(%rsp), %r8
	SYSRET_FRAME_TAIL
.endm

/* The same with rax, rsi, rdx, r10 and r8 already loaded (the flat exit's words). */
.macro SYSRET_FRAME_TAIL
	movq TF_RDI(%rsp), %rdi
	movq TF_R9(%rsp), %r9
	movq TF_RIP(%rsp), %rcx
	movq TF_RFLAGS(%rsp), %r11
	movq TF_RSP(%rsp), %rsp
	swapgs
	sysretq
.endm

/* The callee-saved registers from the frame at rsp (the flat path's ways out). */
.macro LOAD_CALLEE_SAVED
	movq TF_R15(%rsp), %r15
	movq TF_R14(%rsp), %r14
	movq TF_R13(%rsp), %r13
	movq TF_R12(%rsp), %r12
	movq TF_RBP(%rsp), %rbp
	movq TF_RBX(%rsp), %rbx
.endm

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:8
	movq %gs:16, %rsp
	subq $TF_SIZE, %rsp
	movq %rcx, TF_RIP(%rsp)
	movq %r11, TF_RFLAGS(%rsp)
	movq %rax, TF_RAX(%rsp)
	movq %rdi, TF_RDI(%rsp)
	movq %rsi, TF_RSI(%rsp)
	movq %rdx, TF_RDX(%rsp)
	movq %r10, TF_R10(%rsp)
	movq %r8, TF_R8(%rsp)
	movq %r9, TF_R9(%rsp)
	movq %gs:8, %rcx
	movq %rcx, TF_RSP(%rsp)
	leaq -SYSCALL_FLAT_FIRST(%rax), %rcx
	cmpq $1, %rcx
	jbe syscall_flat                /* the two kbus fast actions, rcx 0 or 1 */

/*
 * The dispatcher, every other action (and the fast ones the flat path leaves
 * to C, after syscall_flat_fallback): rax = the action, rdi = the target,
 * rsp = the frame. The action's entry of syscall_table
 * (kernel/syscall/table.c) is called with the thread's cspace, the frame's
 * argument registers (arch_syscall_argp()) and the target. Interrupts are on
 * around the call; from the cli to SYSRET they stay off, so the return-work
 * test (need_resched on this CPU, the thread's kill_pending and
 * suspend_hint, the copy of its process's suspended that
 * process_set_suspended() writes: user_return_owed()) holds until user mode,
 * where what sets one of them afterwards interrupts the thread and is
 * checked again at that exit.
 */
syscall_table_call:
	sti
	movq %gs:CPU_CURRENT, %rcx
1:	cmpq $SYSCALL_TABLE_SIZE, %rax
	jae 4f
	movq %rdi, %rdx                 /* entry(cs, args, target) */
	movq THREAD_UCS(%rcx), %rdi
	leaq TF_RSI(%rsp), %rsi
	call *syscall_table(, %rax, 8)
2:	movq %rax, TF_RAX(%rsp)
	cli
	movq %gs:CPU_CURRENT, %rcx
	cmpb $0, %gs:CPU_NEED_RESCHED
	jne 5f
	cmpw $0, THREAD_KILL_PENDING(%rcx) /* return_flags: and suspend_hint */
	jne 5f
	SYSRET_FRAME_RAX
/* A fast action the flat path left to C: the reference its flat calls kept
   (kbus.held_ep, perhaps another endpoint's) is put first, interrupts on. */
syscall_flat_fallback:
	sti
	movq %gs:CPU_CURRENT, %rdi
	call kbus_flat_put_held
	movq %gs:CPU_CURRENT, %rcx
	movq TF_RAX(%rsp), %rax
	movq TF_RDI(%rsp), %rdi
	jmp 1b
4:	movq $SYSCALL_ERR_NOT_SUPPORTED, %rax
	jmp 2b
5:	call user_return_work           /* a reschedule, a kill, a suspend */
	SYSRET_FRAME

/* rsp = a whole frame (the flat path's), interrupts off */
syscall_exit_full:
	LOAD_CALLEE_SAVED
	SYSRET_FRAME

/*
 * The kbus flat path (kbus/flat.c), interrupts off throughout, one C entry
 * per action: kbus_flat_call() and kbus_flat_reply_recv() return the frame
 * to leave on in rax (0: not handled here, take the C path). When they
 * switch, the thread that left this CPU is the one that entered, kept in rbp
 * (flat.c is built with it fixed: -ffixed-rbp), and its on_cpu is cleared
 * only once we are off its stack. The thread that now runs here is the
 * current one; what it owes before user mode is tested as the dispatcher's
 * exit tests it, but for need_resched: interrupts have been off since the
 * SYSCALL, and whatever sets this CPU's flag meanwhile is an interrupt (the
 * tick) or comes with one (another CPU's resched IPI), still pending, taken
 * at once in user mode, whose exit reschedules; nothing on the flat path
 * sets it, and a flag set before the SYSCALL was served at the exit that led
 * to user mode. The callee-saved registers go into the frame first: a thread
 * blocked here is resumed by an exit on its frame, on whatever stack and
 * CPU; and the C entries, built with them call-clobbered
 * (kernel/kbus/flat.c), do not keep them, so every way out reloads them from
 * the frame. The four message words move once, register to register: the C
 * entry leaves them in the frame they came in on (ours), the exit loads them
 * from there (before our on_cpu is cleared: then another CPU may reuse our
 * stack) and the rest from the new frame, whose r9 the C entry set; rax is
 * 0. Only an exit that owes work first (user_return_work, which may switch
 * away) writes them into the new frame.
 */
syscall_flat:
	movq %rsp, %rdi
	movq %rbx, TF_RBX(%rsp)
	movq %rbp, TF_RBP(%rsp)
	movq %r12, TF_R12(%rsp)
	movq %r13, TF_R13(%rsp)
	movq %r14, TF_R14(%rsp)
	movq %r15, TF_R15(%rsp)
	movq %gs:CPU_CURRENT, %rbp      /* the thread that leaves if the C entry switches */
	subq $ARCH_FLAT_GAP, %rsp       /* room for a blocked caller's saved context */
	jrcxz 4f                        /* rcx 0: a call; 1: a reply and receive */
	call kbus_flat_reply_recv
	testq %rax, %rax
	jnz 0f
	jmp 2f
4:	call kbus_flat_call
	testq %rax, %rax
	jz 2f
0:	movq TF_RSI+ARCH_FLAT_GAP(%rsp), %rsi /* the words, from the frame they came in on */
	movq TF_RDX+ARCH_FLAT_GAP(%rsp), %rdx
	movq TF_R10+ARCH_FLAT_GAP(%rsp), %r10
	movq TF_R8+ARCH_FLAT_GAP(%rsp), %r8
	movq %rax, %rsp
	movb $0, THREAD_ON_CPU(%rbp)    /* off its CPU: another may run it now */
	movq %gs:CPU_CURRENT, %rcx      /* what the thread we leave as owes first */
	cmpw $0, THREAD_KILL_PENDING(%rcx) /* return_flags: and suspend_hint */
	jne 1f
	LOAD_CALLEE_SAVED
	xorl %eax, %eax
	SYSRET_FRAME_TAIL
1:	movq %rsi, TF_RSI(%rsp)         /* the frame is whole before the work */
	movq %rdx, TF_RDX(%rsp)
	movq %r10, TF_R10(%rsp)
	movq %r8, TF_R8(%rsp)
	movq $0, TF_RAX(%rsp)
	call user_return_work
	jmp syscall_exit_full
2:	addq $ARCH_FLAT_GAP, %rsp       /* not handled: the C path, on our own frame */
	LOAD_CALLEE_SAVED               /* flat.c keeps none of them; rbp has the thread */
	jmp syscall_flat_fallback

/* A flat-blocked thread's saved context returns here, rsp = its frame (thread.h). */
	.globl kbus_flat_trampoline
kbus_flat_trampoline:
	movq %rsp, %rdi
	call kbus_flat_resume           /* returns with interrupts off, work done */
	jmp syscall_exit_full

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
