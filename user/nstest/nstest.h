/*
 * nstest.h - the parts of bin/nstest in other files.
 */
#pragma once
#include <abi/handle.h>

/* libc's files over the namespace (libc.c): runs its tests with ch_test_run(), in tmp
 * (a tmpfs directory with every right), which is also the process's "ns.fs"-less
 * view: libc reaches fs:// through "ns". */
void nstest_libc_tests(handle_t tmp);
