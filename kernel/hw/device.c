/*
 * device.c - the device table and the root device (OBJ_DEVICE).
 */
#include <hw/hw.h>

struct hw_device {
	struct kobject obj;
	struct hw_device_info info;
};

struct hw_mmio {
	struct kobject obj;
};
struct hw_ioport {
	struct kobject obj;
};
struct hw_irq {
	struct kobject obj;
};

static void hw_device_destroy(struct kobject *obj)
{
	(void)obj; /* static: never destroyed */
}

static const struct kobject_ops hw_device_ops = {.destroy = hw_device_destroy};
static struct hw_device root;
static bool root_ready;

struct hw_device *hw_root(void)
{
	if (!root_ready) {
		kobject_init(&root.obj, OBJ_DEVICE, &hw_device_ops);
		root.info.bus = HW_BUS_ROOT;
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

struct hw_mmio *hw_mmio_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_MMIO, struct hw_mmio, obj);
}

struct hw_ioport *hw_ioport_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_IOPORT, struct hw_ioport, obj);
}

struct hw_irq *hw_irq_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_IRQ, struct hw_irq, obj);
}
