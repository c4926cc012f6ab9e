/*
 * futextest.h - what futextest.c's tests share with the libc tests
 * (libc_tests.c): thread stacks and a join with a generous limit.
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>

#define FT_MAX_THREADS 8u
#define FT_STACK (16u * 1024u)
/* A wait that ends only if something hangs: a failure, not a timing threshold. */
#define FT_LONG (60 * UINT64_C(1000000000))

/* Start fn(arg) on stack slot (< FT_MAX_THREADS, one thread per slot at a time). */
int ft_spawn(int (*fn)(void *), void *arg, unsigned slot, handle_t *out);
/* Wait for t to end (its exit code in *code, which may be NULL) and drop t. */
long ft_join(handle_t t, int64_t *code);
/* The libc's pthread and semaphore tests (libc_tests.c). */
void ft_run_libc_tests(void);
