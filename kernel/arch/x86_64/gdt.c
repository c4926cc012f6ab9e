/*
 * gdt.c - per-CPU descriptor tables: GDT with TSS, IST stacks, GS base.
 *
 * Each CPU has its own GDT because the TSS descriptor's busy bit and the TSS
 * itself (kernel entry stack, IST stacks) are per CPU.
 */
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/cpu.h>
#include <arch/msr.h>

struct cpu *cpus[MAX_CPUS];
unsigned cpu_count = 1;

void gdt_setup(struct cpu *c)
{
	struct gdt_block *g = &c->gdt;
	g->entries[0] = 0;
	g->entries[1] = 0x00af9a000000ffffull; /* kernel code, 64-bit */
	g->entries[2] = 0x00cf92000000ffffull; /* kernel data */
	/*
	 * Slot 3 is where SYSRET's STAR base points (user data = base + 8, 64-bit user
	 * code = base + 16). It stays null: a present 32-bit user code segment would let
	 * a program far-return into compatibility mode, from where SYSCALL enters at
	 * MSR_CSTAR (AMD, TCG) instead of the 64-bit entry. Loading it now raises #GP.
	 */
	g->entries[3] = 0;
	g->entries[4] = 0x00cff2000000ffffull; /* user data */
	g->entries[5] = 0x00affa000000ffffull; /* user code, 64-bit */
	uint64_t base = (uint64_t)&g->tss, limit = sizeof(g->tss) + IOMAP_BYTES;
	g->entries[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	                (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	g->entries[7] = base >> 32;
	g->tss.iomap_base = IOMAP_BASE_NONE; /* no I/O bitmap: all ports denied in ring 3 */
	for (unsigned i = 0; i <= IOMAP_BYTES; i++)
		g->iomap[i] = 0xff;
	c->io_owner = 0;
	c->io_len = 0;
	for (int i = 0; i < 3; i++)
		g->tss.ist[i] = (uint64_t)&c->ist_stacks[i][IST_STACK_SIZE];

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = {sizeof(g->entries) - 1, (uint64_t)g->entries};
	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movl %2, %%eax\n\t"
	                 "movl %%eax, %%ds\n\t"
	                 "movl %%eax, %%es\n\t"
	                 "movl %%eax, %%ss\n\t"
	                 "xorl %%eax, %%eax\n\t"
	                 "movl %%eax, %%fs\n\t"
	                 "movl %%eax, %%gs\n\t"
	                 /* a null LDT: from reset the LDTR is base 0, limit 0xffff, so
	                  * an LDT selector read its descriptor from user address 0
	                  * (hole_ldt_at_address_zero) */
	                 "lldt %%ax\n\t"
	                 "ltr %w3"
	                 :
	                 : "m"(gdtr), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS)
	                 : "rax", "memory");
}

void percpu_setup(struct cpu *c)
{
	c->self = c;
	cpus[c->id] = c;
	gdt_setup(c); /* reloading GS clears the base: set it after */
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
