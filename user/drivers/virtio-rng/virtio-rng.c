/*
 * virtio-rng - the virtio entropy device (virtio 1.x 5.4) through the rng
 * class: `bin/virtio-rng <name>` binds dev:///rng/<name>. A read puts one
 * device-writable buffer (our own DMA page, never client memory) on the
 * request queue and waits for the interrupt; the length the device reports is
 * checked by shared/virtio.c against the buffer. A device that breaks its
 * queue is reset and reads answer ERR_IO from then on.
 * Grants: log, pool, ns, device, ready.
 */
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/devcall.h>
#include <charlotte/devmem.h>
#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/rngserve.h>
#include <charlotte/start.h>
#include <charlotte/virtio_pci.h>

#define WAIT_NS (10ull * 1000 * 1000 * 1000)

static struct virtio_pci v;
static struct virtio_pci_queue *q;
static uint8_t *page;
static uint64_t page_addr[1];
static bool broken;

static long fill(void *drv, uint8_t *buf, uint32_t len)
{
	(void)drv;
	if (broken)
		return ERR_IO;
	if (len > 4096)
		len = 4096;
	struct virtq_buf b = {page_addr[0], len, true};
	int r = virtq_add(&q->q, &b, 1, page);
	if (r < 0)
		return ERR_IO;
	virtio_pci_kick(q);
	for (;;) {
		struct virtq_done d;
		virtio_pci_isr(&v);
		int h = virtq_harvest(&q->q, &d);
		if (h == 1) {
			if (d.status || d.len == 0)
				return ERR_IO;
			memcpy(buf, page, d.len);
			memset(page, 0, d.len);
			return d.len;
		}
		if (h < 0 || ch_irq_wait(v.irq, WAIT_NS) < 0) {
			broken = true; /* a device that breaks its queue or never answers */
			virtio_pci_reset(&v);
			return ERR_IO;
		}
		ch_irq_ack(v.irq);
	}
}

static long probe(void)
{
	struct ch_dma dma;
	long r = virtio_pci_init(&v, ch_handle("device"), 0, 0);
	if (r >= 0)
		r = virtio_pci_queue(&v, 0, 8);
	if (r >= 0)
		r = ch_devmem_dma_alloc(v.dev, 1, page_addr, &dma);
	if (r >= 0)
		r = virtio_pci_irq(&v);
	if (r < 0)
		return r;
	q = &v.queue[0];
	page = dma.va;
	virtio_pci_ready(&v);
	return 0;
}

int main(int argc, char **argv)
{
	static struct rng_server srv = {.fill = fill};
	if (argc < 2) {
		printf("usage: virtio-rng <name>   (with the device granted as \"device\")\n");
		return 2;
	}
	long r = probe();
	if (r >= 0)
		r = rng_serve_bind(&srv, argv[1]);
	else
		ch_dev_ready(r);
	printf("virtio-rng: %s: %s\n", argv[1], ch_error_name(r));
	if (r >= 0)
		r = rng_serve_run(&srv);
	return 1;
}
