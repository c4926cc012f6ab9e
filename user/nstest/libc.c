/*
 * libc.c - bin/nstest: the C library's files over the namespace (placeholder until
 * libc has them).
 */
#include "nstest.h"

void nstest_libc_tests(handle_t tmp)
{
	(void)tmp;
}
