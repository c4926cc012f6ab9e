/*
 * power.c - shutdown and reboot (power.h): ch_hw_power on the hw root granted as
 * "power" (the root device with MANAGE only).
 */
#include "power.h"

#include <stdio.h>

#include <abi/hw.h>
#include <charlotte/hw.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "tool.h"

int power_do(uint32_t what, int now)
{
	handle_t power = ch_handle("power");
	if (power == HANDLE_INVALID) {
		tool_warn("no capability to %s the machine (the grant \"power\")",
		          what == HW_POWER_OFF ? "turn off" : "reset");
		return 1;
	}
	if (!now) {
		fprintf(stderr,
		        "%s: no file system takes a sync request: waiting %llu s for fsd's "
		        "own write-back\n",
		        tool_self->name, FSD_SETTLE_NS / 1000000000ull);
		ch_sleep_ns(FSD_SETTLE_NS);
	}
	fflush(stdout);
	long r = ch_hw_power(power, what);
	tool_warn_err(what == HW_POWER_OFF ? "power off" : "reboot", r);
	return 1;
}
