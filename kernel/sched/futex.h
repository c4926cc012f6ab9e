/*
 * futex.h - wait and wake on a 32-bit word of user memory (abi/sched.h:
 * SYS_SELF_FUTEX_WAIT / SYS_SELF_FUTEX_WAKE).
 *
 * A futex is named by a key: the id of the memory object behind the word
 * and the word's byte offset in it (the system call layer, sys_futex.c,
 * finds them through the caller's address space). Object ids are unique for
 * the kernel's lifetime (obj/object.h), so a key never outlives its object
 * in a way a new object could be confused with: no reference is needed.
 *
 * Waiters live on their threads' kernel stacks, linked into one of
 * FUTEX_BUCKETS buckets (a fixed table: no user action makes the kernel
 * allocate). See futex.c for the protocol.
 */
#pragma once
#include <stdint.h>

/* Buckets of the waiter hash table (static: 256 x 32 bytes). */
#define FUTEX_BUCKETS 256u
/* Waiters one futex_wake() wakes per hold of a bucket's lock (interrupts off). */
#define FUTEX_WAKE_BATCH 16u

struct futex_key {
	uint64_t object; /* the memory object's id */
	uint64_t offset; /* byte offset of the word in it */
};

/*
 * Block while the 32-bit word at user address uaddr (the word key names,
 * in the caller's address space) equals expected: 0 when woken by
 * futex_wake(), ERR_SHOULD_WAIT when it differed, ERR_BAD_ADDRESS when it
 * could not be read, ERR_TIMED_OUT after timeout_ns (WAIT_FOREVER: never),
 * ERR_INTERRUPTED when the thread is killed. The word is read after the
 * waiter is queued, so a wake that follows a change of the word is never
 * lost. Call without spinlocks (the read may fault into a user pager).
 */
int futex_wait(struct futex_key key, uint64_t uaddr, uint32_t expected, uint64_t timeout_ns);
/*
 * Wake up to n waiters of key, oldest first; returns how many were woken.
 * Work per lock hold is bounded by FUTEX_WAKE_BATCH wakes and one walk of the
 * bucket (which holds only blocked threads, each paid for by its process).
 */
uint64_t futex_wake(struct futex_key key, uint64_t n);
