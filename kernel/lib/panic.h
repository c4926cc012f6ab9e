/*
 * panic.h - fatal errors and always-on assertions.
 *
 * panic() is for boot failures and broken invariants only; user mistakes and
 * out-of-memory are error codes. It stops the other CPUs, prints the message
 * and a backtrace on every console, and halts (or exits QEMU under test).
 */
#pragma once
#include <lib/compiler.h>

NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* True once any CPU has entered panic(). */
#include <stdbool.h>
bool panic_in_progress(void);

#define ASSERT(cond)                                                                       \
	do {                                                                               \
		if (unlikely(!(cond)))                                                     \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#ifdef CONFIG_DEBUG
#define DEBUG_ASSERT(cond) ASSERT(cond)
#else
#define DEBUG_ASSERT(cond) ((void)sizeof(cond))
#endif
