/* Host-test stand-in for arch/percpu.h: one CPU, the host tests that use it
   (test_slab, kmalloc's per-CPU magazines) run on one thread. */
#pragma once
#include <stdint.h>

#define MAX_CPUS 64

struct cpu {
	unsigned id;
};

static inline struct cpu *this_cpu(void)
{
	static struct cpu only;
	return &only;
}
