/*
 * sched_bench.h - the scheduler metrics' parameters (docs/bench.md "Scheduler
 * metrics"), one definition for both sides: user/bench/bench.c (CharlotteOS) and
 * bench/linux/linuxbench.c (Linux) include it, so they measure the same thing.
 */
#pragma once

#define SCHED_FAIR_THREADS 4 /* sched_fairness_jain: equal spinning threads */
#define SCHED_FAIR_NS 200000000ull /* for this long (guest time) */
#define SCHED_WEIGHT_NS \
	1400000000ull /* sched_weight_error_pct: 3 threads, 1:2:4 (30 DQRR rounds) */
#define SCHED_HOGS 4 /* wake_*: spinning threads beside the sleeper */
#define SCHED_WAKE_SAMPLES 30 /* sleeps measured (p99 of 30: their maximum) */
#define SCHED_WAKE_WARMUP 3 /* sleeps before those */
#define SCHED_SLEEP_NS 1000000ull /* each sleep: 1 ms */
#define SCHED_MAX_THREADS 4 /* spinning threads at once, at most */

/*
 * The SMP boot (CharlotteOS only, `bin/bench smp` on 4 CPUs; docs/bench.md "The
 * SMP boot"): the same metrics with their threads counted per online CPU, rows
 * named with the suffix _smp<CPUs>. Durations, samples and sleeps as above.
 */
#define SCHED_SMP_FAIR_PER_CPU 3 /* sched_fairness_jain_smpN: 3 spinners per CPU */
/* ... for 1 s: 3 to a CPU take turns of about 6.7 ms, so 200 ms is only ~10 turns
   each, and one turn more or less is 10 % of a thread's time */
#define SCHED_SMP_FAIR_NS 1000000000ull
#define SCHED_SMP_HOGS_PER_CPU 4 /* wake_*_smpN: 4 hogs per CPU beside the sleeper */
#define SCHED_SMP_MAX_CPUS 8 /* CPUs the SMP metrics are made for, at most */
#define SCHED_SMP_MAX_THREADS                                                         \
	((SCHED_SMP_HOGS_PER_CPU > SCHED_SMP_FAIR_PER_CPU ? SCHED_SMP_HOGS_PER_CPU    \
	                                                  : SCHED_SMP_FAIR_PER_CPU) * \
	 SCHED_SMP_MAX_CPUS)
