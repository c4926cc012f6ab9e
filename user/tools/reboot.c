/*
 * reboot.c - `reboot [-n]`: resets the machine.
 */
#include <abi/hw.h>

#include "lib/power.h"
#include "lib/tool.h"

static const struct tool reboot_tool = {
    "reboot", "reboot [-n]",
    "Resets the machine (the ACPI reset register, then the 8042, then a triple fault)\n"
    "through the grant \"power\". First every file system is written back and made\n"
    "read-only, marked clean on its disk (as shutdown does), waiting up to 10 s for\n"
    "each; one that does not answer is named and the reset goes on.\n"
    "  -n  now: no file system is written back first\n"
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
