/*
 * fastrace.c - the races of the kbus register fast path (SYS_KBUS_CALL_FAST /
 * SYS_KBUS_REPLY_RECV_FAST, docs/kbus.md "Fast path"), driven through the user
 * ABI only, so that they judge whatever the kernel does underneath:
 *
 *   fast_kill_caller         the caller (a thread, a process) killed while the
 *                            server holds its call: the server's reply gets
 *                            ERR_PEER_CLOSED, the server serves the next caller,
 *                            the pool comes back to where it was
 *   fast_kill_server         the server (a thread, a process) killed while it holds
 *                            the call (the caller gets ERR_PEER_CLOSED, not its
 *                            timeout) or while parked (a parked sibling takes the
 *                            next calls; a dead server process's end is closed)
 *   fast_revoke_other_cpu    a derived capability revoked from another CPU while a
 *                            thread loops fast calls on it: each call completes or
 *                            is ERR_BAD_HANDLE, none succeeds once the revoke returned
 *   fast_revoke_flat         the same with calls that wait forever, which the kernel's
 *                            flat path serves from its cache of the last lookup: a
 *                            revoke that returned must end that cache's use too
 *   fast_timeout_race        calls with a short timeout against a server answering
 *                            around it: the reply reaches the caller exactly when
 *                            the server's reply succeeded, and only its own words
 *   fast_peer_closed_parked  parked servers see their peer close (every one of them,
 *                            also when the peer is a process that exits); a caller
 *                            sees the server's end close under its call
 *   fast_busy_server         calls from several threads while the server is busy or
 *                            blocked elsewhere: queued, answered in order, none lost
 *   fast_fpu_state           SSE, x87 and MXCSR state of client and server threads of
 *                            two processes intact across thousands of fast switches,
 *                            on one CPU and spread over several
 *   fast_many_servers        many parked servers, many callers: each call answered
 *                            exactly once with its own words
 *   fast_flat_record         a thread's flat call record, resting on a server end's
 *                            list between calls, leaves it when the thread moves to
 *                            another channel or parks, and a close passes it by
 *
 * Nothing is judged by time: loops of a fixed number of iterations, and timeouts
 * (FR_WAIT) only to turn a hang into a named failure. Every other such call
 * waits forever instead (fast_call4()): the kernel serves a call with a timeout
 * in C and one without by its flat path (kernel/kbus/flat.c), and each race
 * must hold on both. Threads are pinned with
 * SYS_THREAD_SET_SCHED when there are several CPUs; on one CPU the same tests
 * interleave through blocking and preemption. Worker threads report through
 * fr_bad() (the harness reports from the test's own thread only); every thread a
 * test starts is ended (killed after FR_WAIT at worst) before the test returns.
 */
#include "kbustest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/sched.h>
#include <charlotte/start.h>
#include <charlotte/thread.h>

#define FR_WAIT (10 * KT_SECOND) /* reaching it means something hangs */
#define FR_STACK 16384u
#define FR_MAXT 12u
#define FR_MAGIC UINT64_C(0xfa57ca11c0ffee00)

static uint8_t fr_stacks[FR_MAXT][FR_STACK] __attribute__((aligned(16)));
static handle_t fr_threads[FR_MAXT];
static unsigned fr_ncpu_cached;

/* --- failures from any thread --- */

static uint32_t fr_failed;
static char fr_msg[192];

static void fr_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fr_bad(const char *fmt, ...)
{
	uint32_t zero = 0;
	if (!__atomic_compare_exchange_n(&fr_failed, &zero, 1, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fr_msg, sizeof(fr_msg), fmt, ap);
	va_end(ap);
	__atomic_store_n(&fr_failed, 2, __ATOMIC_RELEASE);
}

static int fr_any_bad(void)
{
	return __atomic_load_n(&fr_failed, __ATOMIC_ACQUIRE) != 0;
}

/* The first worker failure becomes the test's (call from the test's thread). */
static void fr_collect(void)
{
	while (__atomic_load_n(&fr_failed, __ATOMIC_ACQUIRE) == 1)
		ch_yield(); /* its message is being written */
	if (fr_failed && !kt_failed())
		kt_fail("%s", fr_msg);
}

/* --- threads --- */

/* Online CPUs: the masks SYS_THREAD_SET_SCHED accepts (CPUs are numbered without holes). */
static unsigned fr_ncpu(void)
{
	if (fr_ncpu_cached)
		return fr_ncpu_cached;
	handle_t t; /* created, never started: only its mask is set */
	unsigned n = 1;
	if (ch_thread_create(kt_self, &t) < 0)
		return 1;
	while (n < 64 && ch_thread_set_sched(t, 0, UINT64_C(1) << n, HANDLE_INVALID) == 0)
		n++;
	ch_cap_drop(t);
	fr_ncpu_cached = n;
	return n;
}

void ch_thread_trampoline(void); /* libcharlotte: calls fn(arg), then exits with its value */

/*
 * Starts fn(arg) in thread slot (its stack fr_stacks[slot]), pinned before it
 * starts to CPU cpu % fr_ncpu() when cpu >= 0 and there are several CPUs.
 * Records a failure and returns nonzero if it cannot.
 */
static int fr_start(unsigned slot, int (*fn)(void *), void *arg, int cpu)
{
	handle_t t;
	long r = ch_thread_create(kt_self, &t);
	if (r < 0) {
		fr_bad("thread %u: %s", slot, ch_error_name(r));
		return 1;
	}
	unsigned n = fr_ncpu();
	if (cpu >= 0 && n > 1) {
		r = ch_thread_set_sched(t, 0, UINT64_C(1) << ((unsigned)cpu % n), HANDLE_INVALID);
		if (r < 0) {
			fr_bad("pin thread %u to CPU %u: %s", slot, (unsigned)cpu % n,
			       ch_error_name(r));
			ch_cap_drop(t);
			return 1;
		}
	}
	uint64_t sp = (uint64_t)(uintptr_t)(fr_stacks[slot] + FR_STACK);
	r = ch_thread_start(t, (uint64_t)(uintptr_t)ch_thread_trampoline, sp,
	                    (uint64_t)(uintptr_t)fn, (uint64_t)(uintptr_t)arg);
	if (r < 0) {
		fr_bad("start thread %u: %s", slot, ch_error_name(r));
		ch_cap_drop(t);
		return 1;
	}
	fr_threads[slot] = t;
	return 0;
}

/*
 * Waits for thread slot to end; a thread still running after FR_WAIT is killed
 * and reported as what. 0 when it ended by itself with code 0.
 */
static int fr_join(unsigned slot, const char *what)
{
	handle_t t = fr_threads[slot];
	int64_t code = 0;
	if (t == HANDLE_INVALID)
		return 0;
	fr_threads[slot] = HANDLE_INVALID;
	long r = ch_thread_wait(t, FR_WAIT, &code);
	if (r == ERR_TIMED_OUT) {
		ch_thread_kill(t);
		ch_thread_wait(t, KT_LONG, NULL);
		fr_bad("%s (thread %u) hung", what, slot);
	} else if (r < 0) {
		fr_bad("%s (thread %u): wait: %s", what, slot, ch_error_name(r));
	} else if (code != 0) {
		fr_bad("%s (thread %u) ended with %lld", what, slot, (long long)code);
	}
	ch_cap_drop(t);
	return r < 0 || code != 0;
}

/* Ends every thread a test started (a test's last step, on every path). */
static void fr_join_all(void)
{
	for (unsigned i = 0; i < FR_MAXT; i++)
		fr_join(i, "worker");
}

/* Kills thread slot and waits for it to end (nonzero, recorded, if it does not). */
static int fr_kill(unsigned slot, const char *what)
{
	handle_t t = fr_threads[slot];
	long r = ch_thread_kill(t);
	if (r < 0) {
		fr_bad("kill %s: %s", what, ch_error_name(r));
		return 1;
	}
	r = ch_thread_wait(t, FR_WAIT, NULL);
	if (r < 0) {
		fr_bad("%s, killed, still runs after %llu s (%s)", what,
		       (unsigned long long)(FR_WAIT / KT_SECOND), ch_error_name(r));
		return 1;
	}
	fr_threads[slot] = HANDLE_INVALID;
	ch_cap_drop(t);
	return 0;
}

/* Thread slot was killed by another thread: it must end (its exit code is the kill's). */
static void fr_reap_killed(unsigned slot, const char *what)
{
	handle_t t = fr_threads[slot];
	if (t == HANDLE_INVALID)
		return;
	if (fr_any_bad())
		ch_thread_kill(t); /* the killer may have given up */
	if (ch_thread_wait(t, FR_WAIT, NULL) < 0) {
		fr_bad("%s never ended", what);
		ch_thread_kill(t);
		ch_thread_wait(t, KT_LONG, NULL);
	}
	fr_threads[slot] = HANDLE_INVALID;
	ch_cap_drop(t);
}

static void fr_flag_set(uint32_t *f)
{
	__atomic_store_n(f, 1, __ATOMIC_RELEASE);
}

/* Waits (yielding: one CPU must do) until *p >= want; nonzero (recorded) after FR_WAIT. */
static int fr_await(const uint32_t *p, uint32_t want, const char *what)
{
	int64_t t0 = ch_clock_ns();
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < want) {
		if (fr_any_bad())
			return 1;
		if (ch_clock_ns() - t0 > (int64_t)FR_WAIT) {
			fr_bad("waited %llu s for %s", (unsigned long long)(FR_WAIT / KT_SECOND),
			       what);
			return 1;
		}
		ch_yield();
	}
	return 0;
}

static void fr_reset(void)
{
	fr_failed = 0;
	fr_msg[0] = 0;
	for (unsigned i = 0; i < FR_MAXT; i++)
		fr_threads[i] = HANDLE_INVALID;
}

static uint64_t pool_used(void)
{
	struct pool_info pi;
	return ch_pool_info(kt_pool, &pi) < 0 ? 0 : pi.used;
}

/*
 * Our pool's use back at base: freeing may be deferred a little (a thread's
 * last reference, a reaper), so it is given FR_WAIT to get there; it must then
 * be exactly base.
 */
static int pool_back_to(uint64_t base, const char *what)
{
	int64_t t0 = ch_clock_ns();
	uint64_t used;
	while ((used = pool_used()) != base && ch_clock_ns() - t0 < (int64_t)FR_WAIT)
		ch_sleep_ns(KT_MS);
	if (used != base) {
		fr_bad("%s: pool use %llu bytes, %lld from where it started", what,
		       (unsigned long long)used, (long long)(used - base));
		return 1;
	}
	return 0;
}

static uint32_t fr_flip; /* fast_call4()'s turn: FR_WAIT, or forever */

static long fast_call4(handle_t ep, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t out[4],
                       uint64_t timeout)
{
	uint64_t w[4] = {a, b, c, d};
	if (timeout == FR_WAIT && (__atomic_fetch_add(&fr_flip, 1, __ATOMIC_RELAXED) & 1))
		timeout = CH_FOREVER; /* the flat path's turn */
	return ch_kbus_call_fast(ep, w, out, timeout);
}

/* A 32-byte slow-path reply (its result tells whether the caller still waited). */
static long reply4(handle_t ep, const uint64_t w[4])
{
	struct kbus_msg m = {.data = w, .len = 32};
	return ch_kbus_reply(ep, &m);
}

/* ---------------------------------------------------------------------------------
 * Kill of the caller mid-call
 * --------------------------------------------------------------------------------- */

#define KILL_THREAD_ROUNDS 60u
#define KILL_PROC_ROUNDS 6u
#define GOOD_CALLS 4u

struct caller_job {
	handle_t ep;
	uint64_t seq;
	uint32_t delay; /* sleep first (the server parks: a direct hand-off) */
	uint32_t calls; /* 0: one call that must never return (it is killed) */
};

static int doomed_caller(void *arg)
{
	struct caller_job *j = arg;
	uint64_t out[4] = {0};
	if (j->delay)
		ch_sleep_ns(KT_MS);
	long r = fast_call4(j->ep, FR_MAGIC, j->seq, ~j->seq, 0, out, FR_WAIT);
	/* killed while blocked: never back here with an answer nobody sent */
	if (r != ERR_INTERRUPTED)
		fr_bad("call %llu, whose caller is killed, returned %s", (unsigned long long)j->seq,
		       ch_error_name(r));
	return 0;
}

static int good_caller(void *arg)
{
	struct caller_job *j = arg;
	for (uint32_t k = 0; k < j->calls; k++) {
		uint64_t out[4] = {0};
		long r = fast_call4(j->ep, FR_MAGIC + 1, j->seq, k, ~j->seq, out, FR_WAIT);
		if (r < 0) {
			fr_bad("next caller, call %u after round %llu: %s", k,
			       (unsigned long long)j->seq, ch_error_name(r));
			return 1;
		}
		if (out[0] != j->seq + 1 || out[1] != k || out[2] != ~(uint64_t)k || out[3] != 7) {
			fr_bad("next caller, round %llu call %u: reply %llx %llx %llx %llx",
			       (unsigned long long)j->seq, k, (unsigned long long)out[0],
			       (unsigned long long)out[1], (unsigned long long)out[2],
			       (unsigned long long)out[3]);
			return 1;
		}
	}
	return 0;
}

/* Receive one call (fast), expecting words a, seq. */
static int recv_expect(handle_t ep, uint64_t a, uint64_t seq, uint64_t w[4], const char *what)
{
	long r = ch_kbus_reply_recv_fast(ep, NULL, w, NULL);
	if (r < 0) {
		fr_bad("%s, round %llu: server receive: %s", what, (unsigned long long)seq,
		       ch_error_name(r));
		return 1;
	}
	if (w[0] != a || w[1] != seq) {
		fr_bad("%s, round %llu: server received %llx %llx", what, (unsigned long long)seq,
		       (unsigned long long)w[0], (unsigned long long)w[1]);
		return 1;
	}
	return 0;
}

/* The server (this thread) answers GOOD_CALLS calls of a fresh caller on the fast path. */
static void serve_next_caller(handle_t client, handle_t server, uint64_t seq)
{
	struct caller_job j = {.ep = client, .seq = seq, .calls = GOOD_CALLS};
	uint64_t w[4] = {0}, rep[4];
	if (fr_start(1, good_caller, &j, -1))
		return;
	if (recv_expect(server, FR_MAGIC + 1, seq, w, "next caller"))
		goto out;
	for (uint32_t k = 0; k < GOOD_CALLS; k++) {
		rep[0] = seq + 1;
		rep[1] = w[2];
		rep[2] = ~w[2];
		rep[3] = 7;
		if (k + 1 == GOOD_CALLS) {
			long r = reply4(server, rep);
			if (r < 0)
				fr_bad("round %llu: reply to a live caller: %s",
				       (unsigned long long)seq, ch_error_name(r));
			break;
		}
		long r = ch_kbus_reply_recv_fast(server, rep, w, NULL);
		if (r < 0 || w[0] != FR_MAGIC + 1 || w[2] != k + 1) {
			fr_bad("round %llu: serving the next caller: %s, words %llx %llx",
			       (unsigned long long)seq, ch_error_name(r), (unsigned long long)w[0],
			       (unsigned long long)w[2]);
			break;
		}
	}
out:
	fr_join(1, "next caller");
}

/* One round: a caller thread killed while this thread (the server) holds its call. */
static void kill_caller_thread_round(uint32_t i)
{
	handle_t e[2];
	uint64_t w[4], rep[4] = {1, 2, 3, 4};
	struct caller_job j = {.seq = i, .delay = i & 1};
	if (kt_channel(0, e))
		return;
	j.ep = e[0];
	if (fr_start(0, doomed_caller, &j, (int)i))
		goto out;
	if (recv_expect(e[1], FR_MAGIC, i, w, "killed caller"))
		goto out;
	if (fr_kill(0, "a caller blocked in a fast call"))
		goto out;
	long r = reply4(e[1], rep);
	if (r != ERR_PEER_CLOSED) {
		fr_bad("round %u: reply to a killed caller: %s, want ERR_PEER_CLOSED", i,
		       ch_error_name(r));
		goto out;
	}
	serve_next_caller(e[0], e[1], i);
out:
	fr_join_all();
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
}

/* One round: a caller process killed while this thread holds its call. */
static void kill_caller_process_round(uint32_t i)
{
	handle_t e[2], mine;
	struct ch_child c;
	struct proc_status st;
	uint64_t w[4], rep[4] = {1, 2, 3, 4};
	char arg[16];
	if (kt_channel(0, e))
		return;
	snprintf(arg, sizeof(arg), "%u", i);
	long r = kt_spawn("fastcall", arg, e[0], 0, 0, &c);
	if (r < 0) {
		fr_bad("spawn: %s", ch_error_name(r));
		goto out;
	}
	/* our own caller end for the next caller, the child's is the only other */
	if (ch_cap_derive(e[0], RIGHT_SEND | RIGHT_RECV, 0, &mine) < 0)
		mine = HANDLE_INVALID;
	if (recv_expect(e[1], FR_MAGIC, i, w, "killed caller process")) {
		kt_reap(&c, 0, NULL);
		goto out2;
	}
	ch_proc_kill(c.process);
	r = kt_reap(&c, FR_WAIT, &st);
	if (r < 0 || st.state != PROC_KILLED) {
		fr_bad("round %u: caller process: %s, state %u", i, ch_error_name(r), st.state);
		goto out2;
	}
	r = reply4(e[1], rep);
	if (r != ERR_PEER_CLOSED) {
		fr_bad("round %u: reply to a killed caller process: %s, want ERR_PEER_CLOSED", i,
		       ch_error_name(r));
		goto out2;
	}
	serve_next_caller(mine, e[1], i);
out2:
	ch_cap_drop(mine);
out:
	fr_join_all();
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
}

static void test_kill_caller(void)
{
	uint64_t base = 0;
	fr_reset();
	for (uint32_t i = 0; i < KILL_THREAD_ROUNDS && !fr_any_bad(); i++) {
		kill_caller_thread_round(i);
		if (i == 0)
			base = pool_used(); /* after a first round: caches warmed */
	}
	if (!fr_any_bad())
		pool_back_to(base, "threads killed in fast calls");
	for (uint32_t i = 0; i < KILL_PROC_ROUNDS && !fr_any_bad(); i++) {
		kill_caller_process_round(i);
		if (i == 0)
			base = pool_used();
	}
	if (!fr_any_bad())
		pool_back_to(base, "processes killed in fast calls");
	fr_collect();
}

/* ---------------------------------------------------------------------------------
 * Kill of the server mid-call or parked
 * --------------------------------------------------------------------------------- */

#define HOLD_ROUNDS 60u
#define PARKED_ROUNDS 40u
#define SRV_PROC_ROUNDS 4u
#define PARKED_CALLS 5u

struct server_job {
	handle_t ep;
	uint64_t id;
	uint32_t ready; /* about to wait (parked soon after) */
	uint32_t got; /* holds a call */
	handle_t victim; /* holder: its thread handle, for the killer */
};

/* Receives one call and holds it until killed. */
static int holding_server(void *arg)
{
	struct server_job *s = arg;
	uint64_t w[4] = {0};
	long r = ch_kbus_reply_recv_fast(s->ep, NULL, w, NULL);
	if (r < 0 || w[0] != FR_MAGIC) {
		fr_bad("holding server: %s, word %llx", ch_error_name(r), (unsigned long long)w[0]);
		return 1;
	}
	fr_flag_set(&s->got);
	for (;;)
		ch_sleep_ns(KT_SECOND);
}

static int hold_killer(void *arg)
{
	struct server_job *s = arg;
	if (fr_await(&s->got, 1, "the server to take the call"))
		return 1;
	long r = ch_thread_kill(s->victim);
	if (r < 0)
		fr_bad("kill the holding server: %s", ch_error_name(r));
	return 0;
}

/* Answers calls with (id, w1 + 1, w2, ~w3) until its peer closes. */
static int parked_server(void *arg)
{
	struct server_job *s = arg;
	uint64_t w[4] = {0}, rep[4];
	const uint64_t *reply = NULL;
	for (;;) {
		fr_flag_set(&s->ready);
		long r = ch_kbus_reply_recv_fast(s->ep, reply, w, NULL);
		if (r == ERR_PEER_CLOSED)
			return 0;
		if (r < 0) {
			fr_bad("server %llu: %s", (unsigned long long)s->id, ch_error_name(r));
			return 1;
		}
		rep[0] = s->id;
		rep[1] = w[1] + 1;
		rep[2] = w[2];
		rep[3] = ~w[3];
		reply = rep;
	}
}

static void kill_holder_round(uint32_t i)
{
	handle_t e[2];
	uint64_t out[4] = {0};
	struct server_job s = {0};
	if (kt_channel(0, e))
		return;
	s.ep = e[1];
	if (fr_start(0, holding_server, &s, (int)i + 1))
		goto out;
	s.victim = fr_threads[0];
	if (fr_start(1, hold_killer, &s, (int)i))
		goto out;
	if (i & 1)
		ch_sleep_ns(KT_MS); /* most likely parked by now: the direct hand-off */
	long r = fast_call4(e[0], FR_MAGIC, i, 0, 0, out, FR_WAIT);
	if (r != ERR_PEER_CLOSED)
		fr_bad("round %u: call whose server was killed holding it: %s, want "
		       "ERR_PEER_CLOSED",
		       i, ch_error_name(r));
out:
	fr_join(1, "killer");
	fr_reap_killed(0, "the server killed holding a call");
	fr_join_all();
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
}

static void kill_parked_round(uint32_t i)
{
	handle_t e[2];
	uint64_t out[4] = {0};
	struct server_job s[2] = {{.id = 1}, {.id = 2}};
	if (kt_channel(0, e))
		return;
	s[0].ep = s[1].ep = e[1];
	if (fr_start(0, parked_server, &s[0], (int)i) || fr_start(1, parked_server, &s[1], (int)i))
		goto out;
	if (fr_await(&s[0].ready, 1, "server 1") || fr_await(&s[1].ready, 1, "server 2"))
		goto out;
	ch_sleep_ns(KT_MS); /* most likely both parked now */
	unsigned victim = i & 1, survivor = victim ^ 1;
	if (fr_kill(victim, "a server parked in reply_recv_fast"))
		goto out;
	for (uint32_t k = 0; k < PARKED_CALLS; k++) {
		long r = fast_call4(e[0], FR_MAGIC, i, k, k, out, FR_WAIT);
		if (r < 0) {
			fr_bad("round %u: call %u after a parked server was killed: %s", i, k,
			       ch_error_name(r));
			break;
		}
		if (out[0] != s[survivor].id || out[1] != i + 1 || out[2] != k ||
		    out[3] != ~(uint64_t)k) {
			fr_bad("round %u call %u: reply %llx %llx %llx (server %llu was killed)", i,
			       k, (unsigned long long)out[0], (unsigned long long)out[1],
			       (unsigned long long)out[2], (unsigned long long)s[victim].id);
			break;
		}
	}
out:
	ch_cap_drop(e[0]); /* the survivor's wait ends with ERR_PEER_CLOSED */
	fr_join_all();
	ch_cap_drop(e[1]);
}

struct proc_killer {
	handle_t ep; /* where the child says "got" */
	handle_t process;
};

static int proc_killer(void *arg)
{
	struct proc_killer *k = arg;
	char buf[8];
	uint32_t len;
	long r = ch_kbus_recv_bytes(k->ep, buf, sizeof(buf), &len, 0, FR_WAIT);
	if (r < 0) {
		fr_bad("the server process never said it holds the call: %s", ch_error_name(r));
		return 1;
	}
	r = ch_proc_kill(k->process);
	if (r < 0)
		fr_bad("kill the server process: %s", ch_error_name(r));
	return 0;
}

/* A server process killed while it holds the call (hold) or while parked (!hold). */
static void kill_server_process_round(uint32_t i, int hold)
{
	handle_t e[2];
	struct ch_child c;
	struct proc_status st = {0};
	uint64_t out[4] = {0};
	char buf[16];
	uint32_t len;
	if (kt_channel(0, e))
		return;
	long r = kt_spawn(hold ? "fasthold" : "fastpark", NULL, e[1], 0, 0, &c);
	ch_cap_drop(e[1]); /* the child's end is the only one */
	if (r < 0) {
		fr_bad("spawn: %s", ch_error_name(r));
		ch_cap_drop(e[0]);
		return;
	}
	struct proc_killer k = {.ep = e[0], .process = c.process};
	const char *what = hold ? "holding the call" : "parked";
	if (hold) {
		/* the child says "got" (a plain message, queued on our end) once it holds
		   our call; a thread of ours kills it then, while we wait in the call */
		if (fr_start(0, proc_killer, &k, (int)i))
			goto out;
		r = fast_call4(e[0], FR_MAGIC, i, 0, 0, out, FR_WAIT);
		if (r != ERR_PEER_CLOSED)
			fr_bad("round %u: call whose server process was killed holding it: %s, "
			       "want ERR_PEER_CLOSED",
			       i, ch_error_name(r));
	} else {
		r = ch_kbus_recv_bytes(e[0], buf, sizeof(buf), &len, 0, FR_WAIT);
		if (r < 0) {
			fr_bad("round %u: the server process never said parked: %s", i,
			       ch_error_name(r));
			goto out;
		}
		ch_sleep_ns(KT_MS); /* most likely parked by now */
		ch_proc_kill(c.process);
	}
	r = kt_reap(&c, FR_WAIT, &st);
	if (r < 0 || st.state != PROC_KILLED) {
		fr_bad("round %u: server process %s: %s, state %u", i, what, ch_error_name(r),
		       st.state);
		goto out2;
	}
	/* its end closed with it: a new call fails at once */
	r = fast_call4(e[0], FR_MAGIC, i, 1, 0, out, FR_WAIT);
	if (r != ERR_PEER_CLOSED)
		fr_bad("round %u: call after the server process (%s) was killed: %s", i, what,
		       ch_error_name(r));
	goto out2;
out:
	kt_reap(&c, 0, NULL);
out2:
	fr_join_all();
	ch_cap_drop(e[0]);
}

static void test_kill_server(void)
{
	fr_reset();
	for (uint32_t i = 0; i < HOLD_ROUNDS && !fr_any_bad(); i++)
		kill_holder_round(i);
	for (uint32_t i = 0; i < PARKED_ROUNDS && !fr_any_bad(); i++)
		kill_parked_round(i);
	for (uint32_t i = 0; i < SRV_PROC_ROUNDS && !fr_any_bad(); i++) {
		kill_server_process_round(i, 1);
		kill_server_process_round(i, 0);
	}
	fr_collect();
}

/* ---------------------------------------------------------------------------------
 * Revocation of the caller's capability from another CPU
 * --------------------------------------------------------------------------------- */

#define REVOKE_ROUNDS 150u
#define REVOKE_AFTER 3u /* calls made after the revoke returned, each must fail */
#define REVOKE_MAX_CALLS 1000000u

struct revoke_state {
	handle_t root; /* the caller's capabilities are derived from it; revoked through it */
	handle_t d; /* this round's capability */
	uint64_t badge;
	uint32_t revoke_at; /* revoke once the caller began this many calls */
	uint32_t round; /* the main thread starts round r by setting it to r */
	uint32_t calls; /* calls begun this round */
	uint32_t revoked; /* r once the round's revoke returned */
	uint32_t caller_done, revoker_done; /* last round each finished */
	uint32_t quit;
	uint32_t in_call; /* the caller is inside a call */
	uint64_t timeout; /* the caller's (CH_FOREVER: the flat path) */
	uint64_t ok, refused, during; /* during: revokes begun while a call was in flight */
};

static struct revoke_state rv;

/* Answers (w0 + 1, w1 ^ badge, ~w2, w3), sometimes after a little work, until closed. */
static int revoke_server(void *arg)
{
	handle_t ep = *(handle_t *)arg;
	uint64_t w[4] = {0}, rep[4], badge = 0;
	const uint64_t *reply = NULL;
	for (;;) {
		long r = ch_kbus_reply_recv_fast(ep, reply, w, &badge);
		if (r == ERR_PEER_CLOSED)
			return 0;
		if (r < 0) {
			fr_bad("revoke server: %s", ch_error_name(r));
			return 1;
		}
		for (volatile uint32_t k = 0; k < (w[1] & 3) * 2000; k++) /* hold it a while */
			;
		rep[0] = w[0] + 1;
		rep[1] = w[1] ^ badge;
		rep[2] = ~w[2];
		rep[3] = w[3];
		reply = rep;
	}
}

static int revoke_caller(void *arg)
{
	(void)arg;
	for (uint32_t round = 1;; round++) {
		if (fr_await(&rv.round, round, "the next round"))
			return 1;
		if (__atomic_load_n(&rv.quit, __ATOMIC_ACQUIRE))
			return 0;
		int refused = 0;
		uint32_t after = 0;
		for (uint32_t k = 0; after < REVOKE_AFTER; k++) {
			/* the revoke returned before this call began: it must fail */
			int late = __atomic_load_n(&rv.revoked, __ATOMIC_ACQUIRE) == round;
			__atomic_store_n(&rv.calls, k + 1, __ATOMIC_RELEASE);
			uint64_t out[4] = {0};
			__atomic_store_n(&rv.in_call, 1, __ATOMIC_RELEASE);
			long r =
			    fast_call4(rv.d, round, k, ~(uint64_t)k, FR_MAGIC, out, rv.timeout);
			__atomic_store_n(&rv.in_call, 0, __ATOMIC_RELEASE);
			if (r == 0) {
				if (late || refused) {
					fr_bad("round %u call %u succeeded %s", round, k,
					       late ? "after the capability's revoke had returned"
					            : "after an earlier call was refused");
					return 1;
				}
				if (out[0] != round + 1 || out[1] != (k ^ rv.badge) ||
				    out[2] != k || out[3] != FR_MAGIC) {
					fr_bad(
					    "round %u call %u: reply %llx %llx %llx %llx", round, k,
					    (unsigned long long)out[0], (unsigned long long)out[1],
					    (unsigned long long)out[2], (unsigned long long)out[3]);
					return 1;
				}
				rv.ok++;
			} else if (r == ERR_BAD_HANDLE) {
				refused = 1;
				rv.refused++;
			} else {
				fr_bad("round %u call %u: %s (want success or ERR_BAD_HANDLE)",
				       round, k, ch_error_name(r));
				return 1;
			}
			if (late)
				after++;
			else if (k >= rv.revoke_at + 8)
				ch_yield(); /* past the window: let the revoker run, even on this CPU */
			if (k > REVOKE_MAX_CALLS || fr_any_bad()) {
				fr_bad("round %u: the revoke never came", round);
				return 1;
			}
		}
		__atomic_store_n(&rv.caller_done, round, __ATOMIC_RELEASE);
	}
}

static int revoke_revoker(void *arg)
{
	(void)arg;
	for (uint32_t round = 1;; round++) {
		if (fr_await(&rv.round, round, "the next round"))
			return 1;
		if (__atomic_load_n(&rv.quit, __ATOMIC_ACQUIRE))
			return 0;
		if (fr_await(&rv.calls, rv.revoke_at, "the caller's calls"))
			return 1;
		if (__atomic_load_n(&rv.in_call, __ATOMIC_ACQUIRE))
			rv.during++;
		long r = ch_cap_revoke(rv.root);
		if (r < 0) {
			fr_bad("round %u: revoke: %s", round, ch_error_name(r));
			return 1;
		}
		__atomic_store_n(&rv.revoked, round, __ATOMIC_RELEASE);
		__atomic_store_n(&rv.revoker_done, round, __ATOMIC_RELEASE);
	}
}

static void revoke_body(handle_t e[2], uint64_t timeout)
{
	rv = (struct revoke_state){.root = e[0], .timeout = timeout};
	if (fr_start(0, revoke_server, &e[1], 0) || fr_start(1, revoke_caller, NULL, 0) ||
	    fr_start(2, revoke_revoker, NULL, 1))
		return;
	for (uint32_t round = 1; round <= REVOKE_ROUNDS && !fr_any_bad(); round++) {
		handle_t d;
		long r = ch_cap_derive(e[0], RIGHT_SEND | RIGHT_RECV, 0x1000 + round, &d);
		if (r < 0) {
			fr_bad("derive: %s", ch_error_name(r));
			return;
		}
		rv.d = d;
		rv.badge = 0x1000 + round;
		rv.revoke_at = (round * 7) % 23; /* 0: before any call */
		__atomic_store_n(&rv.calls, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&rv.round, round, __ATOMIC_RELEASE);
		if (fr_await(&rv.caller_done, round, "the caller's round") ||
		    fr_await(&rv.revoker_done, round, "the revoker's round"))
			return;
		struct cap_info ci;
		r = ch_cap_inspect(d, &ci);
		if (r != ERR_BAD_HANDLE) {
			fr_bad("round %u: the revoked capability inspects as %s", round,
			       ch_error_name(r));
			return;
		}
	}
	/* the endpoint itself is intact: the original capability still calls */
	uint64_t out[4] = {0};
	long r = fast_call4(e[0], 1, 2, 3, 4, out, FR_WAIT);
	if (r < 0 || out[0] != 2 || out[1] != 2 || out[2] != ~UINT64_C(3) || out[3] != 4)
		fr_bad("call on the original capability after the revokes: %s", ch_error_name(r));
}

static void revoke_test(const char *name, uint64_t timeout)
{
	handle_t e[2];
	fr_reset();
	if (kt_channel(0, e))
		return;
	revoke_body(e, timeout);
	__atomic_store_n(&rv.quit, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&rv.round, UINT32_MAX, __ATOMIC_RELEASE);
	ch_cap_drop(e[0]); /* the server's wait ends */
	fr_join_all();
	ch_cap_drop(e[1]);
	fr_collect();
	if (!kt_failed())
		printf("kbustest: %s: %u CPUs, %llu calls completed, %llu "
		       "refused, %llu of %u revokes begun during a call\n",
		       name, fr_ncpu(), (unsigned long long)rv.ok, (unsigned long long)rv.refused,
		       (unsigned long long)rv.during, REVOKE_ROUNDS);
}

static void test_revoke_other_cpu(void)
{
	revoke_test("fast_revoke_other_cpu", FR_WAIT);
}

/* With no timeout the calls take the flat path, whose lookup is cached: the
 * revoke must reach it (the cspace's generation, kernel/cap/hold.h). */
static void test_revoke_flat(void)
{
	revoke_test("fast_revoke_flat", CH_FOREVER);
}

/* ---------------------------------------------------------------------------------
 * A timeout racing the reply
 * --------------------------------------------------------------------------------- */

#define TO_CALLS 400u
#define TO_TIMEOUT (2 * KT_MS)
#define TO_UNKNOWN 1 /* answered through reply_recv_fast: its result is not reported */

static long to_res[TO_CALLS + 1], to_srv[TO_CALLS + 1];
static uint32_t to_got[TO_CALLS + 1];

static void to_reply_words(uint64_t seq, uint64_t rep[4])
{
	rep[0] = seq;
	rep[1] = FR_MAGIC + 2;
	rep[2] = seq * 7 + 1;
	rep[3] = ~seq;
}

static int to_caller(void *arg)
{
	handle_t ep = *(handle_t *)arg;
	for (uint64_t seq = 1; seq <= TO_CALLS && !fr_any_bad(); seq++) {
		uint64_t out[4] = {0}, want[4];
		long r = fast_call4(ep, seq, FR_MAGIC, seq * 7, ~seq, out, TO_TIMEOUT);
		to_res[seq] = r;
		if (r == ERR_TIMED_OUT)
			continue;
		if (r < 0) {
			fr_bad("call %llu: %s (want success or ERR_TIMED_OUT)",
			       (unsigned long long)seq, ch_error_name(r));
			return 1;
		}
		to_reply_words(seq, want);
		if (memcmp(out, want, sizeof(want))) {
			fr_bad("call %llu got the reply %llx %llx %llx %llx (of call %llu)",
			       (unsigned long long)seq, (unsigned long long)out[0],
			       (unsigned long long)out[1], (unsigned long long)out[2],
			       (unsigned long long)out[3], (unsigned long long)out[0]);
			return 1;
		}
	}
	return 0;
}

/* Delays around the caller's timeout: 0, some work, then sleeps of 1/4 .. 2 timeouts. */
static void to_delay(uint64_t seq)
{
	static const uint64_t us[8] = {0, 0, 500, 1000, 1500, 2000, 2500, 4000};
	unsigned k = (unsigned)(seq * 5) % 8;
	if (k == 1)
		for (volatile uint32_t i = 0; i < 20000; i++)
			;
	else if (us[k])
		ch_sleep_ns(us[k] * 1000);
}

static int to_server(void *arg)
{
	handle_t ep = *(handle_t *)arg;
	uint64_t w[4] = {0}, rep[4];
	const uint64_t *reply = NULL;
	for (;;) {
		long r = ch_kbus_reply_recv_fast(ep, reply, w, NULL);
		reply = NULL;
		if (r == ERR_PEER_CLOSED)
			return 0;
		uint64_t seq = w[0];
		if (r < 0 || seq == 0 || seq > TO_CALLS || w[1] != FR_MAGIC || w[2] != seq * 7 ||
		    w[3] != ~seq) {
			fr_bad("server: %s, words %llx %llx %llx %llx", ch_error_name(r),
			       (unsigned long long)w[0], (unsigned long long)w[1],
			       (unsigned long long)w[2], (unsigned long long)w[3]);
			return 1;
		}
		to_got[seq]++;
		to_delay(seq);
		to_reply_words(seq, rep);
		if (seq % 4 == 0) {
			to_srv[seq] = TO_UNKNOWN;
			reply = rep; /* the fast reply, with the next receive */
		} else {
			to_srv[seq] = reply4(ep, rep);
		}
	}
}

/*
 * One phase: caller and server on CPU 0 (the reply switches straight back to a
 * caller on the same CPU even with its timeout armed), or (cross) on CPUs 0
 * and 1 (the server wakes the caller on another CPU, racing its timer there).
 */
static void timeout_phase(int cross)
{
	handle_t e[2];
	memset(to_res, 0, sizeof(to_res));
	memset(to_srv, 0, sizeof(to_srv));
	memset(to_got, 0, sizeof(to_got));
	if (kt_channel(0, e))
		return;
	if (!fr_start(0, to_server, &e[1], cross) && !fr_start(1, to_caller, &e[0], 0))
		fr_join(1, "caller");
	ch_cap_drop(e[0]); /* the server drains what is queued, then its wait ends */
	fr_join_all();
	ch_cap_drop(e[1]);
	fr_collect();
	if (kt_failed())
		return;
	unsigned answered = 0, timed_out = 0, late = 0;
	for (uint64_t seq = 1; seq <= TO_CALLS; seq++) {
		CHECK(to_got[seq] == 1, "%s: call %llu reached the server %u times",
		      cross ? "two CPUs" : "one CPU", (unsigned long long)seq, to_got[seq]);
		long c = to_res[seq], s = to_srv[seq];
		if (c == 0)
			answered++;
		else
			timed_out++;
		if (s == TO_UNKNOWN)
			continue;
		CHECK(s == 0 || s == ERR_PEER_CLOSED, "reply %llu: %s", (unsigned long long)seq,
		      ch_error_name(s));
		CHECK((c == 0) == (s == 0),
		      "call %llu: the caller got %s but the server's reply got %s (a reply lost "
		      "or delivered twice)",
		      (unsigned long long)seq, ch_error_name(c), ch_error_name(s));
		if (s == ERR_PEER_CLOSED)
			late++;
	}
	printf("kbustest: fast_timeout_race (%s): %u answered, %u timed out (%u replies too "
	       "late)\n",
	       cross ? "two CPUs" : "one CPU", answered, timed_out, late);
}

static void test_timeout_race(void)
{
	fr_reset();
	timeout_phase(0);
	if (!kt_failed() && fr_ncpu() > 1)
		timeout_phase(1);
}

/* ---------------------------------------------------------------------------------
 * A peer closing while a server is parked, or under a blocked caller
 * --------------------------------------------------------------------------------- */

#define PC_ROUNDS 30u
#define PC_PARKED 3u
#define PC_PROC_ROUNDS 3u

struct parked_job {
	handle_t ep;
	long want; /* what its wait must end with */
	uint32_t ready;
};

static int parked_until_closed(void *arg)
{
	struct parked_job *p = arg;
	uint64_t w[4] = {0};
	fr_flag_set(&p->ready);
	long r = ch_kbus_reply_recv_fast(p->ep, NULL, w, NULL);
	if (r != p->want) {
		fr_bad("parked server's wait ended with %s, want %s", ch_error_name(r),
		       ch_error_name(p->want));
		return 1;
	}
	return 0;
}

/* Several servers parked; the client side's last capability goes (dropped or exited). */
static void parked_peer_round(uint32_t i, int process)
{
	handle_t e[2];
	struct ch_child c;
	struct parked_job p = {.want = ERR_PEER_CLOSED};
	unsigned n = process ? 1 : PC_PARKED;
	if (kt_channel(0, e))
		return;
	p.ep = e[1];
	for (unsigned k = 0; k < n; k++)
		if (fr_start(k, parked_until_closed, &p, (int)(i + k)))
			goto out;
	if (fr_await(&p.ready, 1, "a server to park"))
		goto out;
	if (process) {
		/* a child holds the only client end and exits after a moment */
		long r = kt_spawn("sleepexit", "5", e[0], 0, 0, &c);
		ch_cap_drop(e[0]);
		if (r < 0) {
			fr_bad("spawn: %s", ch_error_name(r));
			goto out;
		}
		struct proc_status st;
		r = kt_reap(&c, FR_WAIT, &st);
		if (r < 0 || st.state != PROC_EXITED)
			fr_bad("client process: %s, state %u", ch_error_name(r), st.state);
	} else {
		ch_sleep_ns(KT_MS); /* most likely all parked now */
		ch_cap_drop(e[0]);
	}
	for (unsigned k = 0; k < n; k++)
		fr_join(k, "a parked server whose peer closed");
out:
	ch_cap_drop(e[0]);
	fr_join_all();
	ch_cap_drop(e[1]);
}

struct closer_job {
	handle_t ep;
	uint32_t take; /* receive the call first (the server holds it), then close */
};

static int closing_server(void *arg)
{
	struct closer_job *j = arg;
	uint64_t w[4] = {0};
	if (j->take) {
		long r = ch_kbus_reply_recv_fast(j->ep, NULL, w, NULL);
		if (r < 0 || w[0] != FR_MAGIC) {
			fr_bad("closing server: %s", ch_error_name(r));
			return 1;
		}
	} else {
		ch_sleep_ns(KT_MS); /* the call most likely queued by now */
	}
	long r = ch_cap_drop(j->ep); /* the server end's last capability */
	if (r < 0)
		fr_bad("drop the server end: %s", ch_error_name(r));
	return 0;
}

/*
 * The server end closes: under a caller waiting in a fast call that a server
 * holds (i % 3 == 0) or that is queued (1), or under a server of its own parked
 * in reply_recv_fast (2: its wait is interrupted, and the caller's next call
 * fails at once).
 */
static void closed_under_caller_round(uint32_t i)
{
	handle_t e[2];
	uint64_t out[4] = {0};
	struct closer_job j = {.take = i % 3 == 0};
	struct parked_job p = {.want = ERR_INTERRUPTED};
	if (kt_channel(0, e))
		return;
	j.ep = p.ep = e[1];
	if (i % 3 == 2) {
		if (fr_start(0, parked_until_closed, &p, (int)i) ||
		    fr_await(&p.ready, 1, "a server to park"))
			goto out;
		ch_sleep_ns(KT_MS); /* most likely parked now */
		ch_cap_drop(e[1]);
		if (fr_join(0, "a server parked on an end that closed"))
			goto out;
	} else {
		if (fr_start(0, closing_server, &j, (int)i + 1))
			goto out;
		if (i & 1)
			ch_sleep_ns(KT_MS); /* the server most likely parked: the direct hand-off */
	}
	long r = fast_call4(e[0], FR_MAGIC, i, 0, 0, out, FR_WAIT);
	if (r != ERR_PEER_CLOSED)
		fr_bad("round %u: call whose server end closed (%s): %s, want ERR_PEER_CLOSED", i,
		       i % 3 == 0   ? "held"
		       : i % 3 == 1 ? "queued"
		                    : "before the call",
		       ch_error_name(r));
out:
	fr_join_all();
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]); /* if a failure left it (else ERR_BAD_HANDLE: dropped already) */
}

static void test_peer_closed_parked(void)
{
	fr_reset();
	for (uint32_t i = 0; i < PC_ROUNDS && !fr_any_bad(); i++)
		parked_peer_round(i, 0);
	for (uint32_t i = 0; i < PC_PROC_ROUNDS && !fr_any_bad(); i++)
		parked_peer_round(i, 1);
	for (uint32_t i = 0; i < PC_ROUNDS && !fr_any_bad(); i++)
		closed_under_caller_round(i);
	fr_collect();
}

/* ---------------------------------------------------------------------------------
 * Calls arriving while the server is not parked
 * --------------------------------------------------------------------------------- */

#define BUSY_CLIENTS 4u
#define BUSY_CALLS 250u

static handle_t busy_caps[BUSY_CLIENTS];
static handle_t busy_side; /* a channel end with nothing ever sent: a wait elsewhere */
static uint32_t busy_next[BUSY_CLIENTS], busy_total;

static uint64_t busy_mix(uint64_t cid, uint64_t seq)
{
	return (cid << 40) ^ (seq * UINT64_C(0x9e3779b97f4a7c15));
}

static int busy_server(void *arg)
{
	handle_t ep = *(handle_t *)arg;
	uint64_t w[4] = {0}, rep[4], badge = 0;
	const uint64_t *reply = NULL;
	for (;;) {
		long r = ch_kbus_reply_recv_fast(ep, reply, w, &badge);
		if (r == ERR_PEER_CLOSED)
			return 0;
		uint64_t cid = badge - 1, seq = w[1];
		if (r < 0 || cid >= BUSY_CLIENTS || w[0] != cid || w[2] != busy_mix(cid, seq) ||
		    w[3] != ~busy_mix(cid, seq)) {
			fr_bad("busy server: %s, badge %llu, words %llx %llx %llx %llx",
			       ch_error_name(r), (unsigned long long)badge,
			       (unsigned long long)w[0], (unsigned long long)w[1],
			       (unsigned long long)w[2], (unsigned long long)w[3]);
			return 1;
		}
		if (seq != busy_next[cid]) {
			fr_bad("client %llu's call %llu came when %u was due (lost, repeated or "
			       "reordered)",
			       (unsigned long long)cid, (unsigned long long)seq, busy_next[cid]);
			return 1;
		}
		busy_next[cid]++;
		uint32_t n = ++busy_total;
		/* busy, or blocked elsewhere, while the other clients call */
		switch (n % 8) {
		case 0:
			ch_sleep_ns(200 * 1000);
			break;
		case 4: {
			uint8_t b[8];
			uint32_t len;
			r = ch_kbus_recv_bytes(busy_side, b, sizeof(b), &len, 0, 200 * 1000);
			if (r != ERR_TIMED_OUT) {
				fr_bad("busy server's wait elsewhere: %s", ch_error_name(r));
				return 1;
			}
			break;
		}
		default:
			for (volatile uint32_t k = 0; k < (n * 37) % 3000; k++)
				;
		}
		rep[0] = seq;
		rep[1] = cid;
		rep[2] = w[2] * 3;
		rep[3] = ~w[3];
		reply = rep;
	}
}

static int busy_client(void *arg)
{
	uint64_t cid = (uintptr_t)arg;
	handle_t h = busy_caps[cid];
	for (uint64_t seq = 0; seq < BUSY_CALLS; seq++) {
		uint64_t m = busy_mix(cid, seq), out[4] = {0};
		long r;
		if (cid == BUSY_CLIENTS - 1) {
			/* one client on the slow path: a 32-byte call, queued */
			uint64_t req[4] = {cid, seq, m, ~m};
			struct kbus_msg q = {.data = req, .len = sizeof(req)};
			struct kbus_buf b = {.data = out, .capacity = sizeof(out)};
			r = ch_kbus_call(h, &q, &b, FR_WAIT);
			if (r >= 0 && b.len != sizeof(out))
				r = ERR_MALFORMED;
		} else {
			r = fast_call4(h, cid, seq, m, ~m, out, FR_WAIT);
		}
		if (r < 0) {
			fr_bad("client %llu call %llu: %s", (unsigned long long)cid,
			       (unsigned long long)seq, ch_error_name(r));
			return 1;
		}
		if (out[0] != seq || out[1] != cid || out[2] != m * 3 || out[3] != m) {
			fr_bad("client %llu call %llu: reply %llx %llx %llx %llx",
			       (unsigned long long)cid, (unsigned long long)seq,
			       (unsigned long long)out[0], (unsigned long long)out[1],
			       (unsigned long long)out[2], (unsigned long long)out[3]);
			return 1;
		}
	}
	return 0;
}

static void test_busy_server(void)
{
	handle_t e[2], side[2];
	unsigned made = 0;
	fr_reset();
	memset(busy_next, 0, sizeof(busy_next));
	busy_total = 0;
	if (kt_channel(0, e))
		return;
	if (kt_channel(0, side)) {
		ch_cap_drop(e[0]);
		ch_cap_drop(e[1]);
		return;
	}
	busy_side = side[1];
	for (; made < BUSY_CLIENTS; made++)
		if (ch_cap_derive(e[0], RIGHT_SEND | RIGHT_RECV, made + 1, &busy_caps[made]) < 0) {
			fr_bad("derive");
			goto out;
		}
	if (fr_start(0, busy_server, &e[1], 0))
		goto out;
	for (unsigned k = 0; k < BUSY_CLIENTS; k++)
		if (fr_start(1 + k, busy_client, (void *)(uintptr_t)k, (int)k + 1))
			goto out;
	for (unsigned k = 0; k < BUSY_CLIENTS; k++)
		fr_join(1 + k, "client");
out:
	for (unsigned k = 0; k < made; k++)
		ch_cap_drop(busy_caps[k]);
	ch_cap_drop(e[0]); /* the last client end: the server's wait ends */
	fr_join_all();
	ch_cap_drop(e[1]);
	ch_cap_drop(side[0]);
	ch_cap_drop(side[1]);
	fr_collect();
	if (kt_failed())
		return;
	CHECK(busy_total == BUSY_CLIENTS * BUSY_CALLS, "the server answered %u calls, want %u",
	      busy_total, BUSY_CLIENTS * BUSY_CALLS);
}

/* ---------------------------------------------------------------------------------
 * Many servers parked on one endpoint, many callers
 * --------------------------------------------------------------------------------- */

#define MS_SERVERS 4u
#define MS_CALLERS 4u
#define MS_CALLS 250u

static handle_t ms_caps[MS_CALLERS];
static uint32_t ms_count[MS_CALLERS][MS_CALLS];
static uint32_t ms_served[MS_SERVERS];

static handle_t ms_server_ep;

static int ms_server(void *arg)
{
	uint64_t sid = (uintptr_t)arg;
	uint64_t w[4] = {0}, rep[4], badge = 0;
	const uint64_t *reply = NULL;
	for (;;) {
		long r = ch_kbus_reply_recv_fast(ms_server_ep, reply, w, &badge);
		if (r == ERR_PEER_CLOSED)
			return 0;
		uint64_t cid = badge - 1, seq = w[0];
		if (r < 0 || cid >= MS_CALLERS || seq >= MS_CALLS || w[1] != cid ||
		    w[2] != busy_mix(cid, seq) || w[3] != ~seq) {
			fr_bad("server %llu: %s, badge %llu, words %llx %llx %llx %llx",
			       (unsigned long long)sid, ch_error_name(r), (unsigned long long)badge,
			       (unsigned long long)w[0], (unsigned long long)w[1],
			       (unsigned long long)w[2], (unsigned long long)w[3]);
			return 1;
		}
		__atomic_fetch_add(&ms_count[cid][seq], 1, __ATOMIC_RELAXED);
		ms_served[sid]++;
		rep[0] = seq;
		rep[1] = sid;
		rep[2] = w[2] + 1;
		rep[3] = ~w[3];
		reply = rep;
	}
}

static int ms_caller(void *arg)
{
	uint64_t cid = (uintptr_t)arg;
	for (uint64_t seq = 0; seq < MS_CALLS; seq++) {
		uint64_t m = busy_mix(cid, seq), out[4] = {0};
		long r = fast_call4(ms_caps[cid], seq, cid, m, ~seq, out, FR_WAIT);
		if (r < 0 || out[0] != seq || out[1] >= MS_SERVERS || out[2] != m + 1 ||
		    out[3] != seq) {
			fr_bad("caller %llu call %llu: %s, reply %llx %llx %llx %llx",
			       (unsigned long long)cid, (unsigned long long)seq, ch_error_name(r),
			       (unsigned long long)out[0], (unsigned long long)out[1],
			       (unsigned long long)out[2], (unsigned long long)out[3]);
			return 1;
		}
	}
	return 0;
}

static void test_many_servers(void)
{
	handle_t e[2];
	unsigned made = 0;
	fr_reset();
	memset(ms_count, 0, sizeof(ms_count));
	memset(ms_served, 0, sizeof(ms_served));
	if (kt_channel(0, e))
		return;
	ms_server_ep = e[1];
	for (; made < MS_CALLERS; made++)
		if (ch_cap_derive(e[0], RIGHT_SEND | RIGHT_RECV, made + 1, &ms_caps[made]) < 0) {
			fr_bad("derive");
			goto out;
		}
	for (unsigned k = 0; k < MS_SERVERS; k++)
		if (fr_start(k, ms_server, (void *)(uintptr_t)k, -1))
			goto out;
	for (unsigned k = 0; k < MS_CALLERS; k++)
		if (fr_start(MS_SERVERS + k, ms_caller, (void *)(uintptr_t)k, (int)k + 1))
			goto out;
	for (unsigned k = 0; k < MS_CALLERS; k++)
		fr_join(MS_SERVERS + k, "caller");
out:
	for (unsigned k = 0; k < made; k++)
		ch_cap_drop(ms_caps[k]);
	ch_cap_drop(e[0]); /* every parked server's wait ends */
	fr_join_all();
	ch_cap_drop(e[1]);
	fr_collect();
	if (kt_failed())
		return;
	uint32_t sum = 0;
	for (unsigned k = 0; k < MS_SERVERS; k++)
		sum += ms_served[k];
	CHECK(sum == MS_CALLERS * MS_CALLS, "servers answered %u calls, want %u", sum,
	      MS_CALLERS * MS_CALLS);
	for (unsigned c = 0; c < MS_CALLERS; c++)
		for (unsigned q = 0; q < MS_CALLS; q++)
			CHECK(ms_count[c][q] == 1, "caller %u's call %u was received %u times", c,
			      q, ms_count[c][q]);
	printf("kbustest: fast_many_servers: %u CPUs, calls per server %u %u %u %u\n", fr_ncpu(),
	       ms_served[0], ms_served[1], ms_served[2], ms_served[3]);
}

/* ---------------------------------------------------------------------------------
 * FPU, SSE and callee-saved registers across fast switches
 * --------------------------------------------------------------------------------- */

#define FPU_CALLS 2000u
#define FPU_PAIRS 2u
#define FPU_CLIENT_TAG 0xc1u
#define FPU_SERVER_TAG 0x5eu
#define FPU_NOISE_TAG 0x0au

/*
 * What one system call is made with and what came back: rbx, r12-r15, rbp, x87
 * st(0), MXCSR and xmm0-xmm15 are loaded from *_in just before the syscall
 * instruction and stored to *_out just after it, in one asm block, so the
 * compiler cannot touch them in between. Offsets are the asm's.
 */
struct fpu_ctx {
	uint64_t gpr_in[6]; /* 0: rbx r12 r13 r14 r15 rbp */
	uint64_t gpr_out[6]; /* 48 */
	double x87_in; /* 96 */
	double x87_out; /* 104 */
	uint32_t mx_in; /* 112 */
	uint32_t mx_out; /* 116 */
	uint32_t mx_default; /* 120 */
	uint32_t pad[1];
	uint8_t xmm_in[16][16]; /* 128 */
	uint8_t xmm_out[16][16]; /* 384 */
};
_Static_assert(__builtin_offsetof(struct fpu_ctx, gpr_out) == 48, "asm offsets");
_Static_assert(__builtin_offsetof(struct fpu_ctx, x87_in) == 96, "asm offsets");
_Static_assert(__builtin_offsetof(struct fpu_ctx, mx_in) == 112, "asm offsets");
_Static_assert(__builtin_offsetof(struct fpu_ctx, xmm_in) == 128, "asm offsets");
_Static_assert(__builtin_offsetof(struct fpu_ctx, xmm_out) == 384, "asm offsets");

#define XIN(n, off) "movdqu " #off "(%%rcx), %%xmm" #n "\n\t"
#define XOUT(n, off) "movdqu %%xmm" #n ", " #off "(%%rcx)\n\t"

/* System call nr with the fast path's registers (w: rsi rdx r10 r8, *r9), under ctx. */
static long fpu_syscall(uint64_t nr, handle_t ep, uint64_t w[4], uint64_t *r9v, struct fpu_ctx *ctx)
{
	register uint64_t rsi __asm__("rsi") = w[0];
	register uint64_t rdx __asm__("rdx") = w[1];
	register uint64_t r10 __asm__("r10") = w[2];
	register uint64_t r8 __asm__("r8") = w[3];
	register uint64_t r9 __asm__("r9") = *r9v;
	uint64_t rax = nr;
	struct fpu_ctx *c = ctx;
	/* below the red zone, keep ctx on the stack across the call (rcx is the kernel's) */
	/* clang-format off */
	__asm__ volatile(
	    "sub $128, %%rsp\n\t"
	    "push %%rbp\n\t"
	    "push %%rcx\n\t"
	    "mov 0(%%rcx), %%rbx\n\t"
	    "mov 8(%%rcx), %%r12\n\t"
	    "mov 16(%%rcx), %%r13\n\t"
	    "mov 24(%%rcx), %%r14\n\t"
	    "mov 32(%%rcx), %%r15\n\t"
	    "mov 40(%%rcx), %%rbp\n\t"
	    "fldl 96(%%rcx)\n\t"
	    "ldmxcsr 112(%%rcx)\n\t"
	    XIN(0, 128) XIN(1, 144) XIN(2, 160) XIN(3, 176)
	    XIN(4, 192) XIN(5, 208) XIN(6, 224) XIN(7, 240)
	    XIN(8, 256) XIN(9, 272) XIN(10, 288) XIN(11, 304)
	    XIN(12, 320) XIN(13, 336) XIN(14, 352) XIN(15, 368)
	    "syscall\n\t"
	    "mov (%%rsp), %%rcx\n\t"
	    "mov %%rbx, 48(%%rcx)\n\t"
	    "mov %%r12, 56(%%rcx)\n\t"
	    "mov %%r13, 64(%%rcx)\n\t"
	    "mov %%r14, 72(%%rcx)\n\t"
	    "mov %%r15, 80(%%rcx)\n\t"
	    "mov %%rbp, 88(%%rcx)\n\t"
	    "fstpl 104(%%rcx)\n\t"
	    "stmxcsr 116(%%rcx)\n\t"
	    "ldmxcsr 120(%%rcx)\n\t"
	    XOUT(0, 384) XOUT(1, 400) XOUT(2, 416) XOUT(3, 432)
	    XOUT(4, 448) XOUT(5, 464) XOUT(6, 480) XOUT(7, 496)
	    XOUT(8, 512) XOUT(9, 528) XOUT(10, 544) XOUT(11, 560)
	    XOUT(12, 576) XOUT(13, 592) XOUT(14, 608) XOUT(15, 624)
	    "pop %%rcx\n\t"
	    "pop %%rbp\n\t"
	    "add $128, %%rsp"
	    : "+a"(rax), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+c"(c)
	    : "D"((uint64_t)ep)
	    : "rbx", "r11", "r12", "r13", "r14", "r15", "memory", "cc",
	      "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
	      "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	/* clang-format on */
	w[0] = rsi;
	w[1] = rdx;
	w[2] = r10;
	w[3] = r8;
	*r9v = r9;
	return (long)rax;
}

/* The state thread tag loads for its call j: every register different, every time. */
static void fpu_fill(struct fpu_ctx *c, uint64_t tag, uint64_t j)
{
	uint64_t base = tag << 56 | (j & 0xffffff) << 24;
	for (unsigned k = 0; k < 6; k++)
		c->gpr_in[k] = base | 0xa0 | k;
	for (unsigned k = 0; k < 16; k++) {
		uint64_t v[2] = {base | (uint64_t)k << 8 | 1, ~(base | (uint64_t)k << 8)};
		memcpy(c->xmm_in[k], v, 16);
	}
	c->x87_in = (double)(tag * 1000003 + j) + 0.375;
	c->mx_in = 0x1f80u | (uint32_t)((tag + j) & 3) << 13; /* a rounding mode of its own */
	c->mx_default = 0x1f80u;
	memset(c->gpr_out, 0, sizeof(c->gpr_out));
	memset(c->xmm_out, 0, sizeof(c->xmm_out));
	c->x87_out = 0;
	c->mx_out = 0;
}

/* Which register came back changed ("" if none). */
static const char *fpu_changed(const struct fpu_ctx *c, unsigned *idx)
{
	for (unsigned k = 0; k < 16; k++)
		if (memcmp(c->xmm_in[k], c->xmm_out[k], 16)) {
			*idx = k;
			return "xmm";
		}
	for (unsigned k = 0; k < 6; k++)
		if (c->gpr_in[k] != c->gpr_out[k]) {
			*idx = k;
			return "gpr (rbx, r12..r15, rbp)";
		}
	*idx = 0;
	if (memcmp(&c->x87_in, &c->x87_out, sizeof(double)))
		return "x87 st0";
	if (c->mx_in != c->mx_out)
		return "mxcsr";
	return "";
}

static uint32_t fpu_bad_count;
static const char *fpu_phase_name = "";

/* A corruption seen by a thread (the first is described). */
static void fpu_report(const char *who, uint64_t j, const struct fpu_ctx *c)
{
	unsigned idx;
	const char *what = fpu_changed(c, &idx);
	if (!*what)
		return;
	__atomic_fetch_add(&fpu_bad_count, 1, __ATOMIC_RELAXED);
	fr_bad("%s (%s), call %llu: %s%u changed across the system call", who, fpu_phase_name,
	       (unsigned long long)j, what, idx);
}

struct fpu_job {
	handle_t ep;
	uint64_t tag;
	uint32_t stop; /* noise: end */
	uint64_t server_bad; /* clients: the servers' count, from their replies */
	uint64_t done; /* clients: calls answered */
};

static int fpu_client(void *arg)
{
	struct fpu_job *f = arg;
	struct fpu_ctx c __attribute__((aligned(16)));
	for (uint64_t j = 0; j < FPU_CALLS && !fr_any_bad(); j++) {
		uint64_t w[4] = {j, f->tag, 0, 0}, r9 = FR_WAIT;
		fpu_fill(&c, f->tag, j);
		long r = fpu_syscall(SYS_KBUS_CALL_FAST, f->ep, w, &r9, &c);
		if (r < 0) {
			fr_bad("fpu client %llx call %llu: %s", (unsigned long long)f->tag,
			       (unsigned long long)j, ch_error_name(r));
			return 1;
		}
		if (w[0] != j + 1 || w[1] != f->tag) {
			fr_bad("fpu client %llx call %llu: reply %llx %llx",
			       (unsigned long long)f->tag, (unsigned long long)j,
			       (unsigned long long)w[0], (unsigned long long)w[1]);
			return 1;
		}
		if (w[2] > f->server_bad)
			f->server_bad = w[2];
		__atomic_store_n(&f->done, j + 1, __ATOMIC_RELEASE);
		fpu_report("client", j, &c);
	}
	return 0;
}

/* Other threads' FPU state on the CPUs: yields and preemption between the calls. */
static int fpu_noise(void *arg)
{
	struct fpu_job *f = arg;
	struct fpu_ctx c __attribute__((aligned(16)));
	for (uint64_t j = 0; !__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE) && !fr_any_bad(); j++) {
		uint64_t w[4] = {0}, r9 = 0;
		fpu_fill(&c, f->tag, j);
		fpu_syscall(SYS_SELF_YIELD, 0, w, &r9, &c);
		fpu_report("noise thread", j, &c);
	}
	return 0;
}

/* Child side (role "fpuserver"): answers (w0 + 1, w1, corruptions seen so far). */
static int fpu_server(void *arg)
{
	struct fpu_job *f = arg;
	struct fpu_ctx c __attribute__((aligned(16)));
	uint64_t w[4] = {0}, r9 = 0;
	for (uint64_t j = 0;; j++) {
		fpu_fill(&c, f->tag, j);
		long r = fpu_syscall(SYS_KBUS_REPLY_RECV_FAST, f->ep, w, &r9, &c);
		if (r == ERR_PEER_CLOSED)
			return 0;
		if (r < 0)
			return 2;
		unsigned idx;
		if (*fpu_changed(&c, &idx))
			fpu_bad_count++;
		w[0]++;
		w[2] = fpu_bad_count;
		w[3] = 0;
		r9 = 1;
	}
}

/*
 * Where phase mode puts thread k (a client here and its server in the child, on
 * channel k): 's' all on CPU 0; 'p' pair k on CPU k, pairs switching in parallel
 * (a direct switch needs the server allowed on the caller's CPU); 'f' free, so
 * the direct switch moves the server to its caller's CPU and the scheduler
 * spreads them again: FPU state follows threads between CPUs.
 */
static int fpu_cpu(char mode, unsigned k)
{
	return mode == 's' ? 0 : mode == 'p' ? (int)k : -1;
}

static int fpu_child(const char *arg)
{
	static struct fpu_job jobs[FPU_PAIRS];
	static const char *const names[FPU_PAIRS] = {"ep", "extra"};
	int code = 0;
	fr_reset();
	kt_self = ch_handle("self.process");
	for (unsigned k = 0; k < FPU_PAIRS; k++) {
		jobs[k] = (struct fpu_job){.ep = ch_handle(names[k]), .tag = FPU_SERVER_TAG + k};
		if (fr_start(k, fpu_server, &jobs[k], fpu_cpu(arg[0], k)))
			return 3;
	}
	for (unsigned k = 0; k < FPU_PAIRS; k++) {
		int64_t c = 0;
		if (ch_thread_wait(fr_threads[k], KT_LONG, &c) < 0)
			return 4;
		if (c)
			code = (int)c;
	}
	return fpu_bad_count ? 5 : code;
}

static const char *fpu_mode_name(char mode)
{
	return mode == 's' ? "one CPU" : mode == 'p' ? "a pair per CPU" : "free";
}

/* One phase: FPU_PAIRS clients here, each with its server in a child, placed by mode. */
static void fpu_phase(char mode)
{
	handle_t a[2], b[2];
	struct ch_child ch;
	static struct fpu_job jobs[FPU_PAIRS], noise[2];
	char arg[2] = {mode, 0};
	_Static_assert(FPU_PAIRS == 2, "one channel granted as ep, one as extra");
	fpu_phase_name = fpu_mode_name(mode);
	if (kt_channel(0, a))
		return;
	if (kt_channel(0, b)) {
		ch_cap_drop(a[0]);
		ch_cap_drop(a[1]);
		return;
	}
	long r = kt_spawn("fpuserver", arg, a[1], b[1], KT_EP_RIGHTS, &ch);
	ch_cap_drop(a[1]);
	ch_cap_drop(b[1]);
	if (r < 0) {
		fr_bad("spawn: %s", ch_error_name(r));
		ch_cap_drop(a[0]);
		ch_cap_drop(b[0]);
		return;
	}
	for (unsigned k = 0; k < 2; k++) {
		noise[k] = (struct fpu_job){.tag = FPU_NOISE_TAG + k};
		if (fr_start(FPU_PAIRS + k, fpu_noise, &noise[k], fpu_cpu(mode, k)))
			goto out;
	}
	for (unsigned k = 0; k < FPU_PAIRS; k++) {
		jobs[k] = (struct fpu_job){.ep = k ? b[0] : a[0], .tag = FPU_CLIENT_TAG + k};
		if (fr_start(k, fpu_client, &jobs[k], fpu_cpu(mode, k)))
			goto out;
	}
	for (unsigned k = 0; k < FPU_PAIRS; k++)
		if (fr_join(k, "fpu client"))
			printf("kbustest: fpu (%s): client %u stopped after %llu of %u calls\n",
			       fpu_mode_name(mode), k, (unsigned long long)jobs[k].done, FPU_CALLS);
	for (unsigned k = 0; k < FPU_PAIRS; k++)
		if (jobs[k].server_bad)
			fr_bad("%s: the server threads saw %llu corruptions of their registers",
			       fpu_mode_name(mode), (unsigned long long)jobs[k].server_bad);
out:
	for (unsigned k = 0; k < 2; k++)
		__atomic_store_n(&noise[k].stop, 1, __ATOMIC_RELEASE);
	ch_cap_drop(a[0]); /* the servers' waits end */
	ch_cap_drop(b[0]);
	struct proc_status st = {0};
	r = kt_reap(&ch, FR_WAIT, &st);
	if (r < 0 || st.state != PROC_EXITED || st.code != 0)
		fr_bad("fpu server process (%s): %s, state %u code %lld", fpu_mode_name(mode),
		       ch_error_name(r), st.state, (long long)st.code);
	fr_join_all();
}

static void test_fpu_state(void)
{
	fr_reset();
	fpu_bad_count = 0;
	fpu_phase('s');
	if (!fr_any_bad() && fr_ncpu() > 1)
		fpu_phase('p');
	if (!fr_any_bad() && fr_ncpu() > 1)
		fpu_phase('f');
	fr_collect();
}

/* ---------------------------------------------------------------------------------
 * The flat call record between calls
 * --------------------------------------------------------------------------------- */

/*
 * A thread's flat call record rests on its server end's list of calls from one
 * flat call to the next (kernel/kbus/flat.c), answered. It must leave that list
 * whenever the thread lets go of the endpoint, or a close of that end would take
 * the thread's next call, on another channel, for one of its own (and end it
 * with ERR_PEER_CLOSED); and a close while it rests must leave it alone and off
 * the list. Each round: the client thread makes three flat calls on channel A
 * (echoed by A's server), then
 *   0: two calls on channel B (the first leaves A by the C path);
 *   1: parks on A's client end itself and answers one call from us (the flat
 *      park lets go of A's reference), then two calls on B;
 *   2: waits while we drop A's server end (a close under a resting record),
 *      then one call on B whose server drops B's server end under it.
 * B's server answers the first call and holds the last; A's server end is
 * dropped while it is held; the call must then get B's answer (round kinds 0
 * and 1) or ERR_PEER_CLOSED from B's own close (2). All three threads share a
 * CPU, so the calls take the flat path. Kinds 0 and 1 fail if the record stays
 * on A's list (left there by kbus_flat_put_held() or the flat park: B's call is
 * ended by A's close); kind 2 and our own record, resting on A's client end
 * when we drop it, run a close past a resting record.
 */
#define REST_ROUNDS 24u
#define REST_A_CALLS 3u

struct rest_state {
	handle_t a[2], b[2];
	uint32_t kind;
	uint32_t held, release, rested, a_closed, parking;
	long last; /* the held call's result */
	uint64_t last_w[4];
};

static struct rest_state rs;

/* A's server: echo until the end is gone. */
static int rest_echo(void *arg)
{
	(void)arg;
	uint64_t w[4] = {0};
	const uint64_t *reply = NULL;
	while (ch_kbus_reply_recv_fast(rs.a[1], reply, w, NULL) == 0)
		reply = w;
	return 0;
}

/* B's server: answer calls, hold the last (kind 2: drop B's server end under it). */
static int rest_holder(void *arg)
{
	(void)arg;
	uint64_t w[4] = {0};
	unsigned echo = rs.kind == 2 ? 0 : 1;
	long r = ch_kbus_reply_recv_fast(rs.b[1], NULL, w, NULL);
	for (unsigned k = 0; k < echo && r == 0; k++)
		r = ch_kbus_reply_recv_fast(rs.b[1], w, w, NULL);
	if (r < 0 || w[0] != FR_MAGIC) {
		fr_bad("B's server: %s, word %llx", ch_error_name(r), (unsigned long long)w[0]);
		return 1;
	}
	fr_flag_set(&rs.held);
	if (rs.kind == 2) {
		r = ch_cap_drop(rs.b[1]);
		if (r < 0)
			fr_bad("drop B's server end: %s", ch_error_name(r));
		return 0;
	}
	if (fr_await(&rs.release, 1, "the release of B's held call"))
		return 1;
	uint64_t rep[4] = {w[0] + 1, w[1] + 1, w[2] + 1, w[3] + 1};
	r = reply4(rs.b[1], rep);
	if (r < 0)
		fr_bad("B's server's reply: %s", ch_error_name(r));
	return 0;
}

static int rest_client(void *arg)
{
	uint32_t i = (uint32_t)(uintptr_t)arg;
	uint64_t out[4] = {0}, w[4] = {0};
	for (uint64_t k = 0; k < REST_A_CALLS; k++) {
		long r = fast_call4(rs.a[0], FR_MAGIC, k, i, 0, out, CH_FOREVER);
		if (r < 0 || out[1] != k) {
			fr_bad("round %u: call %llu on A: %s", i, (unsigned long long)k,
			       ch_error_name(r));
			return 1;
		}
	}
	if (rs.kind == 1) { /* serve one call on A's client end, then go on */
		fr_flag_set(&rs.parking);
		long r = ch_kbus_reply_recv_fast(rs.a[0], NULL, w, NULL);
		uint64_t rep[4] = {~w[0], 0, 0, 0};
		if (r == 0)
			r = reply4(rs.a[0], rep);
		if (r < 0) {
			fr_bad("round %u: serving on A's client end: %s", i, ch_error_name(r));
			return 1;
		}
	} else if (rs.kind == 2) {
		fr_flag_set(&rs.rested);
		if (fr_await(&rs.a_closed, 1, "A's server end to close"))
			return 1;
	}
	unsigned calls = rs.kind == 2 ? 1 : 2;
	for (unsigned k = 0; k < calls; k++) {
		long r = fast_call4(rs.b[0], FR_MAGIC, 100 + k, i, 0, out, CH_FOREVER);
		if (k + 1 < calls && (r < 0 || out[1] != 100 + k)) {
			fr_bad("round %u: call %u on B: %s", i, k, ch_error_name(r));
			return 1;
		}
		rs.last = r;
		memcpy(rs.last_w, out, sizeof(out));
	}
	return 0;
}

static void rest_round(uint32_t i)
{
	memset(&rs, 0, sizeof(rs));
	rs.kind = i % 3;
	if (kt_channel(0, rs.a))
		return;
	if (kt_channel(0, rs.b)) {
		ch_cap_drop(rs.a[0]);
		ch_cap_drop(rs.a[1]);
		return;
	}
	int cpu = (int)i;
	if (fr_start(0, rest_echo, NULL, cpu) || fr_start(1, rest_holder, NULL, cpu) ||
	    fr_start(2, rest_client, (void *)(uintptr_t)i, cpu))
		goto out;
	if (rs.kind == 1) { /* the call the client answers on A's client end */
		uint64_t out[4] = {0};
		if (fr_await(&rs.parking, 1, "the client to serve on A"))
			goto out;
		ch_sleep_ns(KT_MS); /* most likely parked by now: the flat park */
		long r = fast_call4(rs.a[1], 7, 0, 0, 0, out, FR_WAIT);
		if (r < 0 || out[0] != ~UINT64_C(7)) {
			fr_bad("round %u: call to the client on A: %s", i, ch_error_name(r));
			goto out;
		}
	}
	if (rs.kind == 2) {
		if (fr_await(&rs.rested, 1, "the client's calls on A"))
			goto out;
		ch_cap_drop(rs.a[1]); /* A's server end closes under the resting record */
		rs.a[1] = HANDLE_INVALID;
		fr_flag_set(&rs.a_closed);
	} else {
		if (fr_await(&rs.held, 1, "B's server to hold the client's call"))
			goto out;
		ch_cap_drop(rs.a[1]); /* A's server end closes: the client's record left it */
		rs.a[1] = HANDLE_INVALID;
		fr_flag_set(&rs.release);
	}
	if (fr_join(2, "the client"))
		goto out;
	if (rs.kind == 2 && rs.last != ERR_PEER_CLOSED)
		fr_bad("round %u: a call whose server end closed under it: %s, want "
		       "ERR_PEER_CLOSED",
		       i, ch_error_name(rs.last));
	if (rs.kind != 2 && (rs.last != 0 || rs.last_w[0] != FR_MAGIC + 1 || rs.last_w[1] != 102))
		fr_bad("round %u (kind %u): the call B's server held: %s, words %llx %llx, want "
		       "B's answer",
		       i, rs.kind, ch_error_name(rs.last), (unsigned long long)rs.last_w[0],
		       (unsigned long long)rs.last_w[1]);
out:
	fr_flag_set(&rs.release);
	fr_flag_set(&rs.a_closed);
	ch_cap_drop(rs.a[0]); /* A's server, if still parked, sees its peer close */
	ch_cap_drop(rs.b[0]);
	fr_join_all();
	ch_cap_drop(rs.a[1]);
	ch_cap_drop(rs.b[1]);
}

static void test_flat_record(void)
{
	fr_reset();
	for (uint32_t i = 0; i < REST_ROUNDS && !fr_any_bad(); i++)
		rest_round(i);
	fr_collect();
}

/* --- child roles and the list --- */

static int fast_child_call(const char *arg)
{
	uint64_t out[4] = {0};
	uint64_t seq = (uint64_t)atoi(arg);
	long r = fast_call4(ch_handle("ep"), FR_MAGIC, seq, ~seq, 0, out, KT_LONG);
	return r == 0 ? 1 : 2; /* killed before: never gets here */
}

/* Receive one call, say "got" (or, parked: say "parked" first), then wait to be killed. */
static int fast_child_server(int hold)
{
	handle_t ep = ch_handle("ep");
	uint64_t w[4] = {0};
	if (!hold && ch_kbus_send_bytes(ep, "parked", 6, 0, KT_LONG) < 0)
		return 1;
	long r = ch_kbus_reply_recv_fast(ep, NULL, w, NULL);
	if (!hold)
		return 2; /* killed while parked: never gets here */
	if (r < 0 || w[0] != FR_MAGIC)
		return 3;
	if (ch_kbus_send_bytes(ep, "got", 3, 0, KT_LONG) < 0)
		return 4;
	for (;;)
		ch_sleep_ns(KT_SECOND);
}

int kt_fast_child(const char *role, const char *arg)
{
	if (!strcmp(role, "fastcall"))
		return fast_child_call(arg);
	if (!strcmp(role, "fasthold"))
		return fast_child_server(1);
	if (!strcmp(role, "fastpark"))
		return fast_child_server(0);
	if (!strcmp(role, "fpuserver"))
		return fpu_child(arg);
	return -1;
}

void kt_run_fast_tests(void)
{
	kt_run("fast_kill_caller", test_kill_caller);
	kt_run("fast_kill_server", test_kill_server);
	kt_run("fast_revoke_other_cpu", test_revoke_other_cpu);
	kt_run("fast_revoke_flat", test_revoke_flat);
	kt_run("fast_timeout_race", test_timeout_race);
	kt_run("fast_peer_closed_parked", test_peer_closed_parked);
	kt_run("fast_busy_server", test_busy_server);
	kt_run("fast_many_servers", test_many_servers);
	kt_run("fast_fpu_state", test_fpu_state);
	kt_run("fast_flat_record", test_flat_record);
}
