/*
 * hw.h - hardware as capabilities: the kernel's device table and the objects
 * a driver takes from a device (include/abi/hw.h, docs/drivers.md).
 *
 *   OBJ_DEVICE  struct hw_device (device.c): one entry of the fixed table
 *               filled at boot, or the root; static, never destroyed
 *   OBJ_MMIO    struct hw_mmio (mmio.c): one memory resource of a device
 *   OBJ_IOPORT  struct hw_ioport (ioport.c): one port range of a device
 *   OBJ_IRQ     struct hw_irq (irq.c): one interrupt of a device
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

struct hw_device *hw_device_from(struct kobject *obj);
struct hw_mmio *hw_mmio_from(struct kobject *obj);
struct hw_ioport *hw_ioport_from(struct kobject *obj);
struct hw_irq *hw_irq_from(struct kobject *obj);

/* The root device ("hw" in Exec's capabilities): static, no reference needed. */
struct hw_device *hw_root(void);
struct kobject *hw_device_object(struct hw_device *dev);
