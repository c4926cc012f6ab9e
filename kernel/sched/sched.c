/*
 * sched.c - per-CPU Dynamic Quantum Round Robin (docs/scheduler.md): run
 * queues, the slice timer, wake-up placement, work stealing and affinity. The
 * policy's arithmetic is sched/dqrr.c's; this file holds the locks and says
 * when to ask it.
 *
 * Locking. Each run queue has a spinlock, always taken with interrupts off.
 * schedule() takes the current CPU's queue lock and holds it across the
 * context switch; whichever thread runs next releases it in finish_switch()
 * (for a brand-new thread, in sched_thread_entry()). A lock is always
 * released on the CPU that took it. Lock order:
 *   1. two run-queue locks: the lower address first (sched_switch_to(),
 *      stealing, moving a thread), or the second one only by spin_trylock
 *      (wake-up placement, which gives up moving when it fails);
 *   2. params_lock, a leaf under any run-queue lock.
 * Nothing else is taken under a run-queue lock, except the timer events of the
 * lock's own CPU (interrupts off, no lock).
 *
 * What each lock protects. rq->lock: the queue, rq's fields, and of every
 * thread whose t->cpu names rq: t->state, t->dq (the policy's budget),
 * t->wake_pending, t->wake_time, and t->cpu itself, which changes only with
 * both the old and the new queue's locks held (so sched_wake() re-checks it
 * after locking: lock_rq_of()). The wake-up counters of a thread (wakeups,
 * wake_ns_*) are written at its switch-in, under its queue's lock.
 *
 * Blocking and waking meet under the run queue lock: sched_wake() either
 * finds the thread BLOCKED (and queues it) or finds it still RUNNING/READY
 * and sets wake_pending, which makes the next sched_block() return at once.
 * A thread found BLOCKED may still be on its CPU (on_cpu: between
 * sched_block()'s unlock and its switch away); it is queued there and never
 * moved: only threads off every CPU (on_cpu false) migrate.
 *
 * Timer events are per CPU and are cancelled by the thread that armed them
 * (waitq_wait(), kbus_block_until()), on the CPU where it armed them: a thread
 * whose sleep_timer is armed never migrates (wake-up placement, stealing and
 * sched_switch_to() all check it). The slice timer rq->tick is armed and
 * cancelled only by its own CPU (in schedule()); other CPUs ask for it by
 * setting need_resched and sending the resched IPI.
 */
#include <sched/sched.h>
#include <sched/direct.h>
#include <arch/arch.h>
#include <arch/entry.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/thread.h>
#include <arch/thread_switch.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <kbus/kbus.h>
#include <boot/bootinfo.h>
#include <abi/errors.h>
#include <abi/sched.h>
#include <abi/syscall.h>

static struct runqueue runqueues[MAX_CPUS];
static struct thread boot_threads[MAX_CPUS];
static uint64_t next_id = 1;
static uint64_t live_threads;
static unsigned next_cpu;
static uint64_t idle_mask; /* CPUs halted in their idle loop with nothing queued */

/* The tunables: params_lock, and params_gen tells CPUs to reload them. */
static struct spinlock params_lock;
static uint32_t params_gen = 1;
static struct sched_params params = {
    .target_latency_ns = SCHED_TARGET_LATENCY_NS,
    .min_quantum_ns = SCHED_MIN_QUANTUM_NS,
    .max_quantum_ns = SCHED_MAX_QUANTUM_NS,
    .mode = SCHED_MODE_LATENCY,
};

static struct runqueue *rq_of(unsigned cpu)
{
	return &runqueues[cpu];
}

/* Ask rq's CPU to switch at its next exit towards user mode (or stop asking).
 * Before sched_init_cpu() ran there it runs no thread: nothing to ask. */
static void rq_set_resched(struct runqueue *rq, bool v)
{
	bool *f = rq->need_resched;
	if (f)
		__atomic_store_n(f, v, __ATOMIC_RELAXED);
}

static bool cpu_online(unsigned cpu)
{
	return cpu < cpu_count && cpus[cpu] && cpus[cpu]->online;
}

/* The queue's copy of the tunables, reloaded when they changed (rq locked). */
static void refresh_cfg(struct runqueue *rq)
{
	uint32_t gen = __atomic_load_n(&params_gen, __ATOMIC_ACQUIRE);
	if (rq->cfg_gen == gen)
		return;
	spin_lock(&params_lock);
	dqrr_config(&params, &rq->cfg);
	rq->cfg_gen = params_gen;
	spin_unlock(&params_lock);
}

/*
 * Anti-starvation: threads queued at the front (woken with credit, preempted
 * with budget left) may keep the threads at the tail waiting; once no tail
 * thread has had the CPU for a target latency while some wait, or when
 * SCHED_FRONT_MAX threads already wait at the front, front places are refused
 * (tail, no preemption). (rq locked)
 */
#define SCHED_FRONT_MAX 2 /* threads waiting at the front at most */

static bool front_allowed(const struct runqueue *rq, uint64_t now)
{
	return !rq->nready ||
	       (rq->nfront < SCHED_FRONT_MAX && now - rq->tail_pick_at < rq->cfg.target);
}

static void enqueue(struct runqueue *rq, struct thread *t, bool front)
{
	if (t->state != THREAD_READY || t->cpu != rq->cpu)
		panic("sched: %s queued on CPU %u: state %d, its CPU %u", t->name, rq->cpu,
		      t->state, t->cpu);
	t->front_queued = front;
	rq->nfront += front;
	if (front) {
		t->next = rq->head;
		rq->head = t;
		if (!rq->tail)
			rq->tail = t;
	} else {
		t->next = NULL;
		if (rq->tail)
			rq->tail->next = t;
		else
			rq->head = t;
		rq->tail = t;
	}
	rq->nready++;
}

static struct thread *dequeue(struct runqueue *rq)
{
	struct thread *t = rq->head;
	if (!t)
		return NULL;
	rq->head = t->next;
	if (!rq->head)
		rq->tail = NULL;
	rq->nready--;
	rq->nfront -= t->front_queued;
	return t;
}

/* Unlink t (queued on rq; its predecessor pred, NULL at the head). */
static void unlink_after(struct runqueue *rq, struct thread *pred, struct thread *t)
{
	if (pred)
		pred->next = t->next;
	else
		rq->head = t->next;
	if (rq->tail == t)
		rq->tail = pred;
	t->next = NULL;
	rq->nready--;
	rq->nfront -= t->front_queued;
	t->front_queued = false;
}

/* Both queues' locks, lower address first (interrupts off). */
static void lock_two(struct runqueue *a, struct runqueue *b)
{
	if (a == b) {
		spin_lock(&a->lock);
	} else if (a < b) {
		spin_lock(&a->lock);
		spin_lock(&b->lock);
	} else {
		spin_lock(&b->lock);
		spin_lock(&a->lock);
	}
}

static void unlock_two(struct runqueue *a, struct runqueue *b)
{
	if (a != b)
		spin_unlock(&b->lock);
	spin_unlock(&a->lock);
}

/* Can t be moved off its CPU now? (its queue's lock held) */
static bool movable(const struct thread *t)
{
	return !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) && !READ_ONCE(t->sleep_timer.armed);
}

static void place_ready(struct thread *t);

/*
 * Kick one halted CPU of affinity (not this one, not cpu_now), so that its
 * idle loop steals t or another waiting thread. Its bit is cleared first: one
 * IPI per halt.
 */
static void kick_idle_for(uint64_t affinity, unsigned cpu_now)
{
	uint64_t idle = __atomic_load_n(&idle_mask, __ATOMIC_RELAXED);
	unsigned self = this_cpu()->id;
	idle &= affinity & ~(1ull << self);
	if (cpu_now < 64)
		idle &= ~(1ull << cpu_now);
	while (idle) {
		unsigned cpu = (unsigned)__builtin_ctzll(idle);
		uint64_t bit = 1ull << cpu;
		if (__atomic_fetch_and(&idle_mask, ~bit, __ATOMIC_ACQ_REL) & bit) {
			arch_send_resched(cpu);
			return;
		}
		idle &= ~bit;
	}
}

/* Every thread from its creation to its freeing, for sched_debug_dump() only. */
static struct spinlock all_lock = SPINLOCK_INIT;
static struct thread *all_threads;

static void all_link(struct thread *t)
{
	uint64_t irq = spin_lock_irqsave(&all_lock);
	t->all_next = all_threads;
	if (all_threads)
		all_threads->all_pprev = &t->all_next;
	t->all_pprev = &all_threads;
	all_threads = t;
	spin_unlock_irqrestore(&all_lock, irq);
}

/* A thread's memory goes back (it ended, or never started). */
static void thread_free(struct thread *t)
{
	uint64_t irq = spin_lock_irqsave(&all_lock);
	*t->all_pprev = t->all_next;
	if (t->all_next)
		t->all_next->all_pprev = t->all_pprev;
	spin_unlock_irqrestore(&all_lock, irq);
	page_free(t->stack, THREAD_STACK_ORDER);
	kfree(t);
	__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
}

static void finish_switch(struct runqueue *rq)
{
	struct thread *prev = rq->prev;
	bool move = rq->prev_move;
	/* read before on_cpu goes false: from then on another CPU may run prev,
	   and even end and free it */
	bool dead = prev && prev->state == THREAD_DEAD;
	rq->prev = NULL;
	rq->prev_move = false;
	if (prev)
		__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	spin_unlock(&rq->lock);
	if (move)
		place_ready(prev); /* READY in no queue: only we can reach it */
	if (dead) {
		if (prev->detached) {
			/* freed here, or by the last sched_unpin() if a waker still holds it */
			if (__atomic_add_fetch(&prev->pins, SCHED_PIN_DEAD, __ATOMIC_ACQ_REL) ==
			    SCHED_PIN_DEAD)
				thread_free(prev);
		} else {
			__atomic_store_n(&prev->exited, true, __ATOMIC_RELEASE);
		}
	}
}

/* This CPU's running thread accounted up to now (a cross-CPU call: interrupts
   off, and sched_account() runs only on a thread's own CPU with interrupts off). */
static void account_current(void *unused)
{
	(void)unused;
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->sched;
	if (c->current != rq->idle)
		sched_account(c->current, 0, clock_monotonic_ns());
}

void sched_account_group(const struct sched_acct *g)
{
	for (unsigned cpu = 0; cpu < cpu_count && cpu < MAX_CPUS; cpu++) {
		if (!cpus[cpu] || !cpus[cpu]->online)
			continue;
		struct runqueue *rq = rq_of(cpu);
		uint64_t irq = spin_lock_irqsave(&rq->lock);
		struct thread *cur = cpus[cpu]->current; /* stays while its queue is locked */
		bool stale =
		    cur != rq->idle && cur->acct == g &&
		    clock_monotonic_ns() - READ_ONCE(cur->run_start) > SCHED_ACCOUNT_FRESH_NS;
		spin_unlock_irqrestore(&rq->lock, irq);
		if (stale)
			smp_call_cpu(cpu, account_current, NULL);
	}
}

void sched_acct_detach(struct thread *self)
{
	uint64_t irq = arch_irq_save();
	sched_account(self, 0, clock_monotonic_ns());
	if (self->acct) {
		__atomic_fetch_add(&self->acct->cpu_ns, self->cpu_ns, __ATOMIC_RELAXED);
		__atomic_fetch_add(&self->acct->switches, self->switches, __ATOMIC_RELAXED);
	}
	self->acct = NULL;
	arch_irq_restore(irq);
}

static void tick(struct timer_event *ev)
{
	struct runqueue *rq = container_of(ev, struct runqueue, tick);
	rq_set_resched(rq, true);
}

/*
 * Arm this CPU's timer for the running thread cur (rq locked, rq is ours):
 * the end of its budget, or of a delayed preemption, when another thread
 * waits; never when it runs alone or idles (a thread queued here asks for a
 * decision, which arms it: after_queue()). A tick
 * already armed earlier than that stays: when it fires, the decision keeps
 * cur while its budget lasts and arms the tick again from there. So a switch
 * between two threads that block in turn (a call and its reply) moves no
 * timer; the price is at most one early tick per arming.
 */
static void arm_tick(struct runqueue *rq, struct thread *cur, uint64_t now)
{
	uint64_t deadline = 0;
	if (cur != rq->idle) {
		if (rq->nready) {
			deadline = now + cur->dq.budget;
			if (rq->preempt_at && rq->preempt_at < deadline)
				deadline = rq->preempt_at;
		} /* alone: no tick (readers account it: sched_account_group()) */
	}
	if (rq->tick.armed) {
		if (deadline && rq->tick.deadline <= deadline)
			return;
		timer_event_cancel(&rq->tick);
	}
	if (deadline)
		timer_event_arm(&rq->tick, deadline, tick);
}

static void set_idle_bit(unsigned cpu, bool idle)
{
	if (cpu >= 64)
		return;
	if (idle)
		__atomic_fetch_or(&idle_mask, 1ull << cpu, __ATOMIC_RELEASE);
	else if (__atomic_load_n(&idle_mask, __ATOMIC_RELAXED) & (1ull << cpu))
		__atomic_fetch_and(&idle_mask, ~(1ull << cpu), __ATOMIC_RELEASE);
}

/* next gets the CPU at now (rq locked): its budget, its wake-up latency, the stats. */
static void switch_in(struct runqueue *rq, struct thread *prev, struct thread *next, uint64_t now)
{
	next->state = THREAD_RUNNING;
	if (!next->front_queued || !rq->nready)
		rq->tail_pick_at = now;
	next->front_queued = false;
	if (next != rq->idle)
		dqrr_switch_in(&rq->cfg, rq->nready + 1, next->weight, &next->dq);
	rq->stint_start = now;
	rq->charged_at = now;
	rq->preempt_at = 0;
	if (next->wake_time) {
		uint64_t lat = now > next->wake_time ? now - next->wake_time : 0;
		next->wakeups++;
		next->wake_ns_total += lat;
		if (lat > next->wake_ns_max)
			next->wake_ns_max = lat;
		next->wake_time = 0;
	}
	rq->stats.switches++;
	if (prev == rq->idle)
		rq->stats.idle_ns += now - rq->last_switch;
	else
		rq->stats.busy_ns += now - rq->last_switch;
	rq->last_switch = now;
	sched_account(prev, 1, now);
	next->run_start = now;
	arm_tick(rq, next, now);
}

/*
 * The scheduling decision (interrupts off): keep the running thread while its
 * budget lasts and no woken thread preempts it, else run the head of the
 * queue. yield gives up the rest of the turn.
 */
static void schedule_locked(struct cpu *c, struct runqueue *rq, bool yield, bool flat);

/*
 * What t has had of a CPU lately, per unit of weight (a fixed-point
 * fraction): its CPU time over a window that starts at t->share_at, which
 * moves halfway to now (as does the CPU time it counts from) whenever the
 * window grows past 2 * SCHED_SHARE_WINDOW_NS, so old history fades. t is
 * queued: cpu_ns is current. Its queue's lock held.
 */
static uint64_t share(struct thread *t, uint64_t now)
{
	if (now - t->share_at > 2 * SCHED_SHARE_WINDOW_NS) {
		t->share_cpu += (t->cpu_ns - t->share_cpu) / 2;
		t->share_at += (now - t->share_at) / 2;
	}
	uint64_t span = now > t->share_at ? now - t->share_at : 1;
	return (t->cpu_ns - t->share_cpu) / ((span >> 16) + 1) * SCHED_WEIGHT_DEFAULT / t->weight;
}

/*
 * The queued thread of rq (its first SCHED_BALANCE_SCAN) that may move to CPU
 * to with the least share (most: the most), and its predecessor; NULL: none.
 */
static struct thread *pick_movable(struct runqueue *rq, unsigned to, bool most, uint64_t now,
                                   struct thread **pred_out, uint64_t *share_out)
{
	struct thread *pick = NULL, *pred = NULL;
	uint64_t best = 0;
	unsigned k = 0;
	for (struct thread *t = rq->head; t && k < SCHED_BALANCE_SCAN; pred = t, t = t->next, k++) {
		if (!sched_allowed(t, to) || !movable(t))
			continue;
		uint64_t s = share(t, now);
		if (!pick || (most ? s > best : s < best)) {
			pick = t;
			*pred_out = pred;
			best = s;
		}
	}
	*share_out = best;
	return pick;
}

/* Move t (queued on from, after pred) to the tail of to's queue. Both locks held. */
static void move_queued(struct runqueue *from, struct thread *pred, struct thread *t,
                        struct runqueue *to)
{
	unlink_after(from, pred, t);
	t->cpu = to->cpu;
	enqueue(to, t, false);
	to->stats.migrations++;
}

static int after_queue(struct runqueue *rq, bool cur_idle, const struct dqrr_wake *w);

/*
 * Give our queued thread that has had the least to v, two or more threads
 * shorter, and make v decide (it may be running a lone thread with no tick).
 * rq's lock held; v's only tried.
 */
static void push(struct runqueue *rq, struct runqueue *v, uint64_t now)
{
	if (!spin_trylock(&v->lock))
		return;
	struct thread *pred, *t;
	uint64_t s;
	int ipi = -1;
	t = pick_movable(rq, v->cpu, false, now, &pred, &s);
	if (t && v->nready + 2 <= rq->nready) {
		move_queued(rq, pred, t, v);
		struct dqrr_wake w = {0};
		ipi = after_queue(v, cpus[v->cpu]->current == v->idle, &w);
	}
	spin_unlock(&v->lock);
	if (ipi >= 0)
		arch_send_resched((unsigned)ipi);
}

/*
 * Balance a busy CPU against the others, at most once per SCHED_BALANCE_NS
 * (docs/scheduler.md, "Balancing busy CPUs"). A busy CPU two or more threads
 * shorter than ours gets one pushed (push()). Else the busiest: a queue two
 * or more longer gives us the thread that has had the least of a CPU (it
 * gains a shorter queue); a queue one longer (the lengths cannot be equal)
 * swaps its thread that has had the least for our queued one that has had
 * the most, when they differ by more than 1/32, so with unequal queues the
 * threads take turns on the shorter ones. Other queues' locks are only tried
 * (we hold ours): busy, we balance next time. rq's lock held, prev running.
 */
static void balance(struct runqueue *rq, uint64_t now)
{
	rq->balance_at = now + SCHED_BALANCE_NS;
	unsigned self = rq->cpu, mine = rq->nready + 1, best = self, most = 0;
	unsigned least_cpu = self, least = mine;
	uint64_t idle = __atomic_load_n(&idle_mask, __ATOMIC_RELAXED);
	/* ties go round: each balance starts from the next CPU */
	unsigned from = rq->balance_turn++ % cpu_count;
	for (unsigned i = 0; i < cpu_count; i++) {
		unsigned cpu = (from + i) % cpu_count;
		if (cpu == self || !cpu_online(cpu))
			continue;
		unsigned n = READ_ONCE(rq_of(cpu)->nready) + 1;
		if (n > most) {
			most = n;
			best = cpu;
		}
		/* a halted CPU steals for itself; a busy one running a lone thread
		   takes no decision (no tick) and so never pulls: we push to it */
		if (n < least && !(cpu < 64 && (idle >> cpu & 1))) {
			least = n;
			least_cpu = cpu;
		}
	}
	if (least + 2 <= mine && rq->head) {
		push(rq, rq_of(least_cpu), now);
		return;
	}
	/* a queue one longer must be seen twice running: a wake-up there is not a load */
	bool was_short = rq->balance_short;
	rq->balance_short = best != self && most == mine + 1;
	if (best == self || most < mine + 1 || (most == mine + 1 && (!rq->head || !was_short)))
		return;
	struct runqueue *v = rq_of(best);
	if (!spin_trylock(&v->lock))
		return;
	struct thread *pred, *low, *mpred, *high;
	uint64_t low_share, high_share;
	low = pick_movable(v, self, false, now, &pred, &low_share);
	if (low && v->nready >= rq->nready + 2) {
		move_queued(v, pred, low, rq); /* spread */
	} else if (low && v->nready == rq->nready + 1 && rq->head) {
		high = pick_movable(rq, best, true, now, &mpred, &high_share);
		if (high && low_share < high_share - high_share / 32) {
			move_queued(v, pred, low, rq); /* swap */
			move_queued(rq, mpred, high, v);
		}
	}
	spin_unlock(&v->lock);
}

static void schedule_how(bool yield)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->sched;
	spin_lock(&rq->lock);
	schedule_locked(c, rq, yield, false);
}

/*
 * The decision with rq (c's queue) locked. flat: prev blocks in the kbus flat
 * path, its saved context already made (prev->rsp): its stack is not saved
 * again, and this does not return (sched_flat_block()).
 */
static void schedule_locked(struct cpu *c, struct runqueue *rq, bool yield, bool flat)
{
	refresh_cfg(rq);
	struct thread *prev = c->current;
	uint64_t now = clock_monotonic_ns();
	bool prev_idle = prev == rq->idle;
	if (!prev_idle)
		dqrr_charge(&prev->dq, now - rq->charged_at);
	rq->charged_at = now;
	bool preempt = rq->preempt || (rq->preempt_at && now >= rq->preempt_at);
	rq->preempt = false;
	rq_set_resched(rq, false);
	bool runnable = prev->state == THREAD_RUNNING && !prev_idle;
	if (runnable && !flat && now >= rq->balance_at && cpu_count > 1)
		balance(rq, now);
	/* a thread whose mask now excludes us moves, unless its timer is armed here */
	bool here =
	    runnable && (sched_allowed(prev, rq->cpu) || READ_ONCE(prev->sleep_timer.armed));
	struct thread *next;
	if (here && (!rq->head || (!yield && !preempt && prev->dq.budget))) {
		next = prev; /* keeps its CPU */
	} else {
		next = dequeue(rq);
		if (runnable) {
			prev->state = THREAD_READY;
			if (!here) {
				rq->prev_move =
				    true; /* its affinity excludes us: moved after the switch */
			} else {
				if (yield)
					prev->dq.budget = 0;
				enqueue(rq, prev,
				        dqrr_requeue_front(&prev->dq) && front_allowed(rq, now));
			}
		} else if (prev->state == THREAD_BLOCKED) {
			dqrr_block(&rq->cfg, &prev->dq, now);
		}
		if (!next)
			next = rq->idle;
	}
	if (next == prev) {
		if (!prev_idle) {
			/* a wake-up queued it while it was still blocking here */
			prev->state = THREAD_RUNNING;
			if (prev->wake_time) {
				prev->wakeups++;
				prev->wake_time = 0;
			}
			if (!prev->dq.budget) /* a new turn, with the queue's length now */
				dqrr_switch_in(&rq->cfg, rq->nready + 1, prev->weight, &prev->dq);
			if (preempt)
				rq->preempt_at = 0;
			sched_account(prev, 0, now);
		}
		arm_tick(rq, prev, now);
		spin_unlock(&rq->lock);
		return;
	}
	if (next != rq->idle &&
	    (next->on_cpu || next->cpu != rq->cpu || next->state != THREAD_READY))
		panic("sched: %s picked on CPU %u: on_cpu %d, its CPU %u, state %d", next->name,
		      rq->cpu, next->on_cpu, next->cpu, next->state);
	set_idle_bit(rq->cpu, next == rq->idle);
	c->current = next;
	rq->prev = prev;
	next->on_cpu = true;
	switch_in(rq, prev, next, now);
	arch_thread_switch(prev, next);
	if (flat)
		arch_context_load(next->rsp); /* prev resumes in kbus_flat_resume() */
	arch_context_switch(&prev->rsp, next->rsp);
	finish_switch(this_cpu()->sched);
}

static void schedule(void)
{
	schedule_how(false);
}

void sched_thread_entry(void)
{
	finish_switch(this_cpu()->sched);
	arch_irq_enable();
	struct thread *t = sched_current();
	t->fn(t->arg);
	thread_exit();
}

void sched_cmdline(const char *cmdline)
{
	const char *v;
	size_t n;
	if (cmdline && cmdline_find(cmdline, "sched", &v, &n) && n == 5 && !memcmp(v, "fixed", 5)) {
		params.mode = SCHED_MODE_FIXED;
		params.max_quantum_ns = SCHED_TICK_NS; /* the old round robin's 10 ms */
		params_gen++;
		pr_info("sched: fixed quantum round robin (sched=fixed)");
	}
}

void sched_init_cpu(const char *name)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = rq_of(c->id);
	spin_init(&rq->lock);
	if (c->id == 0)
		spin_init(&params_lock);
	rq->cpu = c->id;
	rq->need_resched = &c->need_resched;
	struct thread *boot = &boot_threads[c->id];
	boot->state = THREAD_RUNNING;
	boot->on_cpu = true;
	boot->cpu = c->id;
	boot->weight = SCHED_WEIGHT_DEFAULT;
	boot->affinity = 1ull << c->id;
	thread_set_space(boot, NULL);
	boot->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	strlcpy(boot->name, name, sizeof(boot->name));
	c->current = boot;
	c->sched = rq;
	rq->last_switch = clock_monotonic_ns();
	/* The boot context of an AP is its idle thread; the BSP gets a separate one. */
	if (c->id != 0) {
		rq->idle = boot;
	} else {
		rq->idle = thread_create("idle0", (void (*)(void *))sched_idle, NULL, 0);
		if (!rq->idle)
			panic("sched: no memory for the idle thread");
		rq->idle->state = THREAD_READY;
	}
	uint64_t irq = arch_irq_save();
	refresh_cfg(rq);
	arch_irq_restore(irq);
}

/* No periodic tick: the slice timer is armed by decisions (arm_tick()). */
void sched_start_tick(void)
{
	uint64_t irq = arch_irq_save();
	struct runqueue *rq = this_cpu()->sched;
	spin_lock(&rq->lock);
	arm_tick(rq, this_cpu()->current, clock_monotonic_ns());
	spin_unlock(&rq->lock);
	arch_irq_restore(irq);
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->stack = page_alloc(THREAD_STACK_ORDER);
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	uint64_t *sp = (uint64_t *)((char *)t->stack + (PAGE_SIZE << THREAD_STACK_ORDER));
	*--sp = 0; /* fake return address: end of backtrace */
	*--sp = (uint64_t)thread_entry_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0; /* rbp rbx r12 r13 r14 r15 */
	t->rsp = (uint64_t)sp;
	thread_set_space(t, NULL);
	kbus_thread_init(t);
	t->fn = fn;
	t->arg = arg;
	t->state = THREAD_NEW;
	t->weight = SCHED_WEIGHT_DEFAULT;
	t->affinity = ~0ull;
	if (cpu >= 0 && cpu_online((unsigned)cpu) && cpu < 64) {
		t->affinity = 1ull << cpu; /* asked for that CPU: pinned there */
	} else {
		cpu = (int)(__atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) % cpu_count);
		if (!cpus[cpu] || (!cpus[cpu]->online && cpu != 0))
			cpu = 0;
	}
	t->cpu = (unsigned)cpu;
	t->share_at = clock_monotonic_ns();
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	strlcpy(t->name, name, sizeof(t->name));
	__atomic_fetch_add(&live_threads, 1, __ATOMIC_RELAXED);
	all_link(t);
	return t;
}

void sched_kick_others(void)
{
	unsigned self = this_cpu()->id;
	for (unsigned cpu = 0; cpu < cpu_count; cpu++)
		if (cpu != self && cpus[cpu] && cpus[cpu]->online)
			arch_send_resched(cpu);
}

/*
 * t was just queued on rq (locked) with the wake-up decision w: ask rq's CPU
 * for a decision when it must act (it idles, t preempts, its timer must be
 * armed for a slice end). Returns the CPU to send the resched IPI to, or -1.
 */
static int after_queue(struct runqueue *rq, bool cur_idle, const struct dqrr_wake *w)
{
	bool decide = cur_idle || rq->nready == 1;
	if (w->preempt) {
		rq->preempt = true;
		decide = true;
	} else if (w->at) {
		if (!rq->preempt_at || w->at < rq->preempt_at)
			rq->preempt_at = w->at;
		decide = true;
	}
	if (!decide)
		return -1;
	rq_set_resched(rq, true);
	return rq->cpu == this_cpu()->id ? -1 : (int)rq->cpu;
}

/*
 * Queue t, READY and off every CPU (and in no queue), on rq (locked), as a
 * new or moved thread: at the tail with what budget it has.
 */
static int queue_locked(struct runqueue *rq, struct thread *t)
{
	struct thread *cur = cpus[rq->cpu]->current;
	enqueue(rq, t, false);
	struct dqrr_wake w = {0};
	return after_queue(rq, cur == rq->idle, &w);
}

/* An online CPU of t's mask, preferring a halted one, else t's own if allowed. */
static unsigned pick_cpu(const struct thread *t, unsigned cur)
{
	uint64_t mask = READ_ONCE(t->affinity);
	uint64_t idle = __atomic_load_n(&idle_mask, __ATOMIC_RELAXED) & mask;
	if (cur < 64 && (idle >> cur & 1))
		return cur;
	for (unsigned cpu = 0; idle && cpu < cpu_count && cpu < 64; cpu++)
		if ((idle >> cpu & 1) && cpu_online(cpu))
			return cpu;
	if (cur < 64 && (mask >> cur & 1) && cpu_online(cur))
		return cur;
	for (unsigned cpu = 0; cpu < cpu_count && cpu < 64; cpu++)
		if ((mask >> cpu & 1) && cpu_online(cpu))
			return cpu;
	return cur; /* no online CPU in the mask (sched_set_thread() refuses those) */
}

/* t is READY, off every CPU and in no queue (finish_switch()): queue it on an allowed CPU. */
static void place_ready(struct thread *t)
{
	uint64_t irq = arch_irq_save();
	for (;;) {
		unsigned from = READ_ONCE(t->cpu);
		unsigned to = pick_cpu(t, from);
		struct runqueue *a = rq_of(from), *b = rq_of(to);
		lock_two(a, b);
		if (t->cpu != from) {
			unlock_two(a, b);
			continue;
		}
		t->cpu = to;
		if (to != from)
			b->stats.migrations++;
		int ipi = queue_locked(b, t);
		unlock_two(a, b);
		if (ipi >= 0)
			arch_send_resched((unsigned)ipi);
		break;
	}
	arch_irq_restore(irq);
}

void sched_start(struct thread *t)
{
	uint64_t irq = arch_irq_save();
	struct runqueue *rq = rq_of(t->cpu);
	spin_lock(&rq->lock);
	if (!sched_allowed(t, t->cpu) || !cpu_online(t->cpu)) {
		/* a mask set before the start: begin on an allowed CPU */
		unsigned to = pick_cpu(t, t->cpu);
		spin_unlock(&rq->lock);
		t->cpu = to; /* not started: nobody else looks at it yet */
		rq = rq_of(to);
		spin_lock(&rq->lock);
	}
	t->state = THREAD_READY;
	int ipi = queue_locked(rq, t);
	bool busy = cpus[rq->cpu]->current != rq->idle;
	uint64_t aff = t->affinity; /* t may run, end and be freed once we unlock */
	spin_unlock(&rq->lock);
	if (ipi >= 0)
		arch_send_resched((unsigned)ipi);
	if (busy)
		kick_idle_for(aff, rq->cpu); /* a halted CPU may take it */
	arch_irq_restore(irq);
}

void thread_exit(void)
{
	struct thread *t = sched_current();
	if (t->kbus.pending || t->kbus.held_ep)
		kbus_thread_exit(t); /* its caller must not wait for a dead server */
	arch_irq_disable();
	t->state = THREAD_DEAD;
	schedule();
	panic("thread_exit: a dead thread was scheduled");
}

void thread_join(struct thread *t)
{
	while (!__atomic_load_n(&t->exited, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&t->pins, __ATOMIC_ACQUIRE))
		sched_sleep_ns(100000);
	thread_free(t);
}

void sched_yield(void)
{
	uint64_t irq = arch_irq_save();
	schedule_how(true);
	arch_irq_restore(irq);
}

void sched_block(void)
{
	uint64_t irq = arch_irq_save();
	struct thread *t = this_cpu()->current;
	struct runqueue *rq = this_cpu()->sched;
	spin_lock(&rq->lock);
	if (t->wake_pending) {
		t->wake_pending = false;
		spin_unlock(&rq->lock);
		arch_irq_restore(irq);
		return;
	}
	t->state = THREAD_BLOCKED;
	spin_unlock(&rq->lock);
	schedule();
	arch_irq_restore(irq);
}

/* Lock the run queue t belongs to (t->cpu may change until we hold it). */
static struct runqueue *lock_rq_of(struct thread *t, uint64_t *irq)
{
	for (;;) {
		unsigned cpu = READ_ONCE(t->cpu);
		struct runqueue *rq = rq_of(cpu);
		*irq = spin_lock_irqsave(&rq->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return rq;
		spin_unlock_irqrestore(&rq->lock, *irq);
	}
}

/*
 * Where a woken t (BLOCKED, its queue rq locked) should run: its own CPU
 * unless its mask excludes it, or unless that CPU is busy with another
 * thread than the waker while a CPU of its mask halts. Moves t there when the
 * other queue's lock is free at once (else it stays). Returns t's queue,
 * locked (rq, or the new one with rq unlocked).
 */
static struct runqueue *wake_place(struct thread *t, struct runqueue *rq)
{
	unsigned self = this_cpu()->id;
	bool excluded = !sched_allowed(t, rq->cpu);
	bool busy_elsewhere = rq->cpu != self && cpus[rq->cpu]->current != rq->idle &&
	                      (__atomic_load_n(&idle_mask, __ATOMIC_RELAXED) & t->affinity);
	if ((!excluded && !busy_elsewhere) || !movable(t))
		return rq;
	unsigned to = pick_cpu(t, rq->cpu);
	if (to == rq->cpu)
		return rq;
	struct runqueue *b = rq_of(to);
	if (!spin_trylock(&b->lock))
		return rq; /* busy: no waiting for a second lock out of order */
	t->cpu = to;
	b->stats.migrations++;
	spin_unlock(&rq->lock);
	return b;
}

void sched_wake(struct thread *t)
{
	uint64_t irq;
	struct runqueue *rq = lock_rq_of(t, &irq);
	int ipi = -1;
	bool busy = false;
	uint64_t aff = 0;
	if (t->state == THREAD_BLOCKED) {
		rq = wake_place(t, rq);
		t->state = THREAD_READY;
		uint64_t now = clock_monotonic_ns();
		struct thread *cur = cpus[rq->cpu]->current;
		bool cur_idle = cur == rq->idle;
		unsigned nr = rq->nready + 1 + (cur_idle ? 0 : 1);
		struct dqrr_wake w =
		    dqrr_wake(&rq->cfg, nr, t->weight, &t->dq, now, rq->stint_start, cur_idle);
		if ((w.front || w.preempt || w.at) && !front_allowed(rq, now))
			w = (struct dqrr_wake){0}; /* the tail waits too long: no jumping */
		enqueue(rq, t, w.front);
		t->wake_time = now;
		ipi = after_queue(rq, cur_idle, &w);
		busy = !cur_idle && !w.preempt;
		aff = t->affinity; /* t may run, end and be freed once we unlock */
	} else if (t->state == THREAD_RUNNING || t->state == THREAD_READY) {
		t->wake_pending = true;
	}
	spin_unlock_irqrestore(&rq->lock, irq);
	if (ipi >= 0)
		arch_send_resched((unsigned)ipi);
	if (busy)
		kick_idle_for(aff, rq->cpu);
}

void sched_unpin(struct thread *t)
{
	if (__atomic_sub_fetch(&t->pins, 1, __ATOMIC_ACQ_REL) == SCHED_PIN_DEAD)
		thread_free(t); /* it ended (detached) while we held it */
}

void sched_wake_unpin(struct thread *t)
{
	if (!t)
		return;
	sched_wake(t);
	sched_unpin(t);
}

void sched_block_run(struct thread *run)
{
	if (!run) {
		sched_block();
		return;
	}
	bool switched = sched_switch_to(run);
	if (!switched)
		sched_wake(run);
	sched_unpin(run);
	if (!switched)
		sched_block();
}

void thread_discard(struct thread *t)
{
	thread_free(t);
}

void sched_kill(struct thread *t)
{
	__atomic_store_n(&t->kill_pending, true, __ATOMIC_RELEASE);
	sched_wake(t);
	/* a thread running user code elsewhere notices at its next interrupt */
	unsigned cpu = READ_ONCE(t->cpu);
	if (cpu != this_cpu()->id)
		arch_send_resched(cpu);
}

/* direct_begin()'s case of a thread last on another CPU (sched/direct.h). */
bool sched_direct_begin_remote(struct runqueue *rq, struct thread *self, struct thread *next,
                               unsigned ncpu)
{
	struct runqueue *nrq = rq_of(ncpu);
	lock_two(rq, nrq);
	bool ok = next->cpu == ncpu && direct_ok(self, next, rq->cpu, ncpu);
	if (ok) {
		next->cpu = rq->cpu; /* migrate: its queue is ours from now on */
		rq->stats.migrations++;
	}
	spin_unlock(&nrq->lock);
	if (!ok)
		spin_unlock(&rq->lock);
	return ok;
}

bool sched_switch_to(struct thread *next)
{
	uint64_t irq = arch_irq_save();
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->sched;
	struct thread *self = c->current;
	if (!direct_begin(rq, self, next, false, NULL)) {
		arch_irq_restore(irq);
		return false;
	}
	direct_donate(rq, c, self, next, false);
	rq->prev = self;
	arch_context_switch(&self->rsp, next->rsp);
	finish_switch(this_cpu()->sched);
	arch_irq_restore(irq);
	return true;
}

/*
 * The kbus flat path (kbus/flat.c, docs/kbus.md "The flat path"): sched_flat_begin()
 * and sched_flat_switch() are inline in sched/direct.h; what follows is the
 * rest of it.
 */
bool sched_flat_begin(struct thread *self, struct thread *next)
{
	return flat_begin(this_cpu()->sched, self, next, false, NULL);
}

/* next blocked in C code (its context saved by arch_context_switch): switch to
   it; its finish_switch() unlocks the queue and clears self->on_cpu. */
void sched_flat_switch_real(struct thread *self, struct thread *next)
{
	struct runqueue *rq = this_cpu_sched();
	direct_donate(rq, this_cpu(), self, next, false);
	rq->prev = self;
	arch_context_load(next->rsp);
}

/* self blocks with no peer to run: the scheduler picks. */
void sched_flat_block(struct thread *self)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->sched;
	self->state = THREAD_BLOCKED;
	schedule_locked(c, rq, false, true);
	__builtin_unreachable();
}

/* A flat-blocked thread's first code when a switch reaches it (kbus_flat_resume()). */
void sched_flat_resumed(void)
{
	finish_switch(this_cpu()->sched);
}

static void sleep_done(struct timer_event *ev)
{
	sched_wake(container_of(ev, struct thread, sleep_timer));
}

void sched_sleep_ns(uint64_t ns)
{
	uint64_t irq = arch_irq_save();
	struct thread *t = this_cpu()->current;
	t->state = THREAD_BLOCKED;
	timer_event_arm(&t->sleep_timer, clock_monotonic_ns() + ns, sleep_done);
	schedule();
	arch_irq_restore(irq);
}

/*
 * Work stealing (interrupts off, nothing queued here): take the first thread
 * we may run, off every CPU and with no timer armed, from the queue with the
 * most waiting threads. true if one was taken.
 */
static bool steal(struct runqueue *rq)
{
	unsigned self = rq->cpu, best = self, most = 0;
	for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
		if (cpu == self || !cpu_online(cpu))
			continue;
		unsigned n = READ_ONCE(rq_of(cpu)->nready);
		if (n > most) {
			most = n;
			best = cpu;
		}
	}
	if (best == self)
		return false;
	struct runqueue *v = rq_of(best);
	lock_two(rq, v);
	struct thread *pred = NULL, *t = v->head;
	while (t && !(sched_allowed(t, self) && movable(t))) {
		pred = t;
		t = t->next;
	}
	if (t) {
		move_queued(v, pred, t, rq);
		rq->stats.steals++;
	}
	unlock_two(rq, v);
	return t != NULL;
}

void sched_idle(void)
{
	for (;;) {
		arch_irq_disable();
		struct runqueue *rq = this_cpu()->sched;
		if (!READ_ONCE(rq->head) && !sched_resched_pending())
			steal(rq);
		if (READ_ONCE(rq->head) || sched_resched_pending()) {
			schedule();
			arch_irq_enable();
			continue;
		}
		timer_events_idle();
		set_idle_bit(rq->cpu, true);
		arch_wait_for_interrupt();
	}
}

/* Every CPU's queue and timers for the NMI dump (debug/nmi_dump.c): all CPUs are held there. */
void sched_debug_dump(void)
{
	static const char *const states[] = {"new", "ready", "running", "blocked", "dead"};
	uint64_t now = clock_monotonic_ns();
	pr_info("sched: %llu ns since boot, idle mask %#llx, %llu threads", (unsigned long long)now,
	        (unsigned long long)idle_mask,
	        (unsigned long long)__atomic_load_n(&live_threads, __ATOMIC_RELAXED));
	for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
		if (!cpus[cpu] || !cpus[cpu]->sched)
			continue;
		struct runqueue *rq = rq_of(cpu);
		struct thread *cur = cpus[cpu]->current;
		pr_info("cpu %u: running %s #%llu (%s)%s, %u ready, resched %d, lock %s", cpu,
		        cur ? cur->name : "?", cur ? (unsigned long long)cur->id : 0ull,
		        cur && cur->state <= THREAD_DEAD ? states[cur->state] : "?",
		        cur == rq->idle ? " [idle]" : "", rq->nready, *rq->need_resched,
		        spin_is_locked(&rq->lock) ? "held" : "free");
		unsigned n = 0;
		for (struct thread *t = rq->head; t && n < 16; t = t->next, n++)
			pr_info("  queued: %s #%llu (%s)%s", t->name, (unsigned long long)t->id,
			        t->state <= THREAD_DEAD ? states[t->state] : "?",
			        t->sleep_timer.armed ? " timer armed" : "");
		timer_events_dump(cpu, now);
	}
	/* every thread off its CPU, and where a blocked one waits */
	unsigned n = 0, traced = 0;
	for (struct thread *t = all_threads; t; t = t->all_next) {
		if (++n > 256) {
			pr_info(
			    "  ... (%llu threads in all)",
			    (unsigned long long)__atomic_load_n(&live_threads, __ATOMIC_RELAXED));
			break;
		}
		if (t->on_cpu)
			continue; /* its CPU's frame is printed below */
		pr_info("thread %s #%llu: %s on cpu %u%s", t->name, (unsigned long long)t->id,
		        t->state <= THREAD_DEAD ? states[t->state] : "?", t->cpu,
		        t->sleep_timer.armed ? ", timer armed" : "");
		if (t->state == THREAD_BLOCKED && t->stack && traced++ < 64) {
			uint64_t rip, rbp;
			arch_context_frame(t->rsp, &rip, &rbp);
			arch_backtrace(rip, rbp);
		}
	}
}

void sched_irq_exit(void)
{
	if (this_cpu()->sched && sched_resched_pending()) /* an interrupt before sched_init_cpu() */
		schedule();
}

/* Tunables and statistics (abi/sched.h). */
void sched_get_params(struct sched_params *out)
{
	uint64_t irq = spin_lock_irqsave(&params_lock);
	*out = params;
	spin_unlock_irqrestore(&params_lock, irq);
}

int sched_set_params(const struct sched_params *p)
{
	if (p->min_quantum_ns < SCHED_QUANTUM_FLOOR_NS || p->min_quantum_ns > p->max_quantum_ns ||
	    p->max_quantum_ns > SCHED_QUANTUM_CEIL_NS || p->target_latency_ns < p->min_quantum_ns ||
	    p->target_latency_ns > SCHED_LATENCY_CEIL_NS || p->mode > SCHED_MODE_FIXED ||
	    p->reserved)
		return ERR_INVALID_ARGS;
	uint64_t irq = spin_lock_irqsave(&params_lock);
	params = *p;
	__atomic_fetch_add(&params_gen, 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&params_lock, irq);
	return 0;
}

int sched_cpu_stats(unsigned cpu, struct sched_cpu_stats *out)
{
	if (cpu >= MAX_CPUS || !cpus[cpu] || !cpus[cpu]->online)
		return ERR_NOT_FOUND;
	struct runqueue *rq = rq_of(cpu);
	uint64_t irq = spin_lock_irqsave(&rq->lock);
	*out = rq->stats;
	/* the time since the last switch counts too */
	uint64_t now = clock_monotonic_ns();
	uint64_t since = now > rq->last_switch ? now - rq->last_switch : 0;
	if (cpus[cpu]->current == rq->idle)
		out->idle_ns += since;
	else
		out->busy_ns += since;
	out->nready = rq->nready;
	out->timer_irqs = READ_ONCE(cpus[cpu]->timer_ticks);
	out->reserved = 0;
	spin_unlock_irqrestore(&rq->lock, irq);
	return 0;
}

static uint64_t online_mask(void)
{
	uint64_t m = 0;
	for (unsigned cpu = 0; cpu < 64; cpu++)
		if (cpu_online(cpu))
			m |= 1ull << cpu;
	return m;
}

int sched_set_thread(struct thread *t, uint32_t weight, uint64_t affinity)
{
	if (weight && (weight < SCHED_WEIGHT_MIN || weight > SCHED_WEIGHT_MAX))
		return ERR_INVALID_ARGS;
	if (affinity && !(affinity & online_mask()))
		return ERR_INVALID_ARGS;
	uint64_t irq;
	struct runqueue *rq = lock_rq_of(t, &irq);
	if (weight)
		WRITE_ONCE(t->weight, weight);
	bool move = false;
	int ipi = -1;
	if (affinity) {
		WRITE_ONCE(t->affinity, affinity);
		if (!sched_allowed(t, rq->cpu)) {
			if (t->state == THREAD_RUNNING && cpus[rq->cpu]->current == t) {
				/* switches at once and moves (schedule(), finish_switch()) */
				rq->preempt = true;
				rq_set_resched(rq, true);
				if (rq->cpu != this_cpu()->id)
					ipi = (int)rq->cpu;
			} else if (t->state == THREAD_READY && movable(t)) {
				/* queued here: take it out and place it */
				struct thread *pred = NULL, *q = rq->head;
				while (q && q != t) {
					pred = q;
					q = q->next;
				}
				if (q) {
					unlink_after(rq, pred, t);
					move = true;
				}
			}
			/* blocked: it moves when it wakes (wake_place()) */
		}
	}
	spin_unlock_irqrestore(&rq->lock, irq);
	if (ipi >= 0)
		arch_send_resched((unsigned)ipi);
	if (move)
		place_ready(t);
	return 0;
}

void sched_thread_info(struct thread *t, struct thread_info *out)
{
	out->weight = READ_ONCE(t->weight);
	out->affinity = READ_ONCE(t->affinity);
	out->cpu = READ_ONCE(t->cpu);
	out->wakeups = READ_ONCE(t->wakeups);
	out->wake_ns_total = READ_ONCE(t->wake_ns_total);
	out->wake_ns_max = READ_ONCE(t->wake_ns_max);
}

uint64_t sched_live_threads(void)
{
	return __atomic_load_n(&live_threads, __ATOMIC_RELAXED);
}
