/*
 * arch/timer.h - TSC, HPET / PIT calibration and the per-CPU LAPIC timer.
 */
#pragma once
#include <stdint.h>
#include <arch/cpu.h>

struct acpi_info;

/*
 * Calibrate the TSC and LAPIC timer against the HPET (or the PIT) and take the
 * timer vector (timer_events_run(), arch/entry.h). BSP, once.
 */
void timer_init(const struct acpi_info *acpi);
/* Program this CPU's LAPIC timer to fire once, delta_ns from now (0 = stop). */
void timer_arm_local(uint64_t delta_ns);
/* Whether this CPU's timer interrupt is raised and waits for interrupts to be on. */
bool timer_local_pending(void);
/* Busy-wait (used during SMP start-up). */
void udelay(uint64_t us);
/* Name of the clock source and calibration result, for the log. */
uint64_t timer_tsc_hz(void);
uint64_t timer_lapic_hz(void);
/* Record the TSC at kernel entry so the clock counts from there. */
void timer_set_boot_tsc(uint64_t tsc);

/*
 * The calibration clock_monotonic_ns() uses: ns = (tsc - timer_tsc_boot) *
 * timer_tsc_mult >> 32, and 0 before timer_init() (mult 0: the product is
 * 0, no test needed). Written at boot only. arch_clock_ns() is
 * clock_monotonic_ns() inline, for the direct switch (twice per kbus round
 * trip: sched/direct.h), where a call would spill.
 */
extern uint64_t timer_tsc_boot, timer_tsc_mult;
static inline uint64_t arch_clock_ns(void)
{
	return (uint64_t)(((unsigned __int128)(rdtsc() - timer_tsc_boot) * timer_tsc_mult) >> 32);
}
