/*
 * nmi_dump.c - an NMI that is not a panic's: where the machine stands, on the log.
 *
 * tools/qemu-dump.py sends one (the QEMU monitor's `nmi`, which reaches every
 * CPU) before a stalled test run or a wedged shell session is killed, so the
 * serial log ends with the kernel's own view of a hang: every CPU's run queue,
 * its running thread and its timer events (sched_debug_dump()), then where each
 * CPU was interrupted, with a backtrace. A hang with every CPU halted then says
 * whether a sleeper's timer event is still queued (a timer that never fired),
 * or a woken thread waits in the queue of a halted CPU (a lost wake-up IPI).
 *
 * The first CPU to arrive prints the queues while the others wait in their
 * handlers (bounded: a CPU spinning with NMIs blocked never arrives), so what
 * it reads holds still; then each CPU prints its own frame in turn. The log's
 * lock is broken first: a CPU may have been stopped holding it. Meant for a
 * machine about to be killed; after the dump every CPU carries on.
 */
#include <debug/nmi_dump.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <lib/log.h>
#include <sched/sched.h>

#define NMI_WAIT_SPINS 2000000u /* for the other CPUs to arrive, then go on without them */

static unsigned arrived, leaving;
static int dumper = -1;
static unsigned turn; /* the CPU whose frame is printed next */
static bool queues_done;

static void wait_until(const unsigned *word, unsigned value)
{
	for (uint32_t i = 0; __atomic_load_n(word, __ATOMIC_ACQUIRE) < value && i < NMI_WAIT_SPINS;
	     i++)
		arch_cpu_relax();
}

void nmi_dump(const struct trap_frame *tf)
{
	unsigned me = this_cpu()->id;
	__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL);
	int none = -1;
	if (__atomic_compare_exchange_n(&dumper, &none, (int)me, false, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE)) {
		wait_until(&arrived, cpu_count);
		log_break_lock();
		pr_err("NMI: a state dump, not a panic (%u of %u CPUs held)",
		       __atomic_load_n(&arrived, __ATOMIC_ACQUIRE), cpu_count);
		sched_debug_dump();
		__atomic_store_n(&queues_done, true, __ATOMIC_RELEASE);
	} else {
		for (uint32_t i = 0;
		     !__atomic_load_n(&queues_done, __ATOMIC_ACQUIRE) && i < 4 * NMI_WAIT_SPINS;
		     i++)
			arch_cpu_relax();
	}
	/* each CPU's own frame, in CPU order */
	wait_until(&turn, me);
	pr_err("NMI: CPU %u was at:", me);
	trap_dump(tf);
	__atomic_store_n(&turn, me + 1, __ATOMIC_RELEASE);
	/* the last one out makes the next NMI a fresh dump */
	if (__atomic_add_fetch(&leaving, 1, __ATOMIC_ACQ_REL) ==
	    __atomic_load_n(&arrived, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&leaving, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&turn, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&queues_done, false, __ATOMIC_RELAXED);
		__atomic_store_n(&dumper, -1, __ATOMIC_RELEASE);
	}
}
