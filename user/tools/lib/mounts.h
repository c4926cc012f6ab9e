/*
 * mounts.h - the file systems a tool can see (mounts.c, target only): what sync,
 * df, shutdown and reboot go through.
 *
 * A file system is a provider serving a subtree of fs://. The view's fs:/// is
 * either one itself (a sandbox given a directory of a disk) or the kernel tree,
 * which answers SYS_NS_SYNC and SYS_NS_STATFS with ERR_NOT_SUPPORTED; then each
 * directory in it (fs:///tmp, fs:///disk) is taken as one.
 */
#pragma once

#include <stdbool.h>

#include <abi/handle.h>

/*
 * What a tool does to one file system: uri is how it is named ("fs:///disk"), node a
 * capability to its top (all the rights the view gives). probe: this is the view's
 * fs:/// itself, which may be the kernel tree: an ERR_NOT_SUPPORTED is then to be
 * returned without a message. Returns 0 or an ERR_* (the message printed).
 */
typedef long (*mounts_fn)(const char *uri, handle_t node, bool probe, void *arg);

/*
 * Calls fn on each file system of the view: fs:/// itself, or (when that answers
 * ERR_NOT_SUPPORTED) every directory in it, in name order. Returns how many calls
 * failed, or -1 when fs:/// cannot be opened or listed (the message printed).
 */
int mounts_each(mounts_fn fn, void *arg);

/* Calls fn on what name (a URI or a path) names; the same return as fn's, or the
 * open's error (the message printed). */
long mounts_one(const char *name, mounts_fn fn, void *arg);
