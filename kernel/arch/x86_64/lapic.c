/*
 * lapic.c - local APIC in xAPIC (MMIO) or x2APIC (MSR) mode, and the 8259.
 *
 * The BSP decides the mode once: x2APIC if CPUID.1:ECX[21] says so (required
 * for APIC IDs above 255), else xAPIC through an uncached mapping of the
 * MADT's LAPIC address. APs follow the BSP's choice. Register offsets are the
 * xAPIC ones; in x2APIC mode MSR = 0x800 + offset / 16.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/msr.h>
#include <arch/trap.h>
#include <mm/vmm.h>
#include <lib/log.h>

#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LAPIC_TPR 0x080

#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_DEST_OTHERS (3u << 18)

static bool x2apic;
static volatile uint32_t *mmio;

static uint32_t rd(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

void pic_disable(void)
{
	/* Remap the 8259s away from the exception vectors, then mask them. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void enable_here(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	base |= 1u << 11; /* global enable */
	if (x2apic)
		base |= 1u << 10;
	wrmsr(MSR_APIC_BASE, base);
	wr(LAPIC_TPR, 0);
	wr(LAPIC_LVT_LINT0, 1u << 16); /* masked */
	wr(LAPIC_LVT_LINT1, 0x400); /* NMI */
	wr(LAPIC_LVT_ERROR, 0xfe);
	wr(LAPIC_LVT_TIMER, 1u << 16);
	wr(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	wr(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_eoi();
}

void lapic_init(uint64_t mmio_phys)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	x2apic = (c >> 21) & 1;
	if (!x2apic)
		mmio = vmm_map_mmio(mmio_phys ? mmio_phys : 0xfee00000, 4096);
	enable_here();
	pr_info("lapic: %s mode, BSP APIC ID %u", x2apic ? "x2APIC" : "xAPIC", lapic_id());
}

void lapic_init_ap(void)
{
	enable_here();
}

bool lapic_is_x2apic(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	return x2apic ? rd(LAPIC_ID) : rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

static void send_icr(uint32_t apic_id, uint32_t lo)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + (LAPIC_ICR_LO >> 4), ((uint64_t)apic_id << 32) | lo);
		return;
	}
	while (rd(LAPIC_ICR_LO) & ICR_DELIVERY_PENDING)
		arch_cpu_relax();
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, lo);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	uint64_t flags = arch_irq_save();
	send_icr(apic_id, vector | ICR_LEVEL_ASSERT);
	arch_irq_restore(flags);
}

void lapic_send_ipi_others(uint8_t vector)
{
	uint64_t flags = arch_irq_save();
	send_icr(0, vector | ICR_LEVEL_ASSERT | ICR_DEST_OTHERS);
	arch_irq_restore(flags);
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, 0x500 | ICR_LEVEL_ASSERT);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	send_icr(apic_id, 0x600 | page);
}

void lapic_timer_oneshot(uint32_t count)
{
	wr(LAPIC_LVT_TIMER, VEC_TIMER);
	wr(LAPIC_TIMER_INIT, count);
}

bool lapic_timer_pending(void)
{
	/* IRR: eight 32-bit registers from 0x200, 16 bytes apart */
	return rd(0x200 + (VEC_TIMER / 32) * 0x10) >> (VEC_TIMER % 32) & 1;
}

void lapic_timer_mask(void)
{
	wr(LAPIC_LVT_TIMER, (1u << 16) | VEC_TIMER); /* the count runs on; an expiry is dropped */
}

void lapic_timer_start_free(void)
{
	lapic_timer_mask(); /* masked, one-shot */
	wr(LAPIC_TIMER_INIT, 0xffffffffu);
}

uint32_t lapic_timer_current(void)
{
	return rd(LAPIC_TIMER_CUR);
}
