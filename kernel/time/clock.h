/*
 * time/clock.h - the monotonic clock and one-shot timer events.
 *
 * clock_monotonic_ns() counts nanoseconds since kernel entry (0 until the
 * clock is calibrated early in boot). It never goes backwards on one CPU and
 * is shared by all CPUs (the TSC is synchronised by reset on QEMU and on any
 * CPU with an invariant TSC).
 *
 * Timer events are per CPU: timer_event_arm() queues an event on the calling
 * CPU; its callback runs there, in interrupt context, at or after the
 * deadline. Cancel before freeing. An event is armed at most once at a time.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

uint64_t clock_monotonic_ns(void);

struct timer_event {
	uint64_t deadline; /* clock_monotonic_ns() value */
	void (*fn)(struct timer_event *ev);
	struct timer_event *next;
	bool armed;
	unsigned cpu;
};

/* Before halting (interrupts off): re-arm a timer whose deadline passed with no
 * interrupt (timer_event.c). */
void timer_events_idle(void);
/* Print cpu's programmed deadline and queued events (the NMI dump only). */
void timer_events_dump(unsigned cpu, uint64_t now);
/* Queue ev to fire at ev->deadline on this CPU. ERR_BAD_STATE if armed. */
int timer_event_arm(struct timer_event *ev, uint64_t deadline, void (*fn)(struct timer_event *));
/* Remove ev if still queued (must be called on the CPU it was armed on). */
bool timer_event_cancel(struct timer_event *ev);
/* The timer interrupt runs expired events on its CPU: timer_events_run(), arch/entry.h. */
