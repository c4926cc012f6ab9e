/*
 * arch/smp.h - starting application processors and cross-CPU calls.
 */
#pragma once
#include <stdint.h>

struct acpi_info;

/* Start every enabled CPU in the MADT (INIT-SIPI-SIPI). BSP, once. */
void smp_init(const struct acpi_info *acpi);

/*
 * Run fn(arg) on every other online CPU and wait until all have returned.
 * fn runs in interrupt context with interrupts off and must not block.
 * Callable with interrupts on or off; concurrent callers are serialised and
 * keep serving each other's requests while they wait, so two CPUs calling at
 * once cannot deadlock. A no-op before the APs are up.
 */
void smp_call_others(void (*fn)(void *), void *arg);

/* Run fn(arg) on one CPU (synchronously; directly if it is this CPU). */
void smp_call_cpu(unsigned cpu, void (*fn)(void *), void *arg);

/* Ask the CPU to run its scheduler at its next interrupt exit (an IPI; sched_irq_exit). */
void arch_send_resched(unsigned cpu);

/* smp.c: an AP's first C code, from the trampoline (ap_trampoline.S), on its boot stack. */
struct cpu;
void ap_entry(struct cpu *c);

/* Serve pending cross-CPU calls for this CPU (from the IPI handler or a spin loop). */
void smp_poll_calls(void);
