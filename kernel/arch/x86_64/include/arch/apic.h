/*
 * arch/apic.h - local APIC (xAPIC or x2APIC), I/O APICs and the legacy PIC.
 *
 * lapic_init() picks x2APIC when CPUID offers it (MSR access, 32-bit IDs) and
 * xAPIC MMIO otherwise; the rest of the kernel does not care which. The
 * IOAPIC routes ISA IRQs to vectors VEC_IRQ_BASE + irq honouring the MADT's
 * interrupt source overrides.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct acpi_info;

void pic_disable(void);
void lapic_init(uint64_t mmio_phys); /* BSP: choose mode; every CPU: enable */
void lapic_init_ap(void);
uint32_t lapic_id(void);
bool lapic_is_x2apic(void);
void lapic_eoi(void);
/* Send a fixed IPI with vector to the CPU with this APIC ID. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* Fixed IPI to every CPU but this one. */
void lapic_send_ipi_others(uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/* LAPIC timer: one-shot count (already divided) on VEC_TIMER; 0 stops it. */
void lapic_timer_oneshot(uint32_t count);
uint32_t lapic_timer_current(void);
void lapic_timer_start_free(void);
/* Mask the timer's LVT entry: an expiry meanwhile raises nothing (tests of a lost
 * timer interrupt); the next lapic_timer_oneshot() unmasks it. */
void lapic_timer_mask(void);
/* Whether this CPU's timer interrupt is raised and not yet taken (its IRR bit). */
bool lapic_timer_pending(void);

void ioapic_init(const struct acpi_info *acpi);
/* Route ISA irq (0..15) to its vector on the CPU with apic_id; unmask. */
int ioapic_route_isa(unsigned irq, uint32_t apic_id);
void ioapic_mask_isa(unsigned irq);
