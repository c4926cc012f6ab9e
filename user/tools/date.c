/*
 * date.c - `date`: the wall-clock time, from the first clock device in
 * dev:///clock (abi/dev/clock.h); `date -s TIME` sets it through libc's
 * clock_settime (the clock's admin entry: docs/devices.md, "Clock").
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <abi/dev/clock.h>
#include <abi/errors.h>
#include <abi/ns.h>
#include <charlotte/devcall.h>
#include <charlotte/ns.h>
#include <charlotte/syscall.h>

#include "lib/text.h"
#include "lib/tool.h"

static const struct tool date_tool = {
    "date", "date",
    "Prints the time of day in UTC (YYYY-MM-DD HH:MM:SS UTC), asked of the first clock\n"
    "device in dev:///clock; without one it says so and exits 1 (uptime tells the time\n"
    "since boot).\n"
    "  -s TIME  set the clock to TIME, UTC: \"YYYY-MM-DD HH:MM[:SS]\" (a T may stand for\n"
    "           the space; \" UTC\" or Z may follow) or @SECONDS since 1970; then prints\n"
    "           the time as above. Needs a clock's admin entry (dev:///clock/<name>-admin)\n"
    "           in the view: else \"Operation not permitted\", exit 1. The CMOS clock\n"
    "           takes 1970..2099.\n"
    "Not supported: formats (+%...), time zones.\n"};

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	const char *set = NULL;
	for (int c; (c = tool_getopt(&date_tool, argc, argv, "s:", &o)) != -1;)
		if (c == 's')
			set = o.arg;
	if (o.ind < argc)
		tool_usage_error("no operands (set the clock with -s TIME)");
	if (set) {
		uint64_t secs;
		if (text_parse_date(set, &secs) < 0)
			tool_usage_error("not a date: '%s' (YYYY-MM-DD HH:MM[:SS] or @SECONDS)",
			                 set);
		struct timespec ts = {(time_t)secs, 0};
		if (secs > (uint64_t)INT64_MAX / 1000000000u ||
		    clock_settime(CLOCK_REALTIME, &ts) < 0) {
			if (secs > (uint64_t)INT64_MAX / 1000000000u)
				errno = EINVAL;
			tool_warn_errno(set);
			return 1;
		}
	}
	DIR *d = opendir("dev:///clock");
	struct dirent *de = d ? readdir(d) : NULL;
	char path[300];
	if (de)
		snprintf(path, sizeof(path), "dev:///clock/%s", de->d_name);
	if (d)
		closedir(d);
	if (!de) {
		tool_warn("no clock device (dev:///clock is empty or not in our view)");
		return 1;
	}
	handle_t ep;
	long r = ch_uri_open(path, NS_TYPE_DEV_CLOCK, 0, NS_RIGHTS_SAME, &ep);
	if (r == 0) {
		ch_cap_drop(ep);
		r = ERR_WRONG_TYPE;
	}
	if (r < 0) {
		tool_warn_err(path, r);
		return 1;
	}
	struct dev_msg_hdr req = {CLOCK_MSG_GET, sizeof(req)};
	struct clock_time_reply rep;
	r = ch_dev_call(ep, &req, sizeof(req), &rep, sizeof(rep), NULL, 0, 5000000000ull);
	ch_cap_drop(ep);
	if (r < 0) {
		tool_warn_err(path, r);
		return 1;
	}
	/* the reply's instant plus the monotonic time since */
	int64_t since = ch_clock_ns() - (int64_t)rep.monotonic_ns;
	uint64_t now = rep.unix_ns + (since > 0 ? (uint64_t)since : 0);
	char out[TEXT_DATE_MAX];
	text_date(now / 1000000000u, out);
	puts(out);
	return fflush(stdout) == 0 ? 0 : 1;
}
