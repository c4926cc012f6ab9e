/*
 * pci.c - PCI enumeration and configuration access (docs/drivers.md).
 *
 * Configuration space is reached through ECAM when ACPI's MCFG describes it
 * (q35): each bus that is walked gets its 1 MiB window mapped uncached, and
 * a function its 4 KiB of it. Without an MCFG (machine pc) configuration
 * mechanism #1 (ports 0xcf8 / 0xcfc) reaches the first 256 bytes of segment
 * 0. The walk starts at bus 0 (every MCFG segment's first bus) and follows
 * bridges' secondary bus numbers, each bus at most once, so a bridge that
 * names a bus already seen (a loop) adds nothing.
 *
 * Legacy interrupts (INTx), without an AML interpreter: a QEMU-chipset rule.
 * On q35 (host bridge 8086:29c0) QEMU's ICH9 LPC routes device slot S, pin P
 * (INTA = 0) of bus 0 to PIRQ (S + P) % 4 + 4 (PIRQ E-H, QEMU's
 * hw/isa/lpc_ich9.c), and PIRQ n to IOAPIC pin 16 + n, level, active low;
 * a function behind bridges is first swizzled to its bus 0 slot (pin + slot
 * per bridge crossed). Anywhere else (machine pc, PIIX) the Interrupt Line
 * register the firmware wrote names an ISA IRQ, taken through the MADT's
 * source overrides (QEMU's PIIX lines are level, active high). Drivers should
 * prefer MSI-X, then MSI, which need no routing.
 */
#include <hw/hw_internal.h>
#include <abi/errors.h>
#include <acpi/acpi.h>
#include <arch/hwio.h>
#include <lib/log.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/vmm.h>

#define PCI_MAX_BUSES 256

static bool ich9; /* q35's chipset: the INTx rule above */
static uint8_t bus_seen[PCI_MAX_BUSES / 8];

struct scan {
	const struct acpi_mcfg_seg *seg; /* NULL: mechanism #1 */
	volatile uint8_t *bus_win[PCI_MAX_BUSES]; /* ECAM windows mapped so far */
	/* the bus 0 slot and swizzled pin of what sits behind each bus's bridge */
	int8_t up_slot[PCI_MAX_BUSES];
	uint8_t up_shift[PCI_MAX_BUSES];
};

static struct scan scan_state; /* boot only */

/* A function during the scan, before it has a table entry. */
struct fn {
	struct scan *s;
	unsigned bus, slot, func;
	volatile uint8_t *ecam;
};

static uint32_t fn_read(void *ctx, unsigned off, unsigned width)
{
	struct fn *f = ctx;
	if (f->ecam) {
		if (width == 1)
			return f->ecam[off];
		if (width == 2)
			return *(volatile uint16_t *)(f->ecam + off);
		return *(volatile uint32_t *)(f->ecam + off);
	}
	uint32_t v = arch_pci_legacy_read(f->bus, f->slot, f->func, off & 0xfc);
	v >>= (off & 3) * 8;
	return width == 4 ? v : v & ((1u << (width * 8)) - 1);
}

static void fn_write(void *ctx, unsigned off, unsigned width, uint32_t v)
{
	struct fn *f = ctx;
	if (f->ecam) {
		if (width == 1)
			f->ecam[off] = (uint8_t)v;
		else if (width == 2)
			*(volatile uint16_t *)(f->ecam + off) = (uint16_t)v;
		else
			*(volatile uint32_t *)(f->ecam + off) = v;
		return;
	}
	if (width == 4) {
		arch_pci_legacy_write(f->bus, f->slot, f->func, off, v);
		return;
	}
	/* a sub-dword write is a read-modify-write of the dword (mechanism #1) */
	uint32_t shift = (off & 3) * 8, mask = ((1u << (width * 8)) - 1) << shift;
	uint32_t old = arch_pci_legacy_read(f->bus, f->slot, f->func, off & 0xfc);
	arch_pci_legacy_write(f->bus, f->slot, f->func, off & 0xfc,
	                      (old & ~mask) | ((v << shift) & mask));
}

uint32_t hw_cfg_read(struct hw_device *d, unsigned off, unsigned width)
{
	struct fn f = {NULL, d->info.pci_bus, d->info.pci_slot, d->info.pci_func, d->ecam};
	return fn_read(&f, off, width);
}

void hw_cfg_write(struct hw_device *d, unsigned off, unsigned width, uint32_t v)
{
	struct fn f = {NULL, d->info.pci_bus, d->info.pci_slot, d->info.pci_func, d->ecam};
	fn_write(&f, off, width, v);
}

unsigned hw_cfg_size(const struct hw_device *d)
{
	if (d->info.bus != HW_BUS_PCI)
		return 0;
	return d->ecam ? 4096 : 256;
}

static bool in(unsigned off, unsigned width, unsigned start, unsigned len)
{
	return off < start + len && start < off + width;
}

bool hw_cfg_write_allowed(struct hw_device *d, unsigned off, unsigned width, uint32_t v)
{
	/* identity, class, BARs, bus numbers, windows, ROM: the kernel's */
	if (in(off, width, 0x00, 4) || in(off, width, 0x08, 4) || in(off, width, 0x0e, 2) ||
	    in(off, width, 0x10, 0x3c - 0x10))
		return false;
	if (d->caps.msi && in(off, width, d->caps.msi, d->caps.msi_len))
		return false;
	if (d->caps.msix && in(off, width, d->caps.msix, 12))
		return false;
	if (in(off, width, PCI_COMMAND, 2)) {
		/* only bus master and INTx disable may change; I/O and memory
		   decode were set at boot (add_function) and stay */
		uint16_t cur = (uint16_t)hw_cfg_read(d, PCI_COMMAND, 2);
		uint16_t free = PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE;
		for (unsigned b = PCI_COMMAND; b < PCI_COMMAND + 2; b++) {
			if (!in(off, width, b, 1))
				continue;
			unsigned shift = (b - PCI_COMMAND) * 8;
			uint8_t nv = (uint8_t)(v >> ((b - off) * 8)), cv = (uint8_t)(cur >> shift);
			if ((nv ^ cv) & ~(free >> shift) & 0xff)
				return false;
		}
	}
	return true;
}

static volatile uint8_t *bus_window(struct scan *s, unsigned bus)
{
	if (!s->seg || bus < s->seg->bus_start || bus > s->seg->bus_end)
		return NULL;
	if (!s->bus_win[bus])
		s->bus_win[bus] = vmm_map_mmio(s->seg->base + ((uint64_t)bus << 20), 1u << 20);
	return s->bus_win[bus];
}

static void route_intx(struct hw_device *d, struct scan *s, uint8_t line)
{
	unsigned pin = d->info.irq_pin;
	if (pin < 1 || pin > 4)
		return;
	uint32_t gsi;
	bool level = true, low;
	if (ich9) {
		unsigned bus = d->info.pci_bus, slot = d->info.pci_slot;
		unsigned p = (pin - 1 + s->up_shift[bus]) % 4;
		if (bus != 0) {
			if (s->up_slot[bus] < 0)
				return;
			p = (p + slot) % 4; /* crossing the bridge above us ... */
			slot = (unsigned)s->up_slot[bus]; /* ... to its bus 0 slot */
		}
		gsi = 16 + (slot + p) % 4 + 4;
		low = true;
	} else {
		/* 0, 0xff: the firmware routed nothing; never a line the kernel or a
		   platform device has (PIT, cascade, COM1, RTC, i8042, FPU) */
		if (line == 0 || line >= 16 || (0x3117u >> line & 1))
			return;
		bool lvl;
		gsi = arch_isa_gsi(line, &lvl, &low);
	}
	if (!arch_gsi_valid(gsi))
		return;
	d->intx_gsi[0] = gsi;
	d->intx_level[0] = level;
	d->intx_low[0] = low;
	d->nintx = 1;
	d->info.irq_modes |= HW_IRQ_INTX;
}

static void scan_bus(struct scan *s, unsigned bus);

static void add_function(struct scan *s, struct fn *f, uint32_t id)
{
	struct pci_cfg cfg = {fn_read, fn_write, f};
	char name[HW_NAME_MAX];
	unsigned seg = s->seg ? s->seg->segment : 0;
	ksnprintf(name, sizeof(name), "%04x:%02x:%02x.%u", seg, f->bus, f->slot, f->func);
	uint8_t htype = (uint8_t)fn_read(f, PCI_HEADER_TYPE, 1) & 0x7f;
	struct hw_device *d = hw_device_add(HW_BUS_PCI, name);
	if (d) {
		uint32_t class = fn_read(f, PCI_REVISION, 4),
		         subsys = fn_read(f, PCI_SUBSYS_VENDOR, 4);
		d->ecam = f->ecam;
		d->header_type = htype;
		d->info.vendor = (uint16_t)id;
		d->info.device = (uint16_t)(id >> 16);
		d->info.revision = (uint8_t) class;
		d->info.prog_if = (uint8_t)(class >> 8);
		d->info.subclass = (uint8_t)(class >> 16);
		d->info.class_code = (uint8_t)(class >> 24);
		if (htype == 0) {
			d->info.subsys_vendor = (uint16_t)subsys;
			d->info.subsys_device = (uint16_t)(subsys >> 16);
		}
		d->info.segment = (uint16_t)seg;
		d->info.pci_bus = (uint8_t)f->bus;
		d->info.pci_slot = (uint8_t)f->slot;
		d->info.pci_func = (uint8_t)f->func;
		d->info.irq_pin = (uint8_t)fn_read(f, PCI_INT_PIN, 1);
		if (d->info.irq_pin > 4)
			d->info.irq_pin = 0;
		unsigned nbars = htype == 0 ? 6 : htype == 1 ? 2 : 0;
		uint16_t decode = pci_decode_bars(&cfg, nbars, d->res);
		for (unsigned i = 0; i < nbars; i++) {
			struct hw_resource *r = &d->res[i];
			if ((r->kind == HW_RES_MMIO && !hw_mmio_allowed(r->base, r->size)) ||
			    (r->kind == HW_RES_IOPORT && !hw_ports_allowed(d, r->base, r->size))) {
				pr_warn("hw: %s BAR%u %#llx+%#llx overlaps the kernel's: left out",
				        name, i, (unsigned long long)r->base,
				        (unsigned long long)r->size);
				decode &=
				    (uint16_t) ~(r->kind == HW_RES_MMIO ? PCI_CMD_MEM : PCI_CMD_IO);
				*r = (struct hw_resource){.kind = HW_RES_NONE};
			}
		}
		/* Decode is the kernel's and set once, here, before the other CPUs
		   run: under QEMU 7.2's TCG a memory-map change races with MMIO on
		   the other vCPUs (docs/drivers.md, "Decode"). */
		uint16_t cmd = (uint16_t)fn_read(f, PCI_COMMAND, 2);
		if (htype == 0 && (cmd & decode) != decode)
			fn_write(f, PCI_COMMAND, 2, cmd | decode);
		d->info.nresources = nbars;
		pci_walk_caps(&cfg, &d->caps);
		if (d->caps.msi)
			d->info.irq_modes |= HW_IRQ_MSI;
		struct hw_resource *tb =
		    d->caps.msix && d->caps.msix_bir < nbars ? &d->res[d->caps.msix_bir] : NULL;
		if (tb && tb->kind == HW_RES_MMIO && d->caps.msix_offset < tb->size &&
		    (uint64_t)d->caps.msix_size * 16 <= tb->size - d->caps.msix_offset) {
			d->msix_table = vmm_map_mmio(tb->base + d->caps.msix_offset,
			                             (size_t)d->caps.msix_size * 16);
		}
		if (d->msix_table) {
			d->info.irq_modes |= HW_IRQ_MSIX;
			d->info.msix_vectors = d->caps.msix_size;
		} else {
			d->caps.msix = 0; /* its table is not inside a usable BAR */
		}
		if (d->info.vendor == 0x8086 && d->info.device == 0x29c0 && f->bus == 0 &&
		    f->slot == 0)
			ich9 = true; /* the host bridge is the first function found */
		route_intx(d, s, (uint8_t)fn_read(f, PCI_INT_LINE, 1));
	}
	if (htype == 1) { /* a bridge: walk what is behind it */
		unsigned sec = fn_read(f, PCI_SECONDARY_BUS, 1);
		if (sec > f->bus && sec < PCI_MAX_BUSES && !(bus_seen[sec / 8] >> (sec % 8) & 1)) {
			s->up_slot[sec] = f->bus == 0 ? (int8_t)f->slot : s->up_slot[f->bus];
			s->up_shift[sec] =
			    (uint8_t)(f->bus == 0 ? 0 : (s->up_shift[f->bus] + f->slot) % 4);
			scan_bus(s, sec);
		}
	}
}

static void scan_bus(struct scan *s, unsigned bus)
{
	bus_seen[bus / 8] |= (uint8_t)(1u << (bus % 8));
	volatile uint8_t *win = bus_window(s, bus);
	if (s->seg && !win)
		return;
	for (unsigned slot = 0; slot < 32; slot++) {
		for (unsigned func = 0; func < 8; func++) {
			struct fn f = {s, bus, slot, func,
			               win ? win + ((slot * 8 + func) << 12) : NULL};
			uint32_t id = fn_read(&f, PCI_VENDOR, 4);
			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (func == 0)
					break;
				continue;
			}
			add_function(s, &f, id);
			if (func == 0 && !(fn_read(&f, PCI_HEADER_TYPE, 1) & 0x80))
				break; /* not multi-function */
		}
	}
}

void hw_pci_scan(const struct acpi_info *acpi)
{
	struct scan *s = &scan_state;
	for (unsigned i = 0; i < PCI_MAX_BUSES; i++)
		s->up_slot[i] = -1;
	if (acpi && acpi->mcfg.present && acpi->mcfg.nsegs) {
		for (unsigned i = 0; i < acpi->mcfg.nsegs; i++) {
			s->seg = &acpi->mcfg.segs[i];
			memset(s->bus_win, 0, sizeof(s->bus_win));
			memset(bus_seen, 0, sizeof(bus_seen));
			scan_bus(s, s->seg->bus_start);
		}
	} else {
		s->seg = NULL;
		scan_bus(s, 0);
	}
}

/* The checks both configuration actions make: 0 or their error. */
static int cfg_access_check(const struct hw_device *d, uint32_t off, uint32_t width)
{
	unsigned size = hw_cfg_size(d);
	if (!size)
		return ERR_NOT_SUPPORTED;
	if ((width != 1 && width != 2 && width != 4) || off % width)
		return ERR_INVALID_ARGS;
	return off >= size ? ERR_OUT_OF_RANGE : 0;
}

int hw_dev_config_read(struct hw_device *d, uint32_t off, uint32_t width, uint32_t *out)
{
	int r = cfg_access_check(d, off, width);
	if (r)
		return r;
	*out = hw_cfg_read(d, off, width);
	return 0;
}

int hw_dev_config_write(struct hw_device *d, uint64_t pid, uint32_t off, uint32_t width, uint32_t v)
{
	int r = cfg_access_check(d, off, width);
	if (r)
		return r;
	if (width < 4)
		v &= (1u << (width * 8)) - 1;
	uint64_t f = spin_lock_irqsave(&hw_lock);
	r = hw_cfg_write_allowed(d, off, width, v) ? 0 : ERR_ACCESS_DENIED;
	/* bus mastering (DMA) claims the device, so that its end turns it off */
	bool master =
	    in(off, width, PCI_COMMAND, 1) && (v >> ((PCI_COMMAND - off) * 8) & PCI_CMD_MASTER);
	if (!r && master)
		r = hw_claim_locked(d, pid);
	if (!r)
		hw_cfg_write(d, off, width, v);
	spin_unlock_irqrestore(&hw_lock, f);
	return r;
}
