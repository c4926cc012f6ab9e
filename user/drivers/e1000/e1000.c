/*
 * e1000 - the net driver for Intel's 8254x gigabit controllers as QEMU models
 * them (82540EM, PCI 8086:100e, the default NIC of most hypervisors):
 * `bin/e1000 <name>` with the device's capability as "device" serves it as
 * dev:///net/<name> through the shared net server (charlotte/netserve.h).
 *
 * Registers through BAR0 (MMIO). The MAC comes from the EEPROM (EERD words
 * 0-2; if the EEPROM does not answer, from RAL0/RAH0 as firmware left them)
 * and is written back to RAL0/RAH0. Legacy descriptor rings of NDESC
 * entries, each in its own DMA page, and NDESC buffers of NET_BUF_SIZE bytes
 * per direction in our own DMA memory: frames are copied from and to a
 * client's buffers, so clients never reach the device. The CRC is stripped
 * (RCTL.SECRC); short frames are padded to NET_FRAME_PAD here.
 * Interrupts (INTx, or MSI if offered): transmit done, link change, receive;
 * reading ICR acknowledges them at the device.
 *
 * What the device writes is checked: we never read RDH or TDH, but walk the
 * rings with our own indexes and the descriptor's DD bit; a received
 * descriptor is copied once, and its length must be NET_FRAME_MIN..the
 * buffer, with EOP set and no error bits, else the frame is dropped. The
 * link state is STATUS.LU, re-read at every link-change interrupt.
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

#define CTRL 0x0000u
#define STATUS 0x0008u
#define EERD 0x0014u
#define ICR 0x00c0u
#define IMS 0x00d0u
#define IMC 0x00d8u
#define RCTL 0x0100u
#define TCTL 0x0400u
#define TIPG 0x0410u
#define RDBAL 0x2800u
#define RDBAH 0x2804u
#define RDLEN 0x2808u
#define RDH 0x2810u
#define RDT 0x2818u
#define RDTR 0x2820u
#define TDBAL 0x3800u
#define TDBAH 0x3804u
#define TDLEN 0x3808u
#define TDH 0x3810u
#define TDT 0x3818u
#define MTA 0x5200u
#define RAL0 0x5400u
#define RAH0 0x5404u
#define REGS_MIN 0x6000u /* BAR0 must reach past every register used */

#define CTRL_SLU (1u << 6)
#define CTRL_ASDE (1u << 5)
#define CTRL_RST (1u << 26)
#define STATUS_LU (1u << 1)
#define EERD_START 1u
#define EERD_DONE (1u << 4)
#define ICR_TXDW (1u << 0)
#define ICR_LSC (1u << 2)
#define ICR_RXDMT0 (1u << 4)
#define ICR_RXO (1u << 6)
#define ICR_RXT0 (1u << 7)
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26) /* BSIZE 00: 2048-byte buffers */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT (0x10u << 4)
#define TCTL_COLD (0x40u << 12)
#define RAH_AV (1u << 31)

#define RXS_DD 1u
#define RXS_EOP 2u
#define TXC_EOP 1u
#define TXC_IFCS 2u
#define TXC_RS 8u
#define TXS_DD 1u

#define NDESC 128u /* per ring: 2 KiB of descriptors, a multiple of 128 bytes */
#define PAGE 4096u
#define PER_PAGE (PAGE / NET_BUF_SIZE)

struct rx_desc {
	uint64_t addr;
	uint16_t len;
	uint16_t csum;
	uint8_t status, errors;
	uint16_t special;
};

struct tx_desc {
	uint64_t addr;
	uint16_t len;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};

struct ring {
	uint8_t *va; /* NDESC buffers */
	uint64_t addr[NDESC / PER_PAGE];
	uint64_t desc_addr;
};

static struct e1000 {
	handle_t dev, irq;
	volatile uint8_t *regs;
	volatile struct rx_desc *rxd;
	volatile struct tx_desc *txd;
	struct ring rx, tx;
	uint32_t rx_next; /* the next descriptor the device fills */
	uint32_t tx_tail, tx_clean, tx_busy; /* next to fill, oldest in flight, in flight */
	struct net_server srv;
} e;

static uint32_t rd(uint32_t reg)
{
	return *(volatile uint32_t *)(e.regs + reg);
}

static void wr(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(e.regs + reg) = v;
}

static uint64_t buf_addr(const struct ring *r, uint32_t i)
{
	return r->addr[i / PER_PAGE] + (i % PER_PAGE) * NET_BUF_SIZE;
}

static uint8_t *buf_va(const struct ring *r, uint32_t i)
{
	return r->va + (uint64_t)i * NET_BUF_SIZE;
}

static int e1000_xmit(void *drv, const uint8_t *frame, uint32_t len)
{
	(void)drv;
	if (e.tx_busy == NDESC - 1)
		return ERR_SHOULD_WAIT; /* one slot stays empty: TDT == TDH means idle */
	uint32_t i = e.tx_tail;
	uint8_t *p = buf_va(&e.tx, i);
	uint32_t n = len < NET_FRAME_PAD ? NET_FRAME_PAD : len;
	memcpy(p, frame, len);
	memset(p + len, 0, n - len);
	e.txd[i] = (struct tx_desc){
	    .addr = buf_addr(&e.tx, i), .len = (uint16_t)n, .cmd = TXC_EOP | TXC_IFCS | TXC_RS};
	e.tx_tail = (i + 1) % NDESC;
	e.tx_busy++;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the descriptor before the tail */
	wr(TDT, e.tx_tail);
	return 0;
}

static void rx_poll(void)
{
	for (uint32_t k = 0; k < NDESC; k++) {
		uint32_t i = e.rx_next;
		if (!(e.rxd[i].status & RXS_DD))
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the device wrote the rest before DD */
		struct rx_desc d = e.rxd[i]; /* one copy: the device may write it again */
		if ((d.status & RXS_EOP) && !d.errors && d.len >= NET_FRAME_MIN &&
		    d.len <= NET_BUF_SIZE)
			net_serve_rx(&e.srv, buf_va(&e.rx, i), d.len);
		e.rxd[i] = (struct rx_desc){.addr = buf_addr(&e.rx, i)};
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr(RDT, i); /* give it back: the device fills up to, not including, RDT */
		e.rx_next = (i + 1) % NDESC;
	}
}

static void tx_poll(void)
{
	while (e.tx_busy && (e.txd[e.tx_clean].status & TXS_DD)) {
		e.tx_clean = (e.tx_clean + 1) % NDESC;
		e.tx_busy--;
	}
}

static void e1000_poll(void *drv)
{
	(void)drv;
	uint32_t icr = rd(ICR); /* read to clear: deasserts the line */
	if (icr & ICR_LSC)
		net_serve_link(&e.srv, rd(STATUS) & STATUS_LU);
	tx_poll();
	rx_poll();
}

static const struct net_drv_ops e1000_ops = {.xmit = e1000_xmit, .poll = e1000_poll};

/* One EEPROM word through EERD; -1 if the EEPROM does not answer. */
static int32_t eeprom(uint32_t word)
{
	wr(EERD, word << 8 | EERD_START);
	for (int i = 0; i < 10000; i++) {
		uint32_t v = rd(EERD);
		if (v & EERD_DONE)
			return (int32_t)(v >> 16);
	}
	return -1;
}

static void read_mac(uint8_t mac[6])
{
	for (uint32_t w = 0; w < 3; w++) {
		int32_t v = eeprom(w);
		if (v < 0) { /* no EEPROM: what firmware (or QEMU) put in the first address */
			uint32_t lo = rd(RAL0), hi = rd(RAH0);
			for (int i = 0; i < 4; i++)
				mac[i] = (uint8_t)(lo >> (8 * i));
			mac[4] = (uint8_t)hi;
			mac[5] = (uint8_t)(hi >> 8);
			return;
		}
		mac[2 * w] = (uint8_t)v;
		mac[2 * w + 1] = (uint8_t)(v >> 8);
	}
}

/* A ring's descriptor page and its NDESC buffers, in DMA memory. */
static long ring_alloc(struct ring *r, volatile void **desc)
{
	struct ch_dma d1, d2;
	long err = ch_devmem_dma_alloc(e.dev, 1, &r->desc_addr, &d1);
	if (err < 0)
		return err;
	*desc = d1.va;
	err = ch_devmem_dma_alloc(e.dev, NDESC / PER_PAGE, r->addr, &d2);
	if (err < 0)
		return err;
	r->va = d2.va;
	return 0;
}

static long reset(void)
{
	wr(IMC, 0xffffffffu);
	wr(CTRL, rd(CTRL) | CTRL_RST);
	for (int i = 0; i < 1000 && (rd(CTRL) & CTRL_RST); i++)
		ch_sleep_ns(100000);
	if (rd(CTRL) & CTRL_RST)
		return ERR_IO;
	wr(IMC, 0xffffffffu);
	rd(ICR);
	wr(CTRL, (rd(CTRL) | CTRL_SLU | CTRL_ASDE));
	return 0;
}

static void rings_start(const uint8_t mac[6])
{
	wr(RAL0, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
	             (uint32_t)mac[3] << 24);
	wr(RAH0, (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | RAH_AV);
	for (uint32_t i = 0; i < 128; i++)
		wr(MTA + 4 * i, 0);
	for (uint32_t i = 0; i < NDESC; i++)
		e.rxd[i] = (struct rx_desc){.addr = buf_addr(&e.rx, i)};
	wr(RDBAL, (uint32_t)e.rx.desc_addr);
	wr(RDBAH, (uint32_t)(e.rx.desc_addr >> 32));
	wr(RDLEN, NDESC * sizeof(struct rx_desc));
	wr(RDH, 0);
	wr(RDT, NDESC - 1);
	wr(RDTR, 0);
	wr(TDBAL, (uint32_t)e.tx.desc_addr);
	wr(TDBAH, (uint32_t)(e.tx.desc_addr >> 32));
	wr(TDLEN, NDESC * sizeof(struct tx_desc));
	wr(TDH, 0);
	wr(TDT, 0);
	wr(TIPG, 0x0060200au);
	wr(RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
	wr(TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	wr(IMS, ICR_TXDW | ICR_LSC | ICR_RXDMT0 | ICR_RXO | ICR_RXT0);
}

static long probe(struct net_info *info)
{
	uint64_t size;
	uint32_t cmd;
	e.dev = ch_handle("device");
	long r = ch_devmem_map_mmio(e.dev, 0, &e.regs, &size);
	if (r < 0)
		return r;
	if (size < REGS_MIN)
		return ERR_MALFORMED;
	r = ch_dev_config_read(e.dev, 0x04, 2, &cmd);
	if (r >= 0)
		r = ch_dev_config_write(e.dev, 0x04, 2, cmd | 0x6); /* memory, bus master */
	if (r >= 0)
		r = reset();
	if (r >= 0)
		r = ring_alloc(&e.rx, (volatile void **)&e.rxd);
	if (r >= 0)
		r = ring_alloc(&e.tx, (volatile void **)&e.txd);
	if (r < 0)
		return r;
	*info = (struct net_info){.mtu = 1500, .speed_mbps = 1000};
	read_mac(info->mac);
	snprintf(info->model, sizeof(info->model), "e1000 82540EM");
	if (ch_dev_irq(e.dev, HW_IRQ_ANY, 0, &e.irq) < 0)
		e.irq = HANDLE_INVALID; /* the server polls */
	rings_start(info->mac);
	info->link_up = rd(STATUS) & STATUS_LU ? 1 : 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct net_info info;
	if (argc < 2) {
		printf("usage: e1000 <name>   (with the device granted as \"device\")\n");
		return 2;
	}
	long r = probe(&info);
	if (r >= 0) {
		printf("e1000: %s: %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s\n", argv[1],
		       info.mac[0], info.mac[1], info.mac[2], info.mac[3], info.mac[4], info.mac[5],
		       info.link_up ? "up" : "down",
		       e.irq == HANDLE_INVALID ? "polled" : "interrupts");
		r = net_serve(&e.srv, &e1000_ops, NULL, &info, e.irq, argv[1]);
	} else {
		net_serve_ready(r);
	}
	printf("e1000: %s: %s\n", argv[1], ch_error_name(r));
	return 1;
}
