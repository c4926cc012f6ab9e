/*
 * device.c - the device table, the root device (OBJ_DEVICE), the platform
 * devices, claims and DMA pins (include/abi/hw.h, docs/drivers.md).
 *
 * hw_init() fills a fixed table of HW_MAX_DEVICES entries once at boot: PCI
 * functions (pci.c), then the PC's fixed devices (i8042, COM2, the CMOS RTC,
 * the boot framebuffer). Entries are static objects that are never
 * destroyed; their identity and resources never change after boot, so the
 * read-only actions need no lock. What changes - a device's claimer, its
 * bound IRQs, its DMA pins - is under hw_lock (hw_internal.h).
 *
 * Nothing the kernel itself drives is ever a resource: hw_ports_allowed()
 * and hw_mmio_allowed() refuse its ports (PIC, PIT, COM1, PCI configuration,
 * isa-debug-exit), RAM, the local and I/O APICs, the HPET and the ECAM
 * windows, whatever a device's BARs claim.
 */
#include <hw/hw_internal.h>
#include <abi/errors.h>
#include <acpi/acpi.h>
#include <acpi/power.h>
#include <arch/hwio.h>
#include <boot/bootinfo.h>
#include <lib/log.h>
#include <lib/string.h>
#include <mm/pmm.h>
#include <obj/memory.h>

struct spinlock hw_lock = SPINLOCK_INIT;
struct hw_device hw_devices[HW_MAX_DEVICES];
unsigned hw_ndevices;
static struct hw_device root;
static const struct acpi_info *hw_acpi; /* for SYS_HW_POWER (static, parsed at boot) */
static bool root_ready;
static const struct boot_info *boot;
static const struct acpi_info *acpi_tables;

static void hw_device_destroy(struct kobject *obj)
{
	(void)obj; /* static: the table holds the creation reference forever */
}

static const struct kobject_ops hw_device_ops = {.destroy = hw_device_destroy};

struct hw_device *hw_root(void)
{
	if (!root_ready) {
		kobject_init(&root.obj, OBJ_DEVICE, &hw_device_ops);
		root.info.bus = HW_BUS_ROOT;
		strlcpy(root.info.name, "hw", sizeof(root.info.name));
		root_ready = true;
	}
	return &root;
}

struct kobject *hw_device_object(struct hw_device *dev)
{
	return &dev->obj;
}

struct hw_device *hw_device_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_DEVICE, struct hw_device, obj);
}

unsigned hw_device_count(void)
{
	return hw_ndevices;
}

struct hw_device *hw_device_add(uint32_t bus, const char *name)
{
	if (hw_ndevices == HW_MAX_DEVICES) {
		pr_warn("hw: device table full (%u): %s left out", HW_MAX_DEVICES, name);
		return NULL;
	}
	struct hw_device *d = &hw_devices[hw_ndevices];
	memset(d, 0, sizeof(*d));
	kobject_init(&d->obj, OBJ_DEVICE, &hw_device_ops);
	d->info.bus = bus;
	d->info.index = hw_ndevices++;
	strlcpy(d->info.name, name, sizeof(d->info.name));
	return d;
}

/* Ports the kernel uses: PIC, PIT, COM1, isa-debug-exit, PCI configuration. */
static const uint16_t kernel_ports[][2] = {
    {0x20, 0x21}, {0x40, 0x43}, {0xa0, 0xa1}, {0xf4, 0xf7}, {0x3f8, 0x3ff}, {0xcf8, 0xcff},
};

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool hw_ports_allowed(const struct hw_device *self, uint64_t base, uint64_t size)
{
	if (size == 0 || base > 0xffff || size > 0x10000 - base)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(kernel_ports); i++)
		if (overlaps(base, size, kernel_ports[i][0],
		             kernel_ports[i][1] - kernel_ports[i][0] + 1u))
			return false;
	for (unsigned i = 0; i < hw_ndevices; i++) /* nor another device's ports */
		for (unsigned r = 0; r < HW_MAX_RESOURCES && &hw_devices[i] != self; r++)
			if (hw_devices[i].res[r].kind == HW_RES_IOPORT &&
			    overlaps(base, size, hw_devices[i].res[r].base,
			             hw_devices[i].res[r].size))
				return false;
	return true;
}

bool hw_mmio_allowed(uint64_t base, uint64_t size)
{
	if (size == 0 || base + size < base || base + size > (1ull << 52))
		return false;
	uint64_t b = ALIGN_DOWN(base, PAGE_SIZE), len = ALIGN_UP(base + size, PAGE_SIZE) - b;
	for (unsigned i = 0; boot && i < boot->mmap_count; i++)
		if (boot->mmap[i].type != BOOT_MEM_RESERVED &&
		    overlaps(b, len, boot->mmap[i].base, boot->mmap[i].len))
			return false; /* RAM (or ACPI's): never a device's */
	const struct acpi_info *a = acpi_tables;
	if (overlaps(b, len, 0, 0x100000))
		return false; /* the first MiB: BIOS, VGA legacy windows */
	if (a && a->madt.present && overlaps(b, len, a->madt.lapic_addr, PAGE_SIZE))
		return false;
	for (unsigned i = 0; a && i < a->madt.nioapics; i++)
		if (overlaps(b, len, a->madt.ioapics[i].address, PAGE_SIZE))
			return false;
	if (a && a->hpet.present && overlaps(b, len, a->hpet.base, PAGE_SIZE))
		return false;
	for (unsigned i = 0; a && a->mcfg.present && i < a->mcfg.nsegs; i++) {
		const struct acpi_mcfg_seg *s = &a->mcfg.segs[i];
		uint64_t start = s->base + ((uint64_t)s->bus_start << 20);
		if (overlaps(b, len, start, (uint64_t)(s->bus_end - s->bus_start + 1) << 20))
			return false;
	}
	if (overlaps(b, len, 0xfee00000, 0x100000))
		return false; /* the MSI window */
	return true;
}

static void add_isa(struct hw_device *d, unsigned irq)
{
	bool level, low;
	uint32_t gsi = arch_isa_gsi(irq, &level, &low);
	if (!arch_gsi_valid(gsi) || d->nintx == 2)
		return;
	d->intx_gsi[d->nintx] = gsi;
	d->intx_level[d->nintx] = level;
	d->intx_low[d->nintx] = low;
	d->nintx++;
	d->info.irq_modes = HW_IRQ_INTX;
}

static void add_ports(struct hw_device *d, uint64_t base, uint64_t size)
{
	unsigned n = d->info.nresources;
	if (n < HW_MAX_RESOURCES && hw_ports_allowed(d, base, size)) {
		d->res[n] = (struct hw_resource){.kind = HW_RES_IOPORT, .base = base, .size = size};
		d->info.nresources++;
	}
}

static void add_platform(const struct boot_info *bi)
{
	struct hw_device *d;
	if ((d = hw_device_add(HW_BUS_PLATFORM, "i8042"))) {
		add_ports(d, 0x60, 1);
		add_ports(d, 0x64, 1);
		add_isa(d, 1); /* vector 0: the keyboard */
		add_isa(d, 12); /* vector 1: the mouse */
	}
	if ((d = hw_device_add(HW_BUS_PLATFORM, "com2"))) {
		add_ports(d, 0x2f8, 8);
		add_isa(d, 3);
	}
	if ((d = hw_device_add(HW_BUS_PLATFORM, "rtc"))) {
		add_ports(d, 0x70, 2);
		add_isa(d, 8);
	}
	if (bi->fb.present && bi->fb.pitch && bi->fb.height &&
	    (d = hw_device_add(HW_BUS_PLATFORM, "fb0"))) {
		uint64_t size = (uint64_t)bi->fb.pitch * bi->fb.height;
		d->res[0] = (struct hw_resource){
		    .kind = HW_RES_FRAMEBUFFER,
		    .base = bi->fb.phys,
		    .size = size,
		    .fb_width = bi->fb.width,
		    .fb_height = bi->fb.height,
		    .fb_pitch = bi->fb.pitch,
		    .fb_bpp = bi->fb.bpp,
		};
		d->info.nresources = 1;
	}
}

void hw_init(const struct boot_info *bi, const struct acpi_info *acpi)
{
	boot = bi;
	acpi_tables = acpi;
	hw_root();
	hw_acpi = acpi;
	arch_hwio_init();
	add_platform(bi); /* first: their ports are then no PCI BAR's */
	hw_pci_scan(acpi);
	for (unsigned i = 0; i < hw_ndevices; i++)
		hw_resources_init(&hw_devices[i]);
	pr_info("hw: %u devices", hw_ndevices);
}

void hw_dev_info(struct hw_device *d, struct hw_device_info *out)
{
	uint64_t flags = spin_lock_irqsave(&hw_lock);
	*out = d->info;
	out->claimed = d->claimer != 0;
	out->irq_active = 0;
	for (unsigned i = 0; i < HW_DEV_MAX_IRQS; i++)
		if (d->irqs[i] && d->irqs[i]->bound)
			out->irq_active |= d->irqs[i]->mode;
	spin_unlock_irqrestore(&hw_lock, flags);
	if (d == &root)
		out->nresources = 0;
}

/* Whether s is NUL-terminated within cap bytes and printable ASCII before it. */
static bool label_ok(const char *s, size_t cap)
{
	for (size_t i = 0; i < cap; i++) {
		if (!s[i])
			return true;
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return false;
}

int hw_dev_label(struct hw_device *d, const struct hw_label *l)
{
	if (!label_ok(l->driver, sizeof(l->driver)) || !label_ok(l->uri, sizeof(l->uri)))
		return ERR_INVALID_ARGS;
	struct hw_label clean = {0}; /* nothing after the NULs reaches a reader */
	memcpy(clean.driver, l->driver, strlen(l->driver));
	memcpy(clean.uri, l->uri, strlen(l->uri));
	uint64_t flags = spin_lock_irqsave(&hw_lock);
	d->info.label = clean;
	spin_unlock_irqrestore(&hw_lock, flags);
	return 0;
}

int hw_dev_resource(struct hw_device *d, uint32_t index, struct hw_resource *out)
{
	if (index >= d->info.nresources)
		return ERR_OUT_OF_RANGE;
	*out = d->res[index];
	return 0;
}

int hw_dev_child(struct hw_device *r, uint32_t index, struct hw_device **child)
{
	if (r != &root)
		return ERR_NOT_SUPPORTED;
	if (index >= hw_ndevices)
		return ERR_OUT_OF_RANGE;
	kobject_get(&hw_devices[index].obj);
	*child = &hw_devices[index];
	return 0;
}

int hw_power(struct hw_device *d, uint32_t what)
{
	if (what != HW_POWER_OFF && what != HW_POWER_REBOOT)
		return ERR_INVALID_ARGS;
	if (d != &root)
		return ERR_NOT_SUPPORTED;
	if (what == HW_POWER_REBOOT)
		acpi_reboot(hw_acpi);
	return acpi_power_off(hw_acpi);
}

/* Claim d for pid (hw_lock held): 0, or ERR_BAD_STATE if another process has it. */
int hw_claim_locked(struct hw_device *d, uint64_t pid)
{
	if (d->claimer && d->claimer != pid)
		return ERR_BAD_STATE;
	__atomic_store_n(&d->claimer, pid, __ATOMIC_RELAXED);
	return 0;
}

int hw_dma_pin(struct hw_device *d, uint64_t pid, struct memory *m, bool *fresh)
{
	if (d == &root)
		return ERR_NOT_SUPPORTED;
	uint64_t irq = spin_lock_irqsave(&hw_lock);
	int r = hw_claim_locked(d, pid);
	int free_slot = -1;
	*fresh = false;
	for (unsigned i = 0; !r && i < HW_DMA_MAX_PINS; i++) {
		if (d->pins[i] == m)
			goto out; /* pinned already: one reference is enough */
		if (!d->pins[i] && free_slot < 0)
			free_slot = (int)i;
	}
	if (!r && free_slot < 0)
		r = ERR_NO_RESOURCES;
	if (!r) {
		kobject_get(&m->obj);
		d->pins[free_slot] = m;
		*fresh = true;
	}
out:
	spin_unlock_irqrestore(&hw_lock, irq);
	return r;
}

int hw_dma_unpin(struct hw_device *d, uint64_t pid, struct memory *m)
{
	struct memory *found = NULL;
	uint64_t irq = spin_lock_irqsave(&hw_lock);
	if (d->claimer && d->claimer != pid) {
		/* the claimer's device may be writing there: only it (or its end) unpins */
		spin_unlock_irqrestore(&hw_lock, irq);
		return ERR_BAD_STATE;
	}
	for (unsigned i = 0; i < HW_DMA_MAX_PINS; i++)
		if (d->pins[i] == m) {
			found = m;
			d->pins[i] = NULL;
			break;
		}
	spin_unlock_irqrestore(&hw_lock, irq);
	if (!found)
		return ERR_NOT_FOUND;
	kobject_put(&found->obj);
	return 0;
}

/* d's claimer is done with it: stop the device, then let go of its pins. */
static void release(struct hw_device *d)
{
	/* 1. the device stops: no bus mastering, no interrupts, IRQs unbound */
	hw_irq_release_device(d);
	/* 2. only then its DMA targets go */
	struct memory *pins[HW_DMA_MAX_PINS];
	uint64_t irq = spin_lock_irqsave(&hw_lock);
	memcpy(pins, d->pins, sizeof(pins));
	memset(d->pins, 0, sizeof(d->pins));
	__atomic_store_n(&d->claimer, 0, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&hw_lock, irq);
	for (unsigned k = 0; k < HW_DMA_MAX_PINS; k++)
		if (pins[k])
			kobject_put(&pins[k]->obj);
}

void hw_process_ended(uint64_t pid)
{
	for (unsigned i = 0; pid && i < hw_ndevices; i++)
		if (__atomic_load_n(&hw_devices[i].claimer, __ATOMIC_RELAXED) == pid)
			release(&hw_devices[i]);
}

bool hw_claimed_by(struct hw_device *d, uint64_t pid)
{
	return __atomic_load_n(&d->claimer, __ATOMIC_RELAXED) == pid;
}

void hw_claim_undo(struct hw_device *d, uint64_t pid)
{
	uint64_t irq = spin_lock_irqsave(&hw_lock);
	bool idle = d->claimer == pid;
	for (unsigned i = 0; idle && i < HW_DEV_MAX_IRQS; i++)
		idle = !d->irqs[i];
	for (unsigned i = 0; idle && i < HW_DMA_MAX_PINS; i++)
		idle = !d->pins[i];
	spin_unlock_irqrestore(&hw_lock, irq);
	if (idle)
		release(d);
}
