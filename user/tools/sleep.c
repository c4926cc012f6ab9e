/*
 * sleep.c - `sleep seconds`: waits.
 */
#include <stdlib.h>

#include <charlotte/syscall.h>

#include "lib/tool.h"

static const struct tool sleep_tool = {
    "sleep", "sleep seconds",
    "Waits the given number of seconds (a fraction works: 0.5).\n"
    "Not supported: suffixes (m, h, d), several operands.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&sleep_tool, argc, argv, "", &o);
	if (argc - o.ind != 1)
		tool_usage_error(o.ind >= argc ? "missing operand" : "one operand only");
	const char *s = argv[o.ind];
	uint64_t whole = 0, frac = 0, scale = 1000000000;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 100ull * 365 * 86400)
			tool_usage_error("%s: too long", s);
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1)
				frac += (uint64_t)(*p - '0') * (scale /= 10);
	if (*p || p == s)
		tool_usage_error("not a number of seconds: %s", s);
	uint64_t ns = whole * 1000000000ull + frac;
	int64_t end = ch_clock_ns() + (int64_t)ns;
	for (int64_t now; (now = ch_clock_ns()) < end;)
		ch_sleep_ns((uint64_t)(end - now));
	return 0;
}
