/*
 * nstest.h - the parts of bin/nstest in other files.
 */
#pragma once
#include <abi/handle.h>
#include <charlotte/spawn.h>

/* libc's files over the namespace (libc.c): runs its tests with ch_test_run(), in tmp
 * (a tmpfs directory with every right), which is also the process's "ns.fs"-less
 * view: libc reaches fs:// through "ns". */
void nstest_libc_tests(handle_t tmp);

/* Serve name below dir with a new bin/tmpfs (8 MiB pool); *child is its process. */
long nstest_start_tmpfs(handle_t dir, const char *name, struct ch_child *child);
/* ns_lookup_no_leak (leak.c): open and close files of fs:///leaktmp (a tmpfs of its own)
 * many times; nothing may grow in our pool, the provider's, the root's or the kernel's heap. */
void nstest_lookup_no_leak(handle_t fs);
/* How many lookups it makes (20,000 unless set). */
void nstest_set_lookups(long n);
/* ns_stat_mode_owner (statmode.c): mode, owner, group and generation in a stat, raw and
 * through libc, for tmpfs's entries (in tmp) and the kernel's (below root). */
void nstest_stat_mode_owner(handle_t root, handle_t tmp);
/* ns_setattr (statmode.c): chmod, chown and times on tmpfs, raw and through libc, with
 * the rights each needs and hostile arguments; the kernel's entries refuse them. */
void nstest_setattr(handle_t root, handle_t tmp);
