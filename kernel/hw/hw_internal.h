/*
 * hw_internal.h - the device table's structures, shared by kernel/hw only.
 *
 * Locking: hw_lock (device.c) guards every device's claim, its IRQ bindings,
 * its DMA pins, the INTx lines and the slot table; it is taken with
 * interrupts off (the interrupt path takes it too) and never held across a
 * wait, an allocation or a wake-up. Immutable after boot: a device's
 * identity, resources and capability offsets.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/hw.h>
#include <hw/hw.h>
#include <hw/pci.h>
#include <lib/spinlock.h>
#include <obj/object.h>
#include <sched/waitq.h>

/* Devices in the table (the root is not one of them); more are left out, logged. */
#define HW_MAX_DEVICES 64
/* IRQ objects alive at once, machine-wide (a static pool: nothing is charged). */
#define HW_MAX_IRQS 256
/* Interrupt objects one device can have bound at once. */
#define HW_DEV_MAX_IRQS 32
/* INTx / ISA lines in use at once, and IRQ objects sharing one line. */
#define HW_MAX_LINES 24
#define HW_LINE_MAX_IRQS 8

struct memory;

struct hw_mmio {
	struct kobject obj; /* static: part of its device, never destroyed */
	struct hw_device *dev;
	unsigned index; /* its resource */
	struct memory *mem; /* device memory the mappings use (kernel-internal) */
};

struct hw_ioport {
	struct kobject obj; /* static: part of its device */
	struct hw_device *dev;
	unsigned index;
};

struct hw_line;

struct hw_irq {
	struct kobject obj; /* from the static pool (HW_MAX_IRQS) */
	struct hw_device *dev;
	uint32_t mode; /* HW_IRQ_MSIX, _MSI or _INTX */
	uint32_t vector; /* MSI-X / MSI index; INTx: the GSI */
	int slot; /* CPU vector slot (MSI, MSI-X), -1 for INTx (the line has it) */
	struct hw_line *line; /* INTx */
	bool bound; /* delivering; false once its claimer ended or it was destroyed */
	bool unacked; /* INTx level: counted in line->unacked */
	uint64_t pending; /* atomic: interrupts since the last ack */
	uint64_t count; /* atomic: interrupts since it was created */
	struct waitq wq;
	struct hw_irq *free_next;
};

struct hw_line {
	uint32_t gsi;
	int slot;
	bool level, active_low;
	unsigned nirqs, unacked;
	struct hw_irq *irqs[HW_LINE_MAX_IRQS];
};

struct hw_device {
	struct kobject obj; /* static, never destroyed */
	struct hw_device_info info;
	struct hw_resource res[HW_MAX_RESOURCES];
	struct hw_mmio mmio[HW_MAX_RESOURCES];
	struct hw_ioport io[HW_MAX_RESOURCES];
	/* PCI */
	volatile uint8_t *ecam; /* this function's 4 KiB (ECAM), NULL: mechanism #1 */
	uint8_t header_type;
	struct pci_caps caps;
	volatile uint32_t *msix_table; /* mapped at first MSI-X use */
	/* legacy interrupt: PCI INTx or the ISA lines of a platform device */
	uint32_t intx_gsi[2];
	bool intx_level[2], intx_low[2];
	unsigned nintx;
	/* claim (hw_lock) */
	uint64_t claimer; /* the claiming process's object id, 0: unclaimed */
	struct hw_irq *irqs[HW_DEV_MAX_IRQS];
	struct memory *pins[HW_DMA_MAX_PINS];
};

extern struct spinlock hw_lock;
extern struct hw_device hw_devices[HW_MAX_DEVICES];
extern unsigned hw_ndevices;

/* Configuration space of d (pci.c); off/width already checked. */
uint32_t hw_cfg_read(struct hw_device *d, unsigned off, unsigned width);
void hw_cfg_write(struct hw_device *d, unsigned off, unsigned width, uint32_t v);
/* 256, or 4096 with ECAM; 0 for a platform device. */
unsigned hw_cfg_size(const struct hw_device *d);
/* Whether a configuration write may go through (the header's filter). */
bool hw_cfg_write_allowed(struct hw_device *d, unsigned off, unsigned width, uint32_t v);

/* Enumerate PCI into the table (pci.c). */
void hw_pci_scan(const struct acpi_info *acpi);
/* A new device slot of the table, or NULL when full (device.c). */
struct hw_device *hw_device_add(uint32_t bus, const char *name);
/* Claim d for process pid (hw_lock held): 0, or ERR_BAD_STATE if another has it. */
int hw_claim_locked(struct hw_device *d, uint64_t pid);
/* Whether [base, base + size) may be given to a driver (device.c). */
bool hw_mmio_allowed(uint64_t base, uint64_t size);
/* (self: the device asking, whose own resources do not count) */
bool hw_ports_allowed(const struct hw_device *self, uint64_t base, uint64_t size);
/* Make d's resources' OBJ_MMIO / OBJ_IOPORT objects (res.c). */
void hw_resources_init(struct hw_device *d);

/* irq.c: bind and unbind, under the rules of the header (hw_lock not held). */
int hw_irq_bind(struct hw_device *d, uint32_t modes, uint32_t vector, struct hw_irq **out);
/* Silence d (bus mastering, MSI, MSI-X, INTx) and unbind its IRQs: its claimer ended. */
void hw_irq_release_device(struct hw_device *d);
