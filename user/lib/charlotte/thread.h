/*
 * thread.h - more threads in our own process.
 *
 * ch_thread_spawn() creates a thread of "self.process" and starts it on a stack the
 * caller provides (any read-write memory, e.g. from malloc; it must stay valid until
 * the thread has ended). The thread runs fn(arg); when fn returns, its return value
 * becomes the thread's exit code (SYS_SELF_THREAD_EXIT). The last thread to exit ends
 * the process with PROC_EXITED. malloc is thread-safe; stdio is not (one thread at a
 * time per stream). <pthread.h> is the libc's way to threads (pthread.c, over this).
 */
#pragma once

#include <stddef.h>

#include <abi/handle.h>

/*
 * Starts fn(arg) in a new thread on [stack, stack + size); the thread's handle
 * (RIGHTS_ALL: wait, kill) in *out. Errors: ERR_INVALID_ARGS (NULL fn/stack/out or
 * size < 256), ERR_NOT_FOUND (no "self.process"), those of SYS_THREAD_CREATE and
 * SYS_THREAD_START.
 */
int ch_thread_spawn(int (*fn)(void *), void *arg, void *stack, size_t size, handle_t *out);
