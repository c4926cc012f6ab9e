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
	movq %rsi, %rdi                 /* and on into arch_context_load */

/*
 * arch_context_load(next_rsp): the second half of arch_context_switch, alone
 * for a thread whose own context was made beforehand (the kbus flat path,
 * which never returns to the frames it runs on). Does not return.
 */
	.globl arch_context_load
arch_context_load:
	movq %rdi, %rsp
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
