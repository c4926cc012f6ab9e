/*
 * hw_io.S - port I/O for user-space drivers (charlotte/hw.h). The kernel lets
 * a process use exactly the ports it enabled (SYS_IOPORT_ENABLE); any other
 * port raises #GP and the process is killed.
 *
 * System V ABI: port in %di, value in %sil / %si / %esi, result in %al / %ax / %eax.
 */
	.text

	.globl ch_inb
	.type ch_inb, @function
ch_inb:
	movw %di, %dx
	xorl %eax, %eax
	inb %dx, %al
	ret
	.size ch_inb, . - ch_inb

	.globl ch_inw
	.type ch_inw, @function
ch_inw:
	movw %di, %dx
	xorl %eax, %eax
	inw %dx, %ax
	ret
	.size ch_inw, . - ch_inw

	.globl ch_inl
	.type ch_inl, @function
ch_inl:
	movw %di, %dx
	inl %dx, %eax
	ret
	.size ch_inl, . - ch_inl

	.globl ch_outb
	.type ch_outb, @function
ch_outb:
	movw %di, %dx
	movl %esi, %eax
	outb %al, %dx
	ret
	.size ch_outb, . - ch_outb

	.globl ch_outw
	.type ch_outw, @function
ch_outw:
	movw %di, %dx
	movl %esi, %eax
	outw %ax, %dx
	ret
	.size ch_outw, . - ch_outw

	.globl ch_outl
	.type ch_outl, @function
ch_outl:
	movw %di, %dx
	movl %esi, %eax
	outl %eax, %dx
	ret
	.size ch_outl, . - ch_outl

	.section .note.GNU-stack, "", @progbits
