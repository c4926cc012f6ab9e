/*
 * timer_event.c - per-CPU one-shot timer events on top of the LAPIC timer.
 *
 * Each CPU keeps its events in a list sorted by deadline; the LAPIC timer is
 * always programmed for the head. Lists are touched only by their own CPU
 * with interrupts off, so no lock is needed.
 */
#include <time/clock.h>
#include <arch/entry.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <abi/errors.h>

static struct timer_event *queues[MAX_CPUS];

static void reprogram(unsigned cpu)
{
	struct timer_event *head = queues[cpu];
	if (!head) {
		timer_arm_local(0);
		return;
	}
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
		ev->armed = false;
		reprogram(ev->cpu);
	}
	arch_irq_restore(irq);
	return found;
}

void timer_events_run(void)
{
	unsigned cpu = this_cpu()->id;
	uint64_t now = clock_monotonic_ns();
	while (queues[cpu] && queues[cpu]->deadline <= now) {
		struct timer_event *ev = queues[cpu];
		queues[cpu] = ev->next;
		ev->armed = false;
		ev->fn(ev); /* may re-arm itself */
		now = clock_monotonic_ns();
	}
	reprogram(cpu);
}
