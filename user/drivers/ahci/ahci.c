/*
 * ahci - the block driver for AHCI SATA controllers (q35's ICH9 at 00:1f.2):
 * `bin/ahci <name> [port]` with the controller's capability as "device"
 * serves the ATA disk on that port (default: the first port with one) as
 * dev:///block/<name> through the shared block server (charlotte/blkserve.h),
 * which checks every client request before it gets here.
 *
 * One command slot, one command at a time (no NCQ): READ / WRITE DMA EXT and
 * FLUSH CACHE EXT; the other requests wait in a FIFO. The command list, the
 * received-FIS area and the command table are one DMA page of our own; the
 * data moves by DMA straight to and from the client's session memory through
 * the PRD table. What the controller and disk report is checked: IDENTIFY's
 * capacity must be nonzero and below 2^48 sectors, a task-file error or an
 * error interrupt fails the request with ERR_IO and restarts the port, and a
 * command that the controller reports done is taken only from the slot we
 * issued. Grants: device, pool, ns (to bind in dev://), log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/blkserve.h>
#include <charlotte/devmem.h>
#include <charlotte/hw.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

/* HBA registers (ABAR = BAR 5) */
#define HBA_CAP 0x00u
#define HBA_GHC 0x04u
#define HBA_IS 0x08u
#define HBA_PI 0x0cu
#define GHC_HR 0x1u
#define GHC_IE 0x2u
#define GHC_AE 0x80000000u

/* port registers, at 0x100 + 0x80 * port */
#define PX_CLB 0x00u
#define PX_CLBU 0x04u
#define PX_FB 0x08u
#define PX_FBU 0x0cu
#define PX_IS 0x10u
#define PX_IE 0x14u
#define PX_CMD 0x18u
#define PX_TFD 0x20u
#define PX_SIG 0x24u
#define PX_SSTS 0x28u
#define PX_SERR 0x30u
#define PX_CI 0x38u
#define CMD_ST 0x1u
#define CMD_FRE 0x10u
#define CMD_FR 0x4000u
#define CMD_CR 0x8000u
#define IS_DHRS 0x1u /* a D2H register FIS: the command ended */
#define IS_ERRORS 0x7d800010u /* TFES, HBFS, HBDS, IFS, INFS, OFS, IPMS, UFS */
#define TFD_ERR 0x1u
#define TFD_BUSY 0x88u /* BSY | DRQ */
#define SIG_ATA 0x00000101u

#define ATA_IDENTIFY 0xecu
#define ATA_READ_DMA_EXT 0x25u
#define ATA_WRITE_DMA_EXT 0x35u
#define ATA_FLUSH_EXT 0xeau

#define PAGE 4096u
#define MAX_PRD 64u
#define MAX_XFER (128u * 1024)
#define SPIN 10000000 /* register polls before a reset or command is given up */

/* One DMA page: command list (32 headers, 1 KiB), received FISes (256 B) at 1 KiB,
 * the command table at 2 KiB (FIS area 128 B, then the PRD table). */
#define OFF_FIS 1024u
#define OFF_TABLE 2048u

struct prd {
	uint32_t dba, dbau, reserved, dbc;
};

static struct ahci {
	volatile uint8_t *hba, *port;
	uint64_t abar_size;
	handle_t dev;
	struct ch_dma dma;
	uint64_t dma_addr[2];
	struct blk_serve_req *active; /* the command in slot 0 */
	struct blk_serve_req *wait_head, *wait_tail;
	struct blk_server srv;
	handle_t irq;
} ah;

static uint32_t rd(volatile uint8_t *b, uint32_t off)
{
	return *(volatile uint32_t *)(b + off);
}

static void wr(volatile uint8_t *b, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}

/* Polls until (reg & mask) == want; ERR_TIMED_OUT after SPIN reads. */
static long wait_reg(volatile uint8_t *b, uint32_t off, uint32_t mask, uint32_t want)
{
	for (int i = 0; i < SPIN; i++) {
		if ((rd(b, off) & mask) == want)
			return 0;
		if (i > 1000)
			ch_yield();
	}
	return ERR_TIMED_OUT;
}

static long port_stop(void)
{
	wr(ah.port, PX_CMD, rd(ah.port, PX_CMD) & ~CMD_ST);
	long r = wait_reg(ah.port, PX_CMD, CMD_CR, 0);
	wr(ah.port, PX_CMD, rd(ah.port, PX_CMD) & ~CMD_FRE);
	return r < 0 ? r : wait_reg(ah.port, PX_CMD, CMD_FR, 0);
}

static long port_start(void)
{
	wr(ah.port, PX_SERR, 0xffffffffu);
	wr(ah.port, PX_IS, 0xffffffffu);
	wr(ah.port, PX_CMD, rd(ah.port, PX_CMD) | CMD_FRE);
	long r = wait_reg(ah.port, PX_TFD, TFD_BUSY, 0);
	wr(ah.port, PX_CMD, rd(ah.port, PX_CMD) | CMD_ST);
	return r;
}

/* Fills slot 0 for command cmd over [lba, lba + bytes / 512) with n PRDs. */
static void build(uint8_t cmd, uint64_t lba, uint32_t bytes, const uint64_t *addr,
                  const uint32_t *len, unsigned n, bool write)
{
	uint8_t *base = ah.dma.va;
	uint8_t *fis = base + OFF_TABLE;
	struct prd *prd = (struct prd *)(base + OFF_TABLE + 128);
	uint32_t count = bytes / 512;
	memset(fis, 0, 128);
	fis[0] = 0x27; /* register FIS, host to device */
	fis[1] = 0x80; /* a command */
	fis[2] = cmd;
	fis[4] = (uint8_t)lba, fis[5] = (uint8_t)(lba >> 8), fis[6] = (uint8_t)(lba >> 16);
	fis[7] = 0x40; /* LBA */
	fis[8] = (uint8_t)(lba >> 24), fis[9] = (uint8_t)(lba >> 32),
	fis[10] = (uint8_t)(lba >> 40);
	fis[12] = (uint8_t)count, fis[13] = (uint8_t)(count >> 8);
	for (unsigned i = 0; i < n; i++)
		prd[i] = (struct prd){(uint32_t)addr[i], (uint32_t)(addr[i] >> 32), 0,
		                      (len[i] - 1) | (i + 1 == n ? 0x80000000u : 0)};
	uint32_t *hdr = (uint32_t *)base; /* slot 0 */
	uint64_t table = ah.dma_addr[0] + OFF_TABLE;
	hdr[0] = 5u | (write ? 0x40u : 0) | (uint32_t)n << 16; /* 5 dwords of FIS */
	hdr[1] = 0;
	hdr[2] = (uint32_t)table;
	hdr[3] = (uint32_t)(table >> 32);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(ah.port, PX_CI, 1);
}

/* Issues rq (the slot is free). 0 or ERR_*. */
static int issue(struct blk_serve_req *rq)
{
	uint64_t addr[MAX_PRD];
	uint32_t len[MAX_PRD];
	const struct blk_sqe *q = &rq->sqe;
	int n = 0;
	if (q->op != BLK_OP_FLUSH) {
		n = blk_serve_segments(rq, addr, len, MAX_PRD);
		if (n < 0)
			return ERR_INVALID_ARGS; /* max_transfer keeps this from happening */
	}
	uint8_t cmd = q->op == BLK_OP_READ    ? ATA_READ_DMA_EXT
	              : q->op == BLK_OP_WRITE ? ATA_WRITE_DMA_EXT
	                                      : ATA_FLUSH_EXT;
	ah.active = rq;
	build(cmd, q->offset / 512, q->len, addr, len, (unsigned)n, q->op == BLK_OP_WRITE);
	return 0;
}

static int ahci_start(void *drv, struct blk_serve_req *rq)
{
	(void)drv;
	if (rq->sqe.op == BLK_OP_DISCARD)
		return ERR_NOT_SUPPORTED;
	if (ah.active) {
		rq->priv = NULL;
		if (ah.wait_tail)
			ah.wait_tail->priv = rq;
		else
			ah.wait_head = rq;
		ah.wait_tail = rq;
		return 0;
	}
	return issue(rq);
}

static void ahci_poll(void *drv)
{
	(void)drv;
	uint32_t is = rd(ah.port, PX_IS);
	wr(ah.port, PX_IS, is);
	wr(ah.hba, HBA_IS, rd(ah.hba, HBA_IS));
	if (!ah.active)
		return;
	bool err = (is & IS_ERRORS) || (rd(ah.port, PX_TFD) & TFD_ERR);
	if (!err && (rd(ah.port, PX_CI) & 1))
		return; /* still running */
	struct blk_serve_req *rq = ah.active;
	ah.active = NULL;
	if (err) { /* the port stops on an error: restart it (AHCI 6.2.2) */
		port_stop();
		port_start();
	}
	blk_serve_done(rq, err ? ERR_IO : 0, rq->sqe.op == BLK_OP_FLUSH ? 0 : rq->sqe.len);
	while (ah.wait_head && !ah.active) {
		struct blk_serve_req *next = ah.wait_head;
		ah.wait_head = next->priv;
		if (!ah.wait_head)
			ah.wait_tail = NULL;
		int r = issue(next);
		if (r < 0)
			blk_serve_done(next, r, 0);
	}
}

static long ahci_dma_map(void *drv, handle_t mem, uint64_t *addrs, uint64_t n)
{
	(void)drv;
	return ch_dev_dma_map(ah.dev, mem, addrs, n);
}

static void ahci_dma_unmap(void *drv, handle_t mem)
{
	(void)drv;
	ch_dev_dma_unmap(ah.dev, mem);
}

static const struct blk_drv_ops ahci_ops = {
    .start = ahci_start, .poll = ahci_poll, .dma_map = ahci_dma_map, .dma_unmap = ahci_dma_unmap};

/* Points port p's command list and FIS area at our page and starts it; 1 when an
 * ATA disk answers there (its signature arrives once FIS receive is on). */
static long try_port(int p)
{
	ah.port = ah.hba + 0x100 + 0x80 * p;
	long r = port_stop();
	if (r < 0)
		return r;
	uint64_t clb = ah.dma_addr[0], fb = ah.dma_addr[0] + OFF_FIS;
	wr(ah.port, PX_CLB, (uint32_t)clb);
	wr(ah.port, PX_CLBU, (uint32_t)(clb >> 32));
	wr(ah.port, PX_FB, (uint32_t)fb);
	wr(ah.port, PX_FBU, (uint32_t)(fb >> 32));
	r = port_start();
	if (r >= 0 && rd(ah.port, PX_SIG) == SIG_ATA)
		return 1;
	port_stop();
	return 0;
}

/* The first port (want, or any when want < 0) with an ATA disk, started. */
static long pick_port(int want)
{
	uint32_t pi = rd(ah.hba, HBA_PI);
	for (int p = 0; p < 32; p++) {
		if (!(pi & 1u << p) || (want >= 0 && p != want))
			continue;
		if (0x100 + 0x80 * (uint64_t)(p + 1) > ah.abar_size)
			break; /* a port the controller says it has, outside its registers */
		if ((rd(ah.hba + 0x100 + 0x80 * p, PX_SSTS) & 0xf) == 3 && try_port(p) == 1)
			return p;
	}
	return ERR_NOT_FOUND;
}

/* IDENTIFY DEVICE, polled: fills the size and the model. */
static long identify(struct blk_info *info)
{
	uint8_t *id = ah.dma.va + PAGE;
	uint64_t addr = ah.dma_addr[1];
	uint32_t len = 512;
	build(ATA_IDENTIFY, 0, 0, &addr, &len, 1, false);
	long r = wait_reg(ah.port, PX_CI, 1, 0);
	if (r < 0 || (rd(ah.port, PX_TFD) & TFD_ERR))
		return r < 0 ? r : ERR_IO;
	wr(ah.port, PX_IS, rd(ah.port, PX_IS));
	const uint16_t *w = (const uint16_t *)id;
	uint64_t sectors = (w[83] & 0x400) ? (uint64_t)w[100] | (uint64_t)w[101] << 16 |
	                                         (uint64_t)w[102] << 32 | (uint64_t)w[103] << 48
	                                   : (uint64_t)w[60] | (uint64_t)w[61] << 16;
	if (sectors == 0 || sectors >> 48)
		return ERR_MALFORMED;
	*info = (struct blk_info){.size = sectors * 512,
	                          .block_size = 512,
	                          .flags = BLK_INFO_FLUSH,
	                          .max_transfer = MAX_XFER};
	for (int i = 0; i < 20 && 2 * i + 1 < BLK_MODEL_MAX - 1; i++) { /* words 27-46, swapped */
		info->model[2 * i] = (char)(w[27 + i] >> 8);
		info->model[2 * i + 1] = (char)w[27 + i];
	}
	for (int i = BLK_MODEL_MAX - 2; i >= 0 && (info->model[i] == ' ' || !info->model[i]); i--)
		info->model[i] = 0;
	for (int i = 0; info->model[i]; i++)
		if (info->model[i] < 0x20 || info->model[i] > 0x7e)
			info->model[i] = '?';
	return 0;
}

static long probe(int want, struct blk_info *info)
{
	uint64_t size;
	ah.dev = ch_handle("device");
	long r = ch_devmem_map_mmio(ah.dev, 5, &ah.hba, &size);
	if (r < 0)
		return r;
	if (size < 0x100)
		return ERR_MALFORMED;
	ah.abar_size = size;
	uint32_t cmd;
	r = ch_dev_config_read(ah.dev, 0x04, 2, &cmd);
	if (r >= 0)
		r = ch_dev_config_write(ah.dev, 0x04, 2, cmd | 0x6); /* memory, bus master */
	if (r < 0)
		return r;
	wr(ah.hba, HBA_GHC, GHC_AE);
	wr(ah.hba, HBA_GHC, GHC_AE | GHC_HR); /* reset: forget what firmware did */
	r = wait_reg(ah.hba, HBA_GHC, GHC_HR, 0);
	if (r < 0)
		return r;
	wr(ah.hba, HBA_GHC, GHC_AE);
	r = ch_devmem_dma_alloc(ah.dev, 2, ah.dma_addr, &ah.dma);
	if (r < 0)
		return r;
	/* after a reset the ports find their devices again */
	for (int i = 0; i < 1000 && (r = pick_port(want)) < 0; i++)
		ch_sleep_ns(1000000);
	if (r >= 0)
		r = identify(info);
	if (r < 0)
		return r;
	if (ch_dev_irq(ah.dev, HW_IRQ_ANY, 0, &ah.irq) < 0)
		ah.irq = HANDLE_INVALID; /* the server polls */
	wr(ah.port, PX_IE, IS_DHRS | IS_ERRORS);
	wr(ah.hba, HBA_GHC, GHC_AE | GHC_IE);
	return 0;
}

int main(int argc, char **argv)
{
	struct blk_info info;
	if (argc < 2) {
		printf("usage: ahci <name> [port]   (with the controller granted as \"device\")\n");
		return 2;
	}
	long r = probe(argc > 2 ? atoi(argv[2]) : -1, &info);
	if (r >= 0) {
		printf("%s: %llu KiB, \"%s\", port %u, %s\n", argv[1],
		       (unsigned long long)(info.size >> 10), info.model,
		       (unsigned)((ah.port - ah.hba - 0x100) / 0x80),
		       ah.irq == HANDLE_INVALID ? "polled" : "interrupts");
		r = blk_serve(&ah.srv, &ahci_ops, NULL, &info, ah.irq, argv[1]);
	} else {
		blk_serve_ready(r); /* tell a waiting spawner why not */
	}
	printf("%s: %s\n", argv[1], ch_error_name(r));
	return 1;
}
