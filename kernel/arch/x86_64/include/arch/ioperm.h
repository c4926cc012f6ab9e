/*
 * arch/ioperm.h - the per-CPU TSS I/O bitmap follows the running address
 * space (ioperm.c). Arch-internal: the thread switch and the #GP path.
 */
#pragma once
#include <stdbool.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <lib/compiler.h>

/* The switch to a thread of m (NULL: a kernel thread): load m's ports or none. */
void ioperm_switch(struct cpu *c, const struct arch_mmu *m);

/* Must the switch to a thread of m (NULL: a kernel thread) change this CPU's
 * ports? A switch between spaces without ports (the usual case) costs two
 * loads and a compare. */
static inline __attribute__((always_inline)) bool ioperm_switch_needed(struct cpu *c,
                                                                       const struct arch_mmu *m)
{
	return unlikely((m && m->io_bits) || c->gdt.tss.iomap_base != IOMAP_BASE_NONE);
}

/* The context switch's test, which calls nothing in the usual case. */
static inline __attribute__((always_inline)) void ioperm_switch_check(struct cpu *c,
                                                                      const struct arch_mmu *m)
{
	if (ioperm_switch_needed(c, m))
		ioperm_switch(c, m);
}

/* A #GP in user mode: true if this CPU's copy of the running space's ports
 * was stale and has been reloaded (retry the instruction). */
bool ioperm_refresh(struct cpu *c);
