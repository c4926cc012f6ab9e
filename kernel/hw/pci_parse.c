/*
 * pci_parse.c - the capability list and the BARs of one PCI function
 * (pci.h). Pure: no locks, no allocation; configuration space through the
 * caller's accessors. Every value read is the device's word, so every one is
 * checked before it is used.
 */
#include <hw/pci.h>

#define BAR_IO 0x1u
#define BAR_TYPE_MASK 0x6u
#define BAR_TYPE_64 0x4u
#define BAR_PREFETCH 0x8u

unsigned pci_walk_caps(const struct pci_cfg *cfg, struct pci_caps *out)
{
	*out = (struct pci_caps){0};
	if (!(cfg->read(cfg->ctx, PCI_STATUS, 2) & PCI_STATUS_CAPS))
		return 0;
	unsigned ptr = cfg->read(cfg->ctx, PCI_CAP_PTR, 1) & 0xfc, n = 0;
	while (ptr >= 0x40 && ptr <= 0xfc && n < PCI_CAP_WALK_MAX) {
		uint32_t hdr = cfg->read(cfg->ctx, ptr, 4);
		unsigned id = hdr & 0xff;
		n++;
		if (id == PCI_CAP_MSI && !out->msi) {
			unsigned ctl = hdr >> 16;
			unsigned len = 10 + (ctl & 0x80 ? 4 : 0) + (ctl & 0x100 ? 10 : 0);
			if (ptr + len <= 0x100) {
				out->msi = (uint8_t)ptr;
				out->msi_len = (uint8_t)len;
			}
		} else if (id == PCI_CAP_MSIX && !out->msix && ptr + 12 <= 0x100) {
			uint32_t table = cfg->read(cfg->ctx, ptr + 4, 4);
			if ((table & 7) < 6) {
				out->msix = (uint8_t)ptr;
				out->msix_size = (uint16_t)(((hdr >> 16) & 0x7ff) + 1);
				out->msix_bir = (uint8_t)(table & 7);
				out->msix_offset = table & ~7u;
			}
		}
		ptr = (hdr >> 8) & 0xfc;
	}
	return n;
}

uint16_t pci_decode_bars(const struct pci_cfg *cfg, unsigned nbars, struct hw_resource *res)
{
	uint16_t good = 0, bad = 0; /* per kind: a BAR decoded / an implemented one did not */
	uint16_t cmd = (uint16_t)cfg->read(cfg->ctx, PCI_COMMAND, 2);
	cfg->write(cfg->ctx, PCI_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < nbars; i++)
		res[i] = (struct hw_resource){.kind = HW_RES_NONE};
	for (unsigned i = 0; i < nbars; i++) {
		unsigned off = PCI_BAR0 + 4 * i;
		uint32_t lo = cfg->read(cfg->ctx, off, 4);
		cfg->write(cfg->ctx, off, 4, 0xffffffffu);
		uint32_t mlo = cfg->read(cfg->ctx, off, 4);
		cfg->write(cfg->ctx, off, 4, lo);
		struct hw_resource *r = &res[i];
		if (lo & BAR_IO) {
			uint64_t base = lo & ~3u, size = (uint64_t)(~(mlo & ~3u) & 0xffff) + 1;
			if ((mlo & ~3u) == 0)
				continue; /* not implemented */
			if (base == 0 || base + size > 0x10000) {
				bad |= PCI_CMD_IO;
				continue;
			}
			good |= PCI_CMD_IO;
			*r =
			    (struct hw_resource){.kind = HW_RES_IOPORT, .base = base, .size = size};
			continue;
		}
		bool is64 = (lo & BAR_TYPE_MASK) == BAR_TYPE_64;
		uint64_t base = lo & ~0xfu, mask = mlo & ~0xfu;
		bool implemented = mask != 0;
		if (is64) {
			if (i + 1 >= nbars) {
				bad |=
				    PCI_CMD_MEM; /* a 64-bit BAR needs the next slot: malformed */
				continue;
			}
			unsigned hoff = off + 4;
			uint32_t hi = cfg->read(cfg->ctx, hoff, 4);
			cfg->write(cfg->ctx, hoff, 4, 0xffffffffu);
			uint32_t mhi = cfg->read(cfg->ctx, hoff, 4);
			cfg->write(cfg->ctx, hoff, 4, hi);
			base |= (uint64_t)hi << 32;
			mask |= (uint64_t)mhi << 32;
			implemented |= mhi != 0;
			i++; /* the upper half is no BAR of its own */
		} else {
			mask |= 0xffffffff00000000ull;
		}
		if (!implemented)
			continue;
		uint64_t size = ~mask + 1;
		if (base == 0 || size == 0 || (size & (size - 1)) || base & (size - 1) ||
		    base + size < base) {
			/* left unassigned by the firmware, or garbage: not a power of
			   two, misaligned or wrapping */
			bad |= PCI_CMD_MEM;
			continue;
		}
		good |= PCI_CMD_MEM;
		unsigned slot = is64 ? i - 1 : i;
		res[slot] = (struct hw_resource){
		    .kind = HW_RES_MMIO,
		    .flags = (lo & BAR_PREFETCH ? HW_RES_PREFETCH : 0) | (is64 ? HW_RES_64BIT : 0),
		    .base = base,
		    .size = size,
		};
	}
	cfg->write(cfg->ctx, PCI_COMMAND, 2, cmd);
	return good & ~bad;
}
