/*
 * hw.h - hardware as capabilities: the kernel's device table and the objects
 * a driver takes from a device (include/abi/hw.h, docs/drivers.md).
 *
 *   OBJ_DEVICE  struct hw_device (device.c): one entry of the fixed table
 *               filled at boot (HW_MAX_DEVICES), or the root; static
 *   OBJ_MMIO    struct hw_mmio (res.c): one memory resource of a device; static
 *   OBJ_IOPORT  struct hw_ioport (res.c): one port range of a device; static
 *   OBJ_IRQ     struct hw_irq (irq.c): one bound interrupt of a device, from a
 *               static pool of HW_MAX_IRQS
 *
 * None of them is charged to a pool: all are bounded by the table's
 * constants. A device is claimed by the process that first binds one of its
 * interrupts, takes a DMA mapping or turns on its bus mastering; until that
 * process ends (hw_process_ended()) no other may do any of those.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/hw.h>
#include <obj/object.h>

struct hw_device;
struct hw_mmio;
struct hw_ioport;
struct hw_irq;
struct memory;
struct aspace;
struct boot_info;
struct acpi_info;

struct hw_device *hw_device_from(struct kobject *obj);
struct hw_mmio *hw_mmio_from(struct kobject *obj);
struct hw_ioport *hw_ioport_from(struct kobject *obj);
struct hw_irq *hw_irq_from(struct kobject *obj);

/* Enumerate the machine into the device table (boot, once, after SMP start). */
void hw_init(const struct boot_info *bi, const struct acpi_info *acpi);
/* The root device ("hw" in Exec's capabilities): static, no reference needed. */
struct hw_device *hw_root(void);
struct kobject *hw_device_object(struct hw_device *dev);
struct kobject *hw_mmio_object(struct hw_mmio *m);
struct kobject *hw_ioport_object(struct hw_ioport *io);
struct kobject *hw_irq_object(struct hw_irq *irq);
/* Devices in the table. */
unsigned hw_device_count(void);

/* SYS_DEV_INFO / SYS_DEV_RESOURCE. ERR_OUT_OF_RANGE past the last resource. */
void hw_dev_info(struct hw_device *d, struct hw_device_info *out);
/* Set d's label (abi/hw.h SYS_DEV_LABEL): 0, or ERR_INVALID_ARGS for a string that is
 * not NUL-terminated printable ASCII. */
int hw_dev_label(struct hw_device *d, const struct hw_label *l);
int hw_dev_resource(struct hw_device *d, uint32_t index, struct hw_resource *out);
/* SYS_DEV_ENUM: the index-th device (a new reference in *child). ERR_NOT_SUPPORTED
 * on a device that is not the root, ERR_OUT_OF_RANGE past the last. */
int hw_dev_child(struct hw_device *root, uint32_t index, struct hw_device **child);
/* SYS_HW_POWER: turn the machine off or reset it (acpi/power.h); on the root only
 * (ERR_NOT_SUPPORTED), what HW_POWER_OFF or HW_POWER_REBOOT (ERR_INVALID_ARGS).
 * Returns only on failure. */
int hw_power(struct hw_device *d, uint32_t what);
/* SYS_DEV_MMIO / SYS_DEV_IOPORT: the resource's object (a new reference).
 * ERR_OUT_OF_RANGE: no such resource; ERR_WRONG_TYPE: of another kind. */
int hw_dev_mmio(struct hw_device *d, uint32_t index, struct hw_mmio **out);
int hw_dev_ioport(struct hw_device *d, uint32_t index, struct hw_ioport **out);
/* SYS_DEV_IRQ for the process whose object id is pid (a new reference in *out). */
int hw_dev_irq(struct hw_device *d, uint64_t pid, uint32_t modes, uint32_t vector,
               struct hw_irq **out);
/* SYS_DEV_CONFIG_READ / _WRITE (ERR_NOT_SUPPORTED: a platform device or the root;
 * ERR_INVALID_ARGS: width or alignment; ERR_OUT_OF_RANGE: beyond the space;
 * ERR_ACCESS_DENIED: the write filter; ERR_BAD_STATE: bus mastering on a
 * device another process claims). */
int hw_dev_config_read(struct hw_device *d, uint32_t off, uint32_t width, uint32_t *out);
int hw_dev_config_write(struct hw_device *d, uint64_t pid, uint32_t off, uint32_t width,
                        uint32_t v);
/* SYS_DEV_DMA_MAP's pin of m for pid (m's reference is taken when new):
 * ERR_BAD_STATE claimed by another, ERR_NO_RESOURCES HW_DMA_MAX_PINS. *fresh:
 * whether this call pinned it (so a failed copy-out can unpin). */
int hw_dma_pin(struct hw_device *d, uint64_t pid, struct memory *m, bool *fresh);
/* Unpin m: ERR_NOT_FOUND if it is not pinned for d, ERR_BAD_STATE if another
 * process than pid claims d (its device may be writing there). */
int hw_dma_unpin(struct hw_device *d, uint64_t pid, struct memory *m);

/* OBJ_MMIO: its range, and the device memory object mappings use. */
void hw_mmio_info(struct hw_mmio *m, struct hw_resource *out);
struct memory *hw_mmio_memory(struct hw_mmio *m);
/* Whether bytes [off, off + len) of m may be mapped: not the pages of an MSI-X
 * table (whose messages the kernel owns). */
bool hw_mmio_map_allowed(struct hw_mmio *m, uint64_t off, uint64_t len);
/* OBJ_IOPORT: its range, and allowing its ports to the threads of as. */
void hw_ioport_info(struct hw_ioport *io, struct hw_resource *out);
int hw_ioport_enable(struct hw_ioport *io, struct aspace *as);
/* OBJ_IRQ: SYS_IRQ_WAIT (count >= 1, ERR_TIMED_OUT, ERR_INTERRUPTED,
 * ERR_BAD_STATE once unbound), SYS_IRQ_ACK, SYS_IRQ_INFO. */
long hw_irq_wait(struct hw_irq *irq, uint64_t timeout_ns);
int hw_irq_ack(struct hw_irq *irq);
void hw_irq_info(struct hw_irq *irq, struct hw_irq_info *out);

/* Whether process pid claims d; and a claim a failed call made, given back if it
 * holds nothing (no IRQ bound, nothing pinned): the device is silenced again. */
bool hw_claimed_by(struct hw_device *d, uint64_t pid);
void hw_claim_undo(struct hw_device *d, uint64_t pid);

/* The process with object id pid ended: release every device it claimed
 * (bus mastering and interrupts off, IRQs unbound, then the pins dropped). */
void hw_process_ended(uint64_t pid);
