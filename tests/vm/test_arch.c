/*
 * test_arch.c - VM tests for the x86-64 foundation: CPU exceptions raised on
 * purpose and caught, cross-CPU calls, timers, the clock and the scheduler.
 */
#include <vmtest.h>
#include <abi/errors.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/irq_flags.h>
#include <arch/msr.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <lib/log.h>
#include <lib/spinlock.h>
#include <mm/vmm.h>
#include <sched/sched.h>
#include <time/clock.h>

/* An address the compiler cannot see through (no -Warray-bounds on constants). */
static volatile uint64_t *opaque(uint64_t addr)
{
	__asm__ volatile("" : "+r"(addr));
	return (volatile uint64_t *)addr;
}

static void raise_pf(void *arg)
{
	(void)arg;
	*opaque(0x10) = 1; /* page 0 is never mapped */
}

static void raise_pf_kernel_hole(void *arg)
{
	(void)arg;
	(void)*opaque(MMIO_WINDOW_BASE + MMIO_WINDOW_SIZE - 8);
}

static void raise_ud(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void raise_gp(void *arg)
{
	(void)arg;
	/* a non-canonical address */
	(void)*opaque(0x8000000000000000ull);
}

static void raise_de(void *arg)
{
	volatile unsigned *zero = arg;
	volatile unsigned x = 10;
	x = x / *zero;
}

static void raise_bp(void *arg)
{
	(void)arg;
	__asm__ volatile("int3");
}

static void no_fault(void *arg)
{
	*(int *)arg = 42;
}

VM_TEST(exception_page_fault)
{
	struct trap_frame tf;
	VM_EXPECT_EQ(arch_try(raise_pf, NULL, &tf), VEC_PF);
	VM_EXPECT_EQ(read_cr2(), 0x10);
	VM_EXPECT(tf.error & 2); /* write */
	VM_EXPECT(!(tf.error & 1)); /* not present */
	VM_EXPECT_EQ(arch_try(raise_pf_kernel_hole, NULL, &tf), VEC_PF);
}

VM_TEST(exception_invalid_opcode)
{
	struct trap_frame tf;
	VM_EXPECT_EQ(arch_try(raise_ud, NULL, &tf), VEC_UD);
	VM_EXPECT(tf.rip >= 0xffffffff80000000ull);
}

VM_TEST(exception_general_protection)
{
	VM_EXPECT_EQ(arch_try(raise_gp, NULL, NULL), VEC_GP);
}

VM_TEST(exception_divide_error)
{
	unsigned zero = 0;
	VM_EXPECT_EQ(arch_try(raise_de, &zero, NULL), VEC_DE);
	VM_EXPECT_EQ(arch_try(raise_bp, NULL, NULL), VEC_BP);
}

VM_TEST(exception_try_nests_and_returns)
{
	int v = 0;
	VM_EXPECT_EQ(arch_try(no_fault, &v, NULL), -1);
	VM_EXPECT_EQ(v, 42);
	/* after many caught faults the CPU still works: stack not leaked */
	for (int i = 0; i < 1000; i++)
		if (arch_try(raise_ud, NULL, NULL) != VEC_UD) {
			VM_FAIL("iteration %d", i);
			break;
		}
}

static void faults_on_every_cpu(unsigned cpu, void *arg)
{
	(void)arg;
	(void)cpu;
	for (int i = 0; i < 200; i++) {
		if (arch_try(raise_pf, NULL, NULL) != VEC_PF ||
		    arch_try(raise_gp, NULL, NULL) != VEC_GP)
			VM_FAIL("CPU %u iteration %d", cpu, i);
	}
}

VM_TEST(exception_parallel)
{
	VM_NEEDS_CPUS(2);
	vmtest_run_parallel(faults_on_every_cpu, NULL);
}

/* Each CPU's control registers as the kernel set them (an AP starts from
 * INIT, whose CR0 has CD and NW set: caches off until the trampoline clears
 * them). */
static void check_control_regs(unsigned cpu, void *arg)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4(), boot_cr4 = *(uint64_t *)arg;
	if (cr0 & (CR0_CD | CR0_NW))
		VM_FAIL("CPU %u: CR0 %#llx has caching disabled", cpu, (unsigned long long)cr0);
	if (!(cr0 & CR0_WP) || !(cr0 & CR0_PG))
		VM_FAIL("CPU %u: CR0 %#llx lacks WP or PG", cpu, (unsigned long long)cr0);
	if (cr4 != boot_cr4)
		VM_FAIL("CPU %u: CR4 %#llx, the boot CPU's %#llx", cpu, (unsigned long long)cr4,
		        (unsigned long long)boot_cr4);
}

VM_TEST(control_registers_every_cpu)
{
	uint64_t cr4 = read_cr4();
	vmtest_run_parallel(check_control_regs, &cr4);
}

/* Both ways of waiting for a spinlock (lib/spinlock.h), on every CPU at once. */
static struct spinlock test_lock = SPINLOCK_INIT;
static uint64_t locked_a, locked_b; /* equal whenever test_lock is free */
static bool lock_broken;

static void lock_hammer(unsigned cpu, void *arg)
{
	(void)cpu;
	unsigned rounds = *(unsigned *)arg;
	for (unsigned i = 0; i < rounds; i++) {
		uint64_t irq = spin_lock_irqsave(&test_lock);
		if (locked_a != locked_b)
			lock_broken = true;
		locked_a++;
		locked_b++;
		spin_unlock_irqrestore(&test_lock, irq);
	}
}

VM_TEST(spinlock_both_ways_every_cpu)
{
	/* Ticket order hands the lock to one vCPU, which under TCG may wait for the
	 * host to run it: few rounds that way (this boot's own mode comes back after). */
	bool virt = arch_virtual_cpus;
	for (int fair = 0; fair < 2; fair++) {
		unsigned rounds = fair ? 100 : 5000;
		__atomic_store_n(&arch_virtual_cpus, !fair, __ATOMIC_RELAXED);
		locked_a = locked_b = 0;
		lock_broken = false;
		vmtest_run_parallel(lock_hammer, &rounds);
		VM_EXPECT(!lock_broken);
		VM_EXPECT_EQ(locked_a, (uint64_t)rounds * vmtest_cpus());
		VM_EXPECT(!spin_is_locked(&test_lock));
	}
	__atomic_store_n(&arch_virtual_cpus, virt, __ATOMIC_RELAXED);
}

static void count_call(void *arg)
{
	__atomic_fetch_add((unsigned *)arg, 1, __ATOMIC_RELAXED);
}

VM_TEST(ipi_call_others)
{
	VM_NEEDS_CPUS(2);
	unsigned n = 0;
	for (int i = 0; i < 100; i++)
		smp_call_others(count_call, &n);
	VM_EXPECT_EQ(n, 100 * (vmtest_cpus() - 1));
}

static void record_cpu(void *arg)
{
	*(unsigned *)arg = this_cpu()->id;
}

VM_TEST(ipi_call_each_cpu)
{
	VM_NEEDS_CPUS(2);
	for (unsigned c = 0; c < cpu_count; c++) {
		unsigned got = 999;
		smp_call_cpu(c, record_cpu, &got);
		VM_EXPECT_EQ(got, c);
	}
}

static void ipi_storm(unsigned cpu, void *arg)
{
	(void)cpu;
	for (int i = 0; i < 30; i++)
		smp_call_others(count_call, arg);
}

VM_TEST(ipi_concurrent_callers)
{
	VM_NEEDS_CPUS(2);
	/* every CPU calls every other at once: must not deadlock */
	unsigned n = 0, cpus_on = vmtest_cpus();
	vmtest_run_parallel(ipi_storm, &n);
	VM_EXPECT_EQ(n, 30 * cpus_on * (cpus_on - 1));
}

VM_TEST(clock_monotonic)
{
	uint64_t prev = clock_monotonic_ns();
	VM_EXPECT(prev > 0);
	for (int i = 0; i < 100000; i++) {
		uint64_t now = clock_monotonic_ns();
		if (now < prev) {
			VM_FAIL("clock went back: %llu < %llu", (unsigned long long)now,
			        (unsigned long long)prev);
			break;
		}
		prev = now;
	}
}

struct fired {
	struct timer_event ev;
	uint64_t at;
	int count;
};

static void on_fire(struct timer_event *ev)
{
	struct fired *f = container_of(ev, struct fired, ev);
	f->at = clock_monotonic_ns();
	f->count++;
}

/*
 * Load-proof: nothing here assumes how soon the next statement runs (a busy host
 * can hold this vCPU up for many milliseconds anywhere). Events armed out of
 * order fire in deadline order, each once, never early; re-arming an armed event
 * fails; a cancel that wins against its deadline means the event never fires, and
 * one that loses (we were held up past the deadline) says so, and is retried with a
 * longer deadline.
 */
VM_TEST(timer_oneshot_events)
{
	struct fired f[3] = {0};
	/* armed with interrupts off, so none fires before all three are armed, however
	 * long a busy host keeps the virtual CPU from the next statement */
	uint64_t irq = arch_irq_save();
	uint64_t now = clock_monotonic_ns();
	VM_EXPECT_EQ(timer_event_arm(&f[0].ev, now + 3000000, on_fire), 0);
	VM_EXPECT_EQ(timer_event_arm(&f[1].ev, now + 1000000, on_fire), 0);
	VM_EXPECT_EQ(timer_event_arm(&f[2].ev, now + 2000000, on_fire), 0);
	arch_irq_restore(irq);
	while (!f[0].count || !f[1].count || !f[2].count)
		sched_sleep_ns(10000000);
	sched_sleep_ns(10000000); /* nothing fires twice */
	for (int i = 0; i < 3; i++)
		VM_EXPECT_EQ(f[i].count, 1);
	VM_EXPECT(f[1].at >= now + 1000000);
	VM_EXPECT(f[2].at >= now + 2000000);
	VM_EXPECT(f[0].at >= now + 3000000);
	VM_EXPECT(f[1].at <= f[2].at && f[2].at <= f[0].at);
	/* an armed event cannot be armed again */
	struct fired a = {0};
	VM_EXPECT_EQ(timer_event_arm(&a.ev, clock_monotonic_ns() + 3600000000000ull, on_fire), 0);
	VM_EXPECT(timer_event_arm(&a.ev, clock_monotonic_ns(), on_fire) < 0);
	VM_EXPECT(timer_event_cancel(&a.ev));
	VM_EXPECT_EQ(a.count, 0);
	/* a cancelled event never fires */
	bool cancelled = false;
	for (uint64_t delay = 1000000; delay <= 4096000000ull && !cancelled; delay *= 4) {
		struct fired c = {0};
		timer_event_arm(&c.ev, clock_monotonic_ns() + delay, on_fire);
		cancelled = timer_event_cancel(&c.ev);
		if (cancelled) {
			sched_sleep_ns(2 * delay);
			VM_EXPECT_EQ(c.count, 0);
		} else {
			while (!c.count) /* lost the race: it fires (or has fired) */
				sched_sleep_ns(1000000);
			VM_EXPECT_EQ(c.count, 1);
		}
	}
	VM_EXPECT(cancelled);
}

VM_TEST(sleep_not_early)
{
	for (int i = 0; i < 5; i++) {
		uint64_t t0 = clock_monotonic_ns();
		sched_sleep_ns(2000000);
		VM_EXPECT(clock_monotonic_ns() - t0 >= 2000000);
	}
}

static volatile bool spin_stop;

static void spinner(void *arg)
{
	while (!spin_stop)
		__atomic_fetch_add((uint64_t *)arg, 1, __ATOMIC_RELAXED);
}

/*
 * Timer events on this CPU within which two busy threads must both have run:
 * generous (1,000 of them, SCHED_TICK_NS apart, is 10 s of guest time) and
 * counted in the guest's own interrupts, each a chance to preempt, so a slow
 * host never makes the test fail. The count runs in a timer event, not in the
 * test's loop, so it ends the spinners even when the scheduler never gives the
 * test its CPU back.
 */
#define PREEMPT_TICKS 1000

struct preempt_watch {
	struct timer_event ev;
	unsigned left;
	volatile bool done;
};

static void preempt_watch_fire(struct timer_event *ev)
{
	struct preempt_watch *w = container_of(ev, struct preempt_watch, ev);
	if (w->done)
		return;
	if (--w->left == 0) {
		spin_stop = true; /* give up: the spinners end, the test fails */
		return;
	}
	timer_event_arm(ev, clock_monotonic_ns() + SCHED_TICK_NS, preempt_watch_fire);
}

VM_TEST(sched_preempts_busy_threads)
{
	/* two busy threads on this CPU must both make progress under preemption */
	uint64_t a = 0, b = 0;
	unsigned me = this_cpu()->id;
	spin_stop = false;
	struct thread *ta = thread_create("spin-a", spinner, &a, (int)me);
	struct thread *tb = thread_create("spin-b", spinner, &b, (int)me);
	VM_EXPECT(ta && tb);
	if (!ta || !tb)
		return;
	uint64_t live = sched_live_threads();
	/* timer events are per CPU: this one fires here, where the spinners run */
	struct preempt_watch w = {.left = PREEMPT_TICKS};
	VM_EXPECT_EQ(
	    timer_event_arm(&w.ev, clock_monotonic_ns() + SCHED_TICK_NS, preempt_watch_fire), 0);
	sched_start(ta);
	sched_start(tb);
	/* we are busy too, until both have run or the watch gives up */
	while (!spin_stop &&
	       (!__atomic_load_n(&a, __ATOMIC_RELAXED) || !__atomic_load_n(&b, __ATOMIC_RELAXED)))
		arch_cpu_relax();
	spin_stop = true;
	w.done = true; /* it re-arms no more; a pending one is cancelled */
	timer_event_cancel(&w.ev);
	thread_join(ta);
	thread_join(tb);
	if (!a || !b)
		VM_FAIL("spinners ran %llu and %llu times in %u timer events",
		        (unsigned long long)a, (unsigned long long)b, PREEMPT_TICKS - w.left);
	VM_EXPECT(a > 0 && b > 0);
	VM_EXPECT_EQ(sched_live_threads(), live - 2);
}

static void note_cpu(unsigned cpu, void *arg)
{
	unsigned *seen = arg;
	if (this_cpu()->id != cpu)
		VM_FAIL("thread for CPU %u ran on CPU %u", cpu, this_cpu()->id);
	__atomic_fetch_add(&seen[cpu], 1, __ATOMIC_RELAXED);
}

VM_TEST(sched_threads_on_every_cpu)
{
	VM_NEEDS_CPUS(2);
	unsigned seen[MAX_CPUS] = {0};
	uint64_t live = sched_live_threads();
	for (int round = 0; round < 20; round++)
		vmtest_run_parallel(note_cpu, seen);
	for (unsigned c = 0; c < cpu_count; c++)
		VM_EXPECT_EQ(seen[c], 20);
	VM_EXPECT_EQ(sched_live_threads(), live);
}

struct pingpong {
	struct thread *waiter;
	volatile int stage;
};

static void waker(void *arg)
{
	struct pingpong *p = arg;
	for (int i = 0; i < 200; i++) {
		while (p->stage != 2 * i + 1)
			sched_yield();
		p->stage++;
		sched_wake(p->waiter);
	}
}

VM_TEST(sched_block_wake_across_cpus)
{
	VM_NEEDS_CPUS(2);
	struct pingpong p = {sched_current(), 0};
	unsigned other = vmtest_cpus() > 1 ? 1 : 0;
	struct thread *t = thread_create("waker", waker, &p, (int)other);
	VM_EXPECT(t != NULL);
	if (!t)
		return;
	sched_start(t);
	for (int i = 0; i < 200; i++) {
		p.stage++;
		while (p.stage != 2 * i + 2)
			sched_block(); /* spurious returns are fine: recheck */
	}
	thread_join(t);
}

static void sleep_1ms(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	sched_sleep_ns(1000000); /* a timer event on this CPU */
}

/* No periodic tick any more (docs/scheduler.md): a timer event armed on a
 * CPU must still bring its LAPIC timer interrupt there. */
VM_TEST(timer_ticks_on_every_cpu)
{
	uint64_t before[MAX_CPUS] = {0};
	for (unsigned c = 0; c < cpu_count; c++)
		before[c] = cpus[c] ? cpus[c]->timer_ticks : 0;
	vmtest_run_parallel(sleep_1ms, NULL);
	for (unsigned c = 0; c < cpu_count; c++)
		if (cpus[c] && cpus[c]->online && cpus[c]->timer_ticks <= before[c])
			VM_FAIL("CPU %u took no timer interrupt for its 1 ms sleep", c);
}

static volatile unsigned pit_irqs;

static void pit_irq(struct trap_frame *tf)
{
	(void)tf;
	pit_irqs++;
}

VM_TEST(ioapic_routes_isa_irq0)
{
	/* PIT channel 0, one-shot, ~1 ms; ISA IRQ 0 reaches us through the
	 * IOAPIC (on QEMU via the MADT override IRQ 0 -> GSI 2) */
	trap_set_handler(VEC_IRQ_BASE + 0, pit_irq);
	pit_irqs = 0;
	VM_EXPECT_EQ(ioapic_route_isa(0, lapic_id()), 0);
	outb(0x43, 0x30); /* channel 0, lo/hi byte, mode 0 */
	outb(0x40, 0xa9);
	outb(0x40, 0x04); /* 1193 ticks = 1 ms */
	uint64_t t0 = clock_monotonic_ns();
	while (!pit_irqs && clock_monotonic_ns() - t0 < 200000000ull)
		sched_sleep_ns(1000000);
	ioapic_mask_isa(0);
	VM_EXPECT(pit_irqs >= 1);
	VM_EXPECT_EQ(ioapic_route_isa(16, lapic_id()), ERR_INVALID_ARGS);
}

/*
 * Hole 1 of the hostile review: an entry from kernel mode while the user's GS is
 * active (an NMI between SYSCALL and its SWAPGS, a fault on the exit path's IRET,
 * or SYSCALL at an unset MSR_CSTAR) ran the handler on the user's GS, and the
 * nested faults triple-faulted. isr.S now checks MSR_GS_BASE on every entry from
 * kernel mode. Here: swap to the user's GS (base 0) with interrupts off, raise a
 * software interrupt, and check that its handler saw this CPU's data and that the
 * interrupted code got the user's GS back. On the old entry path the handler's
 * this_cpu() read address 0 and the kernel panicked.
 */
#define VEC_TEST_PROBE 0xe0
static struct cpu *volatile probe_cpu;

static void probe_irq(struct trap_frame *tf)
{
	(void)tf;
	probe_cpu = this_cpu();
}

VM_TEST(entry_kernel_cs_with_user_gs)
{
	trap_set_handler(VEC_TEST_PROBE, probe_irq);
	uint64_t irq = arch_irq_save();
	struct cpu *c = this_cpu();
	uint64_t user_gs = rdmsr(MSR_KERNEL_GS_BASE), gs_inside, kgs_inside;
	probe_cpu = NULL;
	__asm__ volatile("swapgs\n\t"
	                 "int %2\n\t"
	                 "movl %3, %%ecx\n\t"
	                 "rdmsr\n\t"
	                 "shlq $32, %%rdx\n\t"
	                 "orq %%rdx, %%rax\n\t"
	                 "movq %%rax, %0\n\t"
	                 "movl %4, %%ecx\n\t"
	                 "rdmsr\n\t"
	                 "shlq $32, %%rdx\n\t"
	                 "orq %%rdx, %%rax\n\t"
	                 "movq %%rax, %1\n\t"
	                 "swapgs"
	                 : "=m"(gs_inside), "=m"(kgs_inside)
	                 : "i"(VEC_TEST_PROBE), "i"(MSR_GS_BASE), "i"(MSR_KERNEL_GS_BASE)
	                 : "rax", "rcx", "rdx", "memory");
	arch_irq_restore(irq);
	trap_set_handler(VEC_TEST_PROBE, NULL);
	VM_EXPECT(probe_cpu == c);
	VM_EXPECT_EQ(gs_inside, user_gs); /* the interrupted code's GS was given back */
	VM_EXPECT_EQ(kgs_inside, (uint64_t)c);
	VM_EXPECT(this_cpu() == c);
}
