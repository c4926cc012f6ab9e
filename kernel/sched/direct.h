/*
 * sched/direct.h - the direct switch, inline for the two places on the IPC
 * round trip that make it: sched_switch_to() (sched.c) and the kbus flat path
 * (kbus/flat.c, through sched_flat_switch()). It needs the scheduler's run
 * queue, so this header holds its definition; only sched/sched.c and
 * kbus/flat.c include it, everything else goes by sched/sched.h. The locking
 * rules are sched.c's (its header comment).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <abi/sched.h>
#include <arch/percpu.h>
#include <arch/thread_switch.h>
#include <lib/compiler.h>
#include <lib/spinlock.h>
#include <sched/dqrr.h>
#include <sched/sched.h>
#include <time/clock.h>

struct runqueue {
	bool *need_resched; /* its CPU's (struct cpu): sched_resched_pending() */
	struct spinlock lock;
	struct thread *head, *tail;
	struct thread *idle;
	struct thread *prev; /* thread we just switched away from */
	bool prev_move; /* prev is READY in no queue: finish_switch() moves it (affinity) */
	bool preempt; /* a woken thread takes the CPU at the next decision */
	struct timer_event tick; /* end of the slice, or a delayed preemption */
	unsigned nready;
	unsigned nfront; /* of them, queued at the front */
	unsigned cpu;
	uint64_t stint_start; /* when the running thread was switched in */
	uint64_t charged_at; /* its budget is charged up to here */
	uint64_t preempt_at; /* a woken thread takes the CPU at this time (0: none) */
	uint64_t last_switch; /* busy/idle time accounted up to here */
	uint64_t tail_pick_at; /* a thread from the tail last got the CPU (or none waited) */
	uint64_t balance_at; /* the next balance() of this busy CPU, not before */
	unsigned balance_turn; /* where its next balance() starts looking */
	bool balance_short; /* its last balance() saw a queue one longer than its own */
	struct dqrr_cfg cfg; /* the tunables as of this CPU's last decision */
	uint32_t cfg_gen;
	struct sched_cpu_stats stats; /* switches, busy/idle, steals, migrations */
};

_Static_assert(MAX_CPUS <= 64, "an affinity is one 64-bit mask");

/* May t run on cpu (< cpu_count, so < 64)? */
static inline bool sched_allowed(const struct thread *t, unsigned cpu)
{
	return READ_ONCE(t->affinity) >> (cpu & 63) & 1;
}

/*
 * Accounting: t ran from its run_start to now (switched is 1 when it leaves
 * the CPU). One clock read per switch and no shared write: a group's totals
 * are its ended threads' (sched_acct_detach()) plus its live threads' own,
 * summed by the reader (docs/kernel.md). A thread that keeps its CPU is
 * accounted at each decision too, and when a reader asks
 * (sched_account_group()). A thread leaving gets its run_start at its next
 * switch-in, not here.
 */
static inline __attribute__((always_inline)) void sched_account(struct thread *t, unsigned switched,
                                                                uint64_t now)
{
	t->cpu_ns += now - t->run_start;
	t->switches += switched;
	if (!switched)
		t->run_start = now;
}

/*
 * Lock this CPU's queue rq for a direct switch from self to next and check that
 * next can run here at once: BLOCKED, off every CPU, allowed here, no timer
 * armed on another CPU, and no wake-up pending for self (which must not
 * block). Moves next to rq. true: rq locked (only rq); false: nothing locked.
 * A next last on another CPU takes both locks (sched_direct_begin_remote()).
 * direct_ok(): the checks, with cpu = rq->cpu (this CPU) and ncpu = next->cpu.
 */
static inline __attribute__((always_inline)) bool
direct_ok(struct thread *self, struct thread *next, unsigned cpu, unsigned ncpu)
{
	/* self runs: next BLOCKED is another thread */
	return next->state == THREAD_BLOCKED && !__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE) &&
	       !self->wake_pending && sched_allowed(next, cpu) &&
	       (ncpu == cpu || !READ_ONCE(next->sleep_timer.armed));
}

bool sched_direct_begin_remote(struct runqueue *rq, struct thread *self, struct thread *next,
                               unsigned ncpu);

/* hot: the flat path's own switch (c: this CPU), which calls nothing, so
   that its entries need no stack frame: a next last on another CPU, a busy
   queue lock or a change of the I/O bitmap (arch_switch_calls_nothing())
   gives false, and the C path's switch does it. */
static inline __attribute__((always_inline)) bool
direct_begin(struct runqueue *rq, struct thread *self, struct thread *next, bool hot, struct cpu *c)
{
	unsigned cpu = rq->cpu, ncpu = READ_ONCE(next->cpu);
	if (unlikely(ncpu != cpu))
		return hot ? false : sched_direct_begin_remote(rq, self, next, ncpu);
	if (hot) {
		if (unlikely(!spin_trylock(&rq->lock)))
			return false;
	} else {
		spin_lock(&rq->lock); /* the usual case: one lock */
	}
	bool ok = next->cpu == cpu && direct_ok(self, next, cpu, cpu) &&
	          (!hot || arch_switch_calls_nothing(c, next));
	if (!ok)
		spin_unlock(&rq->lock);
	return ok;
}

/*
 * The direct switch's state (rq locked), as slice donation: the callee runs
 * on the rest of the caller's turn. The policy's state of the CPU (stint,
 * charge point, slice timer) stays as it is, so what the pair runs is
 * charged, at the next decision, to whichever of them runs then: the IPC
 * costs no policy work and no timer write. users: both are live user
 * threads (arch_thread_switch_as()).
 */
static inline __attribute__((always_inline)) void direct_donate(struct runqueue *rq, struct cpu *c,
                                                                struct thread *self,
                                                                struct thread *next, bool users)
{
	uint64_t now = arch_clock_ns(); /* clock_monotonic_ns(), inline */
	self->state = THREAD_BLOCKED;
	self->dq.blocked_at = now;
	next->state = THREAD_RUNNING;
	rq->stats.switches++; /* busy to busy: last_switch stays (busy_ns counts from it) */
	this_cpu_set_current(next);
	next->on_cpu = true;
	sched_account(self, 1, now);
	next->run_start = now;
	arch_thread_switch_as(c, self, next, users);
}

/*
 * The kbus flat path (kbus/flat.c, docs/kbus.md "The flat path"). A thread it
 * blocks keeps no kernel frames: its saved context (self->rsp, made by
 * arch_flat_context()) resumes in kbus_flat_resume() whenever a switch
 * reaches it, and a direct switch to such a thread exits to user mode on its
 * frame instead (syscall.S), clearing our on_cpu once off our stack.
 *
 * flat_begin() (sched_flat_begin()): interrupts off. Lock this CPU's queue
 * (and next's, to move it here) and check that self may block now (no
 * wake-up or kill pending) and that next (NULL: none, the scheduler picks)
 * can run here at once, as sched_switch_to() checks. On success only this
 * CPU's queue stays locked, for sched_flat_switch_real() or
 * sched_flat_block(); false: nothing locked.
 */
static inline __attribute__((always_inline)) bool
flat_begin(struct runqueue *rq, struct thread *self, struct thread *next, bool hot, struct cpu *c)
{
	/* a kill of self sets wake_pending (sched_kill()), checked locked, and
	   one whose wake-up comes after that wakes self from its block like any
	   blocked thread: this early test only spares the C path some work */
	if (!hot && sched_kill_pending(self))
		return false;
	if (next)
		return direct_begin(rq, self, next, hot, c);
	spin_lock(&rq->lock);
	if (self->wake_pending) {
		spin_unlock(&rq->lock);
		return false;
	}
	return true;
}

/*
 * next was left by the flat path too (its frame is what runs): begin and
 * switch in one, inline in the flat path. self->rsp already holds self's
 * saved context (the caller stores it first: nothing reads it while self
 * runs). false: nothing done, nothing locked. true: the switch is made, no
 * lock held; the caller leaves on next's frame, then clears self->on_cpu
 * (syscall.S).
 */
static inline __attribute__((always_inline)) bool sched_flat_switch(struct thread *self,
                                                                    struct thread *next)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = this_cpu_sched();
	if (!flat_begin(rq, self, next, true, c))
		return false;
	direct_donate(rq, c, self, next, true); /* flat-blocked: a user thread */
	spin_unlock(&rq->lock);
	return true;
}
