/*
 * hw.c - the hardware actions' wrappers (hw.h).
 */
#include <charlotte/hw.h>
#include <charlotte/syscall.h>

#define U(p) ((uint64_t)(uintptr_t)(p))

long ch_dev_info(handle_t dev, struct hw_device_info *out)
{
	return ch_syscall1(SYS_DEV_INFO, dev, U(out));
}

long ch_dev_resource(handle_t dev, uint32_t index, struct hw_resource *out)
{
	return ch_syscall2(SYS_DEV_RESOURCE, dev, index, U(out));
}

long ch_dev_enum(handle_t root, uint32_t index, struct hw_device_info *out, handle_t *child_out)
{
	return ch_syscall3(SYS_DEV_ENUM, root, index, U(out), U(child_out));
}

long ch_dev_mmio(handle_t dev, uint32_t res_index, handle_t *mmio_out)
{
	return ch_syscall2(SYS_DEV_MMIO, dev, res_index, U(mmio_out));
}

long ch_dev_ioport(handle_t dev, uint32_t res_index, handle_t *ioport_out)
{
	return ch_syscall2(SYS_DEV_IOPORT, dev, res_index, U(ioport_out));
}

long ch_dev_irq(handle_t dev, uint32_t modes, uint32_t vector, handle_t *irq_out)
{
	return ch_syscall3(SYS_DEV_IRQ, dev, modes, vector, U(irq_out));
}

long ch_dev_config_read(handle_t dev, uint32_t off, uint32_t width, uint32_t *value_out)
{
	return ch_syscall3(SYS_DEV_CONFIG_READ, dev, off, width, U(value_out));
}

long ch_dev_config_write(handle_t dev, uint32_t off, uint32_t width, uint32_t value)
{
	return ch_syscall3(SYS_DEV_CONFIG_WRITE, dev, off, width, value);
}

long ch_dev_dma_map(handle_t dev, handle_t mem, uint64_t *addrs_out, uint64_t count)
{
	return ch_syscall3(SYS_DEV_DMA_MAP, dev, mem, U(addrs_out), count);
}

long ch_dev_dma_unmap(handle_t dev, handle_t mem)
{
	return ch_syscall1(SYS_DEV_DMA_UNMAP, dev, mem);
}

long ch_dev_label(handle_t dev, const struct hw_label *label)
{
	return ch_syscall1(SYS_DEV_LABEL, dev, U(label));
}

long ch_hw_power(handle_t root, uint32_t what)
{
	return ch_syscall1(SYS_HW_POWER, root, what);
}

long ch_mmio_info(handle_t mmio, struct hw_resource *out)
{
	return ch_syscall1(SYS_MMIO_INFO, mmio, U(out));
}

long ch_ioport_enable(handle_t io)
{
	return ch_syscall0(SYS_IOPORT_ENABLE, io);
}

long ch_ioport_info(handle_t io, struct hw_resource *out)
{
	return ch_syscall1(SYS_IOPORT_INFO, io, U(out));
}

long ch_irq_wait(handle_t irq, uint64_t timeout_ns)
{
	return ch_syscall1(SYS_IRQ_WAIT, irq, timeout_ns);
}

long ch_irq_ack(handle_t irq)
{
	return ch_syscall0(SYS_IRQ_ACK, irq);
}

long ch_irq_info(handle_t irq, struct hw_irq_info *out)
{
	return ch_syscall1(SYS_IRQ_INFO, irq, U(out));
}
