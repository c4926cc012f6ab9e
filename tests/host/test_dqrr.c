/*
 * test_dqrr.c - the DQRR policy (kernel/sched/dqrr.c) on one simulated CPU.
 *
 * The simulation is event-driven over a nanosecond clock: the thread at the
 * head of the queue runs until its budget ends (to the tail), until it blocks
 * (a "sleeper" runs burst ns then sleeps nap ns), or until a sleeper's wake-up
 * preempts it (it keeps its budget and goes to the front, behind the wakee),
 * exactly as sched.c drives the policy. Checked: shares follow weights (1:2:4
 * within 5%), no thread waits longer than a bound while runnable, credit and
 * quanta stay within their bounds, FIXED is the plain round robin, and in
 * LATENCY mode a sleeper waits for no hog.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sched/dqrr.h>

#define MS 1000000ull
#define US 1000ull
#define MAXT 16

struct sim_thread {
	struct dqrr_thread d;
	uint32_t weight;
	uint64_t burst, nap; /* sleeper: run burst, sleep nap; hog: burst 0 */
	uint64_t burst_left;
	bool asleep;
	uint64_t wake_at;
	uint64_t ran; /* CPU time */
	uint64_t ready_since; /* runnable (queued) since */
	uint64_t max_wait; /* longest stay in the queue */
	uint64_t wakes, max_wake_wait;
	bool woken; /* ready_since is a wake-up */
};

struct sim {
	struct dqrr_cfg cfg;
	struct sim_thread t[MAXT];
	unsigned n;
	int q[MAXT]; /* run queue, q[0] the head */
	unsigned nq;
	uint64_t now;
	uint64_t max_credit_excess; /* credit above its bound (must stay 0) */
	uint64_t min_fresh_budget, max_fresh_budget; /* fresh slices, weight-100 threads */
};

static void push(struct sim *s, int i, bool front)
{
	if (front) {
		memmove(&s->q[1], &s->q[0], s->nq * sizeof(int));
		s->q[0] = i;
	} else {
		s->q[s->nq] = i;
	}
	s->nq++;
	s->t[i].ready_since = s->now;
}

static int pop(struct sim *s)
{
	int i = s->q[0];
	s->nq--;
	memmove(&s->q[0], &s->q[1], s->nq * sizeof(int));
	return i;
}

static void sim_init(struct sim *s, const struct sched_params *p)
{
	memset(s, 0, sizeof(*s));
	dqrr_config(p, &s->cfg);
	s->min_fresh_budget = UINT64_MAX;
}

static void add(struct sim *s, uint32_t weight, uint64_t burst, uint64_t nap)
{
	struct sim_thread *t = &s->t[s->n];
	t->weight = weight;
	t->burst = burst;
	t->nap = nap;
	t->burst_left = burst;
	push(s, (int)s->n, false);
	s->n++;
}

static unsigned runnable(const struct sim *s, bool running)
{
	return s->nq + (running ? 1 : 0);
}

/* Runs the simulation until `until`. */
static void run(struct sim *s, uint64_t until)
{
	int cur = -1;
	uint64_t start = 0, stop = 0;
	uint64_t preempt_at = UINT64_MAX;
	while (s->now < until) {
		if (cur < 0) {
			if (!s->nq) { /* idle until the next wake-up */
				uint64_t next = UINT64_MAX;
				for (unsigned i = 0; i < s->n; i++)
					if (s->t[i].asleep && s->t[i].wake_at < next)
						next = s->t[i].wake_at;
				assert_true(next != UINT64_MAX);
				s->now = next;
			} else {
				unsigned nr = runnable(s, false);
				cur = pop(s);
				struct sim_thread *t = &s->t[cur];
				uint64_t wait = s->now - t->ready_since;
				if (wait > t->max_wait)
					t->max_wait = wait;
				if (t->woken) {
					t->wakes++;
					if (wait > t->max_wake_wait)
						t->max_wake_wait = wait;
					t->woken = false;
				}
				bool fresh = t->d.budget == 0;
				uint64_t b = dqrr_switch_in(&s->cfg, nr, t->weight, &t->d);
				if (fresh && t->weight == SCHED_WEIGHT_DEFAULT) {
					if (b < s->min_fresh_budget)
						s->min_fresh_budget = b;
					if (b > s->max_fresh_budget)
						s->max_fresh_budget = b;
				}
				start = s->now;
				stop = s->now + b;
				if (t->burst && s->now + t->burst_left < stop)
					stop = s->now + t->burst_left;
				preempt_at = UINT64_MAX;
			}
		}
		/* wake-ups due before the current thread stops (or now, when idle) */
		int waker = -1;
		uint64_t first = cur >= 0 ? stop : s->now;
		for (unsigned i = 0; i < s->n; i++)
			if (s->t[i].asleep && s->t[i].wake_at <= first) {
				first = s->t[i].wake_at;
				waker = (int)i;
			}
		if (cur >= 0 && preempt_at < first && preempt_at <= stop) {
			/* a delayed wake-up preemption comes due */
			struct sim_thread *t = &s->t[cur];
			s->now = preempt_at;
			dqrr_charge(&t->d, s->now - start);
			t->ran += s->now - start;
			if (t->burst)
				t->burst_left -= s->now - start;
			push(s, cur, dqrr_requeue_front(&t->d));
			/* the wakee went to the front before: it must run first */
			if (s->nq > 1 && dqrr_requeue_front(&t->d)) {
				int tmp = s->q[0];
				s->q[0] = s->q[1];
				s->q[1] = tmp;
			}
			cur = -1;
			continue;
		}
		if (waker >= 0) {
			struct sim_thread *w = &s->t[waker];
			s->now = first;
			w->asleep = false;
			w->burst_left = w->burst;
			unsigned nr = runnable(s, cur >= 0) + 1;
			struct dqrr_wake r =
			    dqrr_wake(&s->cfg, nr, w->weight, &w->d, s->now, start, cur < 0);
			uint64_t bound = dqrr_quantum(&s->cfg, nr);
			uint64_t sl = dqrr_slice(&s->cfg, nr, w->weight);
			if (sl < bound)
				bound = sl;
			if (w->d.budget > bound && w->d.budget - bound > s->max_credit_excess)
				s->max_credit_excess = w->d.budget - bound;
			if (s->cfg.mode == SCHED_MODE_FIXED)
				assert_false(r.front || r.preempt);
			if (s->cfg.mode == SCHED_MODE_THROUGHPUT)
				assert_false(r.preempt);
			push(s, waker, r.front);
			w->woken = true;
			if (cur >= 0 && r.preempt) {
				struct sim_thread *t = &s->t[cur];
				dqrr_charge(&t->d, s->now - start);
				t->ran += s->now - start;
				if (t->burst)
					t->burst_left -= s->now - start;
				/* behind the wakee */
				int head = pop(s);
				push(s, cur, dqrr_requeue_front(&t->d));
				push(s, head, true);
				cur = -1;
			} else if (cur >= 0 && r.at && r.at < preempt_at) {
				preempt_at = r.at;
			}
			continue;
		}
		if (cur < 0)
			continue;
		/* the current thread stops: end of budget or of its burst */
		struct sim_thread *t = &s->t[cur];
		uint64_t ran = stop - start;
		s->now = stop;
		dqrr_charge(&t->d, ran);
		t->ran += ran;
		if (t->burst) {
			t->burst_left -= ran;
			if (!t->burst_left) {
				dqrr_block(&s->cfg, &t->d, s->now);
				t->asleep = true;
				t->wake_at = s->now + t->nap;
				cur = -1;
				continue;
			}
		}
		push(s, cur, dqrr_requeue_front(&t->d));
		cur = -1;
	}
}

static const struct sched_params latency = {
    .target_latency_ns = 20 * MS, .min_quantum_ns = 1 * MS, .max_quantum_ns = 20 * MS};

static void expect_shares(const struct sim *s, const uint32_t *w, unsigned n, double tol)
{
	uint64_t total = 0, wsum = 0;
	for (unsigned i = 0; i < n; i++) {
		total += s->t[i].ran;
		wsum += w[i];
	}
	for (unsigned i = 0; i < n; i++) {
		double want = (double)w[i] / (double)wsum,
		       got = (double)s->t[i].ran / (double)total;
		double err = got > want ? got / want - 1 : 1 - got / want;
		if (err > tol)
			fail_msg("thread %u (weight %u): share %.4f, want %.4f", i, w[i], got,
			         want);
	}
}

/* Hogs of weights 1:2:4 get 1:2:4 of the CPU within 5%, whatever the quantum clamps. */
static void test_weights_124(void **state)
{
	(void)state;
	static const struct sched_params tight[] = {
	    {20 * MS, 1 * MS, 20 * MS, SCHED_MODE_LATENCY, 0},
	    {20 * MS, 10 * MS, 20 * MS, SCHED_MODE_LATENCY, 0}, /* min clamps */
	    {200 * MS, 1 * MS, 5 * MS, SCHED_MODE_LATENCY, 0}, /* max clamps */
	    {20 * MS, 1 * MS, 20 * MS, SCHED_MODE_THROUGHPUT, 0},
	};
	for (unsigned k = 0; k < sizeof(tight) / sizeof(tight[0]); k++) {
		static struct sim s;
		sim_init(&s, &tight[k]);
		uint32_t w[3] = {100, 200, 400};
		for (unsigned i = 0; i < 3; i++)
			add(&s, w[i], 0, 0);
		run(&s, 10000 * MS);
		expect_shares(&s, w, 3, 0.05);
	}
	/* small weights too: 1, 2, 4 */
	static struct sim s;
	sim_init(&s, &latency);
	uint32_t w[3] = {1, 2, 4};
	for (unsigned i = 0; i < 3; i++)
		add(&s, w[i], 0, 0);
	run(&s, 1000 * MS);
	expect_shares(&s, w, 3, 0.05);
}

/* Hogs and sleepers of mixed weights: every thread runs, and none waits in the
 * queue longer than every other thread's full slice plus its credit. */
static void test_no_starvation(void **state)
{
	(void)state;
	static struct sim s;
	sim_init(&s, &latency);
	static const uint32_t w[] = {1, 100, 100, 400, 10000, 50, 100, 3};
	for (unsigned i = 0; i < 8; i++)
		add(&s, w[i], i % 2 ? 0 : (i + 1) * 37 * US, (i + 1) * 300 * US);
	run(&s, 20000 * MS);
	uint64_t bound = 0;
	for (unsigned i = 0; i < s.n; i++)
		bound += dqrr_slice(&s.cfg, 1, s.t[i].weight) + s.cfg.max;
	for (unsigned i = 0; i < s.n; i++) {
		assert_true(s.t[i].ran > 0);
		if (s.t[i].max_wait > bound)
			fail_msg("thread %u waited %llu ns (bound %llu)", i,
			         (unsigned long long)s.t[i].max_wait, (unsigned long long)bound);
	}
	assert_int_equal(s.max_credit_excess, 0);
}

/* q stays in [min, max] for any number of threads; a slice is q * w / 100. */
static void test_quantum_bounds(void **state)
{
	(void)state;
	static const struct sched_params ps[] = {
	    {20 * MS, 1 * MS, 20 * MS, SCHED_MODE_LATENCY, 0},
	    {SCHED_LATENCY_CEIL_NS, SCHED_QUANTUM_FLOOR_NS, SCHED_QUANTUM_CEIL_NS,
	     SCHED_MODE_LATENCY, 0},
	    {SCHED_QUANTUM_FLOOR_NS, SCHED_QUANTUM_FLOOR_NS, SCHED_QUANTUM_FLOOR_NS,
	     SCHED_MODE_THROUGHPUT, 0},
	    {SCHED_LATENCY_CEIL_NS, SCHED_QUANTUM_CEIL_NS, SCHED_QUANTUM_CEIL_NS,
	     SCHED_MODE_THROUGHPUT, 0},
	};
	for (unsigned k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		struct dqrr_cfg c;
		dqrr_config(&ps[k], &c);
		for (unsigned nr = 0; nr < 5000; nr = nr * 3 / 2 + 1) {
			uint64_t q = dqrr_quantum(&c, nr);
			assert_true(q >= ps[k].min_quantum_ns && q <= ps[k].max_quantum_ns);
			assert_true(q >= c.min && q <= c.max);
			for (uint32_t wt = SCHED_WEIGHT_MIN; wt <= SCHED_WEIGHT_MAX;
			     wt = wt * 7 + 1) {
				uint64_t sl = dqrr_slice(&c, nr, wt);
				uint64_t want = q * wt / SCHED_WEIGHT_DEFAULT;
				assert_int_equal(sl, want ? want : 1);
			}
		}
	}
	/* the formula: 20 ms / 4 = 5 ms; 20 ms / 100 -> min 1 ms; 20 ms / 1 -> max */
	struct dqrr_cfg c;
	dqrr_config(&latency, &c);
	assert_int_equal(dqrr_quantum(&c, 4), 5 * MS);
	assert_int_equal(dqrr_quantum(&c, 100), 1 * MS);
	assert_int_equal(dqrr_quantum(&c, 1), 20 * MS);
	assert_int_equal(dqrr_slice(&c, 4, 400), 20 * MS);
}

/* Credit: at most min(q, slice); a thread that used its turn and slept long
 * gets a full one; FIXED keeps none. */
static void test_credit_bounds(void **state)
{
	(void)state;
	struct dqrr_cfg c;
	dqrr_config(&latency, &c);
	struct dqrr_thread t = {0};
	dqrr_switch_in(&c, 2, 100, &t);
	assert_int_equal(t.budget, 10 * MS);
	dqrr_charge(&t, 3 * MS);
	dqrr_block(&c, &t, 100 * MS);
	struct dqrr_wake w = dqrr_wake(&c, 2, 100, &t, 100 * MS + 10, 0, false);
	assert_int_equal(t.budget, 7 * MS + 10); /* left + slept */
	assert_true(w.front && w.preempt);
	dqrr_block(&c, &t, 200 * MS);
	dqrr_wake(&c, 2, 100, &t, 10000 * MS, 0, false);
	assert_int_equal(t.budget, 10 * MS); /* capped at q */
	dqrr_block(&c, &t, 10000 * MS);
	dqrr_wake(&c, 2, 1, &t, 20000 * MS, 0, false);
	assert_int_equal(t.budget, 100 * US); /* capped at a weight-1 slice */
	/* a hog that blocks for 1 us gets 1 us of credit, and no early preemption */
	t.budget = 0;
	dqrr_block(&c, &t, 5 * MS);
	w = dqrr_wake(&c, 2, 100, &t, 5 * MS + 1000, 5 * MS, false);
	assert_int_equal(t.budget, 1000);
	assert_true(w.front && !w.preempt && w.at == 6 * MS);
	/* a sleeper preempts a thread that has just started */
	dqrr_block(&c, &t, 0);
	w = dqrr_wake(&c, 2, 100, &t, 50 * MS, 50 * MS - 10, false);
	assert_true(w.front && w.preempt);
	/* FIXED: nothing kept, tail, never preempts */
	struct sched_params fp = latency;
	fp.mode = SCHED_MODE_FIXED;
	dqrr_config(&fp, &c);
	t = (struct dqrr_thread){0};
	assert_int_equal(dqrr_switch_in(&c, 5, 400, &t), 20 * MS);
	dqrr_charge(&t, 1 * MS);
	dqrr_block(&c, &t, 1 * MS);
	w = dqrr_wake(&c, 5, 400, &t, 100 * MS, 0, false);
	assert_int_equal(t.budget, 0);
	assert_false(w.front || w.preempt || w.at);
}

/* FIXED is the old round robin: every turn max_quantum, weights ignored. */
static void test_fixed(void **state)
{
	(void)state;
	static struct sim s;
	struct sched_params p = latency;
	p.mode = SCHED_MODE_FIXED;
	p.max_quantum_ns = 10 * MS;
	sim_init(&s, &p);
	uint32_t w[3] = {100, 200, 400}, eq[3] = {1, 1, 1};
	for (unsigned i = 0; i < 3; i++)
		add(&s, w[i], 0, 0);
	run(&s, 3000 * MS);
	expect_shares(&s, eq, 3, 0.01);
	assert_int_equal(s.min_fresh_budget, 10 * MS);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(s.t[i].max_wait, 20 * MS); /* the two others' turns */
}

/* A thread that sleeps 1 ms and runs 20 us, among 4 hogs: in LATENCY mode it
 * waits for nothing; in FIXED mode it waits up to the other turns. */
static void test_sleeper_latency(void **state)
{
	(void)state;
	static struct sim s;
	sim_init(&s, &latency);
	add(&s, 100, 20 * US, 1 * MS);
	for (unsigned i = 0; i < 4; i++)
		add(&s, 100, 0, 0);
	run(&s, 5000 * MS);
	assert_true(s.t[0].wakes > 1000);
	assert_int_equal(s.t[0].max_wake_wait, 0);
	struct sched_params fp = latency;
	fp.mode = SCHED_MODE_FIXED;
	sim_init(&s, &fp);
	add(&s, 100, 20 * US, 1 * MS);
	for (unsigned i = 0; i < 4; i++)
		add(&s, 100, 0, 0);
	run(&s, 5000 * MS);
	assert_true(s.t[0].max_wake_wait >= 40 * MS);
	/* and the hogs still share evenly in LATENCY mode */
	sim_init(&s, &latency);
	add(&s, 100, 20 * US, 1 * MS);
	for (unsigned i = 0; i < 4; i++)
		add(&s, 100, 0, 0);
	run(&s, 5000 * MS);
	uint32_t eq[4] = {1, 1, 1, 1};
	struct sim *hogs = &s;
	memmove(&hogs->t[0], &hogs->t[1], 4 * sizeof(hogs->t[0]));
	expect_shares(hogs, eq, 4, 0.05);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weights_124),    cmocka_unit_test(test_no_starvation),
	    cmocka_unit_test(test_quantum_bounds), cmocka_unit_test(test_credit_bounds),
	    cmocka_unit_test(test_fixed),          cmocka_unit_test(test_sleeper_latency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
