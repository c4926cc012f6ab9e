/*
 * crt0.S - _start, the first instruction of every program.
 *
 * Entry convention (set up by the spawner, i.e. libcharlotte's loader building the
 * child's initial thread state, or the kernel for the first process):
 *   rdi = argc, rsi = argv (NULL-terminated array of strings),
 *   rdx = envp (NULL-terminated array of "NAME=value" strings),
 *   rsp = top of a mapped stack, any alignment; all other registers undefined.
 * The arrays and strings live in memory the spawner mapped (normally at the top of
 * the stack). We clear rbp so backtraces end here, align rsp to 16 bytes as the
 * SysV ABI requires at a call, and call __libc_start(argc, argv, envp), which never
 * returns (it runs main and then exit). The hlt after it faults in ring 3, which
 * ends the process if __libc_start ever returned.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	__libc_start
	hlt
	.cfi_endproc
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
