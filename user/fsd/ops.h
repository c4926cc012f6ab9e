/*
 * ops.h - fsd's ext2 mount as a namespace provider (ns_provider_ops over ext2/ext2.h).
 *
 * Node ids are inode numbers, except the root (inode 2), which is the kernel's
 * provider root node 1; inode 1 (ext2's bad-block inode) is never reachable.
 * An inode stays allocated while the kernel holds a capability to it
 * (hold/release are ext2_hold/ext2_release), so a node id is not reused while
 * anyone can still name it.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <charlotte/nsprov.h>

#include "ext2/ext2.h"

/* The state the operations share (their ctx). */
struct fsd {
	struct ext2_fs *fs;
	bool dirty; /* something changed since the last sync */
	char link[4096]; /* a walk's link target (valid until the next walk) */
};

extern const struct ns_provider_ops fsd_ops;
