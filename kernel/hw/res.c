/*
 * res.c - OBJ_MMIO and OBJ_IOPORT: one resource of a device each.
 *
 * Both are static parts of their device (hw_internal.h), made at boot for
 * each resource of their kind and never destroyed. An OBJ_MMIO stands for a
 * kernel-internal device memory object (obj/memory.h) over the resource's
 * pages, which SYS_AS_MAP maps: uncached, a framebuffer write-combining (PAT
 * entry 1; uncached on a CPU without a PAT). Its pages are never
 * freed. A resource that does not start or end on a page boundary maps the
 * whole pages around it: a BAR smaller than a page maps its page, which on
 * some firmware may hold another small BAR too (docs/drivers.md).
 *
 * Handing out the boot framebuffer's object ends the kernel's framebuffer
 * console (dev/fblog.h) first.
 *
 * An OBJ_IOPORT allows its ports to the process that enables it, for that
 * process's life (obj/aspace.c, arch ioperm.c).
 */
#include <hw/hw_internal.h>
#include <abi/errors.h>
#include <dev/fblog.h>
#include <lib/compiler.h>
#include <lib/log.h>
#include <mm/pmm.h>
#include <obj/aspace.h>
#include <obj/memory.h>

static void res_destroy(struct kobject *obj)
{
	(void)obj; /* static: its device holds the creation reference forever */
}

static const struct kobject_ops mmio_ops = {.destroy = res_destroy};
static const struct kobject_ops ioport_ops = {.destroy = res_destroy};

struct hw_mmio *hw_mmio_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_MMIO, struct hw_mmio, obj);
}

struct hw_ioport *hw_ioport_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_IOPORT, struct hw_ioport, obj);
}

struct kobject *hw_mmio_object(struct hw_mmio *m)
{
	return &m->obj;
}

struct kobject *hw_ioport_object(struct hw_ioport *io)
{
	return &io->obj;
}

void hw_resources_init(struct hw_device *d)
{
	for (unsigned i = 0; i < d->info.nresources; i++) {
		const struct hw_resource *r = &d->res[i];
		if (r->kind == HW_RES_MMIO || r->kind == HW_RES_FRAMEBUFFER) {
			uint64_t base = ALIGN_DOWN(r->base, PAGE_SIZE);
			uint64_t len = ALIGN_UP(r->base + r->size, PAGE_SIZE) - base;
			struct hw_mmio *m = &d->mmio[i];
			unsigned cache =
			    r->kind == HW_RES_FRAMEBUFFER ? MEM_CACHE_WC : MEM_CACHE_UC;
			if (memory_create_device(base, len, cache, &m->mem)) {
				pr_warn("hw: %s resource %u: no memory for its object",
				        d->info.name, i);
				continue;
			}
			kobject_init(&m->obj, OBJ_MMIO, &mmio_ops);
			m->dev = d;
			m->index = i;
		} else if (r->kind == HW_RES_IOPORT) {
			kobject_init(&d->io[i].obj, OBJ_IOPORT, &ioport_ops);
			d->io[i].dev = d;
			d->io[i].index = i;
		}
	}
}

int hw_dev_mmio(struct hw_device *d, uint32_t index, struct hw_mmio **out)
{
	if (index >= d->info.nresources)
		return ERR_OUT_OF_RANGE;
	unsigned kind = d->res[index].kind;
	if (kind != HW_RES_MMIO && kind != HW_RES_FRAMEBUFFER)
		return ERR_WRONG_TYPE;
	if (!d->mmio[index].mem)
		return ERR_NO_MEMORY; /* could not be made at boot */
	if (kind == HW_RES_FRAMEBUFFER)
		fblog_handoff(); /* the kernel never draws on a screen a process may map */
	kobject_get(&d->mmio[index].obj);
	*out = &d->mmio[index];
	return 0;
}

int hw_dev_ioport(struct hw_device *d, uint32_t index, struct hw_ioport **out)
{
	if (index >= d->info.nresources)
		return ERR_OUT_OF_RANGE;
	if (d->res[index].kind != HW_RES_IOPORT)
		return ERR_WRONG_TYPE;
	kobject_get(&d->io[index].obj);
	*out = &d->io[index];
	return 0;
}

void hw_mmio_info(struct hw_mmio *m, struct hw_resource *out)
{
	*out = m->dev->res[m->index];
}

struct memory *hw_mmio_memory(struct hw_mmio *m)
{
	return m->mem;
}

bool hw_mmio_map_allowed(struct hw_mmio *m, uint64_t off, uint64_t len)
{
	const struct hw_device *d = m->dev;
	if (!d->msix_table || d->caps.msix_bir != m->index)
		return true;
	/* the object starts at the resource's page; the table's pages, from there */
	const struct hw_resource *r = &d->res[m->index];
	uint64_t start = (r->base & (PAGE_SIZE - 1)) + d->caps.msix_offset;
	uint64_t t0 = ALIGN_DOWN(start, PAGE_SIZE);
	uint64_t t1 = ALIGN_UP(start + (uint64_t)d->caps.msix_size * 16, PAGE_SIZE);
	return off + len <= t0 || off >= t1;
}

void hw_ioport_info(struct hw_ioport *io, struct hw_resource *out)
{
	*out = io->dev->res[io->index];
}

int hw_ioport_enable(struct hw_ioport *io, struct aspace *as)
{
	const struct hw_resource *r = &io->dev->res[io->index];
	return aspace_io_enable(as, (uint32_t)r->base, (uint32_t)r->size);
}
