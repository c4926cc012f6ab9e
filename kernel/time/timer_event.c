/*
 * timer_event.c - per-CPU one-shot timer events on top of the LAPIC timer.
 *
 * Each CPU keeps its events in a list sorted by deadline. The LAPIC timer is
 * programmed lazily: never later than the head, but not moved later when the
 * head goes (a cancel) or a later event arrives, so that arming and
 * cancelling a timeout around a short wait, as a kernel call does, write no
 * hardware register. A fire before the head's deadline runs nothing and
 * programs the timer for the head again: at most one such early interrupt
 * per programming. Lists are touched only by their own CPU with interrupts
 * off, so no lock is needed.
 */
#include <time/clock.h>
#include <arch/entry.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <abi/errors.h>
#include <lib/ksyms.h>
#include <lib/log.h>

static struct timer_event *queues[MAX_CPUS];
/* The deadline the CPU's timer is programmed for (it fires then or before: a
 * long delta is cut to the LAPIC's count); 0: not programmed. */
static uint64_t programmed[MAX_CPUS];
#define TIMER_LATE_NS 100000000ull /* overdue this long at idle: logged */
static unsigned late_told;

/* Program the timer for the head if it would fire later than the head is due. */
static void reprogram(unsigned cpu)
{
	struct timer_event *head = queues[cpu];
	if (!head || (programmed[cpu] && programmed[cpu] <= head->deadline))
		return;
	programmed[cpu] = head->deadline;
	uint64_t now = clock_monotonic_ns();
	timer_arm_local(head->deadline > now ? head->deadline - now : 1);
}

int timer_event_arm(struct timer_event *ev, uint64_t deadline, void (*fn)(struct timer_event *))
{
	uint64_t irq = arch_irq_save();
	if (ev->armed) {
		arch_irq_restore(irq);
		return ERR_BAD_STATE;
	}
	unsigned cpu = this_cpu()->id;
	ev->deadline = deadline;
	ev->fn = fn;
	ev->cpu = cpu;
	ev->armed = true;
	struct timer_event **pp = &queues[cpu];
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->next;
	ev->next = *pp;
	*pp = ev;
	if (queues[cpu] == ev)
		reprogram(cpu);
	arch_irq_restore(irq);
	return 0;
}

bool timer_event_cancel(struct timer_event *ev)
{
	uint64_t irq = arch_irq_save();
	bool found = false;
	if (ev->armed) {
		for (struct timer_event **pp = &queues[ev->cpu]; *pp; pp = &(*pp)->next) {
			if (*pp == ev) {
				*pp = ev->next;
				found = true;
				break;
			}
		}
		ev->armed = false; /* the timer stays as programmed: see the top */
	}
	arch_irq_restore(irq);
	return found;
}

/*
 * Before this CPU halts (the idle loop, interrupts off). A programmed deadline
 * already past whose interrupt is not waiting in the LAPIC's IRR is late or
 * lost, and from the LAPIC it cannot be told which: under QEMU TCG the
 * expiry's interrupt is raised by the emulator's main loop, microseconds to
 * milliseconds after the count reads 0. A lost one happened now and then (a
 * boot wedged with a sleeper's event 64 s overdue, the LAPIC timer run down,
 * nothing in IRR or ISR), and nothing else would ever program the timer again:
 * later events arm nothing while an earlier deadline is programmed. So the
 * timer is armed again for the head: a late interrupt then costs one early
 * interrupt more, a lost one no more than the CPU's next trip through idle.
 * One overdue by more than TIMER_LATE_NS is logged (the first 8 times).
 */
void timer_events_idle(void)
{
	unsigned cpu = this_cpu()->id;
	uint64_t now = clock_monotonic_ns();
	bool overdue = programmed[cpu] && programmed[cpu] < now && !timer_local_pending();
	if (overdue) {
		if (now - programmed[cpu] > TIMER_LATE_NS &&
		    __atomic_fetch_add(&late_told, 1, __ATOMIC_RELAXED) < 8)
			pr_warn("timer: CPU %u's interrupt is %llu ms overdue: armed again", cpu,
			        (unsigned long long)((now - programmed[cpu]) / 1000000));
		programmed[cpu] = 0;
	}
	reprogram(cpu);
}

void timer_events_run(void)
{
	unsigned cpu = this_cpu()->id;
	uint64_t now = clock_monotonic_ns();
	programmed[cpu] = 0; /* one-shot: it fired */
	while (queues[cpu] && queues[cpu]->deadline <= now) {
		struct timer_event *ev = queues[cpu];
		queues[cpu] = ev->next;
		ev->armed = false;
		ev->fn(ev); /* may re-arm itself */
		now = clock_monotonic_ns();
	}
	reprogram(cpu);
}

/* A CPU's timer state for the NMI dump (debug/nmi_dump.c): every CPU is held there. */
void timer_events_dump(unsigned cpu, uint64_t now)
{
	pr_info("  timer: programmed %s%lld ns", programmed[cpu] ? "in " : "no (0) ",
	        programmed[cpu] ? (long long)(programmed[cpu] - now) : 0ll);
	unsigned n = 0;
	for (struct timer_event *ev = queues[cpu]; ev; ev = ev->next) {
		if (++n > 16) {
			pr_info("    ...");
			break;
		}
		uint64_t off;
		const char *fn = ksyms_lookup((uint64_t)ev->fn, &off);
		pr_info("    event %p %s in %lld ns%s", (void *)ev, fn ? fn : "?",
		        (long long)(ev->deadline - now), ev->armed ? "" : " (not armed!)");
	}
}
