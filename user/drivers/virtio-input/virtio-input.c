/*
 * virtio-input - a virtio input device (virtio 1.x 5.8: keyboard, mouse or
 * tablet) through the input class: `bin/virtio-input <name>` binds
 * dev:///input/<name>. The device's configuration says what it is (the event
 * types and key bits it offers, the absolute axes' range) and its name becomes
 * the model. The event queue holds EVENTS buffers of 8 bytes (type, code,
 * value, as Linux evdev) in our own DMA page; each completed buffer is copied
 * out once, checked (its length, a known type), turned into class events
 * (evdev key codes to HID usages: shared/inputmap.c) and given back to the
 * device. EV_SYN ends a report: clients are notified then. A device that
 * breaks its queue is reset and the driver ends (ERR_IO to the spawner's log;
 * clients see ERR_PEER_CLOSED).
 * Grants: log, pool, ns, device (the virtio-input PCI function), ready.
 */
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/devmem.h>
#include <charlotte/devcall.h>
#include <charlotte/hw.h>
#include <charlotte/inputserve.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/virtio_pci.h>
#include <shared/inputmap.h>

#define EVENTS 64u
#define CFG_SELECT 0
#define CFG_SUBSEL 1
#define CFG_SIZE 2
#define CFG_DATA 8
#define CFG_ID_NAME 0x01
#define CFG_EV_BITS 0x11
#define CFG_ABS_INFO 0x12

#define EV_SYN 0
#define EV_KEY 1
#define EV_REL 2
#define EV_ABS 3
#define REL_WHEEL 8
#define BTN_LEFT 0x110
#define KEY_A 30

#define KEY_IRQ 1u
#define KEY_SERVER 16u

struct vev {
	uint16_t type, code;
	uint32_t value;
};

static struct virtio_pci v;
static struct virtio_pci_queue *q;
static struct input_server srv;
static struct inputmap_keys keys;
static struct vev *bufs; /* EVENTS of them, in the DMA page */
static uint64_t dma_addr[1];

/* Selects a configuration item; its size (0: the device has none). */
static uint8_t cfg_select(uint8_t sel, uint8_t sub)
{
	if (v.device_cfg_len < CFG_DATA + 128)
		return 0;
	v.device_cfg[CFG_SELECT] = sel;
	v.device_cfg[CFG_SUBSEL] = sub;
	uint8_t n = virtio_cfg8(&v, CFG_SIZE);
	return n > 128 ? 128 : n;
}

static bool has_bit(uint8_t type, unsigned bit)
{
	uint8_t n = cfg_select(CFG_EV_BITS, type);
	return bit / 8 < n && (virtio_cfg8(&v, CFG_DATA + bit / 8) >> (bit % 8)) & 1;
}

static uint32_t abs_max(uint8_t axis)
{
	return cfg_select(CFG_ABS_INFO, axis) >= 8 ? virtio_cfg32(&v, CFG_DATA + 4) : 0;
}

static int give(uint32_t i)
{
	struct virtq_buf b = {dma_addr[0] + i * sizeof(struct vev), sizeof(struct vev), true};
	return virtq_add(&q->q, &b, 1, &bufs[i]);
}

static void event(const struct vev *e)
{
	switch (e->type) {
	case EV_SYN:
		input_serve_flush(&srv);
		break;
	case EV_KEY:
		if (e->code >= BTN_LEFT && e->code <= BTN_LEFT + 2) {
			input_serve_event(&srv, INPUT_EV_BUTTON, (uint16_t)(e->code - BTN_LEFT),
			                  e->value != 0, e->code);
		} else {
			uint16_t usage = inputmap_evdev(e->code);
			int val = usage ? inputmap_key(&keys, usage, e->value != 0) : -1;
			srv.modifiers = keys.mods;
			if (val >= 0)
				input_serve_event(&srv, INPUT_EV_KEY, usage, val, e->code);
		}
		break;
	case EV_REL:
		if (e->code <= 1 || e->code == REL_WHEEL)
			input_serve_event(&srv, INPUT_EV_REL,
			                  e->code == REL_WHEEL ? INPUT_REL_WHEEL : e->code,
			                  (int32_t)e->value, 0);
		break;
	case EV_ABS:
		if (e->code <= 1)
			input_serve_event(&srv, INPUT_EV_ABS, e->code, (int32_t)e->value, 0);
		break;
	default: /* LEDs, misc: not the class's */
		break;
	}
}

/* Takes every completed buffer; ERR_IO when the device broke the queue. */
static long harvest(void)
{
	struct virtq_done d;
	int r;
	bool added = false;
	virtio_pci_isr(&v); /* INTx: reading deasserts the line */
	while ((r = virtq_harvest(&q->q, &d)) == 1) {
		struct vev *slot = d.cookie, e;
		memcpy(&e, slot, sizeof(e)); /* once: the device may write it again */
		if (d.status == 0 && d.len >= sizeof(e))
			event(&e);
		if (give((uint32_t)(slot - bufs)) == 0)
			added = true;
	}
	if (added)
		virtio_pci_kick(q);
	input_serve_flush(&srv);
	return r < 0 ? ERR_IO : 0;
}

static long probe(handle_t ws, const char *name, char *model, size_t cap)
{
	struct ch_dma dma;
	long r = virtio_pci_init(&v, ch_handle("device"), 0, 0);
	if (r >= 0)
		r = virtio_pci_queue(&v, 0, EVENTS);
	if (r >= 0)
		r = ch_devmem_dma_alloc(v.dev, 1, dma_addr, &dma);
	if (r < 0)
		return r;
	q = &v.queue[0];
	bufs = (struct vev *)dma.va;
	uint8_t n = cfg_select(CFG_ID_NAME, 0);
	size_t k = 0;
	for (; k < n && k + 1 < cap; k++) {
		char c = (char)virtio_cfg8(&v, CFG_DATA + (uint32_t)k);
		if (!c)
			break;
		model[k] = c >= ' ' && c < 127 ? c : '?';
	}
	model[k] = 0;
	uint32_t caps = (has_bit(EV_KEY, KEY_A) ? INPUT_CAP_KEYS : 0) |
	                (has_bit(EV_REL, 0) ? INPUT_CAP_REL : 0) |
	                (has_bit(EV_ABS, 0) ? INPUT_CAP_ABS : 0);
	uint32_t mx = caps & INPUT_CAP_ABS ? abs_max(0) : 0,
	         my = caps & INPUT_CAP_ABS ? abs_max(1) : 0;
	for (uint32_t i = 0; i < q->q.size && r >= 0; i++)
		r = give(i);
	if (r >= 0)
		r = virtio_pci_irq(&v);
	if (r >= 0)
		r = ch_waitset_add(ws, v.irq, KBUS_EV_READABLE, KEY_IRQ);
	if (r >= 0)
		r = input_serve_init(&srv, ws, KEY_SERVER, caps, model, mx, my);
	if (r >= 0)
		r = input_serve_bind(&srv, name);
	if (r >= 0) {
		virtio_pci_ready(&v);
		virtio_pci_kick(q);
	}
	return r;
}

int main(int argc, char **argv)
{
	handle_t ws;
	char model[40] = "virtio-input";
	if (argc < 2) {
		printf("usage: virtio-input <name>   (with the device granted as \"device\")\n");
		return 2;
	}
	long r = ch_waitset_create(ch_handle("pool"), &ws);
	if (r >= 0)
		r = probe(ws, argv[1], model, sizeof(model));
	ch_dev_ready(r);
	printf("virtio-input: %s: %s, %s\n", argv[1], model, ch_error_name(r));
	while (r >= 0) {
		struct kbus_event ev[8];
		long n = ch_waitset_wait(ws, ev, 8, CH_FOREVER);
		if (n < 0)
			break;
		bool irq = false;
		for (long i = 0; i < n; i++)
			if (!input_serve_handle(&srv, &ev[i]) && ev[i].key == KEY_IRQ)
				irq = true;
		if (irq) {
			r = harvest();
			ch_irq_ack(v.irq);
		}
	}
	virtio_pci_reset(&v);
	printf("virtio-input: %s: the device broke its queue\n", argv[1]);
	return 1;
}
