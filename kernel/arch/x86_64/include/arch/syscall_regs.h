/*
 * arch/syscall_regs.h - where a system call's operands live in the saved frame.
 *
 * include/abi/syscall.h's x86-64 convention: rax the action (and the result),
 * rdi the target handle, rsi rdx r10 r8 r9 the arguments a0..a4; the kbus
 * register fast path (abi/kbus.h) carries four words in rsi rdx r10 r8 both
 * ways and one more register, r9 (flags or timeout in, the badge out). Generic
 * code reads and writes them only through these.
 */
#pragma once
#include <stdint.h>

#include <arch/trap.h>

#define ARCH_SYSCALL_ARGS 5
#define ARCH_FAST_WORDS 4

static inline uint64_t arch_syscall_action(const struct trap_frame *tf)
{
	return tf->rax;
}

static inline uint64_t arch_syscall_target(const struct trap_frame *tf)
{
	return tf->rdi;
}

/*
 * The arguments as an array: the frame's own rsi, rdx, r10, r8, r9, which
 * lie in that order one after the other (arch/frame.h), so nothing is copied.
 * arch_syscall_frame_of() gives back the frame of such an array.
 */
static inline const uint64_t *arch_syscall_argp(const struct trap_frame *tf)
{
	return &tf->rsi;
}

static inline struct trap_frame *arch_syscall_frame_of(const uint64_t *a)
{
	return (struct trap_frame *)((uintptr_t)a - __builtin_offsetof(struct trap_frame, rsi));
}
_Static_assert(__builtin_offsetof(struct trap_frame, rdx) ==
                       __builtin_offsetof(struct trap_frame, rsi) + 8 &&
                   __builtin_offsetof(struct trap_frame, r10) ==
                       __builtin_offsetof(struct trap_frame, rsi) + 16 &&
                   __builtin_offsetof(struct trap_frame, r8) ==
                       __builtin_offsetof(struct trap_frame, rsi) + 24 &&
                   __builtin_offsetof(struct trap_frame, r9) ==
                       __builtin_offsetof(struct trap_frame, rsi) + 32,
               "the argument registers in a row");

static inline void arch_syscall_set_result(struct trap_frame *tf, uint64_t r)
{
	tf->rax = r;
}

/* The fast path's four words, and its extra register. */
static inline void arch_fast_words(const struct trap_frame *tf, uint64_t w[ARCH_FAST_WORDS])
{
	w[0] = tf->rsi;
	w[1] = tf->rdx;
	w[2] = tf->r10;
	w[3] = tf->r8;
}

static inline uint64_t arch_fast_extra(const struct trap_frame *tf)
{
	return tf->r9;
}

static inline void arch_fast_set_words(struct trap_frame *tf, const uint64_t w[ARCH_FAST_WORDS],
                                       uint64_t extra)
{
	tf->rsi = w[0];
	tf->rdx = w[1];
	tf->r10 = w[2];
	tf->r8 = w[3];
	tf->r9 = extra;
}

/* The kbus flat path's answer to the thread it leaves on: extra in r9, while
 * the words stay in the frame they came in on (syscall.S's flat exit loads
 * them from there, and the 0 result). */
static inline void arch_flat_set_extra(struct trap_frame *dst, uint64_t extra)
{
	dst->r9 = extra;
}
