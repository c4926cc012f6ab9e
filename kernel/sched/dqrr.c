/*
 * dqrr.c - the Dynamic Quantum Round Robin policy (dqrr.h, docs/scheduler.md).
 */
#include <sched/dqrr.h>

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void dqrr_config(const struct sched_params *p, struct dqrr_cfg *out)
{
	*out = (struct dqrr_cfg){
	    .target = p->target_latency_ns,
	    .min = p->min_quantum_ns,
	    .max = p->max_quantum_ns,
	    .mode = p->mode,
	};
	if (p->mode == SCHED_MODE_THROUGHPUT) {
		out->target *= 2; /* <= 2 * SCHED_LATENCY_CEIL_NS: no overflow */
		out->min = min_u64(out->min * 2, out->max);
	}
}

uint64_t dqrr_quantum(const struct dqrr_cfg *c, unsigned nr)
{
	if (c->mode == SCHED_MODE_FIXED)
		return c->max;
	uint64_t q = c->target / (nr ? nr : 1);
	if (q < c->min)
		q = c->min;
	if (q > c->max)
		q = c->max;
	return q;
}

uint64_t dqrr_slice(const struct dqrr_cfg *c, unsigned nr, uint32_t weight)
{
	if (c->mode == SCHED_MODE_FIXED)
		return c->max ? c->max : 1;
	/* q <= SCHED_QUANTUM_CEIL_NS, weight <= SCHED_WEIGHT_MAX: no overflow */
	uint64_t s = dqrr_quantum(c, nr) * weight / SCHED_WEIGHT_DEFAULT;
	return s ? s : 1;
}

uint64_t dqrr_switch_in(const struct dqrr_cfg *c, unsigned nr, uint32_t weight,
                        struct dqrr_thread *t)
{
	if (!t->budget)
		t->budget = dqrr_slice(c, nr, weight);
	return t->budget;
}

struct dqrr_wake dqrr_wake(const struct dqrr_cfg *c, unsigned nr, uint32_t weight,
                           struct dqrr_thread *t, uint64_t now, uint64_t cur_start, bool cur_idle)
{
	struct dqrr_wake w = {0};
	if (c->mode == SCHED_MODE_FIXED) {
		t->budget = 0;
		return w;
	}
	/* credit: what is left of its turn plus the time it spent blocked, at
	   most q and at most its own slice */
	uint64_t q = min_u64(dqrr_quantum(c, nr), dqrr_slice(c, nr, weight));
	uint64_t slept = now > t->blocked_at ? now - t->blocked_at : 0;
	uint64_t credit = min_u64(t->budget + min_u64(slept, q), q);
	t->budget = credit;
	if (!credit)
		return w;
	w.front = true;
	if (c->mode != SCHED_MODE_LATENCY || cur_idle)
		return w;
	/*
	 * Preempt at once when the credit is at least a minimum quantum (a thread
	 * that slept at least that long) or the running thread has had a minimum
	 * quantum; else once it has: a hog that blocks briefly gets little credit
	 * and cannot cut in before min, a sleeper wakes promptly.
	 */
	uint64_t ran = now > cur_start ? now - cur_start : 0;
	if (ran >= c->min || credit >= c->min)
		w.preempt = true;
	else
		w.at = cur_start + c->min;
	return w;
}
