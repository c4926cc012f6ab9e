/*
 * virtio_pci.h - the virtio 1.x PCI transport ("modern" virtio-pci, virtio
 * spec 4.1) for user-space drivers, over a device capability (charlotte/hw.h):
 * finds the common, notify, ISR and device configuration structures through
 * the vendor capabilities in PCI configuration space, maps their BARs,
 * negotiates features (VIRTIO_F_VERSION_1 is required: no legacy devices),
 * sets queues up in DMA-mapped memory (shared/virtio.h) and takes an
 * interrupt: an MSI-X vector for the queues when the device has MSI-X, else
 * the INTx line with the ISR register to acknowledge it.
 *
 * The device is not trusted: every capability's BAR, offset and length must
 * lie inside that BAR; queue sizes are powers of two we choose at most
 * VIRTIO_PCI_QUEUE_MAX; the notify offset times its multiplier must stay in
 * the notify structure. Anything else is ERR_MALFORMED.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/handle.h>
#include <shared/virtio.h>

#define VIRTIO_F_VERSION_1 32u
#define VIRTIO_F_RING_EVENT_IDX 29u
#define VIRTIO_PCI_QUEUE_MAX 256u /* each ring part fits in one page: physically whole */
#define VIRTIO_PCI_QUEUES 4u

#define VIRTIO_STATUS_ACK 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

struct virtio_pci_queue {
	struct virtq q;
	uint16_t index;
	volatile uint16_t *notify; /* where to write index to notify */
	handle_t mem; /* the ring pages: desc, avail, used */
	struct virtq_slot slots[VIRTIO_PCI_QUEUE_MAX];
	uint16_t next[VIRTIO_PCI_QUEUE_MAX];
};

struct virtio_pci {
	handle_t dev, pool, as;
	volatile uint8_t *bar[6]; /* per BAR, once mapped */
	uint64_t bar_size[6];
	volatile uint8_t *common, *isr, *device_cfg, *notify_base;
	uint32_t device_cfg_len, notify_len, notify_mult;
	uint64_t features; /* negotiated */
	handle_t irq;
	bool msix; /* irq is an MSI-X vector for the queues (else INTx: read the ISR) */
	struct virtio_pci_queue queue[VIRTIO_PCI_QUEUES];
	unsigned nqueues;
};

/*
 * Finds and maps the structures of dev, resets the device, acknowledges it and
 * negotiates: the device must offer every bit of required (VERSION_1 always
 * added); of wanted, what it offers is taken. ERR_NOT_SUPPORTED: a required
 * feature is missing; ERR_MALFORMED: a capability out of bounds; errors of
 * the hardware actions.
 */
long virtio_pci_init(struct virtio_pci *v, handle_t dev, uint64_t required, uint64_t wanted);

/* Device configuration reads (bounds-checked: out of range reads 0). */
uint8_t virtio_cfg8(struct virtio_pci *v, uint32_t off);
uint32_t virtio_cfg32(struct virtio_pci *v, uint32_t off);
uint64_t virtio_cfg64(struct virtio_pci *v, uint32_t off);

/* Sets queue index up with at most max entries (from pool, DMA-mapped). */
long virtio_pci_queue(struct virtio_pci *v, uint16_t index, uint16_t max);

/* Takes the interrupt (MSI-X vector 0 for every queue, else INTx) into v->irq. */
long virtio_pci_irq(struct virtio_pci *v);

/* DRIVER_OK: the device may start using the queues. */
void virtio_pci_ready(struct virtio_pci *v);

/* Notify the device of queue q when shared/virtio.c says it wants to hear. */
void virtio_pci_kick(struct virtio_pci_queue *q);

/* INTx: reads (and so clears) the ISR; MSI-X: returns 1. */
uint32_t virtio_pci_isr(struct virtio_pci *v);

/* Status register (VIRTIO_STATUS_*). */
uint8_t virtio_pci_status(struct virtio_pci *v);

/* Reset the device: it stops touching memory once this returns 0. */
long virtio_pci_reset(struct virtio_pci *v);
