/*
 * uptime.c - `uptime`: how long since the machine started.
 */
#include <stdio.h>

#include <charlotte/syscall.h>

#include "lib/tool.h"

static const struct tool uptime_tool = {
    "uptime", "uptime",
    "Prints the time since boot (the monotonic clock): \"up 1 day, 2:03:04\" and the\n"
    "seconds with their fraction.\n"
    "Not supported: users, load averages (the scheduler keeps none).\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&uptime_tool, argc, argv, "", &o);
	if (o.ind < argc)
		tool_usage_error("no operands");
	int64_t ns = ch_clock_ns();
	uint64_t s = (uint64_t)ns / 1000000000u;
	uint64_t days = s / 86400;
	printf("up ");
	if (days)
		printf("%llu day%s, ", (unsigned long long)days, days == 1 ? "" : "s");
	printf("%llu:%02llu:%02llu (%llu.%03llu s)\n", (unsigned long long)(s / 3600 % 24),
	       (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
	       (unsigned long long)s, (unsigned long long)((uint64_t)ns / 1000000 % 1000));
	return fflush(stdout) == 0 ? 0 : 1;
}
