/*
 * exec.h - what Charlotte Exec gives a program it starts (grants.c): the
 * capabilities, sub-pool and arguments one manifest line asks for.
 */
#pragma once

#include <stddef.h>

#include <charlotte/spawn.h>

#include "manifest.h"

/* The grants and arguments of one start, and the handles Exec opened for it. */
struct exec_start {
	struct ch_grant grants[MANIFEST_MAX_GRANTS + 2]; /* the line's, "device", "class" */
	const char *argv[MANIFEST_MAX_ARGS + 2];
	char args[2 * (MANIFEST_LINE_MAX + 1) + MANIFEST_MAX_ARGS]; /* '%' expanded */
	handle_t opened[MANIFEST_MAX_GRANTS + 2]; /* dropped by exec_release() */
	unsigned nopened;
};

/* Rights of the dev:///<class> directory a bind: line gets as "class" (Exec opens it
 * with TRANSFER and DUPLICATE as well, which granting needs). */
#define EXEC_CLASS_RIGHTS \
	(RIGHT_LOOKUP | RIGHT_CREATE | RIGHT_REMOVE | RIGHT_MANAGE | RIGHT_INSPECT)

/*
 * Fill *st and *a to start e: its grants, device (HANDLE_INVALID: none) as "device",
 * inst for '%' in its arguments. serve: grants are served now (replacing what was
 * served under the name: a restart re-makes the entry). Returns 0, or an error with
 * *how saying why ("not started: ..."). Call exec_release(st) after the spawn either
 * way.
 */
int exec_prepare(const struct manifest_entry *e, handle_t device, const char *inst,
                 struct exec_start *st, struct ch_spawn_args *a, char *how, size_t cap);

/* Drop the handles exec_prepare() opened (the child holds its own copies). */
void exec_release(struct exec_start *st);

/*
 * Driver lines from the home disk (driversd.c), read on a normal boot once the line
 * serving EXEC_DRIVERS_SCHEME/EXEC_DRIVERS_DISK has started: every
 * EXEC_DRIVERS_DIR/<x>.manifest,
 * in name order, each line parsed as the initrd's, checked by
 * manifest_disk_line_check(), its program (a path below EXEC_DRIVERS_ROOT) read into
 * a malloc'd image handed to start with the entry (start owns the image). Refused
 * lines are logged and skipped.
 */
#define EXEC_DRIVERS_SCHEME "fs"
#define EXEC_DRIVERS_DISK "disk"
#define EXEC_DRIVERS_DIR "fs:///disk/etc/drivers.d"
#define EXEC_DRIVERS_ROOT "fs:///disk/"
#define EXEC_DRIVERS_IMAGE_MAX (4u << 20)
typedef void exec_disk_driver_fn(const struct manifest_entry *e, void *image, size_t len);
void exec_drivers_dir(exec_disk_driver_fn *start);
