/*
 * uaccess.c - range checks in front of the arch copy routine (mm/uaccess.h).
 */
#include <mm/uaccess.h>
#include <abi/errors.h>
#include <arch/uaccess.h>

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return ERR_BAD_ADDRESS;
	if (n == 0)
		return 0;
	return (int)arch_copy_user(dst, (const void *)usrc, n);
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return ERR_BAD_ADDRESS;
	if (n == 0)
		return 0;
	return (int)arch_copy_user((void *)udst, src, n);
}
