/*
 * uaccess.S - fault-safe copies between kernel and user memory.
 *
 * arch_copy_user(dst, src, n) copies n bytes with SMAP opened (stac/clac,
 * only when the CPU has SMAP: cpu_has_smap): quadwords with rep movsq, then
 * the last n % 8 bytes with rep movsb (under emulation every iteration of a
 * rep string instruction costs one instruction, so byte copies cost 8x).
 * The two instructions that may fault, at uaccess_copy_ip and
 * uaccess_copy_tail_ip, are known to the trap handler: a kernel-mode #PF or
 * #GP there either resumes the copy (a user pager mapped the page; rcx, rsi,
 * rdi and the tail count in rdx are intact) or resumes at uaccess_fault,
 * which closes SMAP and returns ERR_BAD_ADDRESS (-30). The C callers
 * (mm/uaccess.c) check the range is in the user half before calling.
 */
	.text
	.globl arch_copy_user, uaccess_copy_ip, uaccess_copy_tail_ip, uaccess_fault
arch_copy_user:
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
	testb $1, cpu_has_smap(%rip)
	jz uaccess_copy_ip
	stac
uaccess_copy_ip:
	rep movsq
	movq %rdx, %rcx
uaccess_copy_tail_ip:
	rep movsb
	testb $1, cpu_has_smap(%rip)
	jz 1f
	clac
1:	xorl %eax, %eax
	ret
uaccess_fault:
	testb $1, cpu_has_smap(%rip)
	jz 2f
	clac
2:	movq $-30, %rax
	ret
