/*
 * driver.h - starting a driver by hand (until Exec starts drivers from its
 * manifest): find a device under the root device "hw", and spawn a driver
 * with that device's capability and wait until it serves.
 *
 * The driver gets "log", "ns" (to bind in dev://; our own rights), "device"
 * (the device, with our rights to it) and "ready", an endpoint on which it
 * reports whether it serves (blkserve.h's blk_serve_ready), plus a sub-pool.
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>

#include "spawn.h"

#define CH_DEV_ANY 0xffffu /* a match field that matches anything */

struct ch_dev_match {
	uint16_t vendor, device; /* PCI ids, or CH_DEV_ANY */
	uint16_t class_code, subclass, prog_if; /* or CH_DEV_ANY */
};

/*
 * Binds ep as dev:///<cls>/<name> of the given type (NS_TYPE_DEV_*), giving
 * openers SEND|RECV: in the class directory Exec's driver lines grant as
 * "class" (`bind:dev/<cls>`), else in <cls> below our "ns.dev" / "ns" root (a
 * driver a test starts). 0 or the error of the open or the bind.
 */
long ch_dev_class_bind(const char *cls, const char *name, handle_t ep, uint32_t type);
/* The same with the rights an open of the entry gives (ch_dev_class_bind: SEND and
 * RECV, so the endpoint cannot be handed on). */
long ch_dev_class_bind_rights(const char *cls, const char *name, handle_t ep, uint32_t type,
                              uint64_t rights);

/*
 * The nth (from 0) PCI device under root that matches m, as a capability in
 * *out (the root's rights minus ENUMERATE). ERR_NOT_FOUND: fewer match; errors
 * of SYS_DEV_ENUM.
 */
long ch_dev_find(handle_t root, const struct ch_dev_match *m, uint32_t nth, handle_t *out);

/*
 * Spawns argv[0] with argv, a sub-pool of child_pool bytes, and the grants
 * above (device may be HANDLE_INVALID: none), then waits up to timeout ns for
 * its ready report. Returns that report (0: serving) or an error. When the
 * spawn itself worked, child->process is not HANDLE_INVALID whatever the
 * result (stop it with ch_proc_kill, release it with ch_child_release).
 */
long ch_driver_spawn(const char *const *argv, handle_t device, uint64_t child_pool,
                     uint64_t timeout, struct ch_child *child);

/*
 * Removes the dev:// entry a stopped driver bound: name is its name ("ram0", or a URI
 * "dev:///block/ram0", of which the last component counts), looked for in every class
 * directory. A driver's entry holds its endpoint, whose channel is paid from, and so
 * keeps alive, the driver's whole pool: a spawner that stops a driver for good must
 * remove its entry, or that pool's quota stays taken (Exec's restarts bind the name
 * again, which lets the old endpoint go). 0, or ERR_NOT_FOUND when no class has it.
 */
long ch_driver_unbind(const char *name);
