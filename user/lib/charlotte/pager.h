/*
 * pager.h - a user-level pager in our own process: lazily allocated memory.
 *
 * The kernel turns a page fault it cannot resolve into a kbus call (data: struct
 * kbus_fault_msg) on the faulting thread's pager endpoint (SYS_THREAD_SET_PAGER);
 * the thread sleeps until the pager replies. ch_pager_start() makes a channel and
 * a pager thread that serves its far end:
 *   - a fault inside a registered lazy region: a memory object (one chunk of the
 *     region, clipped to it) is created from "pool", mapped read-write at the
 *     chunk covering the faulting address in "self.as", its handle dropped (the
 *     mapping holds the memory), and the reply 0 resumes the thread;
 *   - a fault on a page that is already mapped (two threads faulted on it at
 *     once) resumes the thread too, unless the mapping forbids the access;
 *   - anything else (outside every region, a protection fault, the pool
 *     exhausted) is answered with a nonzero int32: the kernel then treats the
 *     fault as unhandled, as if there were no pager (today that ends the whole
 *     process as PROC_FAULTED; abi/kbus.h says the thread).
 * The pager thread runs on an eagerly mapped stack and never faults lazily.
 *
 * Which threads it serves: those attached with ch_pager_attach() (the calling
 * thread if the spawner granted "self.thread"), and threads started with
 * ch_thread_spawn_lazy(), which also get a lazily backed stack.
 *
 * Address space: lazy regions must be reserved, i.e. nothing else maps there.
 * ch_va_reserve() hands out such ranges from [CH_VA_BASE, CH_VA_LIMIT), a part of
 * the user half libcharlotte keeps for itself (stacks, bulk buffers). Reservations
 * are never returned; memory is, by ch_lazy_release().
 *
 * Thread safety: every function may be called from any thread; the region table
 * and the reservation pointer are protected by a spinlock / atomics.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/handle.h>

#define CH_VA_BASE UINT64_C(0x0000600000000000)
#define CH_VA_LIMIT UINT64_C(0x0000700000000000)
#define CH_PAGER_MAX_REGIONS 64u
#define CH_PAGER_STACK (32u * 1024u)
#define CH_LAZY_GUARD UINT64_C(4096) /* unregistered page below each lazy stack */

/*
 * Starts the pager (once per process; later calls return 0). Needs "pool" and
 * "self.as" (ERR_NOT_FOUND) and "self.process" for its thread. If the spawner
 * granted "self.thread", the calling thread is attached. Errors of channel,
 * memory and thread creation.
 */
int ch_pager_start(void);

/* Sends thread's unresolved faults to our pager (ERR_BAD_STATE: not started). */
int ch_pager_attach(handle_t thread);

/* The endpoint threads' faults go to (to attach threads by hand), or 0. */
handle_t ch_pager_endpoint(void);

/*
 * Registers [base, base + size) (page aligned, reserved, not overlapping another
 * region) as lazily backed, page by page. ERR_INVALID_ARGS, ERR_ALREADY_EXISTS,
 * ERR_NO_RESOURCES (table full).
 */
int ch_lazy_region(uint64_t base, uint64_t size);
/* The same, backed chunk bytes (a multiple of 4096) at a time. */
int ch_lazy_region_chunked(uint64_t base, uint64_t size, uint64_t chunk);

/* Unregisters the region starting at base and unmaps it (its memory is freed). */
int ch_lazy_release(uint64_t base);

/* size bytes (rounded up to pages) of address space nobody else uses, or 0. */
uint64_t ch_va_reserve(uint64_t size);

/* Reserves and registers size bytes; returns the base or NULL. */
void *ch_lazy_alloc(uint64_t size);

/*
 * Like ch_thread_spawn() (thread.h), on a stack of size bytes that is lazily
 * backed by the pager (with an unmapped guard page below it): creates the thread,
 * attaches it to the pager, then starts it. The stack's base in *stack_out (may be
 * NULL; ch_lazy_release() it after the thread ended). ERR_BAD_STATE if the pager
 * is not running.
 */
int ch_thread_spawn_lazy(int (*fn)(void *), void *arg, size_t size, handle_t *out,
                         void **stack_out);

/*
 * Makes the libc heap lazily backed: registers [CH_HEAP_BASE, CH_HEAP_LIMIT) with
 * the pager (64 KiB chunks) and tells __libc_morecore not to map memory itself.
 * Needs the heap hook in start.c (ERR_NOT_SUPPORTED without it) and a running pager
 * attached to every thread that uses malloc. Heap memory already mapped stays.
 */
int ch_lazy_heap_enable(void);

struct ch_pager_stats {
	uint64_t served; /* faults answered with memory */
	uint64_t raced; /* faults on pages already mapped (resumed) */
	uint64_t refused; /* faults answered with an error (thread killed) */
	uint64_t bytes; /* memory created */
};

/* A snapshot of the pager's counters. */
void ch_pager_stats(struct ch_pager_stats *out);
