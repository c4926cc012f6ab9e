/*
 * arch/hwio.h - what kernel/hw needs of the machine: PCI configuration
 * mechanism #1, device interrupt vectors, MSI messages and IOAPIC lines
 * (hwio.c, ioapic.c). Each device interrupt arrives at hw_irq_deliver(slot)
 * (arch/entry.h), in interrupt context, before the EOI.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Configuration mechanism #1 (ports 0xcf8 / 0xcfc): a dword at off (4-aligned, < 256). */
uint32_t arch_pci_legacy_read(unsigned bus, unsigned slot, unsigned func, unsigned off);
void arch_pci_legacy_write(unsigned bus, unsigned slot, unsigned func, unsigned off, uint32_t v);

/* Device interrupt slots: one CPU vector each (0x50..0xcf), all on the boot CPU. */
#define ARCH_IRQ_SLOTS 128
/* Install the slots' trap handlers (boot, before any slot is allocated). */
void arch_hwio_init(void);
/* A free slot (>= 0) or ERR_NO_RESOURCES. */
int arch_irq_slot_alloc(void);
void arch_irq_slot_free(unsigned slot);
/* The MSI / MSI-X message (address, data) that raises slot: fixed, edge. */
void arch_msi_message(unsigned slot, uint64_t *addr, uint32_t *data);

/* ISA irq (0..15) -> its GSI and mode, after the MADT's source overrides. */
uint32_t arch_isa_gsi(unsigned irq, bool *level, bool *active_low);
/* Whether an IOAPIC serves gsi. */
bool arch_gsi_valid(uint32_t gsi);
/* Route gsi to slot's vector on the boot CPU, masked; ERR_NOT_FOUND without an IOAPIC. */
int arch_gsi_route(uint32_t gsi, bool level, bool active_low, unsigned slot);
/* Mask or unmask gsi (any context: the IOAPIC's lock is taken with interrupts off). */
void arch_gsi_mask(uint32_t gsi, bool masked);
