/*
 * uaccess.S - fault-safe copies between kernel and user memory.
 *
 * arch_copy_user(dst, src, n) copies n bytes with SMAP opened (stac/clac,
 * only when the CPU has SMAP: cpu_has_smap). The one instruction that may
 * fault, the rep movsb at uaccess_copy_ip, is known to the trap handler: a
 * kernel-mode #PF or #GP there resumes at uaccess_fault, which closes SMAP
 * and returns ERR_BAD_ADDRESS (-30). The C callers (mm/uaccess.c) check the
 * range is in the user half before calling.
 */
	.text
	.globl arch_copy_user, uaccess_copy_ip, uaccess_fault
arch_copy_user:
	movq %rdx, %rcx
	testb $1, cpu_has_smap(%rip)
	jz uaccess_copy_ip
	stac
uaccess_copy_ip:
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
