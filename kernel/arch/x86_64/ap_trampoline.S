/*
 * ap_trampoline.S - real-mode start-up code for application processors.
 *
 * smp.c copies this blob to physical AP_TRAMPOLINE (0x8000, below 1 MiB as
 * SIPI requires), fills in the four parameter slots at its end and sends
 * INIT-SIPI-SIPI. The AP goes 16-bit -> 32-bit -> 64-bit using the kernel's
 * own page tables (which identity-map this page while APs start) and jumps
 * to ap_entry(cpu) on its own stack. Everything here is position dependent
 * on AP_TRAMPOLINE, hence the T() arithmetic.
 */
#define AP_TRAMPOLINE 0x8000
#define T(x) (AP_TRAMPOLINE + ((x) - ap_trampoline_start))

	.section .rodata
	.balign 16
	.globl ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	.code16
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(ap_gdtr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x18, $T(ap_pm)

	.code32
ap_pm:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax              /* PAE */
	movl %eax, %cr4
	movl T(ap_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax /* LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $0x80010000, %eax            /* PG, WP */
	andl $~0x60000000, %eax          /* caches on: INIT leaves CD and NW set */
	movl %eax, %cr0
	ljmpl $0x08, $T(ap_lm)

	.code64
ap_lm:
	movq T(ap_stack), %rsp
	movq T(ap_cpu), %rdi
	movq T(ap_entry_addr), %rax
	xorl %ebp, %ebp
	pushq $0
	jmp *%rax

	.balign 16
ap_gdt:
	.quad 0
	.quad 0x00af9a000000ffff         /* 0x08 64-bit code */
	.quad 0x00cf92000000ffff         /* 0x10 data */
	.quad 0x00cf9a000000ffff         /* 0x18 32-bit code */
ap_gdtr:
	.short 31
	.long T(ap_gdt)
	.balign 8
	.globl ap_params
ap_params:
ap_cr3:		.quad 0
ap_stack:	.quad 0
ap_cpu:		.quad 0
ap_entry_addr:	.quad 0
ap_trampoline_end:
	.text
