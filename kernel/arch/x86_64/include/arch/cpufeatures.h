/*
 * arch/cpufeatures.h - CPU features the kernel uses when present, and the
 * per-thread extended (FPU/SSE/AVX) state.
 *
 * cpu_features_init() runs on every CPU: it turns on SMEP and SMAP (user
 * pages can be neither executed nor touched by the kernel outside the
 * uaccess helpers), SSE for user space, and XSAVE with every state component
 * the CPU offers (x87, SSE, AVX, ...). Kernel code itself never uses the FPU
 * (-mgeneral-regs-only), so only user threads carry an FPU area, saved and
 * restored eagerly at each switch between them.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

extern uint8_t cpu_has_smap; /* read by uaccess.S */
extern bool cpu_has_smep, cpu_has_xsave;
/* The PAT is set up (every CPU): VM_WC mappings are write-combining, not uncached. */
extern bool cpu_has_pat;
extern uint32_t fpu_area_size; /* bytes of one FPU area (64-byte aligned) */

/* A thread's saved FPU/SSE/AVX state (XSAVE or FXSAVE layout), fpu_area_size bytes. */
struct fpu_area;

void cpu_features_init(bool bsp);
/* Allocate a clean FPU area (default control words); NULL if out of memory. */
struct fpu_area *fpu_area_alloc(void);
void fpu_area_free(struct fpu_area *area);
extern uint64_t fpu_xcr0; /* the XSAVE feature mask in use */

/* Save or load the CPU's FPU/SSE/AVX registers (inline: at every switch between user threads). */
static inline void fpu_save(struct fpu_area *area)
{
	if (cpu_has_xsave)
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((uint32_t)fpu_xcr0),
		                 "d"((uint32_t)(fpu_xcr0 >> 32))
		                 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void fpu_restore(const struct fpu_area *area)
{
	if (cpu_has_xsave)
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)fpu_xcr0),
		                 "d"((uint32_t)(fpu_xcr0 >> 32))
		                 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* fpu_save(save) then fpu_restore(load), the feature tested once (a switch
 * between two user threads: the kbus flat path's). */
static inline __attribute__((always_inline)) void fpu_switch(struct fpu_area *save,
                                                             const struct fpu_area *load)
{
	if (cpu_has_xsave) {
		uint32_t lo = (uint32_t)fpu_xcr0, hi = (uint32_t)(fpu_xcr0 >> 32);
		__asm__ volatile("xsave64 (%0)" ::"r"(save), "a"(lo), "d"(hi) : "memory");
		__asm__ volatile("xrstor64 (%0)" ::"r"(load), "a"(lo), "d"(hi) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" ::"r"(save) : "memory");
		__asm__ volatile("fxrstor64 (%0)" ::"r"(load) : "memory");
	}
}
/* Entry points (syscall.S): 64-bit SYSCALL, and compatibility-mode SYSCALL (refused). */
void syscall_entry(void);
void syscall_compat_entry(void);
/* Set up SYSCALL/SYSRET on this CPU. */
void syscall_init_cpu(void);
