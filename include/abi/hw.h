/*
 * hw.h - hardware as capabilities (shared with user space): devices, their
 * MMIO regions, I/O port ranges, interrupt lines and DMA (docs/drivers.md).
 *
 * The kernel enumerates the machine once at boot (PCI/PCIe through ECAM from
 * ACPI's MCFG, legacy configuration ports 0xcf8/0xcfc as fallback; and the
 * fixed platform devices: i8042, COM2, CMOS RTC, the boot framebuffer) into
 * a fixed table of OBJ_DEVICE objects. Exec receives the root device, "hw",
 * whose children are every device; it hands each driver exactly the
 * OBJ_DEVICE capability of the device it drives. From a device capability a
 * driver takes the rest:
 *
 *   OBJ_MMIO    one memory BAR (or the framebuffer): mapped with SYS_AS_MAP
 *               like memory, uncached (the framebuffer write-combining where
 *               the CPU has a PAT)
 *   OBJ_IOPORT  one I/O port BAR or fixed port range: SYS_IOPORT_ENABLE lets
 *               the calling process use in/out on exactly those ports (the TSS
 *               I/O bitmap, per process); nothing else is reachable
 *   OBJ_IRQ     one interrupt of the device (MSI-X, MSI, or its legacy INTx /
 *               ISA line through the IOAPIC): each interrupt raises
 *               IRQ_SIGNAL_PENDING, seen by waitsets (a kbus event) and by
 *               SYS_IRQ_WAIT; SYS_IRQ_ACK clears it and re-enables the line
 *   DMA         SYS_DEV_DMA_MAP pins memory objects the caller owns for the
 *               device and reports their device-visible addresses
 *
 * Ports and lines the kernel itself uses (PIC, PIT, COM1 = the kernel log,
 * PCI configuration, ACPI, isa-debug-exit, the HPET and local/IO APICs) are
 * never in any device's resources.
 *
 * Trust boundary: until an IOMMU confines device DMA (a later change; the DMA
 * calls take the device so that per-device IOMMU domains slot in without
 * changing drivers), a driver that programs its device's DMA engine can make
 * it reach any physical memory. A driver is trusted with its device; it is
 * not trusted with anything else, and cannot touch another device's
 * registers, ports or interrupts.
 */
#pragma once
#include <stdint.h>
#include <abi/syscall.h>

/* Device kinds (hw_device_info.bus). */
#define HW_BUS_ROOT 0 /* the root device: its children are every device */
#define HW_BUS_PCI 1 /* a PCI / PCIe function */
#define HW_BUS_PLATFORM 2 /* a fixed device of the PC platform */

/* Interrupt modes (hw_device_info.irq_modes, SYS_DEV_IRQ's mode argument). */
#define HW_IRQ_MSIX 0x1u
#define HW_IRQ_MSI 0x2u
#define HW_IRQ_INTX 0x4u /* legacy line: PCI INTx or an ISA IRQ, through the IOAPIC */
#define HW_IRQ_ANY (HW_IRQ_MSIX | HW_IRQ_MSI | HW_IRQ_INTX) /* best the device has */

#define HW_NAME_MAX 32
#define HW_MAX_RESOURCES 8 /* per device: BARs 0-5 (PCI), ports/MMIO (platform) */

struct hw_device_info {
	uint32_t bus; /* HW_BUS_* */
	uint32_t index; /* position under the root (SYS_DEV_ENUM) */
	/* PCI identity (0 for platform devices) */
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint16_t segment;
	uint8_t pci_bus, pci_slot, pci_func;
	uint8_t irq_pin; /* PCI interrupt pin 1-4 (INTA-INTD), 0: none */
	uint32_t irq_modes; /* HW_IRQ_* the device supports */
	uint32_t msix_vectors; /* MSI-X table size (0: no MSI-X) */
	uint32_t nresources; /* valid entries for SYS_DEV_RESOURCE */
	uint32_t claimed; /* 1 while some process holds the device's IRQs or DMA */
	char name[HW_NAME_MAX]; /* "0000:00:03.0", "i8042", "com2", "rtc", "fb0": NUL-terminated */
	uint32_t irq_active; /* HW_IRQ_* modes of the interrupts bound now (0: none) */
	uint32_t reserved; /* zero */
	struct hw_label {
		/* who drives it and where it is served, as SYS_DEV_LABEL last set them:
		 * printable ASCII, NUL-terminated ("" when never set) */
		char driver[24]; /* e.g. "virtio-blk" */
		char uri[72]; /* e.g. "dev:///block/vda" */
	} label;
};

/* Resource kinds (hw_resource.kind). */
#define HW_RES_NONE 0 /* unused BAR */
#define HW_RES_MMIO 1 /* memory: SYS_DEV_MMIO */
#define HW_RES_IOPORT 2 /* I/O ports: SYS_DEV_IOPORT */
#define HW_RES_FRAMEBUFFER 3 /* linear framebuffer memory: SYS_DEV_MMIO (write-combining) */

#define HW_RES_PREFETCH 0x1u /* hw_resource.flags: prefetchable memory BAR */
#define HW_RES_64BIT 0x2u /* a 64-bit memory BAR (takes two BAR slots) */

struct hw_resource {
	uint32_t kind; /* HW_RES_* */
	uint32_t flags; /* HW_RES_PREFETCH | HW_RES_64BIT */
	uint64_t base; /* physical address or first port */
	uint64_t size; /* bytes or ports */
	/* HW_RES_FRAMEBUFFER only: its layout (0 otherwise) */
	uint32_t fb_width, fb_height, fb_pitch, fb_bpp;
};

/* SYS_IRQ_WAIT / waitsets: the one signal of an OBJ_IRQ (the same bit as
 * KBUS_EV_READABLE, which is what a waitset reports for it). */
#define IRQ_SIGNAL_PENDING 0x1u

struct hw_irq_info {
	uint32_t mode; /* HW_IRQ_MSIX, HW_IRQ_MSI or HW_IRQ_INTX: what was set up */
	uint32_t vector; /* the MSI-X / MSI vector index, or the line (GSI) for INTx */
	uint64_t count; /* interrupts delivered since it was created */
};

/*
 * Actions. Rights of a device capability: RIGHT_INSPECT (info, resources,
 * configuration reads), RIGHT_ENUMERATE (the root: its children), RIGHT_MAP
 * (MMIO), RIGHT_READ | RIGHT_WRITE (I/O ports, configuration writes),
 * RIGHT_MANAGE (interrupts, DMA, reset). Exec hands drivers devices with
 * every right but ENUMERATE; the root needs ENUMERATE.
 */
/* a0 = struct hw_device_info *out. RIGHT_INSPECT */
#define SYS_DEV_INFO SYS_ACTION(OBJ_DEVICE, 1)
/* a0 = index (0..nresources-1), a1 = struct hw_resource *out. RIGHT_INSPECT.
 * ERR_OUT_OF_RANGE past the last. */
#define SYS_DEV_RESOURCE SYS_ACTION(OBJ_DEVICE, 2)
/* On the root: a0 = index, a1 = struct hw_device_info *out, a2 = handle_t *out (the
 * child, with the root capability's rights minus RIGHT_ENUMERATE; 0: no handle wanted).
 * RIGHT_ENUMERATE. ERR_OUT_OF_RANGE past the last device; ERR_NOT_SUPPORTED on a
 * device that is not the root. */
#define SYS_DEV_ENUM SYS_ACTION(OBJ_DEVICE, 3)
/* a0 = resource index (HW_RES_MMIO or HW_RES_FRAMEBUFFER), a1 = handle_t *out: an
 * OBJ_MMIO capability (RIGHT_MAP | READ | WRITE | DUPLICATE | TRANSFER | INSPECT).
 * RIGHT_MAP. ERR_WRONG_TYPE for a resource of another kind. It maps whole pages: a
 * resource smaller than a page maps its page. SYS_AS_MAP refuses (ERR_ACCESS_DENIED)
 * the pages of a BAR that hold the device's MSI-X table: the kernel owns its messages. */
#define SYS_DEV_MMIO SYS_ACTION(OBJ_DEVICE, 4)
/* a0 = resource index (HW_RES_IOPORT), a1 = handle_t *out: an OBJ_IOPORT capability
 * (RIGHT_READ | WRITE | DUPLICATE | TRANSFER | INSPECT). RIGHT_READ | RIGHT_WRITE. */
#define SYS_DEV_IOPORT SYS_ACTION(OBJ_DEVICE, 5)
/* a0 = HW_IRQ_* modes acceptable (the best one the device has is taken), a1 = vector
 * index (MSI-X; 0 for MSI, which the kernel sets up with one message; INTx: 0, or for a
 * platform device with two lines, 1 = the second: i8042's mouse), a2 = handle_t *out: an
 * OBJ_IRQ capability (RIGHT_WAIT | SIGNAL | INSPECT | DUPLICATE | TRANSFER). RIGHT_MANAGE.
 * The device becomes claimed by the caller's process (see SYS_DEV_DMA_MAP); MSI and
 * MSI-X turn its bus mastering on (a message is a write by the device). ERR_INVALID_ARGS:
 * no mode or unknown bits; ERR_NOT_SUPPORTED: none of the modes; ERR_OUT_OF_RANGE: no
 * such vector; ERR_ALREADY_EXISTS: that vector is already bound; ERR_BAD_STATE: another
 * process claims the device, or its bound IRQs use another mode; ERR_NO_RESOURCES: no
 * free CPU vector or IRQ object. The IRQ stays bound until its last capability goes or
 * the claiming process ends. */
#define SYS_DEV_IRQ SYS_ACTION(OBJ_DEVICE, 6)
/* a0 = offset, a1 = width (1, 2 or 4), a2 = uint32_t *value_out: read the PCI
 * configuration space (256 bytes, 4096 with ECAM). RIGHT_INSPECT. Platform devices and
 * the root: ERR_NOT_SUPPORTED; ERR_INVALID_ARGS: width, or offset not a multiple of it;
 * ERR_OUT_OF_RANGE: beyond the space. */
#define SYS_DEV_CONFIG_READ SYS_ACTION(OBJ_DEVICE, 7)
/* a0 = offset, a1 = width, a2 = value: write it. RIGHT_WRITE. The kernel owns the
 * header from 0x10 to 0x3b (BARs, bus numbers, windows, expansion ROM), identity and
 * class (0x00-0x03, 0x08-0x0b, 0x0e), the MSI and MSI-X capabilities and the command
 * register's bits other than I/O space, memory space, bus master and INTx disable:
 * writes touching those are ERR_ACCESS_DENIED. Turning bus mastering on claims the
 * device (ERR_BAD_STATE if another process does). */
#define SYS_DEV_CONFIG_WRITE SYS_ACTION(OBJ_DEVICE, 8)
/* a0 = memory object handle (the caller's, RIGHT_READ | RIGHT_WRITE, memory it owns: not
 * MMIO, not wrapped physical memory), a1 = uint64_t *addrs_out, a2 = count (pages, from
 * the object's first page; at most its size): pin the object for the device (a reference
 * is held until SYS_DEV_DMA_UNMAP or the claiming process ends) and write each page's
 * device address. RIGHT_MANAGE. The device becomes claimed by the caller's process; when
 * that process ends the kernel turns the device's bus mastering and interrupts off
 * before it lets go of the pins. At most HW_DMA_MAX_PINS objects pinned per device
 * (ERR_NO_RESOURCES). */
#define SYS_DEV_DMA_MAP SYS_ACTION(OBJ_DEVICE, 9)
#define HW_DMA_MAX_PINS 64
/* a0 = memory object handle: unpin it. RIGHT_MANAGE. ERR_NOT_FOUND: not pinned;
 * ERR_BAD_STATE: another process claims the device. */
#define SYS_DEV_DMA_UNMAP SYS_ACTION(OBJ_DEVICE, 10)
/* a0 = const struct hw_label *: say who drives the device and where it is served, for
 * tools such as `devices` (Exec sets it when it starts a driver instance; it is a
 * description, never an access check). Each string NUL-terminated in its array and
 * printable ASCII, else ERR_INVALID_ARGS. RIGHT_MANAGE */
#define SYS_DEV_LABEL SYS_ACTION(OBJ_DEVICE, 11)
/* a0 = HW_POWER_OFF or HW_POWER_REBOOT: turn the machine off (ACPI S5: the FADT's PM1
 * control blocks with the DSDT's \_S5 values) or reset it (the FADT's reset register
 * when the flags say it is supported, then the 8042's reset line, then a triple fault).
 * On the root device only (ERR_NOT_SUPPORTED on another device). RIGHT_MANAGE. Nothing
 * is flushed or asked first: whoever calls it has stopped what must be stopped. Returns
 * only on failure: ERR_INVALID_ARGS for another a0; ERR_NOT_SUPPORTED when the machine
 * has no usable S5 (no FADT, no \_S5 package, PM1 control not in I/O space);
 * ERR_BAD_STATE when the write was made and the machine is still on. */
#define SYS_HW_POWER SYS_ACTION(OBJ_DEVICE, 12)
#define HW_POWER_OFF 1u
#define HW_POWER_REBOOT 2u

/* a0 = struct hw_resource *out (its range). RIGHT_INSPECT */
#define SYS_MMIO_INFO SYS_ACTION(OBJ_MMIO, 1)

/* Allow the calling process in/out on every port of the range (until it ends).
 * RIGHT_READ | RIGHT_WRITE. */
#define SYS_IOPORT_ENABLE SYS_ACTION(OBJ_IOPORT, 1)
/* a0 = struct hw_resource *out (its range). RIGHT_INSPECT */
#define SYS_IOPORT_INFO SYS_ACTION(OBJ_IOPORT, 2)

/* a0 = timeout ns (UINT64_MAX: forever; 0: poll): wait until IRQ_SIGNAL_PENDING.
 * RIGHT_WAIT. Returns the number of interrupts since the last ack (>= 1) or
 * ERR_TIMED_OUT; ERR_BAD_STATE once the IRQ is unbound (its claimer ended). */
#define SYS_IRQ_WAIT SYS_ACTION(OBJ_IRQ, 1)
/* Clear IRQ_SIGNAL_PENDING and unmask the line (a level INTx line is masked from the
 * interrupt until the ack of every IRQ object on it; an MSI-X vector at its table entry
 * likewise). RIGHT_SIGNAL. ERR_BAD_STATE once unbound. */
#define SYS_IRQ_ACK SYS_ACTION(OBJ_IRQ, 2)
/* a0 = struct hw_irq_info *out. RIGHT_INSPECT */
#define SYS_IRQ_INFO SYS_ACTION(OBJ_IRQ, 3)
