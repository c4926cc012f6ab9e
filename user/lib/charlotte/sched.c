/*
 * sched.c - the scheduler's wrappers (sched.h).
 */
#include <charlotte/sched.h>

#include <string.h>

#include <charlotte/syscall.h>

#define U(p) ((uint64_t)(uintptr_t)(p))

long ch_thread_set_sched(handle_t thread, uint32_t weight, uint64_t affinity, handle_t ctl)
{
	return ch_syscall3(SYS_THREAD_SET_SCHED, thread, weight, affinity, ctl);
}

long ch_sched_get(handle_t ctl, struct sched_params *out)
{
	return ch_syscall1(SYS_SCHED_GET, ctl, U(out));
}

long ch_sched_set(handle_t ctl, const struct sched_params *p)
{
	return ch_syscall1(SYS_SCHED_SET, ctl, U(p));
}

long ch_sched_cpu_stats(handle_t ctl, uint32_t cpu, struct sched_cpu_stats *out)
{
	return ch_syscall2(SYS_SCHED_CPU_STATS, ctl, cpu, U(out));
}

static const char *const mode_names[] = {
    [SCHED_MODE_LATENCY] = "latency",
    [SCHED_MODE_THROUGHPUT] = "throughput",
    [SCHED_MODE_FIXED] = "fixed",
};

const char *ch_sched_mode_name(uint32_t mode)
{
	return mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[mode] : "?";
}

int ch_sched_mode_parse(const char *name)
{
	for (unsigned i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(name, mode_names[i]) == 0)
			return (int)i;
	return -1;
}
