/*
 * kcov.h - kernel coverage for the fuzzer (KCOV=1 builds only; docs/testing.md).
 *
 * A KCOV=1 kernel is compiled with -fsanitize-coverage=trace-pc (kernel/arch and
 * kcov.c itself excepted: mk/kernel.mk), so every basic block calls
 * __sanitizer_cov_trace_pc(); kcov.c records the distinct return addresses in a fixed
 * bitmap over the kernel text. Without the option kcov.c is not built, nothing is
 * instrumented and kcov_read() is the stub below.
 */
#pragma once
#include <abi/debug.h>
#include <abi/errors.h>

/* Text the bitmap covers, one bit per byte (a bigger text counts the rest in
 * kcov_info.outside): 4 MiB of text, a 512 KiB bitmap in .bss. */
#define KCOV_TEXT_MAX (4u << 20)

#ifdef CONFIG_KCOV
/* The coverage figure so far: 0. */
int kcov_read(struct kcov_info *out);
#else
static inline int kcov_read(struct kcov_info *out)
{
	(void)out;
	return ERR_NOT_SUPPORTED;
}
#endif
