/*
 * uaccess.h - the only way the kernel touches user memory.
 *
 * Each helper first checks that the whole user range lies in the user half
 * (canonical, below USER_SPACE_END, no wrap-around) and then copies with
 * SMAP opened (stac/clac) by an instruction sequence registered in the
 * exception fixup table: a page fault or #GP inside it returns
 * ERR_BAD_ADDRESS instead of crashing the kernel. Kernel pointers passed as
 * user pointers are therefore always refused. Callers hold no spinlocks (a
 * later issue lets page faults here block on a user pager).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <arch/mmu.h>

/* 0 or ERR_BAD_ADDRESS. */
int copy_from_user(void *dst, uint64_t usrc, size_t n);
int copy_to_user(uint64_t udst, const void *src, size_t n);
/*
 * Is [u, u+n) entirely in the user half, and not in page 0 (never mapped, so
 * NULL is refused at once rather than when a copy happens)? n == 0 is always fine.
 */
static inline int user_range_ok(uint64_t u, size_t n)
{
	return n == 0 || (u >= 0x1000 && u + n >= u && u + n <= USER_SPACE_END);
}
