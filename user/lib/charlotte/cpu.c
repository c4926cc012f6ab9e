/*
 * cpu.c - CPU feature tests (cpu.h).
 */
#include "cpu.h"

bool ch_cpu_has_rdrand(void)
{
	uint32_t r[4];
	ch_cpuid(0, r);
	if (r[0] < 1)
		return false;
	ch_cpuid(1, r);
	return (r[2] >> 30) & 1;
}
