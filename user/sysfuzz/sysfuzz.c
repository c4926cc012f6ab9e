/*
 * sysfuzz.c - bin/sysfuzz's parent: runs fuzz children in batches and checks that the
 * kernel survives them (see sysfuzz.h for the roles).
 *
 * Started by Exec from etc/test.manifest (and etc/testfuzz.manifest, `make fuzz`) with
 * "log", "console" and a pool; usage
 *     bin/sysfuzz [seed [calls [per_child [parallel]]]] [key=value ...]
 * (defaults 0x5eed, 500000, 2500, 2); the keys: seed, calls (0: no call budget),
 * per_child, parallel (up to 8), threads (fuzz threads per child, main included, up
 * to 8), seconds (a guest-time budget), guide=0 (no coverage guidance on a KCOV=1
 * kernel), mt=<calls> (the 4-CPU multi-threaded run after the main one). The figures
 * come last as "summary:" lines, then "sysfuzz: PASS" or "sysfuzz: FAIL: <why>".
 * Children are numbered from 0; child n gets seed
 * fz_child_seed(seed, n), printed before it starts, so a run that brings the kernel
 * down names the seeds that were running. A batch is `parallel` children at once, each
 * with its own sub-pool (FZ_CHILD_POOL), a page shared with us, and one end of a
 * channel whose other end we serve: every message is received, every capability in it
 * dropped, every call answered (4 bytes, sometimes nonzero, so a fault a child routed
 * to us through a pager is sometimes refused).
 *
 * After each batch:
 *   - every child must have ended (any status); one still running after
 *     FZ_BATCH_NS is killed, and one that a kill does not end is a failure;
 *   - we must still make ordinary calls: create, map, use and destroy memory, send
 *     and receive on a fresh channel, make and drop a process;
 *   - our working pool's used bytes (p_work: what the children and the objects we
 *     make for them are paid from) must be back at the baseline taken before the
 *     first batch once every handle to the children is dropped (a leak in the kernel's teardown of
 *     processes, threads, cspaces, address spaces, channels, waitsets or groups);
 *   - the kernel's invariant checker (SYS_LOG_CHECK through "console": capability
 *     trees, reference counts, pools) must pass.
 * On a KCOV=1 kernel (SYS_LOG_COVERAGE answers) children are told to guide their
 * calls by the kernel's PC count (child.c). Children merge the (action, result)
 * outcomes they saw into their shared page; the parent counts the distinct ones.
 * The calls that children make are summed until `calls` is reached. VMTEST lines:
 * sysfuzz_survives, sysfuzz_results (no broken ABI promise, see child.c),
 * sysfuzz_parent_works, sysfuzz_no_leaks, sysfuzz_invariants, and with mt=
 * sysfuzz_threads_smp4.
 */
#include "sysfuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/sched.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define FZ_MAX_PARALLEL 8
/* a child's sub-pool pays for its process, image and stack (~530 KiB: 389 KiB of bss),
   its threads and everything it makes */
#define FZ_CHILD_POOL (1280u << 10)
#define FZ_BATCH_NS UINT64_C(15000000000) /* 15 s for one batch */
/* How long something may take before it counts as hung: generous, so that a busy host
 * (both cores taken by other guests) never looks like a hang; a real hang still ends. */
#define FZ_KILL_NS UINT64_C(60000000000)
#define FZ_END_NS UINT64_C(60000000000)
#define MS UINT64_C(1000000)

static handle_t p_log, p_pool, p_as;
/* What children and the objects we make for them are paid from, and what the leak
 * checks read: a sub-pool of p_pool (p_pool itself in replays), so our own process's
 * bookkeeping (a cspace table or mapping records that grew, which our pool pays
 * for) never counts as a leak. */
static handle_t p_work;
#define FZ_OWN_RESERVE (1u << 20) /* p_pool's share left to us */
/* the scheduler's control, if we were given it: children get it to look only
 * (SYS_SCHED_SET and raised weights are refused them) */
static handle_t p_sched;
/* "console" (RIGHT_MANAGE, RIGHT_READ): the invariant checker and the coverage figure */
static handle_t p_check = HANDLE_INVALID;
/* the initrd's directory, read-only: children's namespace operations reach real nodes */
static handle_t p_initrd = HANDLE_INVALID;
static uint64_t p_initrd_rights;
static uint64_t reply_rng = 0x243f6a8885a308d3u;

/* How the children fuzz (main's options): fuzz threads each (main included), and
 * coverage guidance (a KCOV=1 kernel answered SYS_LOG_COVERAGE). */
static unsigned opt_threads = 1;
static int opt_kcov;

/* Figures over the whole run. */
static uint64_t outcomes[FZ_OUTCOME_WORDS];
static uint64_t cov_seqs, cov_replays, checks_passed;

struct slot {
	struct ch_child c;
	handle_t ep, shared;
	volatile struct fz_shared *sh;
	uint64_t seed, n;
	int running, ended;
	struct proc_status st;
};

/* What failed first for each VMTEST line (empty: passed). */
static char why_survives[256], why_results[512], why_works[256], why_leaks[256];
static char why_invariants[320];

#define FAIL_ONCE(buf, ...)                                      \
	do {                                                     \
		if (!(buf)[0])                                   \
			snprintf(buf, sizeof(buf), __VA_ARGS__); \
	} while (0)

static uint64_t fz_child_seed(uint64_t seed, uint64_t n)
{
	uint64_t x = seed + n * UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t pool_used(void)
{
	struct pool_info pi;
	return ch_pool_info(p_work, &pi) < 0 ? UINT64_MAX : pi.used;
}

static void describe_call(char *out, size_t n, const volatile struct fz_call *c)
{
	snprintf(out, n,
	         "%s #%llu (thread %u): %s (%#llx) target %#llx args %#llx %#llx %#llx %#llx %#llx "
	         "-> %lld",
	         c->thread ? "fuzz thread call" : "call", (unsigned long long)c->index, c->thread,
	         fz_action_name(c->action), (unsigned long long)c->action,
	         (unsigned long long)c->target, (unsigned long long)c->a[0],
	         (unsigned long long)c->a[1], (unsigned long long)c->a[2],
	         (unsigned long long)c->a[3], (unsigned long long)c->a[4], (long long)c->result);
}

/* --- starting and ending children --- */

/* Starts child n with seed in slot idx; verbose children log every call. */
static int start_child(struct slot *s, unsigned idx, uint64_t seed, uint64_t n, uint64_t calls,
                       int verbose)
{
	char seed_s[24], calls_s[24], threads_s[8];
	const char *argv[] = {
	    "bin/sysfuzz",         "child", seed_s, calls_s, verbose ? "v" : "-", threads_s,
	    opt_kcov ? "k" : NULL, NULL};
	handle_t e[2];
	uint64_t va = FZ_PARENT_SHARED_VA + idx * 4096u;

	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->n = n;
	snprintf(seed_s, sizeof(seed_s), "%#llx", (unsigned long long)s->seed);
	snprintf(calls_s, sizeof(calls_s), "%llu", (unsigned long long)calls);
	snprintf(threads_s, sizeof(threads_s), "%u", opt_threads);
	long r = ch_mem_create(p_work, 4096, &s->shared);
	if (r < 0)
		return (int)r;
	if ((r = ch_as_map(p_as, va, s->shared, 0, 4096, PROT_READ | PROT_WRITE)) < 0)
		goto out_shared;
	s->sh = (volatile struct fz_shared *)(uintptr_t)va;
	s->sh->magic = FZ_MAGIC;
	if ((r = ch_channel_create(p_work, 16, e)) < 0)
		goto out_unmap;
	s->ep = e[1];
	struct ch_grant g[] = {
	    {"log", p_log, RIGHT_WRITE | RIGHT_DUPLICATE | RIGHT_TRANSFER},
	    {"ep", e[0],
	     RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_DUPLICATE | RIGHT_TRANSFER |
	         RIGHT_INSPECT | RIGHT_REVOKE},
	    {"shared", s->shared,
	     RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_INSPECT | RIGHT_DUPLICATE |
	         RIGHT_TRANSFER},
	    {"sched", p_sched, RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_TRANSFER},
	    {"kcov", p_check, RIGHT_READ},
	    {"initrd", p_initrd, p_initrd_rights},
	};
	struct ch_grant use[6];
	unsigned ng = 0;
	for (unsigned i = 0; i < 6; i++)
		if ((i != 3 || p_sched != HANDLE_INVALID) && (i != 4 || opt_kcov) &&
		    (i != 5 || p_initrd != HANDLE_INVALID))
			use[ng++] = g[i];
	struct ch_spawn_args a = {.path = "bin/sysfuzz",
	                          .argv = argv,
	                          .grants = use,
	                          .ngrants = ng,
	                          .pool = p_work,
	                          .child_pool = FZ_CHILD_POOL};
	printf("child %llu: seed %s, %llu calls\n", (unsigned long long)n, seed_s,
	       (unsigned long long)calls);
	r = ch_spawn(&a, &s->c);
	ch_cap_drop(e[0]); /* the child has its own; when it ends, we see the peer close */
	if (r < 0)
		goto out_ep;
	s->running = 1;
	return 0;

out_ep:
	ch_cap_drop(s->ep);
out_unmap:
	ch_as_unmap(p_as, va, 4096);
out_shared:
	ch_cap_drop(s->shared);
	s->sh = NULL;
	return (int)r;
}

/* Receives everything queued on the child's channel; drops what it carried. */
static void serve(struct slot *s)
{
	static uint8_t data[KBUS_MAX_BYTES];
	static handle_t hs[KBUS_MAX_HANDLES];

	for (int i = 0; i < 64; i++) {
		struct kbus_buf b = {.data = data,
		                     .capacity = sizeof(data),
		                     .handles = hs,
		                     .handles_capacity = KBUS_MAX_HANDLES};
		long r = ch_kbus_recv(s->ep, &b, KBUS_NONBLOCK, 0);
		if (r < 0)
			return;
		for (uint32_t k = 0; k < b.nhandles && k < KBUS_MAX_HANDLES; k++)
			if (hs[k] != HANDLE_INVALID)
				ch_cap_drop(hs[k]);
		if (b.flags & KBUS_MSG_CALL) {
			reply_rng =
			    reply_rng * UINT64_C(6364136223846793005) + 1442695040888963407u;
			int32_t verdict = (reply_rng >> 60) == 0 ? (int32_t)(reply_rng >> 32) : 0;
			struct kbus_msg m = {.data = &verdict, .len = sizeof(verdict)};
			ch_kbus_reply(s->ep, &m);
		}
	}
}

/* Waits for the batch: serves the channels until every child has ended. */
static void run_batch(struct slot *slots, unsigned n)
{
	int64_t deadline = ch_clock_ns() + (int64_t)FZ_BATCH_NS;
	unsigned left = 0;

	for (unsigned i = 0; i < n; i++)
		left += slots[i].running;
	while (left > 0 && ch_clock_ns() < deadline) {
		for (unsigned i = 0; i < n; i++) {
			struct slot *s = &slots[i];
			if (!s->running || s->ended)
				continue;
			serve(s);
			if (ch_proc_wait(s->c.process, 0, &s->st) == 0) {
				s->ended = 1;
				left--;
				serve(s);
			}
		}
		ch_sleep_ns(2 * MS);
	}
	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &slots[i];
		char what[256];
		if (!s->running || s->ended)
			continue;
		describe_call(what, sizeof(what), &s->sh->cur);
		printf("child %llu (seed %#llx) still running after %llu s, in %s; killing it\n",
		       (unsigned long long)s->n, (unsigned long long)s->seed,
		       (unsigned long long)(FZ_BATCH_NS / 1000000000u), what);
		ch_proc_kill(s->c.process);
		if (ch_proc_wait(s->c.process, FZ_KILL_NS, &s->st) == 0) {
			s->ended = 1;
		} else {
			FAIL_ONCE(why_survives,
			          "child %llu (seed %#llx) did not end when killed; %s",
			          (unsigned long long)s->n, (unsigned long long)s->seed, what);
		}
	}
}

/* Reports how the child ended and gives back everything it had. Returns its calls. */
static uint64_t reap(struct slot *s)
{
	char how[128], what[320];
	uint64_t calls = s->sh->calls + s->sh->thread_calls;

	if (s->ended)
		ch_proc_status_describe(&s->st, how, sizeof(how));
	else
		snprintf(how, sizeof(how), "never ended");
	printf("child %llu: %llu calls (%llu in %llu threads), %s\n", (unsigned long long)s->n,
	       (unsigned long long)calls, (unsigned long long)s->sh->thread_calls,
	       (unsigned long long)s->sh->threads, how);
	if (s->ended && s->st.state == PROC_EXITED && s->st.code == 2 && !s->sh->started)
		FAIL_ONCE(why_results, "child %llu (seed %#llx) could not set itself up",
		          (unsigned long long)s->n, (unsigned long long)s->seed);
	if (s->sh->violations) {
		describe_call(what, sizeof(what), &s->sh->bad);
		printf("child %llu (seed %#llx): %s %s\n", (unsigned long long)s->n,
		       (unsigned long long)s->seed, what, fz_reason_name(s->sh->bad.reason));
		FAIL_ONCE(why_results, "child %llu (seed %#llx): %s %s", (unsigned long long)s->n,
		          (unsigned long long)s->seed, what, fz_reason_name(s->sh->bad.reason));
	}
	for (unsigned i = 0; i < FZ_OUTCOME_WORDS; i++)
		outcomes[i] |= s->sh->outcomes[i];
	cov_seqs += s->sh->cov_seqs;
	cov_replays += s->sh->cov_replays;
	if (!s->ended) { /* cannot give back what it holds: keep our handles */
		s->running = 0;
		return calls;
	}
	ch_child_release(&s->c);
	ch_cap_drop(s->ep);
	ch_as_unmap(p_as, (uint64_t)(uintptr_t)s->sh, 4096);
	ch_cap_drop(s->shared);
	s->running = 0;
	return calls;
}

/* --- the parent's own health --- */

static int parent_works(char *why, size_t n)
{
	const uint64_t va = FZ_PARENT_SHARED_VA + 0x100000;
	handle_t m, e[2];
	struct proc_create_out pc;
	uint32_t got;
	long r;

	if ((r = ch_null()) != 0) {
		snprintf(why, n, "null call: %s", ch_error_name(r));
		return 0;
	}
	if ((r = ch_mem_create(p_work, 2 * 4096, &m)) < 0) {
		snprintf(why, n, "mem_create: %s", ch_error_name(r));
		return 0;
	}
	if ((r = ch_as_map(p_as, va, m, 0, 2 * 4096, PROT_READ | PROT_WRITE)) < 0) {
		snprintf(why, n, "as_map: %s", ch_error_name(r));
		ch_cap_drop(m);
		return 0;
	}
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
	int ok = p[0] == 0 && p[1023] == 0;
	p[0] = 0x1234;
	p[1023] = 0x5678;
	ok = ok && p[0] == 0x1234 && p[1023] == 0x5678;
	r = ch_as_unmap(p_as, va, 2 * 4096);
	ch_cap_drop(m);
	if (!ok || r < 0) {
		snprintf(why, n, "fresh memory %s",
		         ok ? "would not unmap" : "not zero or not kept");
		return 0;
	}
	if ((r = ch_channel_create(p_work, 0, e)) < 0) {
		snprintf(why, n, "channel_create: %s", ch_error_name(r));
		return 0;
	}
	char msg[8] = "ping", in[8] = {0};
	r = ch_kbus_send_bytes(e[0], msg, 5, 0, 100 * MS);
	if (r >= 0)
		r = ch_kbus_recv_bytes(e[1], in, sizeof(in), &got, 0, 100 * MS);
	ch_cap_drop(e[0]);
	ch_cap_drop(e[1]);
	if (r < 0 || got != 5 || strcmp(in, "ping") != 0) {
		snprintf(why, n, "send/recv on a fresh channel: %s", ch_error_name(r));
		return 0;
	}
	if ((r = ch_proc_create(p_work, "probe", 5, &pc)) < 0) {
		snprintf(why, n, "proc_create: %s", ch_error_name(r));
		return 0;
	}
	ch_cap_drop(pc.address_space);
	ch_cap_drop(pc.process);
	return 1;
}

/* Used bytes back at base (teardown may finish on another CPU, which a busy host can
 * keep from running for a while: wait while it keeps giving memory back). */
static int pool_back(uint64_t base, uint64_t *now)
{
	uint64_t last = pool_used();
	int64_t since = ch_clock_ns();
	for (;;) {
		*now = pool_used();
		if (*now == base)
			return 1;
		if (*now != last) {
			last = *now;
			since = ch_clock_ns();
		} else if (ch_clock_ns() - since > (int64_t)(10000 * MS)) {
			return 0; /* ten seconds without progress: it is not coming back */
		}
		ch_sleep_ns(2 * MS);
	}
}

static void report(const char *name, const char *why)
{
	if (why[0])
		printf("VMTEST FAIL sysfuzz_%s: %s\n", name, why);
	else
		printf("VMTEST PASS sysfuzz_%s\n", name);
}

/* bin/sysfuzz with argv in a child that holds only "log" and a sub-pool. */
static int spawn_plain(const char **argv, struct ch_child *c)
{
	struct ch_grant g[] = {{"log", p_log, RIGHT_WRITE}};
	struct ch_spawn_args a = {.path = "bin/sysfuzz",
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = 1,
	                          .pool = p_work,
	                          .child_pool = FZ_CHILD_POOL};
	return ch_spawn(&a, c);
}

/* Each regression sequence of seq.c in a child: it must exit with 0 and leave our
 * pool as it found it. One VMTEST line per sequence. */
static void run_sequences(void)
{
	for (unsigned i = 0; i < fz_nsequences(); i++) {
		const char *name = fz_sequence_name(i);
		const char *argv[] = {"bin/sysfuzz", "seq", name, NULL};
		struct ch_child c;
		struct proc_status st;
		char why[160] = "", how[96];
		uint64_t base = pool_used(), now;

		int r = spawn_plain(argv, &c);
		if (r < 0) {
			snprintf(why, sizeof(why), "cannot start it: %s", ch_error_name(r));
		} else {
			if (ch_proc_wait(c.process, FZ_END_NS, &st) < 0) {
				ch_proc_kill(c.process);
				ch_proc_wait(c.process, FZ_KILL_NS, &st);
				snprintf(why, sizeof(why), "did not end in %llu s",
				         (unsigned long long)(FZ_END_NS / 1000000000u));
			} else if (st.state != PROC_EXITED || st.code != 0) {
				ch_proc_status_describe(&st, how, sizeof(how));
				snprintf(why, sizeof(why), "%s", how);
			}
			ch_child_release(&c);
			if (!why[0] && !pool_back(base, &now))
				snprintf(why, sizeof(why),
				         "the pool uses %lld bytes more once the child is gone",
				         (long long)(now - base));
		}
		char test[64];
		snprintf(test, sizeof(test), "seq_%s", name);
		report(test, why);
	}
}

/*
 * Hostile entries (entry.c): FZ_ENTRIES children, each far-returning to a selector
 * and running an entry instruction picked from its seed (printed first, so a kernel
 * that falls over names it: "bin/sysfuzz entry <seed>" replays one). Each must end,
 * however it ends, and leave our pool as it found it.
 */
#define FZ_ENTRIES 48
static void run_entries(uint64_t seed)
{
	char why[160] = "", how[96], seed_s[24];
	uint64_t base = pool_used(), now;

	/* first the compatibility-mode SYSCALL that crashed f450500 (0x1b), SYSENTER and
	 * INT 0x80 from there, and SYSCALL after loading the data selector as code */
	static const char *const fixed[][2] = {
	    {"0x1b", "0"}, {"0x1b", "1"}, {"0x1b", "133"}, {"0x23", "0"}, {"0x18", "0"}};
	const unsigned nfixed = sizeof(fixed) / sizeof(fixed[0]);

	for (unsigned i = 0; i < FZ_ENTRIES && !why[0]; i++) {
		const char *argv[] = {"bin/sysfuzz", "entry", seed_s, NULL, NULL};
		if (i < nfixed) {
			snprintf(seed_s, sizeof(seed_s), "%s", fixed[i][0]);
			argv[3] = fixed[i][1];
		} else {
			snprintf(seed_s, sizeof(seed_s), "%#llx",
			         (unsigned long long)fz_child_seed(seed ^ 0xe47e7, i));
		}
		struct ch_child c;
		struct proc_status st;
		int r = spawn_plain(argv, &c);
		if (r < 0) {
			snprintf(why, sizeof(why), "entry %s: cannot start it: %s", seed_s,
			         ch_error_name(r));
			break;
		}
		if (ch_proc_wait(c.process, FZ_END_NS, &st) < 0) {
			ch_proc_kill(c.process);
			ch_proc_wait(c.process, FZ_KILL_NS, &st);
			snprintf(why, sizeof(why), "entry %s: did not end in %llu s", seed_s,
			         (unsigned long long)(FZ_END_NS / 1000000000u));
		} else if (i < nfixed && st.state != PROC_FAULTED) {
			ch_proc_status_describe(&st, how, sizeof(how));
			snprintf(why, sizeof(why), "entry %s: %s, want a fault", seed_s, how);
		}
		ch_child_release(&c);
	}
	if (!why[0] && !pool_back(base, &now))
		snprintf(why, sizeof(why), "the pool uses %lld bytes more after the entries",
		         (long long)(now - base));
	report("hostile_entries", why);
}

/* Runs one child with exactly seed and calls; returns what went wrong (0: nothing). */
static int run_one(uint64_t seed, uint64_t calls, int verbose)
{
	static struct slot s;
	uint64_t base = pool_used(), now;
	int bad = 0;

	why_survives[0] = why_results[0] = 0;
	if (start_child(&s, 0, seed, 0, calls, verbose) < 0)
		return 8;
	run_batch(&s, 1);
	reap(&s);
	bad |= why_survives[0] ? 1 : 0;
	bad |= why_results[0] ? 2 : 0;
	if (!bad && !pool_back(base, &now)) {
		printf("leak: %lld bytes\n", (long long)(now - base));
		bad |= 4;
	}
	return bad;
}

/*
 * "replay <seed> <calls> [v]": one child, the same checks. "bisect <seed> <calls>":
 * the fewest calls of that child that still go wrong the same way, then that run again
 * with every call logged. (Warm up first so the parent's own first costs are not
 * taken for a leak.)
 */
static int replay(int argc, char **argv)
{
	uint64_t seed = strtoull(argv[2], NULL, 0);
	uint64_t calls = argc > 3 ? strtoull(argv[3], NULL, 0) : 2500;

	run_one(0, 0, 0);
	if (strcmp(argv[1], "replay") == 0) {
		int bad = run_one(seed, calls, argc > 4 && argv[4][0] == 'v');
		printf("replay %#llx %llu: %s (%d)\n", (unsigned long long)seed,
		       (unsigned long long)calls, bad ? "went wrong" : "fine", bad);
		return bad != 0;
	}
	int want = run_one(seed, calls, 0);
	uint64_t lo = 0, hi = calls;
	if (!want) {
		printf("bisect: %#llx %llu does not go wrong\n", (unsigned long long)seed,
		       (unsigned long long)calls);
		return 1;
	}
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (run_one(seed, mid, 0) & want)
			hi = mid;
		else
			lo = mid;
	}
	printf("bisect: %#llx goes wrong (%d) within %llu calls; again, verbose:\n",
	       (unsigned long long)seed, want, (unsigned long long)hi);
	run_one(seed, hi, 1);
	return 1;
}

/* Runs the kernel's invariant checker (SYS_LOG_CHECK); counts a pass or keeps the
 * first failure. */
static void run_check(const char *when)
{
	struct kcheck_report r;

	if (p_check == HANDLE_INVALID) {
		FAIL_ONCE(why_invariants, "no \"console\" handle to run SYS_LOG_CHECK with");
		return;
	}
	memset(&r, 0, sizeof(r));
	long e = ch_log_check(p_check, &r);
	if (e == 0) {
		checks_passed++;
		return;
	}
	if (e == ERR_BROKEN_INVARIANT)
		FAIL_ONCE(why_invariants,
		          "%s: invariant %u broken in pid %u, slot %u, object %llu: %.112s", when,
		          r.kind, r.pid, r.slot, (unsigned long long)r.obj_id, r.what);
	else
		FAIL_ONCE(why_invariants, "%s: SYS_LOG_CHECK: %s", when, ch_error_name(e));
}

/* The kernel's distinct PCs so far, or UINT64_MAX without KCOV=1. */
static uint64_t kernel_pcs(void)
{
	struct kcov_info k;
	if (p_check == HANDLE_INVALID || ch_log_coverage(p_check, &k) != 0)
		return UINT64_MAX;
	return k.pcs;
}

static unsigned cpus_online(void)
{
	struct sched_cpu_stats cs;
	unsigned n = 0;
	while (p_sched != HANDLE_INVALID && n < 256 && ch_sched_cpu_stats(p_sched, n, &cs) == 0)
		n++;
	return n ? n : 1;
}

struct campaign {
	uint64_t seed, total, per_child, parallel;
	int64_t seconds; /* 0: no time budget */
	uint64_t n; /* children so far (numbers the next) */
	uint64_t done; /* calls made */
	int64_t ns; /* how long it took */
};

/*
 * Batches of `parallel` children until `total` calls are made (or `seconds` have
 * passed): after each, the children must have ended, the parent must still work, the
 * pool must be back at its baseline and the kernel's invariant checker must pass.
 */
static void fuzz_campaign(struct campaign *cp)
{
	static struct slot slots[FZ_MAX_PARALLEL];
	int64_t t0 = ch_clock_ns();
	uint64_t base = pool_used(), now;

	while (cp->done < cp->total &&
	       (!cp->seconds || ch_clock_ns() - t0 < cp->seconds * 1000 * (int64_t)MS)) {
		unsigned started = 0;
		for (unsigned i = 0; i < cp->parallel; i++, cp->n++) {
			int r = start_child(&slots[i], i, fz_child_seed(cp->seed, cp->n), cp->n,
			                    cp->per_child, 0);
			if (r == ERR_NO_MEMORY && why_leaks[0]) {
				printf(
				    "child %llu: not started, the leaks took the pool; stopping\n",
				    (unsigned long long)cp->n);
				continue;
			}
			if (r < 0) {
				FAIL_ONCE(why_works, "cannot start child %llu: %s",
				          (unsigned long long)cp->n, ch_error_name(r));
				continue;
			}
			started++;
		}
		if (!started)
			break;
		run_batch(slots, cp->parallel);
		for (unsigned i = 0; i < cp->parallel; i++)
			if (slots[i].running)
				cp->done += reap(&slots[i]);
		char why[200];
		if (!parent_works(why, sizeof(why)))
			FAIL_ONCE(why_works, "after child %llu: %s", (unsigned long long)cp->n - 1,
			          why);
		if (!why_survives[0] && !pool_back(base, &now)) {
			FAIL_ONCE(why_leaks,
			          "after children %llu..%llu (seeds printed above) the pool uses "
			          "%llu bytes, %lld more than before",
			          (unsigned long long)(cp->n - cp->parallel),
			          (unsigned long long)cp->n - 1, (unsigned long long)now,
			          (long long)(now - base));
			base = now; /* report the first leak only; go on fuzzing */
		}
		snprintf(why, sizeof(why), "after children %llu..%llu",
		         (unsigned long long)(cp->n - cp->parallel), (unsigned long long)cp->n - 1);
		run_check(why);
		if (why_works[0] || why_survives[0] || why_invariants[0])
			break;
	}
	cp->ns = ch_clock_ns() - t0;
}

static unsigned count_outcomes(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FZ_OUTCOME_WORDS; i++)
		n += (unsigned)__builtin_popcountll(outcomes[i]);
	return n;
}

/* The figures `make fuzz` (tools/sysfuzz.sh) reads, one line each. */
static void print_summary(const struct campaign *cp, uint64_t pcs0)
{
	uint64_t ms = (uint64_t)cp->ns / MS, pcs = kernel_pcs();
	printf("summary: calls %llu\n", (unsigned long long)cp->done);
	printf("summary: seconds %llu.%03llu\n", (unsigned long long)(ms / 1000),
	       (unsigned long long)(ms % 1000));
	printf("summary: calls/s %llu\n",
	       (unsigned long long)(ms ? cp->done * 1000 / ms : cp->done));
	printf("summary: children %llu, %llu at a time, %u threads each\n",
	       (unsigned long long)cp->n, (unsigned long long)cp->parallel, opt_threads);
	printf("summary: outcomes %u\n", count_outcomes());
	if (pcs != UINT64_MAX)
		printf("summary: kernel PCs %llu (%llu before fuzzing)\n", (unsigned long long)pcs,
		       (unsigned long long)pcs0);
	else
		printf("summary: kernel PCs n/a (not a KCOV=1 kernel)\n");
	printf("summary: guided sequences %llu found new PCs, %llu replays\n",
	       (unsigned long long)cov_seqs, (unsigned long long)cov_replays);
	printf("summary: invariant checks %llu passed%s\n", (unsigned long long)checks_passed,
	       why_invariants[0] ? ", 1 failed" : "");
}

/* The first failure of a campaign, or "" (the campaign passed). */
static const char *first_failure(void)
{
	const char *w[] = {why_survives, why_results, why_works, why_leaks, why_invariants};
	for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (w[i][0])
			return w[i];
	return "";
}

/*
 * "mt=<calls>": after the main run, on a machine with 4 CPUs or more, a run of
 * <calls> by 4 children at once with 2 fuzz threads each, the invariant checker after
 * every batch: one VMTEST line, sysfuzz_threads_smp4 (NA on fewer CPUs).
 */
static int run_threads_smp4(uint64_t seed, uint64_t calls, uint64_t first_child)
{
	unsigned cpus = cpus_online();
	if (cpus < 4) {
		printf("VMTEST NA sysfuzz_threads_smp4: %u CPU(s), needs 4\n", cpus);
		return 0;
	}
	why_survives[0] = why_results[0] = why_works[0] = why_leaks[0] = why_invariants[0] = 0;
	unsigned saved = opt_threads;
	uint64_t passed0 = checks_passed;
	opt_threads = 2;
	struct campaign cp = {.seed = seed ^ 0x5470,
	                      .total = calls,
	                      .per_child = 5000,
	                      .parallel = 4,
	                      .n = first_child};
	fuzz_campaign(&cp);
	opt_threads = saved;
	printf("threads_smp4: %llu calls by %llu children (4 at a time, 2 threads each) on %u "
	       "CPUs in %lld ms, %llu invariant checks passed\n",
	       (unsigned long long)cp.done, (unsigned long long)(cp.n - first_child), cpus,
	       (long long)(cp.ns / (int64_t)MS), (unsigned long long)(checks_passed - passed0));
	const char *why = first_failure();
	if (!why[0] && checks_passed == passed0)
		why = "no invariant check ran";
	report("threads_smp4", why);
	return why[0] != 0;
}

/* The plan (testing.h): every VMTEST line this run will print, each named once. */
/* The plan (testing.h): every VMTEST line this run will print, each named once. */
static void print_plan(uint64_t mt)
{
	static const char *const last[] = {"hostile_entries", "survives", "results",
	                                   "parent_works",    "no_leaks", "invariants",
	                                   "threads_smp4"};
	for (unsigned i = 0; i < fz_nsequences(); i++)
		printf("VMTEST PLAN sysfuzz_seq_%s\n", fz_sequence_name(i));
	for (unsigned i = 0; i < sizeof(last) / sizeof(last[0]) - (mt ? 0 : 1); i++)
		printf("VMTEST PLAN sysfuzz_%s\n", last[i]);
}

/* "key=value" arguments; 1 when arg was one. */
static int option(const char *arg, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	if (strncmp(arg, key, n) != 0 || arg[n] != '=')
		return 0;
	*v = strtoull(arg + n + 1, NULL, 0);
	return 1;
}

int main(int argc, char **argv)
{
	static struct slot slots[FZ_MAX_PARALLEL];
	uint64_t seed = 0x5eed, total = 500000, per_child = 2500, parallel = 2;
	uint64_t seconds = 0, threads = 1, mt = 0, guide = 1;
	unsigned npos = 0;

	if (argc >= 3 && strcmp(argv[1], "child") == 0)
		return fz_child_main(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "seq") == 0)
		return fz_sequence_main(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "entry") == 0)
		return fz_entry_main(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "dev") == 0)
		return fz_dev_main(argc, argv);
	p_log = ch_handle("log");
	p_pool = p_work = ch_handle("pool");
	p_as = ch_handle("self.as");
	p_sched = ch_handle("sched");
	p_check = ch_handle("console");
	struct cap_info ci;
	p_initrd = ch_handle("initrd");
	if (p_initrd != HANDLE_INVALID && ch_cap_inspect(p_initrd, &ci) >= 0)
		p_initrd_rights = ci.rights & (RIGHT_READ | RIGHT_ENUMERATE | RIGHT_INSPECT |
		                               RIGHT_DUPLICATE | RIGHT_TRANSFER);
	else
		p_initrd = HANDLE_INVALID;
	if (argc >= 3 && (strcmp(argv[1], "replay") == 0 || strcmp(argv[1], "bisect") == 0))
		return replay(argc, argv);
	for (int i = 1; i < argc; i++) {
		uint64_t *pos[] = {&seed, &total, &per_child, &parallel};
		if (option(argv[i], "seed", &seed) || option(argv[i], "calls", &total) ||
		    option(argv[i], "per_child", &per_child) ||
		    option(argv[i], "parallel", &parallel) ||
		    option(argv[i], "seconds", &seconds) || option(argv[i], "threads", &threads) ||
		    option(argv[i], "mt", &mt) || option(argv[i], "guide", &guide))
			continue;
		if (npos < 4)
			*pos[npos++] = strtoull(argv[i], NULL, 0);
	}
	if (parallel < 1 || parallel > FZ_MAX_PARALLEL)
		parallel = 2;
	opt_threads = threads >= 1 && threads <= 8 ? (unsigned)threads : 1;
	if (!total)
		total = UINT64_MAX; /* calls=0: the time budget alone */
	if (!p_log || !p_pool || !p_as) {
		printf("VMTEST FAIL sysfuzz_start: missing log, pool or self.as\n");
		return 1;
	}
	struct pool_info pi;
	long pr = ch_pool_info(p_pool, &pi);
	if (pr >= 0 && pi.quota - pi.used > FZ_OWN_RESERVE)
		pr = ch_pool_split(p_pool, pi.quota - pi.used - FZ_OWN_RESERVE, &p_work);
	if (pr < 0 || p_work == p_pool) {
		printf("VMTEST FAIL sysfuzz_start: no working pool: %s\n", ch_error_name(pr));
		return 1;
	}
	uint64_t pcs0 = kernel_pcs();
	opt_kcov = pcs0 != UINT64_MAX && guide; /* guide=0: the figure without the guidance */
	printf("seed %#llx: %llu calls, %llu per child, %llu at a time, %u threads each, %llu s "
	       "budget, coverage guidance %s, %u CPUs (replay: bin/sysfuzz %#llx %llu %llu %llu)\n",
	       (unsigned long long)seed, (unsigned long long)total, (unsigned long long)per_child,
	       (unsigned long long)parallel, opt_threads, (unsigned long long)seconds,
	       opt_kcov             ? "on"
	       : pcs0 != UINT64_MAX ? "off (guide=0)"
	                            : "off (not a KCOV=1 kernel)",
	       cpus_online(), (unsigned long long)seed, (unsigned long long)total,
	       (unsigned long long)per_child, (unsigned long long)parallel);
	print_plan(mt);
	/* A warm-up batch of children that make no calls: what our own first use of
	 * the heap, the initrd and spawn costs is not a leak. */
	for (unsigned i = 0; i < parallel; i++)
		if (start_child(&slots[i], i, 0, UINT64_MAX, 0, 0) == 0) {
			run_batch(slots, i + 1);
			reap(&slots[i]);
		}
	run_sequences();
	run_entries(seed);
	run_check("before fuzzing");
	struct campaign cp = {.seed = seed,
	                      .total = total,
	                      .per_child = per_child,
	                      .parallel = parallel,
	                      .seconds = (int64_t)seconds};
	fuzz_campaign(&cp);
	printf("%llu calls by %llu children in %lld ms\n", (unsigned long long)cp.done,
	       (unsigned long long)cp.n, (long long)(cp.ns / (int64_t)MS));
	print_summary(&cp, pcs0);
	report("survives", why_survives);
	report("results", why_results);
	report("parent_works", why_works);
	report("no_leaks", why_leaks);
	report("invariants", why_invariants);
	const char *why = first_failure();
	printf("sysfuzz: %s%s\n", why[0] ? "FAIL: " : "PASS", why);
	int bad = why[0] != 0;
	if (mt)
		bad |= run_threads_smp4(seed, mt, cp.n);
	return bad;
}
