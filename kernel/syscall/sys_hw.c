/*
 * sys_hw.c - the hardware actions: devices, MMIO, I/O ports, interrupts, DMA
 * (include/abi/hw.h, docs/drivers.md). Decode here, the work in kernel/hw.
 */
#include <syscall/syscall.h>
#include <abi/errors.h>
#include <abi/rights.h>
#include <hw/hw.h>
#include <lib/compiler.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <obj/memory.h>
#include <obj/process.h>

/* Rights of what the actions hand out (include/abi/hw.h). */
#define MMIO_RIGHTS \
	(RIGHT_MAP | RIGHT_READ | RIGHT_WRITE | RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT)
#define IOPORT_RIGHTS (RIGHT_READ | RIGHT_WRITE | RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT)
#define IRQ_RIGHTS (RIGHT_WAIT | RIGHT_SIGNAL | RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_TRANSFER)

/* The caller's process object id (claims are by it); 0 outside a process. */
static uint64_t caller_pid(void)
{
	struct process *p = process_current();
	return p ? p->obj.id : 0;
}

long sys_dev_info(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	struct hw_device_info info;
	hw_dev_info(dev, &info);
	return copy_to_user(a[0], &info, sizeof(info));
}

long sys_dev_resource(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                      const uint64_t *a)
{
	(void)cs, (void)cap;
	struct hw_resource res;
	if (a[0] > UINT32_MAX)
		return ERR_OUT_OF_RANGE;
	int r = hw_dev_resource(dev, (uint32_t)a[0], &res);
	return r ? r : copy_to_user(a[1], &res, sizeof(res));
}

long sys_dev_enum(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                  const uint64_t *a)
{
	struct hw_device *child;
	struct hw_device_info info;
	if (a[0] > UINT32_MAX)
		return ERR_OUT_OF_RANGE;
	int r = hw_dev_child(dev, (uint32_t)a[0], &child);
	if (r)
		return r;
	hw_dev_info(child, &info);
	r = copy_to_user(a[1], &info, sizeof(info));
	if (r || !a[2]) {
		kobject_put(hw_device_object(child));
		return r;
	}
	return syscall_publish(cs, hw_device_object(child), cap->rights & ~RIGHT_ENUMERATE, a[2]);
}

long sys_dev_mmio(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cap;
	struct hw_mmio *m;
	if (a[0] > UINT32_MAX)
		return ERR_OUT_OF_RANGE;
	int r = hw_dev_mmio(dev, (uint32_t)a[0], &m);
	if (r)
		return r;
	return syscall_publish(cs, hw_mmio_object(m), MMIO_RIGHTS, a[1]);
}

long sys_dev_ioport(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                    const uint64_t *a)
{
	(void)cap;
	struct hw_ioport *io;
	if (a[0] > UINT32_MAX)
		return ERR_OUT_OF_RANGE;
	int r = hw_dev_ioport(dev, (uint32_t)a[0], &io);
	if (r)
		return r;
	return syscall_publish(cs, hw_ioport_object(io), IOPORT_RIGHTS, a[1]);
}

long sys_dev_irq(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                 const uint64_t *a)
{
	(void)cap;
	struct hw_irq *irq;
	if (a[0] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	if (a[1] > UINT32_MAX)
		return ERR_OUT_OF_RANGE;
	uint64_t pid = caller_pid();
	bool claimed = hw_claimed_by(dev, pid);
	int r = hw_dev_irq(dev, pid, (uint32_t)a[0], (uint32_t)a[1], &irq);
	if (r)
		return r;
	long p = syscall_publish(cs, hw_irq_object(irq), IRQ_RIGHTS, a[2]);
	if (p < 0 && !claimed)
		hw_claim_undo(dev, pid); /* the IRQ went with its handle: so does the claim */
	return p;
}

long sys_dev_config_read(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                         const uint64_t *a)
{
	(void)cs, (void)cap;
	uint32_t v;
	if (a[0] > UINT32_MAX || a[1] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	int r = hw_dev_config_read(dev, (uint32_t)a[0], (uint32_t)a[1], &v);
	return r ? r : copy_to_user(a[2], &v, sizeof(v));
}

long sys_dev_config_write(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                          const uint64_t *a)
{
	(void)cs, (void)cap;
	if (a[0] > UINT32_MAX || a[1] > UINT32_MAX || a[2] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	return hw_dev_config_write(dev, caller_pid(), (uint32_t)a[0], (uint32_t)a[1],
	                           (uint32_t)a[2]);
}

long sys_dev_dma_map(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cap;
	struct cap_ref mref;
	int r = cap_lookup(cs, (handle_t)a[0], OBJ_NONE, 0, &mref);
	if (r)
		return r;
	if (mref.obj->type != OBJ_MEMORY) { /* device memory is no DMA target */
		r = mref.obj->type == OBJ_MMIO ? ERR_ACCESS_DENIED : ERR_WRONG_TYPE;
		cap_ref_put(&mref);
		return r;
	}
	if ((mref.rights & (RIGHT_READ | RIGHT_WRITE)) != (RIGHT_READ | RIGHT_WRITE)) {
		cap_ref_put(&mref);
		return ERR_ACCESS_DENIED; /* a device would write it */
	}
	struct memory *m = memory_from(mref.obj);
	uint64_t count = a[2], pages = memory_size(m) / PAGE_SIZE, pid = caller_pid();
	bool fresh = false, claimed = hw_claimed_by(dev, pid);
	if (!memory_is_owned(m))
		r = ERR_ACCESS_DENIED; /* wrapped physical memory is nobody's to hand a device */
	else if (memory_is_paged(m))
		r = ERR_WRONG_TYPE; /* its pages come and go with its pager: never a device's */
	else if (count == 0 || count > pages)
		r = ERR_OUT_OF_RANGE;
	else if (!user_range_ok(a[1], count * sizeof(uint64_t)))
		r = ERR_BAD_ADDRESS;
	else
		r = hw_dma_pin(dev, pid, m, &fresh);
	/* the device addresses, a batch at a time (no IOMMU yet: physical ones) */
	uint64_t batch[32];
	for (uint64_t i = 0; !r && i < count; i += ARRAY_SIZE(batch)) {
		uint64_t n = MIN(count - i, (uint64_t)ARRAY_SIZE(batch));
		for (uint64_t k = 0; k < n; k++)
			batch[k] = memory_page_phys(m, i + k);
		r = copy_to_user(a[1] + i * sizeof(uint64_t), batch, n * sizeof(uint64_t));
		if (r && fresh)
			hw_dma_unpin(dev, pid, m); /* a failed call keeps nothing ... */
	}
	if (r && !claimed)
		hw_claim_undo(dev, pid); /* ... not even the claim */
	cap_ref_put(&mref);
	return r;
}

long sys_dev_dma_unmap(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                       const uint64_t *a)
{
	(void)cap;
	struct cap_ref mref;
	int r = cap_lookup(cs, (handle_t)a[0], OBJ_MEMORY, 0, &mref);
	if (r)
		return r;
	r = hw_dma_unpin(dev, caller_pid(), memory_from(mref.obj));
	cap_ref_put(&mref);
	return r;
}

long sys_dev_label(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)cap;
	struct hw_label l;
	int r = copy_from_user(&l, a[0], sizeof(l));
	return r ? r : hw_dev_label(dev, &l);
}

long sys_mmio_info(struct cspace *cs, struct hw_mmio *m, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)cap;
	struct hw_resource res;
	hw_mmio_info(m, &res);
	return copy_to_user(a[0], &res, sizeof(res));
}

long sys_ioport_enable(struct cspace *cs, struct hw_ioport *io, const struct cap_ref *cap,
                       const uint64_t *a)
{
	(void)cs, (void)cap, (void)a;
	struct process *p = process_current();
	if (!p)
		return ERR_BAD_STATE;
	return hw_ioport_enable(io, p->as);
}

long sys_ioport_info(struct cspace *cs, struct hw_ioport *io, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap;
	struct hw_resource res;
	hw_ioport_info(io, &res);
	return copy_to_user(a[0], &res, sizeof(res));
}

long sys_irq_wait(struct cspace *cs, struct hw_irq *irq, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	return hw_irq_wait(irq, a[0]);
}

long sys_irq_ack(struct cspace *cs, struct hw_irq *irq, const struct cap_ref *cap,
                 const uint64_t *a)
{
	(void)cs, (void)cap, (void)a;
	return hw_irq_ack(irq);
}

long sys_irq_info(struct cspace *cs, struct hw_irq *irq, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	struct hw_irq_info info;
	hw_irq_info(irq, &info);
	return copy_to_user(a[0], &info, sizeof(info));
}

long sys_hw_power(struct cspace *cs, struct hw_device *dev, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	if (a[0] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	return hw_power(dev, (uint32_t)a[0]);
}
