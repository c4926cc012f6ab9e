/*
 * pci.h - PCI configuration space: access (pci.c: ECAM or mechanism #1) and
 * the pure parsing of what a device says about itself (pci_parse.c, host
 * tested against hostile configuration spaces).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/hw.h>

#define PCI_VENDOR 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_CAP_PTR 0x34
#define PCI_INT_LINE 0x3c
#define PCI_INT_PIN 0x3d

#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4
#define PCI_CMD_INTX_DISABLE 0x400
#define PCI_STATUS_CAPS 0x10

#define PCI_CAP_MSI 0x05
#define PCI_CAP_MSIX 0x11
/* A capability list longer than this is a loop or garbage: the walk stops. */
#define PCI_CAP_WALK_MAX 48

/* One function's configuration space, as the parser sees it. */
struct pci_cfg {
	uint32_t (*read)(void *ctx, unsigned off, unsigned width); /* width 1, 2, 4 */
	void (*write)(void *ctx, unsigned off, unsigned width, uint32_t v);
	void *ctx;
};

struct pci_caps {
	uint8_t msi; /* offset of the MSI capability, 0: none */
	uint8_t msix; /* offset of the MSI-X capability, 0: none */
	uint8_t msi_len; /* bytes the MSI capability spans (10..24) */
	uint16_t msix_size; /* MSI-X table entries (1..2048) */
	uint8_t msix_bir; /* the BAR holding the table */
	uint32_t msix_offset; /* the table's offset in that BAR */
};

/*
 * Walk the capability list (when the status register says there is one):
 * every pointer must be dword-aligned within 0x40..0xfc, at most
 * PCI_CAP_WALK_MAX entries are visited, so a looping or wild list ends.
 * The first MSI and MSI-X entries are recorded. Returns the number of
 * capabilities visited.
 */
unsigned pci_walk_caps(const struct pci_cfg *cfg, struct pci_caps *out);

/*
 * Decode and size the nbars BARs (6 for a type 0 header, 2 for a bridge)
 * into res[0..nbars): write all ones with I/O and memory decode disabled,
 * read the mask back, restore the BAR and the command register. A BAR the
 * firmware left unassigned (base 0), of size 0, a 64-bit BAR in the last
 * slot, an I/O BAR beyond port 0xffff or any range that wraps is
 * HW_RES_NONE; a 64-bit BAR fills its slot and leaves the next one NONE.
 *
 * Returns the decode bits (PCI_CMD_MEM, PCI_CMD_IO) that are safe to turn
 * on: a kind's bit when at least one BAR of that kind decoded and no
 * implemented BAR of that kind was left out, so enabling it exposes no range
 * the firmware did not place.
 */
uint16_t pci_decode_bars(const struct pci_cfg *cfg, unsigned nbars, struct hw_resource *res);
