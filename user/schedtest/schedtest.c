/*
 * schedtest - the scheduler's actions from user space (VM test suite "schedtest_*";
 * include/abi/sched.h, docs/scheduler.md).
 *
 * Exec grants the scheduler's control as "sched" (INSPECT, MANAGE, DUPLICATE,
 * TRANSFER). The tests check the tunables' round trip and every bound of
 * SYS_SCHED_SET, that setting needs RIGHT_MANAGE (a derived INSPECT-only copy
 * is refused), that a weight above the default needs the control, that a
 * thread's weight and affinity show in SYS_THREAD_INFO, that a mask naming no
 * online CPU is refused, the per-CPU statistics, and (SMP) that a thread
 * pinned to another CPU than the one it runs on moves there, and that a
 * thread running alone on its CPU (no tick) has its time accounted on read. Tunables changed
 * by a test are put back before it returns: the rest of the system runs under
 * them meanwhile, so the values tried are harmless ones (short quanta, never
 * long ones).
 *
 * Nothing here depends on timing: the pinned thread sleeps and yields a fixed
 * number of times, each a switch at which a thread moves to its mask.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/sched.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>
#include <charlotte/thread.h>

#define US 1000ull
#define MS 1000000ull
#define STACK_SIZE 16384u
#define KERNEL_ADDR 0xffff800000001000ull

static handle_t h_sched, h_log;
static struct sched_params orig; /* the tunables at our start, put back by every test */
static _Alignas(16) char stacks[2][STACK_SIZE];

/* --- a thread that runs rounds of switches when asked, until told to end --- */

struct worker {
	volatile int go; /* 2: end */
	volatile unsigned asked, done; /* rounds asked for and run */
	unsigned switches; /* sleeps and yields a round */
};

static int worker_main(void *arg)
{
	struct worker *w = arg;
	while (w->go != 2) {
		if (w->done == w->asked) {
			ch_sleep_ns(100 * US);
			continue;
		}
		for (unsigned i = 0; i < w->switches; i++) {
			if (i & 1)
				ch_yield();
			else
				ch_sleep_ns(100 * US);
		}
		w->done++;
	}
	return 0;
}

/* Have it run a round; wait for the end of it. */
static void worker_round(struct worker *w)
{
	unsigned want = ++w->asked;
	while (w->done != want)
		ch_sleep_ns(MS);
}

static long worker_start(struct worker *w, unsigned slot, unsigned switches, handle_t *out)
{
	memset(w, 0, sizeof(*w));
	w->switches = switches;
	return ch_thread_spawn(worker_main, w, stacks[slot], STACK_SIZE, out);
}

/* Tell it to end and wait for it; drop its handle. */
static void worker_end(struct worker *w, handle_t t)
{
	w->go = 2;
	ch_thread_wait(t, CH_FOREVER, NULL);
	ch_cap_drop(t);
}

/* Whether cpu is online (its statistics can be read). */
static bool cpu_online(unsigned cpu)
{
	struct sched_cpu_stats st;
	return ch_sched_cpu_stats(h_sched, cpu, &st) == 0;
}

static struct sched_params params(uint64_t latency, uint64_t min, uint64_t max, uint32_t mode)
{
	return (struct sched_params){.target_latency_ns = latency,
	                             .min_quantum_ns = min,
	                             .max_quantum_ns = max,
	                             .mode = mode};
}

/* --- the tests --- */

static void test_grant_rights(void)
{
	struct cap_info ci;
	EXPECT_OK(ch_cap_inspect(h_sched, &ci));
	CHECK(ci.type == OBJ_SCHED, "type %u, want OBJ_SCHED", ci.type);
	uint64_t want = RIGHT_INSPECT | RIGHT_MANAGE | RIGHT_DUPLICATE | RIGHT_TRANSFER;
	CHECK(ci.rights == want, "rights %#llx, want %#llx", (unsigned long long)ci.rights,
	      (unsigned long long)want);
}

static void test_params_round_trip(void)
{
	struct sched_params p, got;
	EXPECT_OK(ch_sched_get(h_sched, &p));
	CHECK(memcmp(&p, &orig, sizeof(p)) == 0, "the tunables changed under us");
	/* different in every field, and harmless: 100 us quanta for a moment */
	struct sched_params want =
	    params(orig.target_latency_ns == 4 * MS ? 5 * MS : 4 * MS, SCHED_QUANTUM_FLOOR_NS,
	           2 * SCHED_QUANTUM_FLOOR_NS,
	           orig.mode == SCHED_MODE_THROUGHPUT ? SCHED_MODE_LATENCY : SCHED_MODE_THROUGHPUT);
	EXPECT_OK(ch_sched_set(h_sched, &want));
	long r = ch_sched_get(h_sched, &got);
	EXPECT_OK(ch_sched_set(h_sched, &orig));
	EXPECT_OK(r);
	CHECK(memcmp(&got, &want, sizeof(got)) == 0,
	      "got latency %llu min %llu max %llu mode %u, want %llu %llu %llu %u",
	      (unsigned long long)got.target_latency_ns, (unsigned long long)got.min_quantum_ns,
	      (unsigned long long)got.max_quantum_ns, got.mode,
	      (unsigned long long)want.target_latency_ns, (unsigned long long)want.min_quantum_ns,
	      (unsigned long long)want.max_quantum_ns, want.mode);
	EXPECT_OK(ch_sched_get(h_sched, &got));
	CHECK(memcmp(&got, &orig, sizeof(got)) == 0, "not put back");
	/* hostile pointers */
	EXPECT_ERR(ch_sched_get(h_sched, (struct sched_params *)KERNEL_ADDR), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_sched_set(h_sched, (const struct sched_params *)KERNEL_ADDR),
	           ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_sched_get(h_sched, NULL), ERR_BAD_ADDRESS);
}

static void test_set_refused(void)
{
	handle_t ro, none;
	struct sched_params p;
	EXPECT_OK(ch_cap_derive(h_sched, RIGHT_INSPECT, 0, &ro));
	EXPECT_OK(ch_cap_derive(h_sched, 0, 0, &none));
	long set_ro = ch_sched_set(ro, &orig);
	long get_ro = ch_sched_get(ro, &p);
	long stats_ro = ch_sched_cpu_stats(ro, 0, &(struct sched_cpu_stats){0});
	long get_none = ch_sched_get(none, &p);
	long stats_none = ch_sched_cpu_stats(none, 0, &(struct sched_cpu_stats){0});
	long set_log = ch_sched_set(h_log, &orig);
	ch_cap_drop(ro);
	ch_cap_drop(none);
	EXPECT_ERR(set_ro, ERR_ACCESS_DENIED);
	EXPECT_OK(get_ro);
	EXPECT_OK(stats_ro);
	EXPECT_ERR(get_none, ERR_ACCESS_DENIED);
	EXPECT_ERR(stats_none, ERR_ACCESS_DENIED);
	EXPECT_ERR(set_log, ERR_WRONG_TYPE);
	EXPECT_ERR(ch_sched_set(HANDLE_INVALID, &orig), ERR_BAD_HANDLE);
	EXPECT_OK(ch_sched_get(h_sched, &p));
	CHECK(memcmp(&p, &orig, sizeof(p)) == 0, "a refused set changed the tunables");
}

static void test_set_bad_params(void)
{
	const uint64_t f = SCHED_QUANTUM_FLOOR_NS, c = SCHED_QUANTUM_CEIL_NS;
	const uint64_t lc = SCHED_LATENCY_CEIL_NS;
	const struct {
		const char *what;
		struct sched_params p;
	} bad[] = {
	    {"min below the floor", params(4 * MS, f - 1, 4 * MS, SCHED_MODE_LATENCY)},
	    {"min 0", params(4 * MS, 0, 4 * MS, SCHED_MODE_LATENCY)},
	    {"min above max", params(4 * MS, 2 * MS, 2 * MS - 1, SCHED_MODE_LATENCY)},
	    {"max above the ceiling", params(4 * MS, f, c + 1, SCHED_MODE_LATENCY)},
	    {"max huge", params(4 * MS, f, UINT64_MAX, SCHED_MODE_LATENCY)},
	    {"latency below min", params(MS - 1, MS, 2 * MS, SCHED_MODE_LATENCY)},
	    {"latency above its ceiling", params(lc + 1, f, 4 * MS, SCHED_MODE_LATENCY)},
	    {"latency huge", params(UINT64_MAX, f, 4 * MS, SCHED_MODE_LATENCY)},
	    {"mode 3", params(4 * MS, f, 4 * MS, SCHED_MODE_FIXED + 1)},
	    {"mode huge", params(4 * MS, f, 4 * MS, UINT32_MAX)},
	    {"all zero", params(0, 0, 0, 0)},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long r = ch_sched_set(h_sched, &bad[i].p);
		if (r == 0)
			ch_sched_set(h_sched, &orig);
		CHECK(r == ERR_INVALID_ARGS, "%s: got %s, want ERR_INVALID_ARGS", bad[i].what,
		      ch_error_name(r));
	}
	struct sched_params p = params(4 * MS, f, 4 * MS, SCHED_MODE_LATENCY);
	p.reserved = 1;
	long r = ch_sched_set(h_sched, &p);
	if (r == 0)
		ch_sched_set(h_sched, &orig);
	EXPECT_ERR(r, ERR_INVALID_ARGS);
	struct sched_params now;
	EXPECT_OK(ch_sched_get(h_sched, &now));
	CHECK(memcmp(&now, &orig, sizeof(now)) == 0, "a refused set changed the tunables");
}

/* The bounds themselves are allowed (with quanta kept short while they hold). */
static void test_set_bounds_accepted(void)
{
	const uint64_t f = SCHED_QUANTUM_FLOOR_NS;
	const struct {
		const char *what;
		struct sched_params p;
	} ok[] = {
	    {"everything at the floor", params(f, f, f, SCHED_MODE_LATENCY)},
	    {"max at the ceiling", params(f, f, SCHED_QUANTUM_CEIL_NS, SCHED_MODE_LATENCY)},
	    {"latency at its ceiling", params(SCHED_LATENCY_CEIL_NS, f, f, SCHED_MODE_LATENCY)},
	    {"fixed", params(f, f, f, SCHED_MODE_FIXED)},
	};
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		long r = ch_sched_set(h_sched, &ok[i].p);
		struct sched_params got = {0};
		ch_sched_get(h_sched, &got);
		ch_sched_set(h_sched, &orig);
		CHECK(r == 0, "%s: %s", ok[i].what, ch_error_name(r));
		CHECK(memcmp(&got, &ok[i].p, sizeof(got)) == 0, "%s: not what was set", ok[i].what);
	}
}

static void test_weight_needs_control(void)
{
	struct worker w;
	handle_t t, ro;
	EXPECT_OK(worker_start(&w, 0, 0, &t));
	EXPECT_OK(ch_cap_derive(h_sched, RIGHT_INSPECT, 0, &ro));
	long up_none = ch_thread_set_sched(t, SCHED_WEIGHT_DEFAULT + 1, 0, HANDLE_INVALID);
	long up_ro = ch_thread_set_sched(t, SCHED_WEIGHT_MAX, 0, ro);
	long up_log = ch_thread_set_sched(t, SCHED_WEIGHT_MAX, 0, h_log);
	long too_big = ch_thread_set_sched(t, SCHED_WEIGHT_MAX + 1, 0, h_sched);
	long huge = ch_syscall3(SYS_THREAD_SET_SCHED, t, 1ull << 32 | 50, 0, HANDLE_INVALID);
	long dflt = ch_thread_set_sched(t, SCHED_WEIGHT_DEFAULT, 0, HANDLE_INVALID);
	long down = ch_thread_set_sched(t, SCHED_WEIGHT_MIN, 0, HANDLE_INVALID);
	struct thread_info mid;
	long info_mid = ch_thread_info(t, &mid);
	long up = ch_thread_set_sched(t, SCHED_WEIGHT_MAX, 0, h_sched);
	struct thread_info end;
	long info_end = ch_thread_info(t, &end);
	/* a thread handle without MANAGE cannot be set */
	handle_t weak;
	long weak_set = ERR_NO_MEMORY;
	if (ch_cap_derive(t, RIGHT_INSPECT, 0, &weak) == 0) {
		weak_set = ch_thread_set_sched(weak, 50, 0, HANDLE_INVALID);
		ch_cap_drop(weak);
	}
	ch_cap_drop(ro);
	worker_end(&w, t);
	EXPECT_ERR(up_none, ERR_ACCESS_DENIED);
	EXPECT_ERR(up_ro, ERR_ACCESS_DENIED);
	EXPECT_ERR(up_log, ERR_WRONG_TYPE);
	EXPECT_ERR(too_big, ERR_INVALID_ARGS);
	EXPECT_ERR(huge, ERR_INVALID_ARGS);
	EXPECT_OK(dflt);
	EXPECT_OK(down);
	EXPECT_OK(info_mid);
	CHECK(mid.weight == SCHED_WEIGHT_MIN, "weight %u after setting %u", mid.weight,
	      SCHED_WEIGHT_MIN);
	EXPECT_OK(up);
	EXPECT_OK(info_end);
	CHECK(end.weight == SCHED_WEIGHT_MAX, "weight %u after setting %u with the control",
	      end.weight, SCHED_WEIGHT_MAX);
	EXPECT_ERR(weak_set, ERR_ACCESS_DENIED);
}

static void test_thread_info_fields(void)
{
	struct worker w;
	handle_t t;
	struct thread_info before, after, kept;
	EXPECT_OK(worker_start(&w, 0, 0, &t));
	long r0 = ch_thread_info(t, &before);
	long r1 = ch_thread_set_sched(t, 37, 1, HANDLE_INVALID);
	long r2 = ch_thread_info(t, &after);
	long r3 = ch_thread_set_sched(t, 0, 0, HANDLE_INVALID); /* 0, 0: leaves both */
	long r4 = ch_thread_info(t, &kept);
	worker_end(&w, t);
	EXPECT_OK(r0);
	CHECK(before.weight == SCHED_WEIGHT_DEFAULT, "a new thread's weight is %u, want %u",
	      before.weight, SCHED_WEIGHT_DEFAULT);
	CHECK(before.affinity & 1, "a new thread's affinity %#llx leaves out CPU 0",
	      (unsigned long long)before.affinity);
	EXPECT_OK(r1);
	EXPECT_OK(r2);
	CHECK(after.weight == 37 && after.affinity == 1, "weight %u affinity %#llx, want 37 0x1",
	      after.weight, (unsigned long long)after.affinity);
	EXPECT_OK(r3);
	EXPECT_OK(r4);
	CHECK(kept.weight == 37 && kept.affinity == 1,
	      "after 0, 0: weight %u affinity %#llx, want 37 0x1", kept.weight,
	      (unsigned long long)kept.affinity);
}

static void test_affinity_offline_refused(void)
{
	CHECK(!cpu_online(63), "CPU 63 is online: cannot name an offline one");
	struct worker w;
	handle_t t;
	struct thread_info info;
	EXPECT_OK(worker_start(&w, 0, 0, &t));
	long r1 = ch_thread_set_sched(t, 0, 1ull << 63, HANDLE_INVALID);
	/* a refused call changes nothing, the weight included */
	long r2 = ch_thread_set_sched(t, 50, 1ull << 63, HANDLE_INVALID);
	long r3 = ch_thread_info(t, &info);
	worker_end(&w, t);
	EXPECT_ERR(r1, ERR_INVALID_ARGS);
	EXPECT_ERR(r2, ERR_INVALID_ARGS);
	EXPECT_OK(r3);
	CHECK(info.weight == SCHED_WEIGHT_DEFAULT, "weight %u after a refused call", info.weight);
	CHECK(info.affinity != 1ull << 63, "the refused mask was kept");
}

static void test_ended_thread(void)
{
	struct worker w;
	handle_t t;
	EXPECT_OK(worker_start(&w, 0, 0, &t));
	w.go = 2;
	EXPECT_OK(ch_thread_wait(t, CH_FOREVER, NULL));
	long r = ch_thread_set_sched(t, 50, 0, HANDLE_INVALID);
	ch_cap_drop(t);
	EXPECT_ERR(r, ERR_BAD_STATE);
}

static void test_cpu_stats(void)
{
	struct sched_cpu_stats st;
	memset(&st, 0xa5, sizeof(st));
	EXPECT_OK(ch_sched_cpu_stats(h_sched, 0, &st));
	CHECK(st.reserved == 0, "reserved is %#x", st.reserved);
	EXPECT_ERR(ch_sched_cpu_stats(h_sched, 63, &st), ERR_NOT_FOUND);
	EXPECT_ERR(ch_syscall2(SYS_SCHED_CPU_STATS, h_sched, 1ull << 32, (uint64_t)(uintptr_t)&st),
	           ERR_NOT_FOUND);
	EXPECT_ERR(ch_syscall2(SYS_SCHED_CPU_STATS, h_sched, UINT64_MAX, (uint64_t)(uintptr_t)&st),
	           ERR_NOT_FOUND);
	EXPECT_ERR(ch_sched_cpu_stats(h_sched, 0, (struct sched_cpu_stats *)KERNEL_ADDR),
	           ERR_BAD_ADDRESS);
	/* every online CPU answers, and they are numbered from 0 without holes */
	unsigned n = 0;
	while (n < 64 && cpu_online(n))
		n++;
	for (unsigned cpu = n; cpu < 64; cpu++)
		CHECK(!cpu_online(cpu), "CPU %u online after offline CPU %u", cpu, n);
}

/*
 * SMP: a thread pinned to CPU 1 runs there (it moves at its next switch). So
 * that a scheduler that ignores the mask cannot pass by luck, the thread is
 * pinned away from the CPU it was found running on: CPU 1, or CPU 0 if it was
 * on CPU 1 already; it must then run there, twice over.
 */
static void test_affinity_honoured(void)
{
	if (!cpu_online(1)) {
		ch_test_not_applicable("one CPU");
		return;
	}
	struct worker w;
	handle_t t;
	struct thread_info first, info[2];
	EXPECT_OK(worker_start(&w, 1, 20, &t));
	worker_round(&w);
	long r0 = ch_thread_info(t, &first);
	unsigned target = r0 == 0 && first.cpu == 1 ? 0 : 1;
	long r = ch_thread_set_sched(t, 0, 1ull << target, HANDLE_INVALID);
	long ri[2] = {ERR_BAD_STATE, ERR_BAD_STATE};
	for (int k = 0; k < 2 && r == 0; k++) {
		worker_round(&w);
		ri[k] = ch_thread_info(t, &info[k]);
	}
	worker_end(&w, t);
	EXPECT_OK(r0);
	EXPECT_OK(r);
	EXPECT_OK(ri[0]);
	EXPECT_OK(ri[1]);
	CHECK(info[1].affinity == 1ull << target, "affinity %#llx, want %#llx",
	      (unsigned long long)info[1].affinity, 1ull << target);
	for (int k = 0; k < 2; k++)
		CHECK(info[k].cpu == target,
		      "found on CPU %u, pinned to CPU %u, it last ran on CPU %u after round %d "
		      "(affinity not honoured)",
		      first.cpu, target, info[k].cpu, k + 1);
}

/*
 * SMP: a thread running alone on its CPU takes no scheduler tick, so no
 * switch accounts its time while it runs; a reader's SYS_THREAD_INFO (and
 * the process's status) must still see it (sched_account_group()). A spinner
 * pinned to CPU 1 is read from a reader pinned to CPU 0 over 200 ms: its
 * CPU time must grow by at least a quarter of that (all of it when CPU 1 has
 * nothing else to run; it is time on the guest's clock, not work done, so a
 * loaded host does not change it). Without the accounting on read it grows
 * by nothing.
 */
struct lone {
	volatile int pinned, stop;
	handle_t spinner;
	long r0, r1, rp0, rp1;
	struct thread_info a, b;
	struct proc_status pa, pb;
	int64_t ta, tb;
};

static int lone_spin(void *arg)
{
	struct lone *l = arg;
	while (!l->pinned)
		ch_sleep_ns(100 * US); /* a switch: it moves to its mask */
	ch_sleep_ns(100 * US);
	while (!l->stop)
		;
	return 0;
}

static int lone_read(void *arg)
{
	struct lone *l = arg;
	while (!l->pinned)
		ch_sleep_ns(100 * US);
	ch_sleep_ns(5 * MS); /* both on their CPUs by now */
	l->rp0 = ch_proc_status(ch_handle("self.process"), &l->pa);
	l->r0 = ch_thread_info(l->spinner, &l->a);
	l->ta = ch_clock_ns();
	ch_sleep_ns(200 * MS);
	l->r1 = ch_thread_info(l->spinner, &l->b);
	l->tb = ch_clock_ns();
	l->rp1 = ch_proc_status(ch_handle("self.process"), &l->pb);
	return 0;
}

static void test_lone_thread_accounted(void)
{
	if (!cpu_online(1)) {
		ch_test_not_applicable("one CPU");
		return;
	}
	static struct lone l;
	memset(&l, 0, sizeof(l));
	handle_t reader;
	EXPECT_OK(ch_thread_spawn(lone_spin, &l, stacks[0], STACK_SIZE, &l.spinner));
	EXPECT_OK(ch_thread_spawn(lone_read, &l, stacks[1], STACK_SIZE, &reader));
	long s1 = ch_thread_set_sched(l.spinner, 0, 1ull << 1, HANDLE_INVALID);
	long s0 = ch_thread_set_sched(reader, 0, 1ull << 0, HANDLE_INVALID);
	l.pinned = 1;
	ch_thread_wait(reader, CH_FOREVER, NULL);
	l.stop = 1;
	ch_thread_wait(l.spinner, CH_FOREVER, NULL);
	ch_cap_drop(reader);
	ch_cap_drop(l.spinner);
	EXPECT_OK(s1);
	EXPECT_OK(s0);
	EXPECT_OK(l.r0);
	EXPECT_OK(l.r1);
	EXPECT_OK(l.rp0);
	EXPECT_OK(l.rp1);
	uint64_t elapsed = (uint64_t)(l.tb - l.ta), ran = l.b.cpu_ns - l.a.cpu_ns;
	CHECK(l.b.cpu == 1, "the spinner last ran on CPU %u, pinned to CPU 1", l.b.cpu);
	CHECK(ran >= elapsed / 4,
	      "the spinner's CPU time grew by %llu ns in %llu ns on CPU 1 (not accounted while "
	      "it runs alone)",
	      (unsigned long long)ran, (unsigned long long)elapsed);
	CHECK(l.pb.cpu_ns - l.pa.cpu_ns >= elapsed / 4,
	      "the process's CPU time grew by %llu ns in %llu ns",
	      (unsigned long long)(l.pb.cpu_ns - l.pa.cpu_ns), (unsigned long long)elapsed);
}

/*
 * SMP: busy CPUs balance (kernel/sched/sched.c balance(), push()). Spinner S is
 * pinned to CPU 1 and runs there alone, so CPU 1 takes no tick and no
 * decision: it never pulls, and it is not idle, so it never steals. Spinners
 * A, B, C start pinned to CPU 0 and are then allowed CPUs 0 and 1: only CPU
 * 0's balancing, pushing one of them to the shorter CPU 1, can move one. The
 * wait for that is a watchdog (10 s of guest time), not a deadline: it
 * happens within a few balance intervals (10 ms each).
 */
static _Alignas(16) char spin_stacks[4][STACK_SIZE];
static volatile int spin_go, spin_stop;

static int balance_spin(void *arg)
{
	(void)arg;
	while (!spin_go)
		ch_sleep_ns(100 * US); /* a switch: it moves to its mask */
	while (!spin_stop)
		;
	return 0;
}

static void test_busy_cpus_balance(void)
{
	if (!cpu_online(1)) {
		ch_test_not_applicable("one CPU");
		return;
	}
	handle_t t[4];
	long r[4], rs = 0;
	spin_go = spin_stop = 0;
	for (int i = 0; i < 4; i++) {
		r[i] = ch_thread_spawn(balance_spin, NULL, spin_stacks[i], STACK_SIZE, &t[i]);
		if (r[i] >= 0 && rs >= 0)
			rs = ch_thread_set_sched(t[i], 0, i == 0 ? 1ull << 1 : 1ull << 0,
			                         HANDLE_INVALID);
	}
	spin_go = 1;
	ch_sleep_ns(20 * MS); /* S alone on CPU 1, A, B, C on CPU 0 */
	for (int i = 1; i < 4 && rs >= 0; i++)
		rs = ch_thread_set_sched(t[i], 0, 3, HANDLE_INVALID);
	int moved = -1;
	unsigned s_cpu = 99;
	for (int k = 0; k < 2000 && moved < 0 && rs >= 0; k++) {
		ch_sleep_ns(5 * MS);
		struct thread_info ti;
		for (int i = 1; i < 4; i++)
			if (ch_thread_info(t[i], &ti) == 0 && ti.cpu == 1)
				moved = i;
	}
	struct thread_info si;
	if (ch_thread_info(t[0], &si) == 0)
		s_cpu = si.cpu;
	spin_stop = 1;
	for (int i = 0; i < 4; i++) {
		if (r[i] < 0)
			continue;
		ch_thread_wait(t[i], CH_FOREVER, NULL);
		ch_cap_drop(t[i]);
	}
	for (int i = 0; i < 4; i++)
		EXPECT_OK(r[i]);
	EXPECT_OK(rs);
	CHECK(s_cpu == 1, "the pinned spinner ran on CPU %u", s_cpu);
	CHECK(moved > 0,
	      "three spinners allowed CPUs 0 and 1 stayed on CPU 0 for 10 s while CPU 1 ran "
	      "one: busy CPUs do not balance");
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
    {"grant_rights", test_grant_rights},
    {"params_round_trip", test_params_round_trip},
    {"set_refused", test_set_refused},
    {"set_bad_params", test_set_bad_params},
    {"set_bounds_accepted", test_set_bounds_accepted},
    {"weight_needs_control", test_weight_needs_control},
    {"thread_info_fields", test_thread_info_fields},
    {"affinity_offline_refused", test_affinity_offline_refused},
    {"ended_thread", test_ended_thread},
    {"cpu_stats", test_cpu_stats},
    {"affinity_honoured", test_affinity_honoured},
    {"lone_thread_accounted", test_lone_thread_accounted},
    {"busy_cpus_balance", test_busy_cpus_balance},
};

static void run_all(void)
{
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		ch_test_run("schedtest_", tests[i].name, tests[i].fn);
}

int main(void)
{
	h_sched = ch_handle("sched");
	h_log = ch_handle("log");
	if (h_sched == HANDLE_INVALID || h_log == HANDLE_INVALID ||
	    ch_sched_get(h_sched, &orig) < 0) {
		printf("VMTEST FAIL schedtest_start_info: missing sched %x or log %x\n", h_sched,
		       h_log);
		return 1;
	}
	return ch_test_main(run_all);
}
