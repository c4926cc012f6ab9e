/*
 * debug/nmi_dump.h - an NMI outside a panic prints the scheduling state and
 * every CPU's frame, then the machine carries on (nmi_dump.c).
 */
#pragma once
#include <arch/trap.h>

/* From the NMI handler, on every CPU the NMI reached. */
void nmi_dump(const struct trap_frame *tf);
