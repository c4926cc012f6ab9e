/*
 * smp.c - bringing up application processors and cross-CPU calls.
 *
 * Start-up: for each enabled CPU in the MADT other than ourselves, allocate
 * its struct cpu and a boot stack, fill in the trampoline's parameters, then
 * INIT, 10 ms, SIPI, and a second SIPI if it has not checked in after 1 ms;
 * give up on it after 200 ms. APs start one at a time, so the single
 * trampoline page is enough. The trampoline page is identity-mapped only
 * while APs start.
 *
 * Cross-CPU calls: one request at a time (call_lock); every target gets a
 * pointer to the request in its struct cpu mailbox and an IPI. A CPU waiting
 * for call_lock keeps serving its own mailbox, so simultaneous callers
 * cannot deadlock on each other.
 */
#include <arch/smp.h>
#include <arch/apic.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/cpufeatures.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <arch/trap.h>
#include <acpi/acpi.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <arch/entry.h>
#include <lib/log.h>
#include <lib/string.h>

#define AP_TRAMPOLINE 0x8000ull
#define AP_STACK_ORDER 2

struct call_req {
	void (*fn)(void *);
	void *arg;
	unsigned remaining;
};

extern const char ap_trampoline_start[], ap_trampoline_end[], ap_params[];
static struct spinlock call_lock = SPINLOCK_INIT;
static struct call_req *mailbox[MAX_CPUS];
static volatile bool ap_started;
static bool smp_up;

void smp_poll_calls(void)
{
	struct cpu *c = this_cpu();
	struct call_req *r = __atomic_exchange_n(&mailbox[c->id], NULL, __ATOMIC_ACQUIRE);
	if (!r)
		return;
	r->fn(r->arg);
	__atomic_fetch_sub(&r->remaining, 1, __ATOMIC_RELEASE);
}

static void call_ipi(struct trap_frame *tf)
{
	(void)tf;
	smp_poll_calls();
}

static void stop_ipi(struct trap_frame *tf)
{
	(void)tf;
	arch_halt();
}

static void resched_ipi(struct trap_frame *tf)
{
	(void)tf; /* sched_irq_exit() runs after every IPI of this vector */
}

void arch_send_resched(unsigned cpu)
{
	lapic_send_ipi(cpus[cpu]->apic_id, VEC_IPI_RESCHED);
}

static void call_targets(void (*fn)(void *), void *arg, int only)
{
	if (!smp_up)
		return;
	uint64_t irq = arch_irq_save();
	while (!spin_trylock(&call_lock))
		smp_poll_calls();
	struct call_req req = {fn, arg, 0};
	unsigned self = this_cpu()->id;
	for (unsigned i = 0; i < cpu_count; i++)
		if (i != self && cpus[i] && cpus[i]->online && (only < 0 || (unsigned)only == i))
			req.remaining++;
	for (unsigned i = 0; i < cpu_count; i++) {
		if (i == self || !cpus[i] || !cpus[i]->online || (only >= 0 && (unsigned)only != i))
			continue;
		__atomic_store_n(&mailbox[i], &req, __ATOMIC_RELEASE);
		lapic_send_ipi(cpus[i]->apic_id, VEC_IPI_CALL);
	}
	while (__atomic_load_n(&req.remaining, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	spin_unlock(&call_lock);
	arch_irq_restore(irq);
}

void smp_call_others(void (*fn)(void *), void *arg)
{
	call_targets(fn, arg, -1);
}

void smp_call_cpu(unsigned cpu, void (*fn)(void *), void *arg)
{
	if (cpu == this_cpu()->id) {
		uint64_t irq = arch_irq_save();
		fn(arg);
		arch_irq_restore(irq);
		return;
	}
	call_targets(fn, arg, (int)cpu);
}

void arch_stop_other_cpus(void)
{
	if (smp_up)
		lapic_send_ipi_others(VEC_IPI_STOP);
}

void ap_entry(struct cpu *c)
{
	percpu_setup(c);
	idt_load();
	arch_mmu_init_cpu(&kernel_space.mmu);
	cpu_features_init(false);
	syscall_init_cpu();
	lapic_init_ap();
	c->apic_id = lapic_id();
	sched_init_cpu("idle");
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	ap_started = true;
	sched_start_tick();
	sched_idle();
}

#define CPU_ORDER 4
_Static_assert(sizeof(struct cpu) <= (PAGE_SIZE << CPU_ORDER), "struct cpu fits its pages");

static bool start_ap(unsigned id, uint32_t apic_id)
{
	/* struct cpu holds the IST stacks and the TSS's I/O bitmap: 33 KiB */
	struct cpu *c = page_zalloc(CPU_ORDER);
	void *stack = page_alloc(AP_STACK_ORDER);
	if (!c || !stack) {
		pr_err("smp: out of memory for CPU %u", id);
		return false;
	}
	c->id = id;
	c->apic_id = apic_id;
	uint64_t *params =
	    phys_to_virt(AP_TRAMPOLINE + ((uint64_t)ap_params - (uint64_t)ap_trampoline_start));
	params[0] = kernel_space.mmu.pml4_phys;
	params[1] = (uint64_t)stack + (PAGE_SIZE << AP_STACK_ORDER);
	params[2] = (uint64_t)c;
	params[3] = (uint64_t)ap_entry;
	ap_started = false;
	cpus[id] = c; /* visible to the scheduler once online */
	lapic_send_init(apic_id);
	udelay(10000);
	lapic_send_sipi(apic_id, AP_TRAMPOLINE >> 12);
	for (int i = 0; i < 100 && !ap_started; i++)
		udelay(10);
	if (!ap_started)
		lapic_send_sipi(apic_id, AP_TRAMPOLINE >> 12);
	for (int i = 0; i < 20000 && !ap_started; i++)
		udelay(10);
	if (!ap_started) {
		pr_err("smp: CPU %u (APIC ID %u) did not start", id, apic_id);
		cpus[id] = NULL;
		return false;
	}
	return true;
}

void smp_init(const struct acpi_info *acpi)
{
	trap_set_handler(VEC_IPI_CALL, call_ipi);
	trap_set_handler(VEC_IPI_STOP, stop_ipi);
	trap_set_handler(VEC_IPI_RESCHED, resched_ipi);
	struct cpu *bsp = this_cpu();
	bsp->apic_id = lapic_id();
	bsp->online = true;
	smp_up = true;
	if (!acpi->madt.present) {
		pr_warn("smp: no MADT, running on the boot CPU only");
		return;
	}
	size_t len = (size_t)((uint64_t)ap_trampoline_end - (uint64_t)ap_trampoline_start);
	memcpy(phys_to_virt(AP_TRAMPOLINE), ap_trampoline_start, len);
	if (vmm_map(&kernel_space, AP_TRAMPOLINE, AP_TRAMPOLINE, PAGE_SIZE, VM_EXEC | VM_WRITE)) {
		pr_err("smp: cannot map the AP trampoline");
		return;
	}
	for (unsigned i = 0; i < acpi->madt.ncpus && cpu_count < MAX_CPUS; i++) {
		const struct acpi_cpu *ac = &acpi->madt.cpus[i];
		if (!ac->enabled || ac->apic_id == bsp->apic_id)
			continue;
		if (start_ap(cpu_count, ac->apic_id))
			cpu_count++;
	}
	vmm_unmap(&kernel_space, AP_TRAMPOLINE, PAGE_SIZE);
}
