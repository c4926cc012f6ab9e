/*
 * crt0.S - _start, the first instruction of every program.
 *
 * Entry convention (set up by the spawner: the kernel for the first process, Charlotte
 * Exec; libcharlotte's ch_spawn() for every other):
 *   rdi = argc, rsi = argv; rsp = top of a mapped stack, any alignment;
 *   rdx = envp and rcx = start_info when rcx is not 0 (the kernel starts Exec so).
 * SYS_THREAD_START sets only rdi and rsi (rdx = rcx = 0), so ch_spawn() leaves envp
 * and start_info where they can be found from argv: the argument block is one array
 * of 8-byte words (docs/userspace.md)
 *   argv[0] .. argv[argc-1], NULL, envp[0] .. envp[n-1], NULL, start_info, 0
 * and with rcx = 0 we take envp = argv + argc + 1 and start_info = the word after
 * envp's NULL. A NULL argv (and rcx = 0) means no environment and no start_info.
 *
 * We clear rbp so backtraces end here, store the start_info pointer in
 * __libc_start_info (libcharlotte reads it), align rsp to 16 bytes as the SysV ABI
 * requires at a call, and call __libc_start(argc, argv, envp), which never returns (it
 * runs main and then exit). The hlt after it faults in ring 3, which ends the process
 * if __libc_start ever returned.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	movq	%rcx, %rax		/* start_info and envp from registers? */
	testq	%rax, %rax
	jnz	2f
	xorl	%edx, %edx		/* envp = NULL */
	testq	%rsi, %rsi
	jz	2f
	leaq	8(%rsi,%rdi,8), %rdx	/* envp = argv + argc + 1 */
	movq	%rdx, %rcx
1:	cmpq	$0, (%rcx)		/* skip envp[] up to its NULL */
	leaq	8(%rcx), %rcx
	jne	1b
	movq	(%rcx), %rax		/* the word after it: start_info */
2:	movq	%rax, __libc_start_info(%rip)
	call	__libc_start
	hlt
	.cfi_endproc
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
