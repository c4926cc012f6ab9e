/*
 * dqrr.h - the Dynamic Quantum Round Robin policy (docs/scheduler.md), pure:
 * no locks, no clock, no queues. sched.c owns the run queues and the timer and
 * asks this module three questions: how long may this thread run (a slice),
 * where does a woken thread go and does it preempt, where does a preempted one
 * go. Times are nanoseconds handed in by the caller, so tests/host runs the
 * same code against a simulated clock.
 *
 *   base quantum  q = clamp(target_latency / nr_runnable, min, max)
 *   slice         s = q * weight / SCHED_WEIGHT_DEFAULT
 *   credit        c = min(budget left + time blocked, q, s)   (on a wake-up)
 *
 * Modes (abi/sched.h): LATENCY as above, a woken thread with credit goes to the
 * front of its queue and preempts; THROUGHPUT doubles target and min (min
 * capped at max), woken threads go to the front but never preempt; FIXED gives
 * every slice max_quantum whatever the weight, keeps no credit, queues woken
 * threads at the tail and never preempts (the old round robin).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/sched.h>

/* What the policy keeps per thread (inside struct thread). */
struct dqrr_thread {
	uint64_t budget; /* ns left of its turn; 0: a new turn (a full slice) at its next pick */
	uint64_t blocked_at; /* when it last blocked (for its credit at the wake-up) */
};

/* The parameters a decision uses: the tunables with the mode applied. */
struct dqrr_cfg {
	uint64_t target, min, max;
	uint32_t mode;
};

void dqrr_config(const struct sched_params *p, struct dqrr_cfg *out);
/* q for nr runnable threads (the running one included; 0 counts as 1). */
uint64_t dqrr_quantum(const struct dqrr_cfg *c, unsigned nr);
/* A whole turn of a thread of this weight: q * weight / DEFAULT (FIXED: max), >= 1. */
uint64_t dqrr_slice(const struct dqrr_cfg *c, unsigned nr, uint32_t weight);
/*
 * t is switched in with nr runnable threads: how long it may run before the
 * CPU is taken back (its budget; a new turn starts when it had none).
 */
uint64_t dqrr_switch_in(const struct dqrr_cfg *c, unsigned nr, uint32_t weight,
                        struct dqrr_thread *t);
/* t ran ran ns since its switch-in: its budget shrinks (never below 0). */
static inline void dqrr_charge(struct dqrr_thread *t, uint64_t ran)
{
	t->budget = ran >= t->budget ? 0 : t->budget - ran;
}
/* t blocks at now (after dqrr_charge): FIXED drops what is left of its turn. */
static inline void dqrr_block(const struct dqrr_cfg *c, struct dqrr_thread *t, uint64_t now)
{
	if (c->mode == SCHED_MODE_FIXED)
		t->budget = 0;
	t->blocked_at = now;
}

struct dqrr_wake {
	bool front; /* queue it at the head, not the tail */
	bool preempt; /* and take the CPU from the running thread now */
	uint64_t at; /* !preempt but front and LATENCY: take it at this time (0: never) */
};
/*
 * t wakes at now with nr runnable threads (t included). cur_start is when the
 * thread running on t's CPU was switched in, cur_idle whether the CPU idles.
 */
struct dqrr_wake dqrr_wake(const struct dqrr_cfg *c, unsigned nr, uint32_t weight,
                           struct dqrr_thread *t, uint64_t now, uint64_t cur_start, bool cur_idle);
/* Where a thread taken off the CPU while still runnable goes: front when it
 * has budget left (a wake-up preempted it), tail when its turn is over. */
static inline bool dqrr_requeue_front(const struct dqrr_thread *t)
{
	return t->budget != 0;
}
