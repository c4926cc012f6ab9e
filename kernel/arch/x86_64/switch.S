/*
 * switch.S - kernel thread context switch.
 *
 * arch_context_switch(&prev->rsp, next_rsp) saves the callee-saved registers
 * on prev's stack, stores its rsp, loads next's and pops next's registers.
 * A new thread's stack is prepared by arch_thread_init_stack() so that the
 * first switch "returns" into thread_entry_trampoline.
 */
	.text
	.globl arch_context_switch
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl thread_entry_trampoline
thread_entry_trampoline:
	xorl %ebp, %ebp
	call sched_thread_entry      /* never returns */
	ud2
