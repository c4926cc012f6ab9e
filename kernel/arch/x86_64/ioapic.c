/*
 * ioapic.c - I/O APIC routing for ISA interrupts.
 *
 * ISA IRQ n is identity-mapped to GSI n unless the MADT has an interrupt
 * source override, which may also change polarity and trigger mode. Each
 * GSI is served by the IOAPIC whose range contains it. All pins start masked.
 */
#include <arch/apic.h>
#include <arch/trap.h>
#include <acpi/acpi.h>
#include <mm/vmm.h>
#include <lib/log.h>
#include <abi/errors.h>
#include <arch/hwio.h>
#include <lib/spinlock.h>

struct ioapic {
	volatile uint32_t *mmio;
	uint32_t gsi_base, pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;
static struct acpi_iso isos[ACPI_MAX_ISOS];
static unsigned nisos;
/* index/data register pairs: device interrupts mask lines from any CPU */
static struct spinlock io_lock = SPINLOCK_INIT;

static uint32_t io_rd(struct ioapic *io, uint32_t reg)
{
	io->mmio[0] = reg;
	return io->mmio[4];
}

static void io_wr(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->mmio[0] = reg;
	io->mmio[4] = v;
}

void ioapic_init(const struct acpi_info *acpi)
{
	for (unsigned i = 0; i < acpi->madt.nioapics && i < ACPI_MAX_IOAPICS; i++) {
		struct ioapic *io = &ioapics[nioapics];
		io->mmio = vmm_map_mmio(acpi->madt.ioapics[i].address, 4096);
		if (!io->mmio)
			continue;
		io->gsi_base = acpi->madt.ioapics[i].gsi_base;
		io->pins = ((io_rd(io, 1) >> 16) & 0xff) + 1;
		for (uint32_t p = 0; p < io->pins; p++)
			io_wr(io, 0x10 + 2 * p, 1u << 16); /* masked */
		pr_info("ioapic: id %u at 0x%x, GSI %u-%u", acpi->madt.ioapics[i].id,
		        acpi->madt.ioapics[i].address, io->gsi_base, io->gsi_base + io->pins - 1);
		nioapics++;
	}
	for (unsigned i = 0; i < acpi->madt.nisos && i < ACPI_MAX_ISOS; i++)
		isos[nisos++] = acpi->madt.isos[i];
}

static struct ioapic *ioapic_for(uint32_t gsi)
{
	for (unsigned i = 0; i < nioapics; i++)
		if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].pins)
			return &ioapics[i];
	return NULL;
}

static uint32_t isa_to_gsi(unsigned irq, bool *active_low, bool *level)
{
	*active_low = false;
	*level = false;
	for (unsigned i = 0; i < nisos; i++) {
		if (isos[i].irq != irq)
			continue;
		*active_low = isos[i].polarity == ACPI_POL_LOW;
		*level = isos[i].trigger == ACPI_TRIG_LEVEL;
		return isos[i].gsi;
	}
	return irq;
}

int ioapic_route_isa(unsigned irq, uint32_t apic_id)
{
	bool low, level;
	if (irq >= 16)
		return ERR_INVALID_ARGS;
	uint32_t gsi = isa_to_gsi(irq, &low, &level);
	struct ioapic *io = ioapic_for(gsi);
	if (!io)
		return ERR_NOT_FOUND;
	uint32_t pin = gsi - io->gsi_base;
	uint32_t lo = (VEC_IRQ_BASE + irq) | (low ? 1u << 13 : 0) | (level ? 1u << 15 : 0);
	uint64_t f = spin_lock_irqsave(&io_lock);
	io_wr(io, 0x11 + 2 * pin, apic_id << 24);
	io_wr(io, 0x10 + 2 * pin, lo);
	spin_unlock_irqrestore(&io_lock, f);
	return 0;
}

uint32_t arch_isa_gsi(unsigned irq, bool *level, bool *active_low)
{
	return isa_to_gsi(irq, active_low, level);
}

bool arch_gsi_valid(uint32_t gsi)
{
	return ioapic_for(gsi) != NULL;
}

int arch_gsi_route(uint32_t gsi, bool level, bool active_low, unsigned slot)
{
	struct ioapic *io = ioapic_for(gsi);
	if (!io)
		return ERR_NOT_FOUND;
	uint64_t addr;
	uint32_t vector, pin = gsi - io->gsi_base;
	arch_msi_message(slot, &addr, &vector); /* the slot's vector and the boot CPU */
	uint32_t dest = (uint32_t)(addr >> 12) & 0xff;
	uint32_t lo = (vector & 0xff) | (active_low ? 1u << 13 : 0) | (level ? 1u << 15 : 0) |
	              1u << 16; /* masked until the caller unmasks */
	uint64_t f = spin_lock_irqsave(&io_lock);
	io_wr(io, 0x10 + 2 * pin, 1u << 16);
	io_wr(io, 0x11 + 2 * pin, dest << 24);
	io_wr(io, 0x10 + 2 * pin, lo);
	spin_unlock_irqrestore(&io_lock, f);
	return 0;
}

void arch_gsi_mask(uint32_t gsi, bool masked)
{
	struct ioapic *io = ioapic_for(gsi);
	if (!io)
		return;
	uint32_t reg = 0x10 + 2 * (gsi - io->gsi_base);
	uint64_t f = spin_lock_irqsave(&io_lock);
	uint32_t lo = io_rd(io, reg);
	io_wr(io, reg, masked ? lo | 1u << 16 : lo & ~(1u << 16));
	spin_unlock_irqrestore(&io_lock, f);
}

void ioapic_mask_isa(unsigned irq)
{
	bool low, level;
	uint32_t gsi = isa_to_gsi(irq, &low, &level);
	struct ioapic *io = ioapic_for(gsi);
	if (!io)
		return;
	uint64_t f = spin_lock_irqsave(&io_lock);
	io_wr(io, 0x10 + 2 * (gsi - io->gsi_base), 1u << 16);
	spin_unlock_irqrestore(&io_lock, f);
}
