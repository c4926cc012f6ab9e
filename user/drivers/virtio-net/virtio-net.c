/*
 * virtio-net - the net driver for virtio network devices (virtio 1.x over
 * PCI): `bin/virtio-net <name>` with the device's capability as "device"
 * serves it as dev:///net/<name> through the shared net server
 * (charlotte/netserve.h), which checks every client entry before a frame gets
 * here.
 *
 * Two queues, receiveq (0) and transmitq (1), of up to NBUF entries each,
 * every buffer NET_BUF_SIZE bytes of our own DMA memory (two per page, so one
 * buffer is one descriptor): a received frame is copied from our buffer into a
 * client's, a sent one from the client's into ours, so clients never reach the
 * device. Each buffer starts with the 12-byte virtio_net_hdr (no offloads are
 * negotiated, so it is all zeros on transmit and ignored on receive).
 * The MAC comes from the device configuration (VIRTIO_NET_F_MAC; else a
 * locally administered one), the link state from its status word
 * (VIRTIO_NET_F_STATUS; else always up), re-read at every poll.
 * Every value from the device is checked: the queues by shared/virtio.c, the
 * length of each received frame here (at least header + NET_HDR_LEN, at most
 * the buffer). A device that breaks a queue is reset and every frame after
 * fails with ERR_IO (Exec restarts the driver).
 * Grants: device, pool, ns (to bind in dev://), log.
 */
#include <stdio.h>
#include <string.h>

#include <charlotte/devmem.h>
#include <charlotte/hw.h>
#include <charlotte/names.h>
#include <charlotte/netserve.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/virtio_pci.h>

#define F_MTU 3u
#define F_MAC 5u
#define F_STATUS 16u
#define S_LINK_UP 1u

#define NBUF 128u /* per queue */
#define HDR 12u /* struct virtio_net_hdr with num_buffers (virtio 1.x) */
#define PAGE 4096u
#define PER_PAGE (PAGE / NET_BUF_SIZE)

struct ring {
	struct virtio_pci_queue *q;
	uint8_t *va; /* NBUF buffers */
	uint64_t addr[NBUF / PER_PAGE]; /* device address of each page */
	uint8_t cookie[NBUF]; /* &cookie[i] identifies buffer i */
};

static struct vnet {
	struct virtio_pci v;
	struct ring rx, tx;
	uint16_t tx_free[NBUF], ntx_free;
	bool broken;
	struct net_server srv;
} vn;

static uint64_t buf_addr(const struct ring *r, uint32_t i)
{
	return r->addr[i / PER_PAGE] + (i % PER_PAGE) * NET_BUF_SIZE;
}

static uint8_t *buf_va(const struct ring *r, uint32_t i)
{
	return r->va + (uint64_t)i * NET_BUF_SIZE;
}

static int rx_give(uint32_t i)
{
	struct virtq_buf b = {buf_addr(&vn.rx, i), NET_BUF_SIZE, true};
	return virtq_add(&vn.rx.q->q, &b, 1, &vn.rx.cookie[i]);
}

static void fail_all(void)
{
	void *ck;
	vn.broken = true;
	virtio_pci_reset(&vn.v);
	while (virtq_reclaim(&vn.rx.q->q, &ck) == 1)
		;
	while (virtq_reclaim(&vn.tx.q->q, &ck) == 1)
		;
	printf("virtio-net: the device broke a queue; failing all frames\n");
}

static int vnet_xmit(void *drv, const uint8_t *frame, uint32_t len)
{
	(void)drv;
	if (vn.broken)
		return ERR_IO;
	if (vn.ntx_free == 0)
		return ERR_SHOULD_WAIT;
	uint32_t i = vn.tx_free[--vn.ntx_free];
	uint8_t *p = buf_va(&vn.tx, i);
	uint32_t n = len < NET_FRAME_PAD ? NET_FRAME_PAD : len;
	memset(p, 0, HDR);
	memcpy(p + HDR, frame, len);
	memset(p + HDR + len, 0, n - len); /* Ethernet's minimum, as the wire pads */
	struct virtq_buf b = {buf_addr(&vn.tx, i), HDR + n, false};
	int r = virtq_add(&vn.tx.q->q, &b, 1, &vn.tx.cookie[i]);
	if (r < 0) {
		vn.tx_free[vn.ntx_free++] = (uint16_t)i;
		return r == ERR_NO_RESOURCES ? ERR_SHOULD_WAIT : ERR_IO;
	}
	virtio_pci_kick(vn.tx.q);
	return 0;
}

static void link_poll(void)
{
	if (!(vn.v.features & 1ull << F_STATUS))
		return;
	net_serve_link(&vn.srv, virtio_cfg8(&vn.v, 6) & S_LINK_UP);
}

static void vnet_poll(void *drv)
{
	(void)drv;
	struct virtq_done d;
	int r;
	bool gave = false;
	if (vn.broken)
		return;
	virtio_pci_isr(&vn.v); /* INTx: reading deasserts the line */
	while ((r = virtq_harvest(&vn.tx.q->q, &d)) == 1)
		vn.tx_free[vn.ntx_free++] = (uint16_t)((uint8_t *)d.cookie - vn.tx.cookie);
	if (r < 0) {
		fail_all();
		return;
	}
	while ((r = virtq_harvest(&vn.rx.q->q, &d)) == 1) {
		uint32_t i = (uint32_t)((uint8_t *)d.cookie - vn.rx.cookie);
		/* d.len <= NET_BUF_SIZE: shared/virtio.c checked it against the buffer */
		if (d.status == 0 && d.len >= HDR + NET_FRAME_MIN)
			net_serve_rx(&vn.srv, buf_va(&vn.rx, i) + HDR, d.len - HDR);
		if (rx_give(i) == 0)
			gave = true;
	}
	if (r < 0) {
		fail_all();
		return;
	}
	if (gave)
		virtio_pci_kick(vn.rx.q);
	link_poll();
}

static const struct net_drv_ops vnet_ops = {.xmit = vnet_xmit, .poll = vnet_poll};

static long ring_setup(struct ring *r, uint16_t index)
{
	struct ch_dma dma;
	long e = virtio_pci_queue(&vn.v, index, NBUF);
	if (e < 0)
		return e;
	r->q = &vn.v.queue[vn.v.nqueues - 1];
	if (r->q->q.size < NBUF)
		return ERR_NOT_SUPPORTED; /* our buffer arithmetic wants the whole NBUF */
	e = ch_devmem_dma_alloc(vn.v.dev, NBUF / PER_PAGE, r->addr, &dma);
	if (e < 0)
		return e;
	r->va = dma.va;
	return 0;
}

static long probe(struct net_info *info)
{
	uint64_t want = 1ull << F_MAC | 1ull << F_STATUS;
	long r = virtio_pci_init(&vn.v, ch_handle("device"), 0, want);
	if (r < 0)
		return r;
	r = ring_setup(&vn.rx, 0);
	if (r >= 0)
		r = ring_setup(&vn.tx, 1);
	if (r < 0)
		return r;
	*info = (struct net_info){.mtu = 1500, .link_up = 1};
	if (vn.v.features & 1ull << F_MAC)
		for (int i = 0; i < 6; i++)
			info->mac[i] = virtio_cfg8(&vn.v, (uint32_t)i);
	else /* locally administered, unicast */
		memcpy(info->mac, (const uint8_t[6]){0x02, 0, 0, 0, 0, 1}, 6);
	if (vn.v.features & 1ull << F_STATUS)
		info->link_up = virtio_cfg8(&vn.v, 6) & S_LINK_UP;
	snprintf(info->model, sizeof(info->model), "virtio-net");
	for (uint32_t i = 0; i < NBUF; i++)
		vn.tx_free[vn.ntx_free++] = (uint16_t)(NBUF - 1 - i);
	if (virtio_pci_irq(&vn.v) < 0)
		vn.v.irq = HANDLE_INVALID; /* no interrupt: the server polls */
	virtio_pci_ready(&vn.v);
	for (uint32_t i = 0; i < NBUF; i++)
		if ((r = rx_give(i)) < 0)
			return r;
	virtio_pci_kick(vn.rx.q);
	return 0;
}

int main(int argc, char **argv)
{
	struct net_info info;
	if (argc < 2) {
		printf("usage: virtio-net <name>   (with the device granted as \"device\")\n");
		return 2;
	}
	long r = probe(&info);
	if (r >= 0) {
		printf("virtio-net: %s: %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s\n", argv[1],
		       info.mac[0], info.mac[1], info.mac[2], info.mac[3], info.mac[4], info.mac[5],
		       info.link_up ? "up" : "down",
		       vn.v.irq == HANDLE_INVALID ? "polled"
		       : vn.v.msix                ? "MSI-X"
		                                  : "INTx");
		r = net_serve(&vn.srv, &vnet_ops, NULL, &info, vn.v.irq, argv[1]);
	} else {
		net_serve_ready(r); /* tell a waiting spawner why not */
	}
	printf("virtio-net: %s: %s\n", argv[1], ch_error_name(r));
	return 1;
}
