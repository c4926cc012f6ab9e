/*
 * hw.h - libcharlotte's wrappers for the hardware actions (include/abi/hw.h,
 * docs/drivers.md) and the port I/O instructions (hw_io.S).
 *
 * Mapping a device's memory: take an OBJ_MMIO with ch_dev_mmio(), then
 * ch_as_map() it like a memory object (uncached; a framebuffer
 * write-combining). Port I/O: ch_dev_ioport(), ch_ioport_enable(), then
 * ch_inb() / ch_outb() and friends on exactly those ports; any other port
 * faults (#GP) and the process is killed.
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>
#include <abi/hw.h>

long ch_dev_info(handle_t dev, struct hw_device_info *out);
long ch_dev_resource(handle_t dev, uint32_t index, struct hw_resource *out);
long ch_dev_enum(handle_t root, uint32_t index, struct hw_device_info *out, handle_t *child_out);
long ch_dev_mmio(handle_t dev, uint32_t res_index, handle_t *mmio_out);
long ch_dev_ioport(handle_t dev, uint32_t res_index, handle_t *ioport_out);
long ch_dev_irq(handle_t dev, uint32_t modes, uint32_t vector, handle_t *irq_out);
long ch_dev_config_read(handle_t dev, uint32_t off, uint32_t width, uint32_t *value_out);
long ch_dev_config_write(handle_t dev, uint32_t off, uint32_t width, uint32_t value);
long ch_dev_dma_map(handle_t dev, handle_t mem, uint64_t *addrs_out, uint64_t count);
long ch_dev_dma_unmap(handle_t dev, handle_t mem);
long ch_dev_label(handle_t dev, const struct hw_label *label);
/* Turn the machine off (HW_POWER_OFF) or reset it (HW_POWER_REBOOT): the root device
 * with RIGHT_MANAGE (Exec's grant "power"). Returns only on failure (abi/hw.h). */
long ch_hw_power(handle_t root, uint32_t what);
long ch_mmio_info(handle_t mmio, struct hw_resource *out);
long ch_ioport_enable(handle_t io);
long ch_ioport_info(handle_t io, struct hw_resource *out);
long ch_irq_wait(handle_t irq, uint64_t timeout_ns);
long ch_irq_ack(handle_t irq);
long ch_irq_info(handle_t irq, struct hw_irq_info *out);

/* Port I/O (hw_io.S): only on ports ch_ioport_enable() allowed, or the process dies. */
uint8_t ch_inb(uint16_t port);
uint16_t ch_inw(uint16_t port);
uint32_t ch_inl(uint16_t port);
void ch_outb(uint16_t port, uint8_t v);
void ch_outw(uint16_t port, uint16_t v);
void ch_outl(uint16_t port, uint32_t v);
