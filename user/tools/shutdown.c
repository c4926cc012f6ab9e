/*
 * shutdown.c - `shutdown [-n]`: turns the machine off.
 */
#include <abi/hw.h>

#include "lib/power.h"
#include "lib/tool.h"

static const struct tool shutdown_tool = {
    "shutdown", "shutdown [-n]",
    "Turns the machine off (ACPI S5) through the grant \"power\". First every file\n"
    "system is written back and made read-only, marked clean on its disk (sync and\n"
    "unmount: SYS_NS_SYNC with NS_SYNC_READ_ONLY), waiting up to 10 s for each; one\n"
    "that does not answer is named and the power goes anyway.\n"
    "  -n  now: no file system is written back first\n"
    "Not supported: a delay or a time (+5, now), messages to users, halting without\n"
    "power off.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	int now = 0;
	while (tool_getopt(&shutdown_tool, argc, argv, "n", &o) != -1)
		now = 1;
	if (o.ind < argc)
		tool_usage_error("no operands (a delay is not supported)");
	return power_do(HW_POWER_OFF, now);
}
