/*
 * kcov.c - the coverage recorder of a KCOV=1 kernel (see kcov.h).
 *
 * __sanitizer_cov_trace_pc() runs at every instrumented basic block, on any CPU, in
 * any context (interrupt handlers included) and before per-CPU state exists, so it
 * touches nothing but a fixed bitmap and a counter: no allocation, no lock, no
 * per-CPU data. The bit is (return address - _text_start); a plain load first, so a
 * block already seen costs one load and one test; a new one is set with an atomic
 * OR and counted by whoever set it, so the count is exact with every CPU at once.
 * This file is compiled without the instrumentation (mk/kernel.mk).
 */
#include <debug/kcov.h>

#include <stdint.h>

extern char _text_start[], _text_end[];

static uint64_t kcov_map[KCOV_TEXT_MAX / 64];
static uint64_t kcov_pcs, kcov_outside;

void __sanitizer_cov_trace_pc(void);

void __sanitizer_cov_trace_pc(void)
{
	uint64_t off = (uint64_t)__builtin_return_address(0) - (uint64_t)_text_start;
	if (off >= KCOV_TEXT_MAX) {
		__atomic_fetch_add(&kcov_outside, 1, __ATOMIC_RELAXED);
		return;
	}
	uint64_t *w = &kcov_map[off / 64], bit = UINT64_C(1) << (off % 64);
	if (__atomic_load_n(w, __ATOMIC_RELAXED) & bit)
		return;
	if (!(__atomic_fetch_or(w, bit, __ATOMIC_RELAXED) & bit))
		__atomic_fetch_add(&kcov_pcs, 1, __ATOMIC_RELAXED);
}

int kcov_read(struct kcov_info *out)
{
	out->pcs = __atomic_load_n(&kcov_pcs, __ATOMIC_RELAXED);
	out->text_bytes = (uint64_t)(uintptr_t)_text_end - (uint64_t)(uintptr_t)_text_start;
	out->outside = __atomic_load_n(&kcov_outside, __ATOMIC_RELAXED);
	return 0;
}
