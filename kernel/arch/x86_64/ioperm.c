/*
 * ioperm.c - I/O ports for user space: the TSS I/O permission bitmap, per
 * address space (SYS_IOPORT_ENABLE, docs/drivers.md).
 *
 * A space that never enabled a port has no bitmap (arch_mmu.io_bits NULL)
 * and costs nothing at a switch: the CPU's TSS keeps iomap_base beyond the
 * TSS limit, so every port faults. A space with ports owns an 8 KiB bitmap
 * (charged to its pool by obj/aspace.c); switching to it copies into the
 * CPU's TSS only the bytes up to its highest allowed port (the rest of the
 * TSS copy is kept all ones), and nothing at all when the CPU's TSS already
 * holds that generation of that space's map (cpu.io_owner / io_gen).
 *
 * Bits are only ever cleared (ports are added, never taken back while the
 * space lives), so a CPU holding an older copy is only stricter: a thread on
 * another CPU that touches a port enabled meanwhile takes #GP, and
 * ioperm_refresh() reloads the copy and retries before the fault is treated
 * as one. A port never enabled stays a #GP, which kills the process.
 */
#include <arch/ioperm.h>
#include <arch/iobitmap.h>
#include <arch/irq_flags.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <lib/string.h>
#include <mm/pmm.h>
#include <sched/sched.h>
#include <mm/vmm.h>

_Static_assert(ARCH_IOPERM_BYTES == IOMAP_BYTES, "one bitmap size");

static uint64_t next_io_id = 1; /* atomic */

uint8_t *arch_ioperm_alloc(void)
{
	uint8_t *bits = page_alloc(1); /* 8 KiB */
	if (bits)
		memset(bits, 0xff, IOMAP_BYTES);
	return bits;
}

void arch_ioperm_free(uint8_t *bits)
{
	page_free(bits, 1);
}

bool arch_ioperm_present(const struct arch_mmu *m)
{
	return __atomic_load_n(&m->io_bits, __ATOMIC_ACQUIRE) != NULL;
}

static void load(struct cpu *c, const struct arch_mmu *m)
{
	uint64_t gen = __atomic_load_n(&m->io_gen, __ATOMIC_ACQUIRE);
	uint32_t len = __atomic_load_n(&m->io_len, __ATOMIC_RELAXED);
	if (c->io_owner != m->io_id || c->io_gen != gen) {
		memcpy(c->gdt.iomap, m->io_bits, len);
		if (c->io_len > len)
			memset(c->gdt.iomap + len, 0xff, c->io_len - len);
		c->io_len = len;
		c->io_owner = m->io_id;
		c->io_gen = gen;
	}
	c->gdt.tss.iomap_base = sizeof(struct tss);
}

void ioperm_switch(struct cpu *c, const struct arch_mmu *m)
{
	if (m && __atomic_load_n(&m->io_bits, __ATOMIC_ACQUIRE))
		load(c, m);
	else if (c->gdt.tss.iomap_base != IOMAP_BASE_NONE)
		c->gdt.tss.iomap_base = IOMAP_BASE_NONE;
}

bool ioperm_refresh(struct cpu *c)
{
	struct thread *t = c->current;
	const struct arch_mmu *m = t && t->vs ? &t->vs->mmu : NULL;
	if (!m || !__atomic_load_n(&m->io_bits, __ATOMIC_ACQUIRE))
		return false;
	if (c->io_owner == m->io_id && c->io_gen == __atomic_load_n(&m->io_gen, __ATOMIC_ACQUIRE) &&
	    c->gdt.tss.iomap_base == sizeof(struct tss))
		return false; /* up to date: the port is not allowed */
	load(c, m);
	return true;
}

void arch_ioperm_allow(struct arch_mmu *m, uint8_t *bits, uint32_t first, uint32_t count)
{
	if (bits) {
		m->io_id = __atomic_fetch_add(&next_io_id, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&m->io_bits, bits, __ATOMIC_RELEASE);
	}
	uint32_t len = io_bitmap_allow(m->io_bits, m->io_len, first, count);
	__atomic_store_n(&m->io_len, len, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->io_gen, 1, __ATOMIC_RELEASE);
	uint64_t irq = arch_irq_save();
	struct cpu *c = this_cpu();
	if (c->current && c->current->vs && &c->current->vs->mmu == m)
		load(c, m);
	arch_irq_restore(irq);
}
