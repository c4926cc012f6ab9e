/*
 * arch/timer.h - TSC, HPET / PIT calibration and the per-CPU LAPIC timer.
 */
#pragma once
#include <stdint.h>

struct acpi_info;

/*
 * Calibrate the TSC and LAPIC timer against the HPET (or the PIT) and take the
 * timer vector (timer_events_run(), arch/entry.h). BSP, once.
 */
void timer_init(const struct acpi_info *acpi);
/* Program this CPU's LAPIC timer to fire once, delta_ns from now (0 = stop). */
void timer_arm_local(uint64_t delta_ns);
/* Busy-wait (used during SMP start-up). */
void udelay(uint64_t us);
/* Name of the clock source and calibration result, for the log. */
uint64_t timer_tsc_hz(void);
uint64_t timer_lapic_hz(void);
/* Record the TSC at kernel entry so the clock counts from there. */
void timer_set_boot_tsc(uint64_t tsc);
