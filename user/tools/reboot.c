/*
 * reboot.c - `reboot [-n]`: resets the machine.
 */
#include <abi/hw.h>

#include "lib/power.h"
#include "lib/tool.h"

static const struct tool reboot_tool = {
    "reboot", "reboot [-n]",
    "Resets the machine (the ACPI reset register, then the 8042, then a triple fault)\n"
    "through the grant \"power\". First it gives the file systems time to write back:\n"
    "none takes a sync request, so it waits 3 s for fsd's own write-back.\n"
    "  -n  now: no waiting\n"
    "Not supported: a delay, messages to users.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	int now = 0;
	while (tool_getopt(&reboot_tool, argc, argv, "n", &o) != -1)
		now = 1;
	if (o.ind < argc)
		tool_usage_error("no operands");
	return power_do(HW_POWER_REBOOT, now);
}
