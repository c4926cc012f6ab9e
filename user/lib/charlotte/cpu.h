/*
 * cpu.h - CPU instructions user space may use directly (cpu_insn.S): CPUID and the
 * hardware random number generator (RDRAND), for drivers of CPU features.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* CPUID leaf (subleaf 0): eax, ebx, ecx, edx into r[4]. */
void ch_cpuid(uint32_t leaf, uint32_t r[4]);

/* Whether the CPU has RDRAND (CPUID.1:ECX bit 30). */
bool ch_cpu_has_rdrand(void);

/* One RDRAND: 1 with *out filled, 0 when the generator had nothing (carry clear). */
int ch_rdrand64(uint64_t *out);
