/*
 * edu.c - a driver for QEMU's "edu" teaching device (PCI 1234:11e8; QEMU's
 * docs/specs/edu.rst), built outside the CharlotteOS tree with the SDK alone. It is
 * the walkthrough of docs/drivers.md, "Writing a driver outside the tree".
 *
 * Exec starts it from a drivers.d line (edu.manifest) and grants it three
 * capabilities: "device" (the edu function: its BAR, its interrupts, nothing else),
 * "log" (its printf goes to the kernel log) and "pool" (the memory it may use). It
 *   1. maps BAR0 and checks the identification register (0x010000ed: edu 1.0),
 *   2. checks liveness (0x04 reads back the inverse of what was written),
 *   3. has the device compute 10! (0x08, busy bit 0 of the status at 0x20),
 *   4. raises an interrupt (0x60), waits for it on its IRQ capability, reads the
 *      interrupt status (0x24), acknowledges it on the device (0x64) and then to the
 *      kernel (ch_irq_ack: unmask),
 * logging each step, then serves the device's interrupts for as long as it runs:
 * each one is acknowledged and logged. Any failure is logged and ends it with
 * status 1 (Exec restarts it, and gives up after a few tries).
 */
#include <stdint.h>
#include <stdio.h>

#include <abi/errors.h>
#include <abi/hw.h>
#include <abi/syscall.h>
#include <charlotte/hw.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define EDU_ID 0x00 /* 0xRRrr00ed: major, minor, 0xed */
#define EDU_LIVENESS 0x04 /* reads back ~value */
#define EDU_FACTORIAL 0x08 /* write n, read n! once not busy */
#define EDU_STATUS 0x20 /* bit 0: computing */
#define EDU_IRQ_STATUS 0x24 /* interrupts raised, not yet acknowledged */
#define EDU_IRQ_RAISE 0x60 /* ORed into the status: raises the interrupt */
#define EDU_IRQ_ACK 0x64 /* cleared from the status: lowers it when 0 */

/* Where we map BAR0 in our address space (any free, page-aligned address will do). */
#define EDU_VA UINT64_C(0x500000000000)
#define SECOND UINT64_C(1000000000)

static volatile uint32_t *regs;

static uint32_t rd(uint32_t off)
{
	return regs[off / 4];
}

static void wr(uint32_t off, uint32_t v)
{
	regs[off / 4] = v;
}

static int fail(const char *what, long err)
{
	printf("edu-driver: FAIL %s: %s\n", what, ch_error_name(err));
	return 1;
}

/* The device computes n!; 0 when it stays busy for a second. */
static uint32_t factorial(uint32_t n)
{
	wr(EDU_FACTORIAL, n);
	int64_t end = ch_clock_ns() + (int64_t)SECOND;
	while (rd(EDU_STATUS) & 1)
		if (ch_clock_ns() > end)
			return 0;
	return rd(EDU_FACTORIAL);
}

static const char *mode_name(uint32_t mode)
{
	return mode == HW_IRQ_MSIX ? "MSI-X" : mode == HW_IRQ_MSI ? "MSI" : "INTx";
}

/* Wait for one interrupt, then acknowledge it on the device and to the kernel. */
static long serve_interrupt(handle_t irq, uint64_t timeout, uint32_t *status)
{
	long r = ch_irq_wait(irq, timeout);
	if (r < 0)
		return r;
	*status = rd(EDU_IRQ_STATUS);
	wr(EDU_IRQ_ACK, *status); /* first the device lowers its line ... */
	return ch_irq_ack(irq); /* ... then the kernel unmasks it */
}

int main(void)
{
	handle_t dev = ch_handle("device"), mmio, irq;
	struct hw_device_info info;
	struct hw_irq_info ii;
	long r;

	if ((r = ch_dev_info(dev, &info)) < 0)
		return fail("the device capability", r);
	/* BAR0 (resource 0): an OBJ_MMIO, mapped uncached like memory */
	if ((r = ch_dev_mmio(dev, 0, &mmio)) < 0)
		return fail("BAR0", r);
	if ((r = ch_as_map(ch_handle("self.as"), EDU_VA, mmio, 0, 4096, PROT_READ | PROT_WRITE)) <
	    0)
		return fail("mapping BAR0", r);
	regs = (volatile uint32_t *)EDU_VA;

	uint32_t id = rd(EDU_ID);
	if ((id & 0xffff) != 0x00ed)
		return fail("not an edu device", ERR_NOT_SUPPORTED);
	printf("edu-driver: %s: id %#010x: edu %u.%u\n", info.name, id, id >> 24,
	       (id >> 16) & 0xff);

	wr(EDU_LIVENESS, 0x12345678u);
	if (rd(EDU_LIVENESS) != ~0x12345678u)
		return fail("liveness check", ERR_IO);

	uint32_t f = factorial(10);
	if (f != 3628800u)
		return fail("factorial", ERR_IO);
	printf("edu-driver: factorial(10) = %u, computed by the device\n", f);

	/* the best interrupt mode the device has: MSI-X, then MSI, then INTx */
	if ((r = ch_dev_irq(dev, HW_IRQ_ANY, 0, &irq)) < 0)
		return fail("binding the interrupt", r);
	ch_irq_info(irq, &ii);
	uint32_t status = 0;
	wr(EDU_IRQ_RAISE, 0xc0ffeeu);
	if ((r = serve_interrupt(irq, 5 * SECOND, &status)) < 0)
		return fail("the interrupt", r);
	if (status != 0xc0ffeeu || rd(EDU_IRQ_STATUS) != 0)
		return fail("the interrupt status", ERR_IO);
	printf("edu-driver: interrupt %#x received (%s) and acknowledged\n", status,
	       mode_name(ii.mode));

	printf("edu-driver: ready\n");
	for (;;) {
		if ((r = serve_interrupt(irq, UINT64_MAX, &status)) < 0)
			return fail("waiting for interrupts", r);
		printf("edu-driver: interrupt %#x acknowledged\n", status);
	}
}
