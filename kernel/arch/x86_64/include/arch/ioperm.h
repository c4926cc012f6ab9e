/*
 * arch/ioperm.h - the per-CPU TSS I/O bitmap follows the running address
 * space (ioperm.c). Arch-internal: the thread switch and the #GP path.
 */
#pragma once
#include <stdbool.h>

struct cpu;
struct arch_mmu;

/* The switch to a thread of m (NULL: a kernel thread): load m's ports or none. */
void ioperm_switch(struct cpu *c, const struct arch_mmu *m);
/* A #GP in user mode: true if this CPU's copy of the running space's ports
 * was stale and has been reloaded (retry the instruction). */
bool ioperm_refresh(struct cpu *c);
