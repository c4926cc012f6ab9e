/*
 * test_sched.c - the DQRR scheduler (docs/scheduler.md) in the kernel: a
 * thousand threads, affinity, wake-ups under a stress of sleeps, kills and
 * migrations, and weighted shares. Every bound is a count of events (polls,
 * switches), never a time.
 */
#include <vmtest.h>

#include <abi/errors.h>
#include <abi/sched.h>
#include <abi/syscall.h>
#include <arch/apic.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <lib/compiler.h>
#include <sched/sched.h>
#include <time/clock.h>

/* ---- a thousand threads, at most SCHED_T_BATCH alive at once (64 MiB machines) ---- */

#define SCHED_T_TOTAL 1000u
#define SCHED_T_BATCH 200u

static uint32_t thousand_ran;

static void count_and_end(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&thousand_ran, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&thousand_ran, __ATOMIC_RELAXED) % 7 == 0)
		sched_yield();
}

VM_TEST(sched_thousand_threads)
{
	static struct thread *ts[SCHED_T_BATCH];
	uint64_t live = sched_live_threads();
	thousand_ran = 0;
	unsigned made = 0;
	while (made < SCHED_T_TOTAL) {
		unsigned n = 0;
		for (; n < SCHED_T_BATCH && made + n < SCHED_T_TOTAL; n++) {
			ts[n] = thread_create("thousand", count_and_end, NULL, -1);
			if (!ts[n])
				break;
		}
		if (!n) {
			VM_FAIL("no memory for a thread after %u", made);
			return;
		}
		for (unsigned i = 0; i < n; i++)
			sched_start(ts[i]);
		for (unsigned i = 0; i < n; i++)
			thread_join(ts[i]);
		made += n;
	}
	VM_EXPECT_EQ(__atomic_load_n(&thousand_ran, __ATOMIC_RELAXED), SCHED_T_TOTAL);
	VM_EXPECT_EQ(sched_live_threads(), live);
}

/* ---- affinity: threads pinned to a CPU are only ever seen there ---- */

#define AFF_ROUNDS 300u

struct aff {
	unsigned cpu; /* where it must run */
	unsigned bad; /* times seen elsewhere after its mask took effect */
	unsigned moved; /* 1 once seen on its CPU after the move */
	struct thread *t;
};

static void aff_worker(void *arg)
{
	struct aff *a = arg;
	for (unsigned i = 0; i < AFF_ROUNDS; i++) {
		unsigned here = this_cpu()->id;
		if (here != a->cpu)
			a->bad++;
		if (i % 3 == 0)
			sched_sleep_ns(20000);
		else
			sched_yield();
	}
}

/* A busy thread per CPU so that idle CPUs try to steal the pinned ones. */
static volatile bool aff_stop;
static void aff_hog(void *arg)
{
	(void)arg;
	while (!aff_stop)
		sched_yield();
}

VM_TEST(sched_affinity_honoured)
{
	VM_NEEDS_CPUS(2);
	unsigned n = vmtest_cpus();
	static struct aff as[2 * MAX_CPUS];
	static struct thread *hogs[MAX_CPUS];
	aff_stop = false;
	unsigned nh = 0;
	for (unsigned i = 0; i < n / 2; i++) {
		hogs[nh] = thread_create("aff-hog", aff_hog, NULL, -1);
		if (hogs[nh])
			sched_start(hogs[nh++]);
	}
	unsigned na = 0;
	for (unsigned i = 0; i < 2 * n; i++) {
		struct aff *a = &as[na];
		*a = (struct aff){.cpu = (i * 7 + 1) % n};
		/* created anywhere, then pinned before its start */
		a->t = thread_create("aff", aff_worker, a, -1);
		if (!a->t)
			break;
		VM_EXPECT_EQ(sched_set_thread(a->t, 0, 1ull << a->cpu), 0);
		na++;
	}
	for (unsigned i = 0; i < na; i++)
		sched_start(as[i].t);
	for (unsigned i = 0; i < na; i++) {
		thread_join(as[i].t);
		if (as[i].bad)
			VM_FAIL("thread pinned to CPU %u seen elsewhere %u times", as[i].cpu,
			        as[i].bad);
	}
	aff_stop = true;
	for (unsigned i = 0; i < nh; i++)
		thread_join(hogs[i]);
	/* refused: no online CPU in the mask, weights out of range */
	if (n < 64)
		VM_EXPECT_EQ(sched_set_thread(sched_current(), 0, 1ull << 63), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(sched_set_thread(sched_current(), SCHED_WEIGHT_MAX + 1, 0), ERR_INVALID_ARGS);
	VM_EXPECT_EQ(sched_set_thread(sched_current(), 0, 0), 0);
}

/* A running thread whose new mask excludes its CPU moves at its next switch. */
static volatile unsigned mover_target, mover_seen;
static void mover(void *arg)
{
	(void)arg;
	/* busy until seen on the target CPU (each yield is a switch chance) */
	for (unsigned i = 0; i < 1000000 && this_cpu()->id != mover_target; i++)
		sched_yield();
	mover_seen = this_cpu()->id;
}

VM_TEST(sched_affinity_moves_running_thread)
{
	VM_NEEDS_CPUS(2);
	unsigned me = this_cpu()->id;
	mover_target = (me + 1) % vmtest_cpus();
	mover_seen = ~0u;
	struct thread *t = thread_create("mover", mover, NULL, -1);
	VM_EXPECT(t != NULL);
	if (!t)
		return;
	VM_EXPECT_EQ(sched_set_thread(t, 0, 1ull << me), 0);
	sched_start(t);
	sched_sleep_ns(100000);
	VM_EXPECT_EQ(sched_set_thread(t, 0, 1ull << mover_target), 0);
	thread_join(t);
	VM_EXPECT_EQ(mover_seen, mover_target);
}

/* ---- no lost wake-ups: tokens, sleeps, kills, migrations on every CPU ---- */

#define WS_WORKERS 24u
#define WS_WAKERS 4u
#define WS_ROUNDS 300u
#define WS_STUCK_POLLS 20000u /* polls without any progress: a lost wake-up */

struct ws_worker {
	struct thread *t;
	uint32_t tokens; /* given by wakers */
	uint32_t consumed;
	bool killed; /* chosen for a kill */
	uint32_t seed;
};

static struct ws_worker ws[WS_WORKERS];
static uint32_t ws_cpus;

static uint32_t ws_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void ws_work(void *arg)
{
	struct ws_worker *w = arg;
	struct thread *self = sched_current();
	while (w->consumed < WS_ROUNDS && !sched_kill_pending(self)) {
		/* publish-then-block: a wake between the check and the block is kept */
		while (__atomic_load_n(&w->tokens, __ATOMIC_ACQUIRE) <= w->consumed &&
		       !sched_kill_pending(self))
			sched_block();
		__atomic_store_n(&w->consumed, w->consumed + 1, __ATOMIC_RELEASE);
		uint32_t r = ws_rand(&w->seed);
		if (r % 5 == 0)
			sched_sleep_ns(1000 + r % 50000);
		if (r % 11 == 0) /* migrate: a new mask of one or all CPUs */
			sched_set_thread(self, 0, r % 2 ? ~0ull : 1ull << (r / 2 % ws_cpus));
	}
}

static void ws_wake(void *arg)
{
	uint32_t seed = (uint32_t)(uintptr_t)arg;
	for (unsigned round = 0; round < WS_ROUNDS; round++) {
		for (unsigned k = 0; k < WS_WORKERS; k++) {
			unsigned i = (k + (unsigned)(uintptr_t)arg) % WS_WORKERS;
			/* one token per worker per round, from one waker only */
			if (i % WS_WAKERS != (unsigned)(uintptr_t)arg % WS_WAKERS)
				continue;
			__atomic_fetch_add(&ws[i].tokens, 1, __ATOMIC_RELEASE);
			sched_wake(ws[i].t);
		}
		if (ws_rand(&seed) % 3 == 0)
			sched_yield();
		if (ws_rand(&seed) % 7 == 0)
			sched_sleep_ns(5000);
	}
}

static uint64_t ws_progress(void)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < WS_WORKERS; i++)
		sum += __atomic_load_n(&ws[i].consumed, __ATOMIC_ACQUIRE) +
		       __atomic_load_n(&ws[i].t->exited, __ATOMIC_ACQUIRE);
	return sum;
}

VM_TEST(sched_no_lost_wakeups)
{
	ws_cpus = vmtest_cpus();
	struct thread *wk[WS_WAKERS];
	for (unsigned i = 0; i < WS_WORKERS; i++) {
		ws[i] = (struct ws_worker){.seed = 77u * i + 1, .killed = i % 6 == 5};
		ws[i].t = thread_create("ws-work", ws_work, &ws[i], -1);
		if (!ws[i].t) {
			VM_FAIL("no memory for worker %u", i);
			return;
		}
	}
	for (unsigned i = 0; i < WS_WORKERS; i++)
		sched_start(ws[i].t);
	unsigned nwk = 0;
	for (unsigned i = 0; i < WS_WAKERS; i++) {
		wk[nwk] = thread_create("ws-wake", ws_wake, (void *)(uintptr_t)i, -1);
		if (wk[nwk])
			sched_start(wk[nwk++]);
	}
	/* kill some workers half-way through their tokens */
	uint64_t last = 0;
	unsigned still = 0, kills = 0;
	bool stuck = false;
	for (;;) {
		bool all = true;
		for (unsigned i = 0; i < WS_WORKERS; i++) {
			if (ws[i].killed && !kills && ws[i].consumed >= WS_ROUNDS / 2)
				kills = 1;
			if (!__atomic_load_n(&ws[i].t->exited, __ATOMIC_ACQUIRE))
				all = false;
		}
		if (kills == 1) {
			for (unsigned i = 0; i < WS_WORKERS; i++)
				if (ws[i].killed)
					sched_kill(ws[i].t);
			kills = 2;
		}
		if (all)
			break;
		uint64_t p = ws_progress();
		bool wakers_done = true;
		for (unsigned i = 0; i < nwk; i++)
			wakers_done &= __atomic_load_n(&wk[i]->exited, __ATOMIC_ACQUIRE);
		if (p != last || !wakers_done) {
			last = p;
			still = 0;
		} else if (++still >= WS_STUCK_POLLS) {
			stuck = true;
			break;
		}
		sched_sleep_ns(20000);
	}
	if (stuck) {
		for (unsigned i = 0; i < WS_WORKERS; i++)
			if (!__atomic_load_n(&ws[i].t->exited, __ATOMIC_ACQUIRE))
				VM_FAIL("worker %u stuck: %u tokens, %u consumed (a lost wake-up)",
				        i, ws[i].tokens, ws[i].consumed);
		/* let them end so that the suite goes on */
		for (unsigned i = 0; i < WS_WORKERS; i++)
			sched_kill(ws[i].t);
	}
	for (unsigned i = 0; i < nwk; i++)
		thread_join(wk[i]);
	for (unsigned i = 0; i < WS_WORKERS; i++) {
		if (!ws[i].killed && !stuck && ws[i].consumed != WS_ROUNDS)
			VM_FAIL("worker %u consumed %u of %u tokens", i, ws[i].consumed, WS_ROUNDS);
		thread_join(ws[i].t);
	}
}

/* ---- weighted shares on one CPU ---- */

static volatile bool share_stop;
static void share_spin(void *arg)
{
	(void)arg;
	while (!share_stop)
		__asm__ volatile("" ::: "memory");
}

VM_TEST(sched_weighted_shares)
{
	unsigned me = this_cpu()->id;
	share_stop = false;
	struct thread *light = thread_create("w-light", share_spin, NULL, (int)me);
	struct thread *heavy = thread_create("w-heavy", share_spin, NULL, (int)me);
	VM_EXPECT(light && heavy);
	if (!light || !heavy)
		return;
	VM_EXPECT_EQ(sched_set_thread(light, 100, 0), 0);
	VM_EXPECT_EQ(sched_set_thread(heavy, 400, 0), 0);
	struct sched_params p, was;
	sched_get_params(&was);
	p = was;
	p.mode = SCHED_MODE_LATENCY;
	VM_EXPECT_EQ(sched_set_params(&p), 0);
	sched_start(light);
	sched_start(heavy);
	/* until each has been switched off 20 times: several turns of each */
	for (unsigned polls = 0; polls < 1000000; polls++) {
		if (READ_ONCE(light->switches) >= 20 && READ_ONCE(heavy->switches) >= 20)
			break;
		sched_sleep_ns(5000000);
	}
	share_stop = true;
	uint64_t l = READ_ONCE(light->cpu_ns), h = READ_ONCE(heavy->cpu_ns);
	thread_join(light);
	thread_join(heavy);
	VM_EXPECT_EQ(sched_set_params(&was), 0);
	if (!(h > l + l / 2))
		VM_FAIL("weight 400 ran %llu ns, weight 100 %llu ns: want clearly more",
		        (unsigned long long)h, (unsigned long long)l);
}

/* ---- tunables, statistics ---- */

VM_TEST(sched_params_and_stats)
{
	struct sched_params was, p;
	sched_get_params(&was);
	p = was;
	p.min_quantum_ns = SCHED_QUANTUM_FLOOR_NS - 1;
	VM_EXPECT_EQ(sched_set_params(&p), ERR_INVALID_ARGS);
	p = was;
	p.mode = SCHED_MODE_FIXED + 1;
	VM_EXPECT_EQ(sched_set_params(&p), ERR_INVALID_ARGS);
	p = was;
	p.reserved = 1;
	VM_EXPECT_EQ(sched_set_params(&p), ERR_INVALID_ARGS);
	p = was;
	p.mode = SCHED_MODE_THROUGHPUT;
	VM_EXPECT_EQ(sched_set_params(&p), 0);
	struct sched_params q;
	sched_get_params(&q);
	VM_EXPECT_EQ(q.mode, SCHED_MODE_THROUGHPUT);
	sched_sleep_ns(100000); /* a decision with the new tunables */
	VM_EXPECT_EQ(sched_set_params(&was), 0);
	struct sched_cpu_stats st;
	VM_EXPECT_EQ(sched_cpu_stats(this_cpu()->id, &st), 0);
	VM_EXPECT(st.switches > 0);
	VM_EXPECT(st.busy_ns > 0);
	VM_EXPECT_EQ(sched_cpu_stats(MAX_CPUS, &st), ERR_NOT_FOUND);
	/* a sleep is a wake-up with its latency counted */
	struct thread_info before, after;
	sched_thread_info(sched_current(), &before);
	sched_sleep_ns(100000);
	sched_thread_info(sched_current(), &after);
	VM_EXPECT(after.wakeups > before.wakeups);
	VM_EXPECT(after.wake_ns_max >= after.wake_ns_total / (after.wakeups ? after.wakeups : 1));
}

/*
 * A timer interrupt that never comes (QEMU TCG lost one now and then: a boot
 * wedged with a sleeper's event 64 s overdue). The LAPIC timer is programmed
 * for an event and masked until that deadline has passed, so its expiry raises
 * nothing; then this thread sleeps past it, on the same CPU. The idle loop must
 * see the overdue deadline and arm the timer again (timer_events_idle()), or
 * this CPU halts for good and the run stalls here.
 */
static volatile bool lost_fired;

static void lost_fire(struct timer_event *ev)
{
	(void)ev;
	lost_fired = true;
}

VM_TEST(timer_lost_interrupt_recovered)
{
	static struct timer_event ev;
	lost_fired = false;
	uint64_t irq = arch_irq_save();
	uint64_t deadline = clock_monotonic_ns() + 1000000;
	VM_EXPECT_EQ(timer_event_arm(&ev, deadline, lost_fire), 0);
	lapic_timer_mask();
	while (clock_monotonic_ns() < deadline + 2000000)
		arch_cpu_relax();
	arch_irq_restore(irq); /* nothing pending: the expiry was dropped */
	sched_sleep_ns(5000000); /* its own timer event is later: no reprogram on arming */
	VM_EXPECT(lost_fired);
	if (ev.armed)
		timer_event_cancel(&ev);
}
