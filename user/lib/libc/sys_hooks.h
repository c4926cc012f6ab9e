/*
 * sys_hooks.h - the only way the C library reaches the system.
 *
 * The libc is written against these four functions and nothing else, so it can be
 * built and tested on the host today (tests/host/test_libc.c implements them over a
 * fake arena and a capture buffer) and linked with libcharlotte later, which will
 * implement them on top of syscalls and capabilities:
 *   - __libc_write     debug-log / console capability (fd 1 = stdout, 2 = stderr)
 *   - __libc_morecore  a memory capability mapped into our own address space
 *   - __libc_exit      process exit with a status
 *   - __libc_clock_ns  the dev.clock capability (monotonic) / wall clock (realtime)
 * Errors are the negative codes of include/abi/errors.h.
 */
#pragma once

/*
 * Write len bytes of buf to file descriptor fd (1 = stdout, 2 = stderr).
 * Returns the number of bytes written (may be short, never 0 for len > 0 unless an
 * error) or a negative ERR_ code.
 */
long __libc_write(int fd, const void *buf, unsigned long len);

/*
 * Give the allocator at least `bytes` more bytes of fresh, zero-filled, read-write
 * memory. bytes is a multiple of 4096; the result is 4096-aligned. Returns NULL when
 * no memory is left. Memory is never given back.
 */
void *__libc_morecore(unsigned long bytes);

/* End the process with status; never returns. */
void __libc_exit(int status) __attribute__((noreturn));

/*
 * Read clock `clock` (0 = CLOCK_REALTIME, ns since 1970-01-01 UTC; 1 = CLOCK_MONOTONIC,
 * ns since an arbitrary point). Returns nanoseconds >= 0 or a negative ERR_ code
 * (ERR_NOT_SUPPORTED for an unknown clock).
 */
long long __libc_clock_ns(int clock);

/*
 * The start_info pointer the spawner left after the environment array (crt0.S stores
 * it before __libc_start runs; NULL if there was none). The libc never reads it: it is
 * an opaque pointer for the system library (libcharlotte's ch_handle()).
 */
extern void *__libc_start_info;
