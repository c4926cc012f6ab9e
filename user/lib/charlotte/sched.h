/*
 * sched.h - libcharlotte's wrappers for the scheduler's actions
 * (include/abi/sched.h, docs/scheduler.md).
 *
 * The control (OBJ_SCHED) is Exec's grant "sched": with RIGHT_INSPECT it reads
 * the tunables and the per-CPU statistics, with RIGHT_MANAGE it sets the
 * tunables and lets ch_thread_set_sched() raise a weight above
 * SCHED_WEIGHT_DEFAULT. Like syscall.h the wrappers check nothing.
 */
#pragma once
#include <stdint.h>

#include <abi/handle.h>
#include <abi/sched.h>

/*
 * thread's weight (0: leave it) and CPU affinity mask (0: leave it); ctl is the
 * scheduler's control (RIGHT_MANAGE), needed for a weight above the default, or
 * HANDLE_INVALID. Needs RIGHT_MANAGE on thread.
 */
long ch_thread_set_sched(handle_t thread, uint32_t weight, uint64_t affinity, handle_t ctl);
long ch_sched_get(handle_t ctl, struct sched_params *out);
long ch_sched_set(handle_t ctl, const struct sched_params *p);
/* ERR_NOT_FOUND for a CPU that is not online. */
long ch_sched_cpu_stats(handle_t ctl, uint32_t cpu, struct sched_cpu_stats *out);

/* "latency", "throughput", "fixed", or "?". */
const char *ch_sched_mode_name(uint32_t mode);
/* The SCHED_MODE_* named name; -1 if none. */
int ch_sched_mode_parse(const char *name);
