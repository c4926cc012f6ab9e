/*
 * idt.c - the IDT, the trap dispatcher and CPU exception reports.
 *
 * One IDT shared by all CPUs. Vectors 0..31 are CPU exceptions: an exception
 * in kernel mode is either a deliberate one inside arch_try() (unwound back
 * to the caller) or a bug, reported with registers, faulting address and a
 * symbolized backtrace, after which the kernel panics. Vectors 32..255 go to
 * handlers installed with trap_set_handler(); the LAPIC gets its EOI after
 * the handler returns. Double fault, NMI and machine check run on IST stacks
 * so a blown kernel stack still gets reported.
 */
#include <arch/trap.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/cpufeatures.h>
#include <arch/irq_flags.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/ioperm.h>
#include <arch/apic.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <debug/nmi_dump.h>
#include <lib/ksyms.h>
#include <arch/entry.h>
#include <arch/uaccess.h>
#include <abi/syscall.h>

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t flags;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

extern const uint64_t isr_table[256];

/* Is rip one of arch_copy_user's two faulting instructions (uaccess.S)? */
static bool uaccess_ip(uint64_t rip)
{
	return rip == (uint64_t)uaccess_copy_ip || rip == (uint64_t)uaccess_copy_tail_ip;
}
static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_fn handlers[256];

static const char *const exception_names[32] = {
    "divide error (#DE)",
    "debug (#DB)",
    "NMI",
    "breakpoint (#BP)",
    "overflow (#OF)",
    "bound range (#BR)",
    "invalid opcode (#UD)",
    "device not available (#NM)",
    "double fault (#DF)",
    "coprocessor overrun",
    "invalid TSS (#TS)",
    "segment not present (#NP)",
    "stack fault (#SS)",
    "general protection (#GP)",
    "page fault (#PF)",
    "reserved",
    "x87 error (#MF)",
    "alignment check (#AC)",
    "machine check (#MC)",
    "SIMD error (#XM)",
    "virtualization (#VE)",
    "control protection (#CP)",
};

static void set_gate(unsigned v, uint64_t addr, uint8_t ist, uint8_t dpl)
{
	idt[v] = (struct idt_entry){
	    .off_lo = addr & 0xffff,
	    .sel = SEL_KCODE,
	    .ist = ist,
	    .flags = (uint8_t)(0x8e | (dpl << 5)), /* present, interrupt gate */
	    .off_mid = (addr >> 16) & 0xffff,
	    .off_hi = (uint32_t)(addr >> 32),
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_table[v], 0, 0);
	set_gate(VEC_DF, isr_table[VEC_DF], IST_DF, 0);
	set_gate(VEC_NMI, isr_table[VEC_NMI], IST_NMI, 0);
	set_gate(VEC_MC, isr_table[VEC_MC], IST_MC, 0);
	set_gate(VEC_BP, isr_table[VEC_BP], 0, 3);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void trap_set_handler(unsigned vector, irq_handler_fn fn)
{
	if (vector >= 32 && vector < 256)
		handlers[vector] = fn;
}

void arch_backtrace(uint64_t rip, uint64_t rbp)
{
	uint64_t off;
	const char *name = ksyms_lookup(rip, &off);
	kprintf("  #0  0x%016llx %s+0x%llx\n", (unsigned long long)rip, name ? name : "?",
	        (unsigned long long)(name ? off : 0));
	for (int depth = 1; depth < 24 && rbp; depth++) {
		/* only follow frames that are inside kernel space and aligned */
		if (rbp < 0xffff800000000000ull || (rbp & 7))
			break;
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (ret < 0xffffffff80000000ull)
			break;
		name = ksyms_lookup(ret - 1, &off);
		kprintf("  #%-2d 0x%016llx %s+0x%llx\n", depth, (unsigned long long)ret,
		        name ? name : "?", (unsigned long long)(name ? off + 1 : 0));
		rbp = ((uint64_t *)rbp)[0];
	}
}

void trap_dump(const struct trap_frame *tf)
{
	const char *name = tf->vector < 32 ? exception_names[tf->vector] : "interrupt";
	kprintf("\n*** CPU exception %llu: %s, error code 0x%llx, CPU %u\n",
	        (unsigned long long)tf->vector, name ? name : "reserved",
	        (unsigned long long)tf->error, this_cpu() ? this_cpu()->id : 0);
	if (tf->vector == VEC_PF)
		kprintf("  faulting address (cr2) 0x%016llx (%s, %s, %s)\n",
		        (unsigned long long)read_cr2(),
		        (tf->error & 1) ? "protection" : "not present",
		        (tf->error & 2) ? "write" : ((tf->error & 16) ? "fetch" : "read"),
		        (tf->error & 4) ? "user" : "kernel");
	kprintf("  rip %016llx cs %04llx rflags %016llx rsp %016llx ss %04llx\n",
	        (unsigned long long)tf->rip, (unsigned long long)tf->cs,
	        (unsigned long long)tf->rflags, (unsigned long long)tf->rsp,
	        (unsigned long long)tf->ss);
	kprintf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)tf->rax,
	        (unsigned long long)tf->rbx, (unsigned long long)tf->rcx,
	        (unsigned long long)tf->rdx);
	kprintf("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n", (unsigned long long)tf->rsi,
	        (unsigned long long)tf->rdi, (unsigned long long)tf->rbp,
	        (unsigned long long)tf->r8);
	kprintf("  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n", (unsigned long long)tf->r9,
	        (unsigned long long)tf->r10, (unsigned long long)tf->r11,
	        (unsigned long long)tf->r12);
	kprintf("  r13 %016llx r14 %016llx r15 %016llx cr3 %016llx\n", (unsigned long long)tf->r13,
	        (unsigned long long)tf->r14, (unsigned long long)tf->r15,
	        (unsigned long long)read_cr3());
	kprintf("  backtrace:\n");
	arch_backtrace(tf->rip, tf->rbp);
}

int arch_try(void (*fn)(void *), void *arg, struct trap_frame *tf_out)
{
	struct jmp_buf_k buf;
	struct trap_frame scratch = {0};
	struct cpu *c = this_cpu();
	struct jmp_buf_k *saved_buf = c->try_buf;
	struct trap_frame *saved_tf = c->try_tf;
	int v = k_setjmp(&buf);
	if (v == 0) {
		c->try_tf = tf_out ? tf_out : &scratch;
		c->try_buf = &buf;
		fn(arg);
		v = 0;
	}
	c = this_cpu();
	c->try_buf = saved_buf;
	c->try_tf = saved_tf;
	return v == 0 ? -1 : v - 1;
}

static void try_landing(struct jmp_buf_k *buf, uint64_t vector)
{
	k_longjmp(buf, (int)vector + 1);
}

/* The access a page fault's error code describes: write, instruction fetch or read. */
static unsigned pf_access(uint64_t error)
{
	return (error & 2) ? PROT_WRITE : (error & 16) ? PROT_EXEC : PROT_READ;
}

/* An exception in user mode, for the process layer: true if it is handled. */
static bool user_exception(const struct trap_frame *tf)
{
	bool pf = tf->vector == VEC_PF;
	struct user_fault f = {
	    .vector = (uint32_t)tf->vector,
	    .page_fault = pf,
	    .ip = tf->rip,
	    .addr = pf ? read_cr2() : 0,
	    .access = pf ? pf_access(tf->error) : 0,
	};
	return process_user_fault(&f);
}

const char *arch_exception_name(uint32_t vector)
{
	const char *name = vector < 32 ? exception_names[vector] : NULL;
	return name ? name : "CPU exception";
}

static void exception(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	/* an NMI (another CPU's panic) or a machine check that came in user mode is
	 * not the program's doing: it must not end as the program's fault */
	if ((tf->cs & 3) && tf->vector != VEC_NMI && tf->vector != VEC_MC) {
		if (tf->vector == VEC_GP && ioperm_refresh(c))
			return; /* ports enabled on another CPU: retry with them */
		if (user_exception(tf))
			return;
		goto report; /* no process to end: a kernel bug */
	}
	if (tf->vector == VEC_NMI && c && c->online && !panic_in_progress()) {
		nmi_dump(tf); /* a watchdog asking where the machine stands */
		return;
	}
	if (uaccess_ip(tf->rip) && tf->vector == VEC_PF &&
	    uthread_page_fault(read_cr2(), tf->rip, pf_access(tf->error)))
		return; /* a user pager mapped the page: the copy resumes */
	if (uaccess_ip(tf->rip) && (tf->vector == VEC_PF || tf->vector == VEC_GP)) {
		tf->rip = (uint64_t)uaccess_fault; /* bad user pointer: the copy fails */
		return;
	}
	if (c && c->try_buf && tf->vector != VEC_DF && tf->vector != VEC_MC) {
		*c->try_tf = *tf;
		/* Return from the exception into try_landing(buf, vector). */
		tf->rdi = (uint64_t)c->try_buf;
		tf->rsi = tf->vector;
		tf->rip = (uint64_t)try_landing;
		tf->rsp = ALIGN_DOWN(tf->rsp - 128, 16ull) - 8; /* skip red zone, fake call */
		c->try_buf = NULL;
		return;
	}
	if (tf->vector == VEC_NMI && c && c->online && panic_in_progress()) {
		arch_halt();
	}
report:
	log_break_lock();
	trap_dump(tf);
	panic("unhandled CPU exception %llu", (unsigned long long)tf->vector);
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned v = (unsigned)tf->vector;
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	/* isr_common closed SMAP whatever AC the interrupted code had (hole_user_rflags_ac) */
	if (cpu_has_smap && (flags & (1u << 18)))
		panic("trap %u entered with RFLAGS.AC set: SMAP open in the kernel", v);
	if (v < 32) {
		exception(tf);
		if ((tf->cs & 3) && v != VEC_NMI && v != VEC_MC) { /* not on an IST stack */
			arch_irq_disable(); /* a page fault's pager wait ran with interrupts on */
			user_return_work(); /* killed while its pager worked, or a wake-up came */
		}
		return;
	}
	struct cpu *c = this_cpu();
	c->irq_count++;
	if (v == VEC_SPURIOUS)
		return;
	if (handlers[v])
		handlers[v](tf);
	else
		pr_warn("unexpected interrupt vector %u on CPU %u", v, c->id);
	lapic_eoi();
	if (tf->cs & 3)
		user_return_work(); /* a reschedule, a kill, a suspend: one check */
	else
		sched_irq_exit(); /* kernel code is preemptible where interrupts are on */
}
