/*
 * arch/string.h - the CPU's block copy, for lib/string.c's memcpy and memmove.
 *
 * x86-64 string instructions: quadwords then the tail bytes forward (under
 * emulation each iteration of a rep instruction costs about one instruction, so
 * movsq is 8x cheaper there than movsb, and no slower on hardware), and bytes
 * backward with the direction flag set for overlapping moves; fills the same
 * way with stos.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Copy n bytes from s to d, lowest address first. */
static inline void arch_copy_forward(void *d, const void *s, size_t n)
{
	size_t q = n >> 3, r = n & 7;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) : : "memory");
}

/* Copy n bytes ending at d_last / s_last (inclusive), highest address first. */
static inline void arch_copy_backward(void *d_last, const void *s_last, size_t n)
{
	__asm__ volatile("std; rep movsb; cld" : "+D"(d_last), "+S"(s_last), "+c"(n) : : "memory");
}

/* Set n bytes at d to c, quadwords then the tail. */
static inline void arch_fill(void *d, unsigned char c, size_t n)
{
	size_t q = n >> 3, r = n & 7;
	uint64_t pattern = 0x0101010101010101ull * c;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(pattern) : "memory");
}
