/*
 * virtio_pci.c - the virtio 1.x PCI transport (virtio_pci.h).
 *
 * Register access is volatile loads and stores of the register's own width on
 * uncached mappings of the BARs. The common configuration structure
 * (virtio spec 4.1.4.3) is addressed by the offsets below.
 */
#include "virtio_pci.h"

#include <string.h>

#include <abi/errors.h>
#include <abi/hw.h>
#include <abi/syscall.h>

#include "devmem.h"
#include "hw.h"
#include "start.h"
#include "syscall.h"

#define PAGE 4096u

/* PCI configuration space */
#define PCI_STATUS 0x06u
#define PCI_STATUS_CAPS 0x10u
#define PCI_COMMAND 0x04u
#define PCI_COMMAND_MEMORY 0x2u
#define PCI_COMMAND_MASTER 0x4u
#define PCI_COMMAND_INTX_OFF 0x400u
#define PCI_CAP_PTR 0x34u
#define PCI_CAP_VENDOR 0x09u

/* virtio_pci_cap.cfg_type */
#define CAP_COMMON 1u
#define CAP_NOTIFY 2u
#define CAP_ISR 3u
#define CAP_DEVICE 4u

/* common configuration */
#define C_DFSELECT 0x00u
#define C_DF 0x04u
#define C_GFSELECT 0x08u
#define C_GF 0x0cu
#define C_MSIX_CONFIG 0x10u
#define C_NUM_QUEUES 0x12u
#define C_STATUS 0x14u
#define C_GENERATION 0x15u
#define C_Q_SELECT 0x16u
#define C_Q_SIZE 0x18u
#define C_Q_MSIX 0x1au
#define C_Q_ENABLE 0x1cu
#define C_Q_NOTIFY_OFF 0x1eu
#define C_Q_DESC 0x20u
#define C_Q_DRIVER 0x28u
#define C_Q_DEVICE 0x30u
#define C_LEN 0x38u
#define NO_VECTOR 0xffffu

static uint8_t rd8(volatile uint8_t *b, uint32_t off)
{
	return *(volatile uint8_t *)(b + off);
}
static uint16_t rd16(volatile uint8_t *b, uint32_t off)
{
	return *(volatile uint16_t *)(b + off);
}
static uint32_t rd32(volatile uint8_t *b, uint32_t off)
{
	return *(volatile uint32_t *)(b + off);
}
static void wr8(volatile uint8_t *b, uint32_t off, uint8_t v)
{
	*(volatile uint8_t *)(b + off) = v;
}
static void wr16(volatile uint8_t *b, uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)(b + off) = v;
}
static void wr32(volatile uint8_t *b, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}
static void wr64(volatile uint8_t *b, uint32_t off, uint64_t v)
{
	wr32(b, off, (uint32_t)v);
	wr32(b, off + 4, (uint32_t)(v >> 32));
}

/* Maps BAR i (once). */
static long map_bar(struct virtio_pci *v, uint32_t i)
{
	if (v->bar[i])
		return 0;
	long r = ch_devmem_map_mmio(v->dev, i, &v->bar[i], &v->bar_size[i]);
	return r == ERR_WRONG_TYPE ? ERR_MALFORMED : r;
}

static long cfg_read(struct virtio_pci *v, uint32_t off, uint32_t width, uint32_t *out)
{
	return ch_dev_config_read(v->dev, off, width, out);
}

/* One virtio vendor capability at config offset at: checked and mapped. */
static long take_cap(struct virtio_pci *v, uint32_t at)
{
	uint32_t type, bar, off, len, mult = 0;
	long r = cfg_read(v, at + 3, 1, &type);
	if (r >= 0)
		r = cfg_read(v, at + 4, 1, &bar);
	if (r >= 0)
		r = cfg_read(v, at + 8, 4, &off);
	if (r >= 0)
		r = cfg_read(v, at + 12, 4, &len);
	if (r >= 0 && type == CAP_NOTIFY)
		r = cfg_read(v, at + 16, 4, &mult);
	if (r < 0)
		return r;
	if (type < CAP_COMMON || type > CAP_DEVICE || bar > 5)
		return 0; /* a kind we do not use (PCI cfg access, shared memory, vendor's) */
	volatile uint8_t **slot = type == CAP_COMMON   ? &v->common
	                          : type == CAP_NOTIFY ? &v->notify_base
	                          : type == CAP_ISR    ? &v->isr
	                                               : &v->device_cfg;
	if (*slot)
		return 0; /* the first of each kind is the one to use (4.1.4) */
	r = map_bar(v, bar);
	if (r < 0)
		return r;
	if ((uint64_t)off + len > v->bar_size[bar] || len == 0)
		return ERR_MALFORMED;
	if ((type == CAP_COMMON && len < C_LEN) || (type == CAP_ISR && len < 1))
		return ERR_MALFORMED;
	*slot = v->bar[bar] + off;
	if (type == CAP_NOTIFY) {
		v->notify_len = len;
		v->notify_mult = mult;
	} else if (type == CAP_DEVICE) {
		v->device_cfg_len = len;
	}
	return 0;
}

static long find_caps(struct virtio_pci *v)
{
	uint32_t st, at;
	long r = cfg_read(v, PCI_STATUS, 2, &st);
	if (r < 0)
		return r;
	if (!(st & PCI_STATUS_CAPS))
		return ERR_NOT_SUPPORTED;
	r = cfg_read(v, PCI_CAP_PTR, 1, &at);
	/* at most 48 capabilities fit in 256 bytes: a longer walk is a loop */
	for (int n = 0; r >= 0 && at >= 0x40 && at < 0x100 && n < 48; n++) {
		uint32_t id = 0, next = 0;
		at &= ~3u;
		r = cfg_read(v, at, 1, &id);
		if (r >= 0)
			r = cfg_read(v, at + 1, 1, &next);
		if (r >= 0 && id == PCI_CAP_VENDOR)
			r = take_cap(v, at);
		at = next;
	}
	if (r < 0)
		return r;
	return v->common && v->notify_base && v->isr ? 0 : ERR_NOT_SUPPORTED;
}

long virtio_pci_reset(struct virtio_pci *v)
{
	wr8(v->common, C_STATUS, 0);
	/* the device finishes the reset when it reads back 0 (4.1.4.3.2) */
	for (int i = 0; i < 1000000; i++) {
		if (rd8(v->common, C_STATUS) == 0)
			return 0;
		ch_yield();
	}
	return ERR_TIMED_OUT;
}

static uint64_t device_features(struct virtio_pci *v)
{
	wr32(v->common, C_DFSELECT, 0);
	uint64_t f = rd32(v->common, C_DF);
	wr32(v->common, C_DFSELECT, 1);
	return f | (uint64_t)rd32(v->common, C_DF) << 32;
}

long virtio_pci_init(struct virtio_pci *v, handle_t dev, uint64_t required, uint64_t wanted)
{
	memset(v, 0, sizeof(*v));
	v->dev = dev;
	v->pool = ch_handle("pool");
	v->as = ch_handle("self.as");
	v->irq = HANDLE_INVALID;
	long r = find_caps(v);
	if (r < 0)
		return r;
	uint32_t cmd;
	r = cfg_read(v, PCI_COMMAND, 2, &cmd);
	if (r >= 0)
		r = ch_dev_config_write(dev, PCI_COMMAND, 2,
		                        cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (r < 0)
		return r;
	r = virtio_pci_reset(v);
	if (r < 0)
		return r;
	wr8(v->common, C_STATUS, VIRTIO_STATUS_ACK);
	wr8(v->common, C_STATUS, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	required |= 1ull << VIRTIO_F_VERSION_1;
	uint64_t offered = device_features(v);
	if ((offered & required) != required) {
		wr8(v->common, C_STATUS, VIRTIO_STATUS_FAILED);
		return ERR_NOT_SUPPORTED;
	}
	v->features = required | (offered & wanted);
	wr32(v->common, C_GFSELECT, 0);
	wr32(v->common, C_GF, (uint32_t)v->features);
	wr32(v->common, C_GFSELECT, 1);
	wr32(v->common, C_GF, (uint32_t)(v->features >> 32));
	uint8_t st = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	wr8(v->common, C_STATUS, st);
	if (!(rd8(v->common, C_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		wr8(v->common, C_STATUS, VIRTIO_STATUS_FAILED);
		return ERR_NOT_SUPPORTED;
	}
	return 0;
}

uint8_t virtio_cfg8(struct virtio_pci *v, uint32_t off)
{
	return v->device_cfg && off < v->device_cfg_len ? rd8(v->device_cfg, off) : 0;
}

uint32_t virtio_cfg32(struct virtio_pci *v, uint32_t off)
{
	return v->device_cfg && off + 4 <= v->device_cfg_len ? rd32(v->device_cfg, off) : 0;
}

uint64_t virtio_cfg64(struct virtio_pci *v, uint32_t off)
{
	/* read around the generation counter for a consistent 64-bit value; a device
	 * that keeps changing it gets the last read after 16 tries */
	uint64_t val = 0;
	for (int i = 0; i < 16; i++) {
		uint8_t gen = rd8(v->common, C_GENERATION);
		val = virtio_cfg32(v, off) | (uint64_t)virtio_cfg32(v, off + 4) << 32;
		if (rd8(v->common, C_GENERATION) == gen)
			break;
	}
	return val;
}

long virtio_pci_queue(struct virtio_pci *v, uint16_t index, uint16_t max)
{
	if (v->nqueues >= VIRTIO_PCI_QUEUES || index >= rd16(v->common, C_NUM_QUEUES))
		return ERR_NOT_SUPPORTED;
	struct virtio_pci_queue *q = &v->queue[v->nqueues];
	wr16(v->common, C_Q_SELECT, index);
	uint16_t dev_size = rd16(v->common, C_Q_SIZE), size = 1;
	if (dev_size == 0)
		return ERR_NOT_SUPPORTED; /* the queue does not exist */
	if (max > VIRTIO_PCI_QUEUE_MAX)
		max = VIRTIO_PCI_QUEUE_MAX;
	while (size * 2 <= dev_size && size * 2 <= max)
		size *= 2; /* any size up to the device's will do (split rings) */
	uint16_t noff = rd16(v->common, C_Q_NOTIFY_OFF);
	uint64_t at = (uint64_t)noff * v->notify_mult;
	if (at + 2 > v->notify_len)
		return ERR_MALFORMED;

	uint64_t addrs[3];
	struct ch_dma dma;
	long r = ch_devmem_dma_alloc(v->dev, 3, addrs, &dma);
	if (r < 0)
		return r;
	q->mem = dma.mem;
	uint8_t *p = dma.va;
	r = virtq_init(&q->q, size, (void *)p, (void *)(p + PAGE), (void *)(p + 2 * PAGE), q->slots,
	               q->next, v->features >> VIRTIO_F_RING_EVENT_IDX & 1);
	if (r < 0)
		return r;
	wr16(v->common, C_Q_SIZE, size);
	wr64(v->common, C_Q_DESC, addrs[0]);
	wr64(v->common, C_Q_DRIVER, addrs[1]);
	wr64(v->common, C_Q_DEVICE, addrs[2]);
	q->index = index;
	q->notify = (volatile uint16_t *)(v->notify_base + at);
	v->nqueues++;
	return 0;
}

long virtio_pci_irq(struct virtio_pci *v)
{
	long r = ch_dev_irq(v->dev, HW_IRQ_MSIX, 0, &v->irq);
	if (r >= 0) {
		v->msix = true;
		wr16(v->common, C_MSIX_CONFIG, NO_VECTOR); /* configuration changes: not wanted */
		for (unsigned i = 0; i < v->nqueues; i++) {
			wr16(v->common, C_Q_SELECT, v->queue[i].index);
			wr16(v->common, C_Q_MSIX, 0);
			if (rd16(v->common, C_Q_MSIX) != 0)
				return ERR_NO_RESOURCES; /* the device could not take the vector */
		}
		return 0;
	}
	r = ch_dev_irq(v->dev, HW_IRQ_INTX, 0, &v->irq);
	v->msix = false;
	return r;
}

void virtio_pci_ready(struct virtio_pci *v)
{
	for (unsigned i = 0; i < v->nqueues; i++) {
		wr16(v->common, C_Q_SELECT, v->queue[i].index);
		wr16(v->common, C_Q_ENABLE, 1);
	}
	wr8(v->common, C_STATUS,
	    VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	        VIRTIO_STATUS_DRIVER_OK);
}

void virtio_pci_kick(struct virtio_pci_queue *q)
{
	if (virtq_kick_needed(&q->q))
		*q->notify = q->index;
}

uint32_t virtio_pci_isr(struct virtio_pci *v)
{
	return v->msix ? 1 : rd8(v->isr, 0);
}

uint8_t virtio_pci_status(struct virtio_pci *v)
{
	return rd8(v->common, C_STATUS);
}
