/*
 * virtio-blk - the block driver for virtio block devices (virtio 1.x over
 * PCI): `bin/virtio-blk <name>` with the device's capability as "device"
 * serves it as dev:///block/<name> through the shared block server
 * (charlotte/blkserve.h), which checks every client request before it gets
 * here.
 *
 * One request queue. A request is a chain: a 16-byte header (type, sector)
 * the device reads, the data segments in the client's session memory (DMA
 * straight to and from it), and a status byte the device writes. Headers and
 * status bytes live in our own DMA page, one slot per request, never in a
 * client's memory (a client could rewrite them under the device). Requests
 * that do not fit the ring wait in a FIFO. Every value from the device is
 * checked: the queue by shared/virtio.c, the status byte here (anything but
 * OK or UNSUPP is an I/O error); capacity and segment limits are clamped. A
 * device that breaks the queue is reset, its requests fail with ERR_IO, and
 * the driver refuses everything after (Exec restarts it).
 * Grants: device, pool, ns (to bind in dev://), log.
 */
#include <stdio.h>
#include <string.h>

#include <charlotte/blkserve.h>
#include <charlotte/devmem.h>
#include <charlotte/hw.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/virtio_pci.h>

#define F_SIZE_MAX 1u
#define F_SEG_MAX 2u
#define F_RO 5u
#define F_BLK_SIZE 6u
#define F_FLUSH 9u

#define T_IN 0u
#define T_OUT 1u
#define T_FLUSH 4u

#define S_OK 0u
#define S_UNSUPP 2u

#define NSLOTS 256u
#define PAGE 4096u
#define MAX_XFER (128u * 1024)

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct slot {
	struct blk_serve_req *rq;
	bool used;
};

static struct vblk {
	struct virtio_pci v;
	struct virtio_pci_queue *q;
	struct vblk_hdr *hdr; /* NSLOTS headers (page 0 of mem) */
	volatile uint8_t *status; /* NSLOTS status bytes (page 1) */
	uint64_t dma[2];
	struct slot slot[NSLOTS];
	struct blk_serve_req *wait_head, *wait_tail; /* FIFO through rq->priv */
	uint32_t max_seg;
	bool broken;
	struct blk_server srv;
} vb;

/* Puts rq on the ring: 0, ERR_NO_RESOURCES (full: try again later), or ERR_*. */
static int submit(struct blk_serve_req *rq)
{
	uint32_t s = 0;
	while (s < NSLOTS && vb.slot[s].used)
		s++;
	if (s == NSLOTS)
		return ERR_NO_RESOURCES;
	const struct blk_sqe *q = &rq->sqe;
	uint32_t type = q->op == BLK_OP_READ ? T_IN : q->op == BLK_OP_WRITE ? T_OUT : T_FLUSH;
	vb.hdr[s] = (struct vblk_hdr){.type = type, .sector = q->offset / 512};
	vb.status[s] = 0xff;

	struct virtq_buf b[VIRTIO_PCI_QUEUE_MAX];
	uint64_t addr[VIRTIO_PCI_QUEUE_MAX];
	uint32_t len[VIRTIO_PCI_QUEUE_MAX];
	unsigned n = 0;
	b[n++] = (struct virtq_buf){vb.dma[0] + s * sizeof(struct vblk_hdr),
	                            sizeof(struct vblk_hdr), false};
	if (type != T_FLUSH) {
		int k = blk_serve_segments(rq, addr, len, vb.max_seg);
		if (k < 0)
			return ERR_INVALID_ARGS; /* max_transfer keeps this from happening */
		for (int i = 0; i < k; i++)
			b[n++] = (struct virtq_buf){addr[i], len[i], type == T_IN};
	}
	b[n++] = (struct virtq_buf){vb.dma[1] + s, 1, true};
	int r = virtq_add(&vb.q->q, b, n, &vb.slot[s]);
	if (r < 0)
		return r;
	vb.slot[s] = (struct slot){.rq = rq, .used = true};
	return 0;
}

static void wait_push(struct blk_serve_req *rq)
{
	rq->priv = NULL;
	if (vb.wait_tail)
		vb.wait_tail->priv = rq;
	else
		vb.wait_head = rq;
	vb.wait_tail = rq;
}

static int vblk_start(void *drv, struct blk_serve_req *rq)
{
	(void)drv;
	if (vb.broken)
		return ERR_IO;
	if (rq->sqe.op == BLK_OP_DISCARD)
		return ERR_NOT_SUPPORTED; /* not offered in the info */
	if (rq->sqe.op == BLK_OP_FLUSH && !(vb.v.features & 1ull << F_FLUSH)) {
		blk_serve_done(rq, 0, 0); /* no volatile cache: nothing to flush */
		return 0;
	}
	int r = vb.wait_head ? ERR_NO_RESOURCES : submit(rq);
	if (r == ERR_NO_RESOURCES) {
		wait_push(rq);
		return 0;
	}
	if (r == 0)
		virtio_pci_kick(vb.q);
	return r;
}

/* The device broke the queue: stop it, fail everything it held and everything waiting. */
static void fail_all(void)
{
	void *ck;
	vb.broken = true;
	virtio_pci_reset(&vb.v);
	while (virtq_reclaim(&vb.q->q, &ck) == 1) {
		struct slot *s = ck;
		s->used = false;
		blk_serve_done(s->rq, ERR_IO, 0);
	}
	while (vb.wait_head) {
		struct blk_serve_req *rq = vb.wait_head;
		vb.wait_head = rq->priv;
		blk_serve_done(rq, ERR_IO, 0);
	}
	vb.wait_tail = NULL;
	printf("virtio-blk: the device broke its queue; failing all requests\n");
}

static void vblk_poll(void *drv)
{
	(void)drv;
	struct virtq_done d;
	int r;
	if (vb.broken)
		return;
	virtio_pci_isr(&vb.v); /* INTx: reading deasserts the line */
	while ((r = virtq_harvest(&vb.q->q, &d)) == 1) {
		struct slot *s = d.cookie;
		uint32_t i = (uint32_t)(s - vb.slot);
		uint8_t st = vb.status[i];
		struct blk_serve_req *rq = s->rq;
		s->used = false;
		int status = d.status         ? ERR_IO
		             : st == S_OK     ? 0
		             : st == S_UNSUPP ? ERR_NOT_SUPPORTED
		                              : ERR_IO;
		blk_serve_done(rq, status, rq->sqe.op == BLK_OP_FLUSH ? 0 : rq->sqe.len);
	}
	if (r < 0) {
		fail_all();
		return;
	}
	bool added = false;
	while (vb.wait_head) {
		struct blk_serve_req *rq = vb.wait_head;
		r = submit(rq);
		if (r == ERR_NO_RESOURCES)
			break;
		vb.wait_head = rq->priv;
		if (!vb.wait_head)
			vb.wait_tail = NULL;
		if (r < 0)
			blk_serve_done(rq, r, 0);
		else
			added = true;
	}
	if (added)
		virtio_pci_kick(vb.q);
}

static long vblk_dma_map(void *drv, handle_t mem, uint64_t *addrs, uint64_t n)
{
	(void)drv;
	return ch_dev_dma_map(vb.v.dev, mem, addrs, n);
}

static void vblk_dma_unmap(void *drv, handle_t mem)
{
	(void)drv;
	ch_dev_dma_unmap(vb.v.dev, mem);
}

static const struct blk_drv_ops vblk_ops = {
    .start = vblk_start, .poll = vblk_poll, .dma_map = vblk_dma_map, .dma_unmap = vblk_dma_unmap};

/* Our DMA page pair: headers, then status bytes. */
static long setup_slots(void)
{
	struct ch_dma dma;
	long r = ch_devmem_dma_alloc(vb.v.dev, 2, vb.dma, &dma);
	if (r < 0)
		return r;
	vb.hdr = (struct vblk_hdr *)dma.va;
	vb.status = dma.va + PAGE;
	return 0;
}

static long probe(struct blk_info *info)
{
	uint64_t want = 1ull << F_SEG_MAX | 1ull << F_RO | 1ull << F_BLK_SIZE | 1ull << F_FLUSH;
	long r = virtio_pci_init(&vb.v, ch_handle("device"), 0, want);
	if (r < 0)
		return r;
	uint64_t sectors = virtio_cfg64(&vb.v, 0);
	if (sectors == 0 || sectors > (UINT64_MAX >> 9))
		return ERR_MALFORMED;
	r = virtio_pci_queue(&vb.v, 0, VIRTIO_PCI_QUEUE_MAX);
	if (r < 0)
		return r;
	vb.q = &vb.v.queue[0];
	uint32_t seg = vb.v.features & 1ull << F_SEG_MAX ? virtio_cfg32(&vb.v, 12) : vb.q->q.size;
	uint32_t room = vb.q->q.size > 2 ? vb.q->q.size - 2u : 1u; /* header and status */
	vb.max_seg = seg == 0 ? 1 : seg < room ? seg : room;
	uint32_t xfer = vb.max_seg == 1 ? 512 : (vb.max_seg - 1) * PAGE;
	*info = (struct blk_info){.size = sectors * 512,
	                          .block_size = 512,
	                          .max_transfer = xfer < MAX_XFER ? xfer : MAX_XFER};
	if (vb.v.features & 1ull << F_RO)
		info->flags |= BLK_INFO_READ_ONLY;
	if (vb.v.features & 1ull << F_FLUSH)
		info->flags |= BLK_INFO_FLUSH;
	snprintf(info->model, sizeof(info->model), "virtio-blk");
	r = setup_slots();
	if (r < 0)
		return r;
	if (virtio_pci_irq(&vb.v) < 0)
		vb.v.irq = HANDLE_INVALID; /* no interrupt: the server polls */
	virtio_pci_ready(&vb.v);
	return 0;
}

int main(int argc, char **argv)
{
	struct blk_info info;
	if (argc < 2) {
		printf("usage: virtio-blk <name>   (with the device granted as \"device\")\n");
		return 2;
	}
	long r = probe(&info);
	if (r >= 0) {
		printf("%s: %llu KiB%s, queue of %u, %s\n", argv[1],
		       (unsigned long long)(info.size >> 10),
		       info.flags & BLK_INFO_READ_ONLY ? " read-only" : "", vb.q->q.size,
		       vb.v.irq == HANDLE_INVALID ? "polled"
		       : vb.v.msix                ? "MSI-X"
		                                  : "INTx");
		r = blk_serve(&vb.srv, &vblk_ops, NULL, &info, vb.v.irq, argv[1]);
	} else {
		blk_serve_ready(r); /* tell a waiting spawner why not */
	}
	printf("%s: %s\n", argv[1], ch_error_name(r));
	return 1;
}
