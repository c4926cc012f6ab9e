/*
 * boot.S - from the boot loader to kmain().
 *
 * Two ways in, one path after:
 *  - GRUB, Multiboot2: 32-bit protected mode, paging off, EAX = 0x36d76289,
 *    EBX = physical address of the boot information.
 *  - QEMU -kernel, PVH (Xen ELF note 18): 32-bit protected mode, paging off,
 *    EBX = physical address of hvm_start_info (magic 0x336ec578); EAX undefined.
 * The 32-bit code builds temporary page tables that map the first 4 GiB three
 * times (identity, the direct map at 0xffff800000000000, and the kernel image
 * at 0xffffffff80000000), enables long mode with NX, and jumps to the higher
 * half. kmain() replaces these tables with the real ones (mmu.c).
 */
#include <arch/boot_defs.h>

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0                                  /* architecture: i386 */
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + 0 + (mb2_header_end - mb2_header))
	/* framebuffer tag (optional): prefer 1024x768x32 */
	.balign 8
	.short 5, 1                              /* type 5, flags = optional */
	.long 20
	.long 1024, 768, 32
	/* module alignment tag: modules page aligned */
	.balign 8
	.short 6, 0
	.long 8
	/* end tag */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	/* PVH entry point note for QEMU -kernel */
	.section .note.Xen, "a"
	.balign 4
	.long 4                                  /* name size */
	.long 4                                  /* desc size */
	.long 18                                 /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long boot_entry32

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4096 * 4
boot_stack:	.skip 16384
boot_stack_top:

	.section .boot.data, "aw"
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff                 /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff                 /* 0x10: data */
boot_gdt_end:
boot_gdtr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt
	.globl boot_magic_saved
boot_magic_saved:	.long 0
boot_info_saved:	.long 0

	.section .boot.text, "ax"
	.code32
	.globl boot_entry32
boot_entry32:
	cli
	cld
	movl $boot_stack_top, %esp
	movl %ebx, boot_info_saved
	cmpl $MB2_BOOT_MAGIC, %eax
	je 1f
	movl $PVH_MAGIC, %eax
	cmpl %eax, (%ebx)
	je 1f
	movl $0, %eax                            /* unknown loader: kmain reports it */
1:	movl %eax, boot_magic_saved

	/* Is long mode there at all? Without it, halt: there is no console yet. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode

	/* 4 page directories of 2 MiB pages = the first 4 GiB */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax                          /* present, writable, 2 MiB */
	movl %eax, (%edi, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax                           /* bits 32.. of the address */
	movl %eax, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	/* PDPT low: entries 0..3 -> the four PDs (identity and direct map) */
	movl $boot_pdpt_low, %edi
	movl $boot_pd + 0x3, %eax
	movl %eax, 0(%edi)
	addl $4096, %eax
	movl %eax, 8(%edi)
	addl $4096, %eax
	movl %eax, 16(%edi)
	addl $4096, %eax
	movl %eax, 24(%edi)
	/* PDPT high: entry 510 (0xffffffff80000000) -> first PD, 511 -> second */
	movl $boot_pdpt_high, %edi
	movl $boot_pd + 0x3, %eax
	movl %eax, 510 * 8(%edi)
	addl $4096, %eax
	movl %eax, 511 * 8(%edi)
	/* PML4: 0 identity, 256 direct map, 511 kernel */
	movl $boot_pml4, %edi
	movl $boot_pdpt_low + 0x3, %eax
	movl %eax, 0(%edi)
	movl %eax, 256 * 8(%edi)
	movl $boot_pdpt_high + 0x3, %eax
	movl %eax, 511 * 8(%edi)

	movl %cr4, %eax
	orl $(1 << 5), %eax                      /* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx                   /* EFER: LME + NXE */
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax                    /* PG, WP, PE */
	andl $~0x60000000, %eax                  /* caches on: clear CD, NW */
	movl %eax, %cr0
	lgdt boot_gdtr
	ljmp $0x08, $boot_entry64

no_long_mode:
	hlt
	jmp no_long_mode

	.code64
boot_entry64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $(bsp_stack + BSP_STACK_SIZE), %rsp
	movl boot_magic_saved, %edi
	movl boot_info_saved, %esi
	movabsq $kmain, %rax
	xorl %ebp, %ebp
	pushq $0                                 /* end of backtrace */
	jmp *%rax

	.section .bss
	.balign 4096
	.globl bsp_stack
bsp_stack:
	.skip BSP_STACK_SIZE
