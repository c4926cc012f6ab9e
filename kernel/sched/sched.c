/*
 * sched.c - per-CPU round-robin scheduling of kernel threads.
 *
 * Locking: each run queue has a spinlock, always taken with interrupts off.
 * schedule() takes the current CPU's queue lock and holds it across the
 * context switch; whichever thread runs next releases it in finish_switch()
 * (for a brand-new thread, in sched_thread_entry()). Threads migrate only
 * through sched_switch_to(), which holds both run-queue locks while it moves
 * a blocked thread; a lock is always released on the CPU that took it.
 * t->cpu changes only under the old queue's lock, so sched_wake() re-checks
 * it after locking.
 *
 * Blocking and waking meet under the run queue lock: sched_wake() either
 * finds the thread BLOCKED (and queues it) or finds it still RUNNING/READY
 * and sets wake_pending, which makes the next sched_block() return at once.
 */
#include <sched/sched.h>
#include <arch/arch.h>
#include <arch/entry.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/thread.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <lib/log.h>
#include <lib/panic.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <kbus/kbus.h>
#include <abi/errors.h>
#include <abi/sched.h>
#include <abi/syscall.h>

struct runqueue {
	struct sched_cpu_flags flags; /* must stay first: sched_resched_pending() */
	struct spinlock lock;
	struct thread *head, *tail;
	struct thread *idle;
	struct thread *prev; /* thread we just switched away from */
	struct timer_event tick;
	unsigned nready;
};

static struct runqueue runqueues[MAX_CPUS];
static struct thread boot_threads[MAX_CPUS];
static uint64_t next_id = 1;
static uint64_t live_threads;
static unsigned next_cpu;

static struct runqueue *rq_of(unsigned cpu)
{
	return &runqueues[cpu];
}

static void enqueue(struct runqueue *rq, struct thread *t)
{
	t->next = NULL;
	if (rq->tail)
		rq->tail->next = t;
	else
		rq->head = t;
	rq->tail = t;
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
	return t;
}

static void finish_switch(struct runqueue *rq)
{
	struct thread *prev = rq->prev;
	rq->prev = NULL;
	if (prev)
		__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	spin_unlock(&rq->lock);
	if (prev && prev->state == THREAD_DEAD) {
		if (prev->detached) {
			page_free(prev->stack, THREAD_STACK_ORDER);
			kfree(prev);
			__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_store_n(&prev->exited, true, __ATOMIC_RELEASE);
		}
	}
}

/*
 * Accounting: t ran from its run_start to now (switched is 1 when it leaves
 * the CPU). One clock read per switch; the group's atomic adds are the only
 * shared writes (docs/kernel.md). A thread that keeps its CPU is accounted at
 * each tick too, so its time is never more than a tick behind.
 */
static inline uint64_t account(struct thread *t, unsigned switched)
{
	uint64_t now = clock_monotonic_ns();
	uint64_t ran = now - t->run_start;
	t->cpu_ns += ran;
	t->switches += switched;
	t->run_start = now;
	if (t->acct) {
		__atomic_fetch_add(&t->acct->cpu_ns, ran, __ATOMIC_RELAXED);
		if (switched)
			__atomic_fetch_add(&t->acct->switches, 1, __ATOMIC_RELAXED);
	}
	return now;
}

static inline void account_switch(struct thread *prev, struct thread *next)
{
	next->run_start = account(prev, 1);
}

void sched_acct_detach(struct thread *self)
{
	account(self, 0);
	self->acct = NULL;
}

/* Pick the next thread and switch to it. Interrupts must be off. */
static void schedule(void)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->sched;
	spin_lock(&rq->lock);
	struct thread *prev = c->current;
	if (prev->state == THREAD_RUNNING && prev != rq->idle) {
		prev->state = THREAD_READY;
		enqueue(rq, prev);
	}
	struct thread *next = dequeue(rq);
	if (!next)
		next = prev->state == THREAD_RUNNING ? prev : rq->idle;
	rq->flags.need_resched = false;
	next->state = THREAD_RUNNING;
	if (next == prev) {
		account(prev, 0); /* keeps its CPU: its time so far counts */
		spin_unlock(&rq->lock);
		return;
	}
	c->current = next;
	rq->prev = prev;
	next->on_cpu = true;
	account_switch(prev, next);
	arch_thread_switch(prev, next);
	arch_context_switch(&prev->rsp, next->rsp);
	finish_switch(this_cpu()->sched);
}

void sched_thread_entry(void)
{
	finish_switch(this_cpu()->sched);
	arch_irq_enable();
	struct thread *t = this_cpu()->current;
	t->fn(t->arg);
	thread_exit();
}

static void tick(struct timer_event *ev)
{
	struct runqueue *rq = container_of(ev, struct runqueue, tick);
	rq->flags.need_resched = true;
	timer_event_arm(ev, clock_monotonic_ns() + SCHED_TICK_NS, tick);
}

void sched_init_cpu(const char *name)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = rq_of(c->id);
	spin_init(&rq->lock);
	struct thread *boot = &boot_threads[c->id];
	boot->state = THREAD_RUNNING;
	boot->on_cpu = true;
	boot->cpu = c->id;
	boot->weight = SCHED_WEIGHT_DEFAULT;
	boot->affinity = 1ull << c->id;
	boot->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	strlcpy(boot->name, name, sizeof(boot->name));
	c->current = boot;
	c->sched = rq;
	/* The boot context of an AP is its idle thread; the BSP gets a separate one. */
	if (c->id != 0) {
		rq->idle = boot;
	} else {
		rq->idle = thread_create("idle0", (void (*)(void *))sched_idle, NULL, 0);
		if (!rq->idle)
			panic("sched: no memory for the idle thread");
		rq->idle->state = THREAD_READY;
	}
}

void sched_start_tick(void)
{
	struct runqueue *rq = this_cpu()->sched;
	timer_event_arm(&rq->tick, clock_monotonic_ns() + SCHED_TICK_NS, tick);
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
	t->fn = fn;
	t->arg = arg;
	t->state = THREAD_NEW;
	t->weight = SCHED_WEIGHT_DEFAULT;
	t->affinity = ~0ull;
	if (cpu < 0 || (unsigned)cpu >= cpu_count || !cpus[cpu] || !cpus[cpu]->online)
		cpu = (int)(__atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) % cpu_count);
	if (!cpus[cpu] || (!cpus[cpu]->online && cpu != 0))
		cpu = 0;
	t->cpu = (unsigned)cpu;
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	strlcpy(t->name, name, sizeof(t->name));
	__atomic_fetch_add(&live_threads, 1, __ATOMIC_RELAXED);
	return t;
}

static void kick(unsigned cpu)
{
	if (cpu != this_cpu()->id)
		arch_send_resched(cpu);
	else
		rq_of(cpu)->flags.need_resched = true;
}

void sched_kick_others(void)
{
	unsigned self = this_cpu()->id;
	for (unsigned cpu = 0; cpu < cpu_count; cpu++)
		if (cpu != self && cpus[cpu] && cpus[cpu]->online)
			arch_send_resched(cpu);
}

void sched_start(struct thread *t)
{
	struct runqueue *rq = rq_of(t->cpu);
	uint64_t irq = spin_lock_irqsave(&rq->lock);
	t->state = THREAD_READY;
	enqueue(rq, t);
	spin_unlock_irqrestore(&rq->lock, irq);
	kick(t->cpu);
}

void thread_exit(void)
{
	struct thread *t = this_cpu()->current;
	if (t->kbus.pending)
		kbus_thread_exit(t); /* its caller must not wait for a dead server */
	arch_irq_disable();
	t->state = THREAD_DEAD;
	schedule();
	panic("thread_exit: a dead thread was scheduled");
}

void thread_join(struct thread *t)
{
	while (!__atomic_load_n(&t->exited, __ATOMIC_ACQUIRE))
		sched_sleep_ns(100000);
	page_free(t->stack, THREAD_STACK_ORDER);
	kfree(t);
	__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
}

void sched_yield(void)
{
	uint64_t irq = arch_irq_save();
	schedule();
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

void sched_wake(struct thread *t)
{
	uint64_t irq;
	struct runqueue *rq = lock_rq_of(t, &irq);
	bool queued = false;
	if (t->state == THREAD_BLOCKED) {
		t->state = THREAD_READY;
		enqueue(rq, t);
		queued = true;
	} else if (t->state == THREAD_RUNNING || t->state == THREAD_READY) {
		t->wake_pending = true;
	}
	spin_unlock_irqrestore(&rq->lock, irq);
	if (queued)
		kick(t->cpu);
}

void thread_discard(struct thread *t)
{
	page_free(t->stack, THREAD_STACK_ORDER);
	kfree(t);
	__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
}

void sched_kill(struct thread *t)
{
	__atomic_store_n(&t->kill_pending, true, __ATOMIC_RELEASE);
	sched_wake(t);
	/* a thread running user code elsewhere notices at its next interrupt */
	if (t->cpu != this_cpu()->id)
		arch_send_resched(t->cpu);
}

bool sched_switch_to(struct thread *next)
{
	uint64_t irq = arch_irq_save();
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->sched;
	struct thread *self = c->current;
	unsigned ncpu = READ_ONCE(next->cpu);
	struct runqueue *nrq = rq_of(ncpu);
	/* two queue locks: lower address first */
	if (nrq == rq) {
		spin_lock(&rq->lock);
	} else if (nrq < rq) {
		spin_lock(&nrq->lock);
		spin_lock(&rq->lock);
	} else {
		spin_lock(&rq->lock);
		spin_lock(&nrq->lock);
	}
	bool ok = next->cpu == ncpu && next->state == THREAD_BLOCKED &&
	          !__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE) && !self->wake_pending &&
	          next != self && (ncpu == c->id || !READ_ONCE(next->sleep_timer.armed));
	if (ok) {
		next->cpu = c->id; /* migrate: its queue is ours from now on */
		next->state = THREAD_RUNNING;
	}
	if (nrq != rq)
		spin_unlock(&nrq->lock);
	if (!ok) {
		spin_unlock(&rq->lock);
		arch_irq_restore(irq);
		return false;
	}
	self->state = THREAD_BLOCKED;
	c->current = next;
	rq->prev = self;
	next->on_cpu = true;
	account_switch(self, next);
	arch_thread_switch(self, next);
	arch_context_switch(&self->rsp, next->rsp);
	finish_switch(this_cpu()->sched);
	arch_irq_restore(irq);
	return true;
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

void sched_idle(void)
{
	for (;;) {
		arch_irq_disable();
		struct runqueue *rq = this_cpu()->sched;
		if (rq->head || rq->flags.need_resched) {
			schedule();
			arch_irq_enable();
			continue;
		}
		arch_wait_for_interrupt();
	}
}

void sched_irq_exit(void)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->sched;
	if (rq && rq->flags.need_resched)
		schedule();
}

/*
 * Tunables and statistics. For now the parameters are only kept and checked
 * (the round robin above uses SCHED_TICK_NS); the DQRR policy uses them.
 */
static struct sched_params params = {
    .target_latency_ns = 20000000ull,
    .min_quantum_ns = 1000000ull,
    .max_quantum_ns = SCHED_TICK_NS,
    .mode = SCHED_MODE_LATENCY,
};

void sched_get_params(struct sched_params *out)
{
	*out = params;
}

int sched_set_params(const struct sched_params *p)
{
	if (p->min_quantum_ns < SCHED_QUANTUM_FLOOR_NS || p->min_quantum_ns > p->max_quantum_ns ||
	    p->max_quantum_ns > SCHED_QUANTUM_CEIL_NS || p->target_latency_ns < p->min_quantum_ns ||
	    p->target_latency_ns > SCHED_LATENCY_CEIL_NS || p->mode > SCHED_MODE_FIXED ||
	    p->reserved)
		return ERR_INVALID_ARGS;
	params = *p;
	return 0;
}

int sched_cpu_stats(unsigned cpu, struct sched_cpu_stats *out)
{
	if (cpu >= MAX_CPUS || !cpus[cpu] || !cpus[cpu]->online)
		return ERR_NOT_FOUND;
	struct runqueue *rq = rq_of(cpu);
	*out = (struct sched_cpu_stats){.nready = READ_ONCE(rq->nready)};
	return 0;
}

static uint64_t online_mask(void)
{
	uint64_t m = 0;
	for (unsigned cpu = 0; cpu < cpu_count && cpu < 64; cpu++)
		if (cpus[cpu] && cpus[cpu]->online)
			m |= 1ull << cpu;
	return m;
}

int sched_set_thread(struct thread *t, uint32_t weight, uint64_t affinity)
{
	if (weight && (weight < SCHED_WEIGHT_MIN || weight > SCHED_WEIGHT_MAX))
		return ERR_INVALID_ARGS;
	if (affinity && !(affinity & online_mask()))
		return ERR_INVALID_ARGS;
	if (weight)
		WRITE_ONCE(t->weight, weight);
	if (affinity)
		WRITE_ONCE(t->affinity, affinity);
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
