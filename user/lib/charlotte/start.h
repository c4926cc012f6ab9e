/*
 * start.h - the capabilities a program was started with, by name.
 *
 * The spawner (the kernel for Exec, ch_spawn() for everyone else) puts a start_info in
 * the new process's memory naming the handles it granted. Well-known names:
 *   "log"           OBJ_DEBUG_LOG: where stdout and stderr go
 *   "pool"          OBJ_MEMORY_POOL: pays for the heap and for children
 *   "initrd"        OBJ_MEMORY: the initrd archive (read-only)
 *   "self.process"  OBJ_PROCESS: this process
 *   "self.as"       OBJ_ADDRESS_SPACE: this process's address space
 * The libc hooks (start.c) use "log", "pool" and "self.as".
 */
#pragma once

#include <stdbool.h>
#include <abi/handle.h>
#include <abi/syscall.h>

#include "startup.h"

/* Where the heap of __libc_morecore starts, how it grows, and where it must stop. */
#define CH_HEAP_BASE UINT64_C(0x0000100000000000)
#define CH_HEAP_CHUNK UINT64_C(0x10000)
#define CH_HEAP_LIMIT UINT64_C(0x0000200000000000)

/* The start_info this program was started with, or NULL. */
const struct start_info *ch_start_info(void);

/* The handle the spawner named name, or HANDLE_INVALID if there is none. */
handle_t ch_handle(const char *name);

/* Whether CLOCK_REALTIME is the wall clock (a clock driver answered at the first read;
 * false before that read and when none did: it then counts from boot). */
bool ch_wall_clock_known(void);
