/*
 * hwio.c - PCI configuration mechanism #1, device interrupt slots and MSI
 * messages (arch/hwio.h).
 *
 * Slots are vectors HWIO_VEC_BASE .. + ARCH_IRQ_SLOTS - 1, each with the
 * same trap handler, which hands the slot to kernel/hw (hw_irq_deliver);
 * the LAPIC's EOI follows in trap_dispatch. Every device interrupt goes to
 * the boot CPU (MSI destination and IOAPIC redirection alike).
 */
#include <arch/hwio.h>
#include <arch/cpu.h>
#include <arch/entry.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <abi/errors.h>
#include <lib/spinlock.h>

#define HWIO_VEC_BASE 0x50
#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc

_Static_assert(HWIO_VEC_BASE + ARCH_IRQ_SLOTS <= VEC_TIMER, "slots below the kernel's vectors");

static struct spinlock conf_lock = SPINLOCK_INIT;
static struct spinlock slot_lock = SPINLOCK_INIT;
static uint64_t slot_used[ARCH_IRQ_SLOTS / 64];

static uint32_t conf_addr(unsigned bus, unsigned slot, unsigned func, unsigned off)
{
	return 0x80000000u | (bus & 0xff) << 16 | (slot & 31) << 11 | (func & 7) << 8 |
	       (off & 0xfc);
}

uint32_t arch_pci_legacy_read(unsigned bus, unsigned slot, unsigned func, unsigned off)
{
	uint64_t irq = spin_lock_irqsave(&conf_lock);
	outl(PCI_CONF_ADDR, conf_addr(bus, slot, func, off));
	uint32_t v = inl(PCI_CONF_DATA);
	spin_unlock_irqrestore(&conf_lock, irq);
	return v;
}

void arch_pci_legacy_write(unsigned bus, unsigned slot, unsigned func, unsigned off, uint32_t v)
{
	uint64_t irq = spin_lock_irqsave(&conf_lock);
	outl(PCI_CONF_ADDR, conf_addr(bus, slot, func, off));
	outl(PCI_CONF_DATA, v);
	spin_unlock_irqrestore(&conf_lock, irq);
}

static void slot_trap(struct trap_frame *tf)
{
	hw_irq_deliver((unsigned)tf->vector - HWIO_VEC_BASE);
}

void arch_hwio_init(void)
{
	for (unsigned i = 0; i < ARCH_IRQ_SLOTS; i++)
		trap_set_handler(HWIO_VEC_BASE + i, slot_trap);
}

int arch_irq_slot_alloc(void)
{
	uint64_t irq = spin_lock_irqsave(&slot_lock);
	int r = ERR_NO_RESOURCES;
	for (unsigned i = 0; i < ARCH_IRQ_SLOTS; i++) {
		if (!(slot_used[i / 64] >> (i % 64) & 1)) {
			slot_used[i / 64] |= 1ull << (i % 64);
			r = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(&slot_lock, irq);
	return r;
}

void arch_irq_slot_free(unsigned slot)
{
	uint64_t irq = spin_lock_irqsave(&slot_lock);
	if (slot < ARCH_IRQ_SLOTS)
		slot_used[slot / 64] &= ~(1ull << (slot % 64));
	spin_unlock_irqrestore(&slot_lock, irq);
}

void arch_msi_message(unsigned slot, uint64_t *addr, uint32_t *data)
{
	*addr = 0xfee00000ull | (uint64_t)(cpus[0]->apic_id & 0xff) << 12;
	*data = HWIO_VEC_BASE + slot; /* fixed delivery, edge */
}
