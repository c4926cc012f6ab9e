/*
 * cap_host_shim.h - the kernel heap for the capability host tests.
 *
 * kmalloc()/kzalloc()/kfree() on top of calloc()/free(), counted (bytes and
 * blocks outstanding) so tests can check that memory returns to its baseline,
 * with fault injection so out-of-memory paths can be driven. Thread-safe.
 */
#pragma once
#include <stdint.h>

/* Bytes handed out by kmalloc()/kzalloc() and not yet freed. */
uint64_t kmalloc_bytes_in_use(void);
/* Blocks handed out and not yet freed. */
uint64_t cap_shim_blocks_in_use(void);
/* Make kmalloc() fail after n more successful calls (-1: never fail). */
void cap_shim_fail_after(int64_t n);
