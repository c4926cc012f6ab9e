/*
 * host_support.h - kernel services for host unit tests (cmocka, ASan/UBSan).
 *
 * Host tests compile real kernel sources as user programs. This file supplies
 * what those sources call but the test does not want to implement itself:
 *   - panic(): fails the running cmocka test, or, inside EXPECT_PANIC(),
 *     jumps back to the test so a broken invariant can be asserted on;
 *   - klog()/kvlog()/kprintf(): print to stderr (quiet below LOG_WARN while
 *     host_log_quiet is set, the default, which drops debug and info);
 *   - page_alloc()/page_zalloc()/page_free()/pmm_free_pages()/
 *     pmm_total_pages(): pages from aligned_alloc(), counted, with order
 *     checking and fault injection.
 * Add tests/host/host_support.c to your test's SRCS to use it. Thread-safe.
 */
#pragma once
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- panic --- */

extern jmp_buf host_panic_jmp;
extern volatile bool host_panic_armed;
/* Message of the last panic caught by EXPECT_PANIC(). */
extern char host_panic_msg[512];

/*
 * Run stmt and require that it panics. After a caught panic the code that
 * panicked was abandoned mid-way: locks it held stay held, so only inspect
 * state the panicking path had not begun to change.
 */
#define EXPECT_PANIC(stmt)                                            \
	do {                                                          \
		host_panic_armed = true;                              \
		if (setjmp(host_panic_jmp) == 0) {                    \
			stmt;                                         \
			host_panic_armed = false;                     \
			fail_msg("expected a panic from: %s", #stmt); \
		}                                                     \
		host_panic_armed = false;                             \
	} while (0)

/* --- log --- */

/* When true (the default), klog() below LOG_WARN is dropped. */
extern bool host_log_quiet;

/* --- page allocator --- */

/* Pages currently handed out by page_alloc()/page_zalloc() and not freed. */
uint64_t host_pages_outstanding(void);
/* Make page_alloc() fail after n more successful calls (-1: never fail). */
void host_page_alloc_fail_after(int64_t n);
/* Pretend the machine has this many pages (default 1 << 20); page_alloc fails past it. */
void host_pmm_set_total_pages(uint64_t pages);
