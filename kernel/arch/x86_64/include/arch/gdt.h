/*
 * arch/gdt.h - per-CPU GDT and TSS.
 *
 * Selector layout is fixed by SYSCALL/SYSRET: kernel code, kernel data, then
 * a null slot where SYSRET's base points (no 32-bit user code segment exists:
 * see gdt.c), user data, user code64, so that STAR can point SYSRET at user
 * data/code with one base. IST1 = double fault, IST2 = NMI,
 * IST3 = machine check: each runs on its own known-good stack.
 */
#pragma once

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE32 0x18 /* STAR's SYSRET base; the descriptor is null */
#define SEL_UDATA 0x20
#define SEL_UCODE 0x28
#define SEL_TSS 0x30

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

#ifndef __ASSEMBLY__
#include <stdint.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/*
 * The TSS's I/O permission bitmap (ioperm.c): one bit per port, 0 = allowed,
 * and the byte of ones the CPU requires after it. iomap_base is
 * IOMAP_BASE_NONE (beyond the limit: every port denied, nothing to copy) while
 * a process without ports runs, sizeof(struct tss) while one with ports runs.
 */
#define IOMAP_BYTES 8192
#define IOMAP_BASE_NONE 0xffff

struct gdt_block {
	uint64_t entries[8];
	struct tss tss;
	uint8_t iomap[IOMAP_BYTES + 1];
} __attribute__((aligned(16)));

struct cpu;
void gdt_setup(struct cpu *c);
/* Kernel stack used on entry from user mode (TSS rsp0 and the SYSCALL entry's
   %gs:16): arch/thread_switch.h's arch_set_kernel_stack(), inline. */
#endif /* __ASSEMBLY__ */
