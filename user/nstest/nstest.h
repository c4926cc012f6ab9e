/*
 * nstest.h - the parts of bin/nstest in other files.
 */
#pragma once
#include <abi/handle.h>

/* libc's files over the namespace (libc.c): runs its tests with ch_test_run(), in tmp
 * (a tmpfs directory with every right), which is also the process's "ns.fs"-less
 * view: libc reaches fs:// through "ns". */
void nstest_libc_tests(handle_t tmp);

/* ns_lookup_no_leak (leak.c): open and close files of tmp (a directory of fs:///tmp)
 * many times; nothing may grow in our pool, the providers' or the kernel's heap. */
void nstest_lookup_no_leak(handle_t root, handle_t tmp);
/* How many lookups it makes (20,000 unless set). */
void nstest_set_lookups(long n);
