/*
 * cpu_insn.S - CPUID and RDRAND for user space (charlotte/cpu.h).
 * System V ABI: arguments in %rdi, %rsi; result in %eax.
 */
	.text

	.globl ch_cpuid
	.type ch_cpuid, @function
ch_cpuid:
	pushq %rbx
	movl %edi, %eax
	xorl %ecx, %ecx
	cpuid
	movl %eax, 0(%rsi)
	movl %ebx, 4(%rsi)
	movl %ecx, 8(%rsi)
	movl %edx, 12(%rsi)
	popq %rbx
	ret
	.size ch_cpuid, . - ch_cpuid

	.globl ch_rdrand64
	.type ch_rdrand64, @function
ch_rdrand64:
	xorl %eax, %eax
	rdrand %rdx
	setc %al
	movq %rdx, (%rdi)
	ret
	.size ch_rdrand64, . - ch_rdrand64

	.section .note.GNU-stack, "", @progbits
