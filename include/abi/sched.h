/*
 * sched.h - the scheduler's ABI (docs/scheduler.md): thread weights and CPU
 * affinity, the scheduler's run-time tunables, per-CPU statistics, and
 * futexes (a wait/wake on a 32-bit word of memory).
 *
 * Dynamic Quantum Round Robin in one sentence: each round, every runnable
 * thread of a CPU runs once, for a quantum computed from the target latency
 * and the number of runnable threads, clamped to [min, max] and scaled by the
 * thread's weight, so that CPU time is shared in proportion to weights.
 *
 * Actions (numbers here; rows in abi/actions.h):
 *
 *   SYS_THREAD_SET_SCHED   thread cap, RIGHT_MANAGE.
 *       a0 = weight (SCHED_WEIGHT_MIN..SCHED_WEIGHT_MAX; 0 leaves it),
 *       a1 = CPU affinity mask (bit i = CPU i; 0 leaves it),
 *       a2 = handle of the scheduler control (OBJ_SCHED, RIGHT_MANAGE), or 0.
 *       A weight above SCHED_WEIGHT_DEFAULT needs a2: without it the call is
 *       ERR_ACCESS_DENIED (a program cannot outbid others by itself). A mask
 *       naming no online CPU is ERR_INVALID_ARGS. A thread running on a CPU
 *       its new mask excludes moves at its next switch.
 *   SYS_SCHED_GET          OBJ_SCHED, RIGHT_INSPECT. a0 = struct sched_params *out.
 *   SYS_SCHED_SET          OBJ_SCHED, RIGHT_MANAGE.  a0 = const struct sched_params *.
 *       ERR_INVALID_ARGS unless SCHED_QUANTUM_FLOOR_NS <= min <= max <=
 *       SCHED_QUANTUM_CEIL_NS, min <= target latency <= SCHED_LATENCY_CEIL_NS,
 *       mode is a SCHED_MODE_* and reserved is 0. Takes effect at each CPU's
 *       next scheduling decision.
 *   SYS_SCHED_CPU_STATS    OBJ_SCHED, RIGHT_INSPECT.
 *       a0 = CPU index, a1 = struct sched_cpu_stats *out; ERR_NOT_FOUND for a
 *       CPU that is not online.
 *   SYS_SELF_FUTEX_WAIT    a0 = address of a 4-byte aligned uint32_t in the
 *       caller's address space, a1 = expected value, a2 = timeout ns
 *       (UINT64_MAX: forever). Blocks while the word equals a1:
 *       0 when woken, ERR_SHOULD_WAIT when the word differed at the call,
 *       ERR_TIMED_OUT, ERR_INTERRUPTED (killed), ERR_INVALID_ARGS (misaligned),
 *       ERR_BAD_ADDRESS (not mapped readable). The wait is keyed by the memory
 *       object and offset behind the address, so processes that map the same
 *       memory object meet on the same word.
 *   SYS_SELF_FUTEX_WAKE    a0 = address, a1 = how many to wake (>= 1).
 *       Returns how many waiters were woken; same address errors.
 *   SYS_SELF_SLEEP_UNTIL   a0 = deadline, in SYS_SELF_CLOCK nanoseconds.
 *       Returns 0 at or after it (at once if it has passed), ERR_INTERRUPTED
 *       when killed.
 */
#pragma once
#include <stdint.h>
#include <abi/handle.h>

#define SYS_SELF_FUTEX_WAIT 0x07
#define SYS_SELF_FUTEX_WAKE 0x08
#define SYS_SELF_SLEEP_UNTIL 0x09

#define SYS_THREAD_SET_SCHED SYS_ACTION(OBJ_THREAD, 6)

/* OBJ_SCHED (abi/handle.h): the scheduler's control, one per kernel. */
#define SYS_SCHED_GET SYS_ACTION(OBJ_SCHED, 1)
#define SYS_SCHED_SET SYS_ACTION(OBJ_SCHED, 2)
#define SYS_SCHED_CPU_STATS SYS_ACTION(OBJ_SCHED, 3)

/* Weights: CPU time is shared in proportion to them. */
#define SCHED_WEIGHT_MIN 1u
#define SCHED_WEIGHT_DEFAULT 100u
#define SCHED_WEIGHT_MAX 10000u

/* Modes. LATENCY and THROUGHPUT differ in their defaults' spirit (short
 * quanta and wake-up credit vs long quanta and fewer switches); FIXED is the
 * old fixed quantum (max_quantum_ns for every thread, no credit): the
 * comparison point of `make bench`, also chosen at boot by `sched=fixed`. */
#define SCHED_MODE_LATENCY 0u
#define SCHED_MODE_THROUGHPUT 1u
#define SCHED_MODE_FIXED 2u

#define SCHED_QUANTUM_FLOOR_NS 100000ull /* 100 us */
#define SCHED_QUANTUM_CEIL_NS 1000000000ull /* 1 s */
#define SCHED_LATENCY_CEIL_NS 10000000000ull /* 10 s */

struct sched_params {
	uint64_t target_latency_ns; /* a round: every runnable thread runs once within it */
	uint64_t min_quantum_ns;
	uint64_t max_quantum_ns;
	uint32_t mode; /* SCHED_MODE_* */
	uint32_t reserved; /* 0 */
};

struct sched_cpu_stats {
	uint64_t switches; /* context switches on this CPU */
	uint64_t busy_ns; /* time spent running threads other than idle */
	uint64_t idle_ns; /* time spent in the idle thread */
	uint64_t timer_irqs; /* LAPIC timer interrupts taken */
	uint64_t steals; /* threads this CPU took from another's queue */
	uint64_t migrations; /* threads that moved onto this CPU (steals, affinity, IPC) */
	uint32_t nready; /* runnable threads queued now (not counting the running one) */
	uint32_t reserved;
};
