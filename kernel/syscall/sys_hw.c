/*
 * sys_hw.c - the hardware actions: devices, MMIO, I/O ports, interrupts, DMA
 * (include/abi/hw.h, docs/drivers.md).
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <hw/hw.h>

#define UNUSED_ARGS (void)cs, (void)obj, (void)cap, (void)a

long sys_dev_info(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                  const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_resource(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                      const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_enum(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                  const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_mmio(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                  const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_ioport(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                    const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_irq(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                 const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_config_read(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                         const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_config_write(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                          const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_dma_map(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                     const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_dev_dma_unmap(struct cspace *cs, struct hw_device *obj, const struct cap_ref *cap,
                       const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_mmio_info(struct cspace *cs, struct hw_mmio *obj, const struct cap_ref *cap,
                   const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_ioport_enable(struct cspace *cs, struct hw_ioport *obj, const struct cap_ref *cap,
                       const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_ioport_info(struct cspace *cs, struct hw_ioport *obj, const struct cap_ref *cap,
                     const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_irq_wait(struct cspace *cs, struct hw_irq *obj, const struct cap_ref *cap,
                  const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_irq_ack(struct cspace *cs, struct hw_irq *obj, const struct cap_ref *cap,
                 const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}

long sys_irq_info(struct cspace *cs, struct hw_irq *obj, const struct cap_ref *cap,
                  const uint64_t *a)
{
	UNUSED_ARGS;
	return ERR_NOT_SUPPORTED;
}
