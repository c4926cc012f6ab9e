/*
 * serial.c - 16550 UART driver for COM1 (0x3f8), 115200 8N1.
 *
 * Output is polled: it is the kernel log sink from the first instruction of
 * kmain() to the last line of a panic, so it takes no locks itself (the log
 * serialises) and never allocates. If no UART answers the scratch-register
 * probe, output is silently dropped rather than spinning forever on the
 * status register.
 *
 * Input is interrupt-driven once serial_rx_init() has run: ISA IRQ 4 (after
 * the MADT's source override) is routed to the boot CPU, and its handler
 * drains the receive FIFO into debuglog_rx() (arch/entry.h) until the line
 * status says it is empty, so no edge is lost. The FIFO interrupts at its
 * first byte, and a byte that arrives while interrupts are off waits in the
 * FIFO (16 bytes; QEMU holds the rest back until there is room).
 */
#include <arch/serial.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/entry.h>
#include <arch/trap.h>
#include <lib/log.h>
#include <stdbool.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_IIR 2
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_SCR 7
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define IER_RX 0x01 /* received data available */
#define MCR_OUT2 0x08 /* gates the UART's interrupt line on a PC */
#define COM1_ISA_IRQ 4
#define RX_BATCH 64 /* bytes handed to the log per call from the handler */

static bool present;

void serial_init(void)
{
	outb(COM1 + REG_SCR, 0x5a);
	if (inb(COM1 + REG_SCR) != 0x5a)
		return;
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x80); /* DLAB: divisor follows */
	outb(COM1 + REG_DATA, 0x01); /* 115200 baud */
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x03); /* 8N1 */
	outb(COM1 + REG_FCR, 0x07); /* FIFO on, cleared, interrupt at 1 byte */
	outb(COM1 + REG_MCR, 0x03); /* DTR, RTS */
	present = true;
}

static void put(char c)
{
	for (int spins = 0; spins < 100000; spins++)
		if (inb(COM1 + REG_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	if (!present)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}

void serial_write_raw(const char *s, size_t len)
{
	if (!present)
		return;
	for (size_t i = 0; i < len; i++)
		put(s[i]);
}

static void rx_interrupt(struct trap_frame *tf)
{
	(void)tf;
	char buf[RX_BATCH];
	size_t n = 0;
	(void)inb(COM1 + REG_IIR); /* acknowledge */
	while (inb(COM1 + REG_LSR) & LSR_DATA_READY) {
		buf[n++] = (char)inb(COM1 + REG_DATA);
		if (n == sizeof(buf)) {
			debuglog_rx(buf, n);
			n = 0;
		}
	}
	if (n)
		debuglog_rx(buf, n);
}

void serial_rx_init(void)
{
	if (!present)
		return;
	trap_set_handler(VEC_IRQ_BASE + COM1_ISA_IRQ, rx_interrupt);
	if (ioapic_route_isa(COM1_ISA_IRQ, lapic_id()) != 0) {
		pr_warn("serial: no IOAPIC line for COM1: no console input");
		return;
	}
	while (inb(COM1 + REG_LSR) & LSR_DATA_READY)
		(void)inb(COM1 + REG_DATA); /* typed before the kernel listened */
	outb(COM1 + REG_MCR, 0x03 | MCR_OUT2);
	outb(COM1 + REG_IER, IER_RX);
}

int serial_getc(void)
{
	if (!present || !(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + REG_DATA);
}
