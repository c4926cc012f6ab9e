/*
 * power.c - shutdown and reboot (power.h): every file system written back and
 * made read-only (SYS_NS_SYNC with NS_SYNC_READ_ONLY), then ch_hw_power on the
 * hw root granted as "power" (the root device with MANAGE only).
 */
#include "power.h"

#include <stdbool.h>
#include <stdio.h>

#include <abi/errors.h>
#include <abi/hw.h>
#include <abi/ns.h>
#include <charlotte/hw.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "mounts.h"
#include "tool.h"

/* One file system: written back and kept as it is (clean on disk) until the power goes. */
static long settle_one(const char *uri, handle_t node, bool probe, void *arg)
{
	(void)arg;
	long r = ch_ns_sync(node, NS_SYNC_READ_ONLY, POWER_FS_WAIT_NS);
	if (r == ERR_ACCESS_DENIED) { /* no manage right: written back, but not marked clean */
		r = ch_ns_sync(node, 0, POWER_FS_WAIT_NS);
		if (r == 0)
			tool_warn("%s: written back, but not marked clean (no manage right to it)",
			          uri);
	}
	if (r == ERR_NOT_SUPPORTED)
		return probe ? r : 0; /* nothing on a disk to write back */
	if (r == ERR_TIMED_OUT)
		tool_warn("%s: did not answer in %llu s: not written back", uri,
		          POWER_FS_WAIT_NS / 1000000000ull);
	else if (r < 0)
		tool_warn_err(uri, r);
	return r;
}

int power_do(uint32_t what, int now)
{
	handle_t power = ch_handle("power");
	if (power == HANDLE_INVALID) {
		tool_warn("no capability to %s the machine (the grant \"power\")",
		          what == HW_POWER_OFF ? "turn off" : "reset");
		return 1;
	}
	if (!now && mounts_each(settle_one, NULL) != 0)
		tool_warn("going on: what a file system did not write back is lost");
	fflush(stdout);
	long r = ch_hw_power(power, what);
	tool_warn_err(what == HW_POWER_OFF ? "power off" : "reboot", r);
	return 1;
}
