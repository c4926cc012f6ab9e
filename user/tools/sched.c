/*
 * sched.c - `sched [show]`, `sched set ...`: the scheduler's tunables and per-CPU
 * statistics (abi/sched.h, docs/scheduler.md), through the grant "sched".
 */
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <charlotte/sched.h>
#include <charlotte/start.h>

#include "lib/tool.h"

static const struct tool sched_tool = {
    "sched", "sched [show] | sched set [--latency NS] [--min NS] [--max NS] [--mode MODE]",
    "Shows the scheduler's tunables (target latency, quantum bounds, mode) and each\n"
    "online CPU's statistics (context switches, busy and idle time, timer interrupts,\n"
    "steals, migrations, threads ready now), or sets tunables: those not named keep\n"
    "their values. Times are nanoseconds (a suffix us, ms or s may follow).\n"
    "  --latency NS  target latency: every runnable thread runs once within it\n"
    "  --min NS      shortest quantum (at least 100us)\n"
    "  --max NS      longest quantum (at most 1s)\n"
    "  --mode MODE   latency, throughput or fixed (every thread the longest quantum)\n"
    "Needs the capability \"sched\" (showing: INSPECT, setting: MANAGE).\n"
    "Not supported: thread weights and affinity (SYS_THREAD_SET_SCHED on a thread).\n"};

/* A time in ns, with an optional unit; exits 2 on anything else. */
static uint64_t parse_ns(const char *s, const char *what)
{
	static const struct {
		const char *suffix;
		uint64_t mul;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	char num[24];
	size_t n = 0;
	while (s && s[n] >= '0' && s[n] <= '9')
		n++;
	if (!s || n == 0 || n >= sizeof(num))
		tool_usage_error("%s: not a time: %s", what, s ? s : "(none)");
	memcpy(num, s, n);
	num[n] = 0;
	uint64_t v = tool_number(num, what), mul = s[n] ? 0 : 1;
	for (size_t i = 0; !mul && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(s + n, units[i].suffix) == 0)
			mul = units[i].mul;
	if (!mul)
		tool_usage_error("%s: unknown unit in %s (ns, us, ms or s)", what, s);
	if (v > UINT64_MAX / mul)
		tool_usage_error("%s: too long: %s", what, s);
	return v * mul;
}

/* The grant, or exit 1 saying what is missing. */
static handle_t control(void)
{
	handle_t h = ch_handle("sched");
	if (h == HANDLE_INVALID) {
		tool_warn("no capability to the scheduler (the grant \"sched\")");
		return HANDLE_INVALID;
	}
	return h;
}

static void ms3(char *buf, size_t cap, uint64_t ns)
{
	snprintf(buf, cap, "%llu.%03llu", (unsigned long long)(ns / 1000000),
	         (unsigned long long)(ns / 1000 % 1000));
}

static int show(handle_t ctl)
{
	struct sched_params p;
	long r = ch_sched_get(ctl, &p);
	if (r < 0) {
		tool_warn_err("reading the tunables", r);
		return 1;
	}
	char lat[32], mn[32], mx[32];
	ms3(lat, sizeof(lat), p.target_latency_ns);
	ms3(mn, sizeof(mn), p.min_quantum_ns);
	ms3(mx, sizeof(mx), p.max_quantum_ns);
	printf("mode %s, target latency %s ms, quantum %s to %s ms\n", ch_sched_mode_name(p.mode),
	       lat, mn, mx);
	printf("%3s %10s %12s %12s %10s %8s %10s %5s\n", "CPU", "SWITCHES", "BUSY_MS", "IDLE_MS",
	       "TIMER_IRQ", "STEALS", "MIGRATIONS", "READY");
	for (uint32_t cpu = 0; cpu < 64; cpu++) {
		struct sched_cpu_stats st;
		if ((r = ch_sched_cpu_stats(ctl, cpu, &st)) == ERR_NOT_FOUND)
			break;
		if (r < 0) {
			tool_warn_err("reading the statistics", r);
			return 1;
		}
		printf("%3u %10llu %12llu %12llu %10llu %8llu %10llu %5u\n", cpu,
		       (unsigned long long)st.switches, (unsigned long long)(st.busy_ns / 1000000),
		       (unsigned long long)(st.idle_ns / 1000000),
		       (unsigned long long)st.timer_irqs, (unsigned long long)st.steals,
		       (unsigned long long)st.migrations, st.nready);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int set(handle_t ctl, int argc, char **argv)
{
	struct sched_params p;
	long r = ch_sched_get(ctl, &p);
	if (r < 0) {
		tool_warn_err("reading the tunables", r);
		return 1;
	}
	if (argc == 0)
		tool_usage_error("set: name at least one of --latency, --min, --max, --mode");
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!val)
			tool_usage_error("%s: needs a value", opt);
		i++;
		if (strcmp(opt, "--latency") == 0)
			p.target_latency_ns = parse_ns(val, opt);
		else if (strcmp(opt, "--min") == 0)
			p.min_quantum_ns = parse_ns(val, opt);
		else if (strcmp(opt, "--max") == 0)
			p.max_quantum_ns = parse_ns(val, opt);
		else if (strcmp(opt, "--mode") == 0) {
			int m = ch_sched_mode_parse(val);
			if (m < 0)
				tool_usage_error("--mode: latency, throughput or fixed, not %s",
				                 val);
			p.mode = (uint32_t)m;
		} else
			tool_usage_error("set: unknown option %s", opt);
	}
	r = ch_sched_set(ctl, &p);
	if (r == ERR_ACCESS_DENIED) {
		tool_warn(
		    "setting needs MANAGE on the capability \"sched\" (this one can only look)");
		return 1;
	}
	if (r == ERR_INVALID_ARGS) {
		tool_warn("refused: the bounds are 100us <= min <= max <= 1s and min <= latency <= "
		          "10s");
		return 1;
	}
	if (r < 0) {
		tool_warn_err("set", r);
		return 1;
	}
	return show(ctl);
}

int main(int argc, char **argv)
{
	/* `set` takes long options of its own: only --help and -- are the tool's */
	tool_start(&sched_tool, argc, argv);
	int i = 1;
	if (i < argc && strcmp(argv[i], "--help") == 0) {
		struct tool_opts o = {0};
		tool_getopt(&sched_tool, argc, argv, "", &o); /* prints the help, exits 0 */
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	const char *cmd = i < argc ? argv[i++] : "show";
	if (strcmp(cmd, "show") == 0) {
		if (i < argc)
			tool_usage_error("show: no operands");
		handle_t ctl = control();
		return ctl == HANDLE_INVALID ? 1 : show(ctl);
	}
	if (strcmp(cmd, "set") == 0) {
		handle_t ctl = control();
		return ctl == HANDLE_INVALID ? 1 : set(ctl, argc - i, argv + i);
	}
	tool_usage_error("unknown command %s (show or set)", cmd);
}
