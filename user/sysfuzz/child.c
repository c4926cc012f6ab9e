/*
 * child.c - sysfuzz's child: "bin/sysfuzz child <seed> <calls> [v]".
 *
 * Maps the page its parent shares with it ("shared") and a 64 KiB arena (from its
 * "pool") followed by an unmapped guard page, then makes <calls> random system calls
 * (gen.c) and exits with 0. Everything it is given is fuzzing material: "pool",
 * "self.as", "self.process", "log", "ep" (one end of a channel whose other end the
 * parent serves), the shared page's and the arena's memory objects, "initrd" (the
 * initrd's directory, read-only: namespace operations on real nodes), and whatever it
 * creates or receives; handles it drops are kept as stale ones that must stay dead.
 *
 * After each call it checks what the ABI promises whatever the arguments (check()):
 * an undefined action gives ERR_NOT_SUPPORTED, handle 0 / a dropped handle / one with
 * upper bits set gives ERR_BAD_HANDLE, errors are codes of abi/errors.h, only the
 * actions that return counts return positive values, and no call succeeds when it
 * needed a kernel, non-canonical or unmapped pointer, or wrote into our code. The
 * first broken promise goes to the shared page and the child exits with
 * FZ_EXIT_VIOLATION; the parent reports it.
 *
 * "bin/sysfuzz child <seed> <calls> <v|-> <threads> [k]": with threads > 1, threads - 1
 * fuzz threads are started at once, each with calls / threads of the budget, and the
 * main thread makes the rest, then waits for them; with "k", coverage guidance (below).
 *
 * Fuzz threads: a SYS_THREAD_START at fz_thread_entry on one of FZ_SLOTS static
 * stacks runs FZ_THREAD_CALLS more random calls with a copy of the starter's handles,
 * concurrently with the main thread (the kernel's locking gets exercised). The entry
 * code checks its stack before touching it and claims the slot atomically, so a
 * thread started with a bad stack, or a second one on the same stack, just exits.
 * Fuzz threads use no libc (it is not thread-safe).
 */
#include "sysfuzz.h"

#include <charlotte/actions.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <abi/syscall.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define FZ_SLOTS 8
#define FZ_SLOT_STACK 16384
#define FZ_THREAD_CALLS 300

static volatile struct fz_shared *sh;
static int verbose;
static handle_t vlog; /* verbose mode's own log handle, out of the fuzzer's reach */

static struct fz_state main_state;
static struct fz_state slot_state[FZ_SLOTS];
static uint8_t slot_stacks[FZ_SLOTS][FZ_SLOT_STACK] __attribute__((aligned(16)));
uint64_t fz_slot_claimed; /* bit i: a thread runs on slot i (set by the entry code) */
static uint32_t slot_prepared; /* bit i: slot i's state was handed out (main thread only) */

extern char _end[]; /* the linker's end of the image */

/* 64 bytes of int3 in our text: the read-only (and never writable) pointer. */
__asm__(".text\n"
        ".globl fz_code_anchor\n"
        "fz_code_anchor:\n"
        "	.fill 64, 1, 0xcc\n");

/* Thread entry: rsp must be the top of one of our slot stacks (rsp - 1 inside it) and
 * the slot unclaimed; anything else exits without touching the stack. */
__asm__(".text\n"
        ".globl fz_thread_entry\n"
        "fz_thread_entry:\n"
        "	leaq slot_stacks(%rip), %rax\n"
        "	movq %rsp, %rcx\n"
        "	subq %rax, %rcx\n"
        "	subq $1, %rcx\n"
        "	cmpq $" /* FZ_SLOTS * FZ_SLOT_STACK */ "131072, %rcx\n"
        "	jae 1f\n"
        "	shrq $14, %rcx\n"
        "	lock btsq %rcx, fz_slot_claimed(%rip)\n"
        "	jc 1f\n"
        "	andq $-16, %rsp\n"
        "	xorl %ebp, %ebp\n"
        "	movq %rcx, %rdi\n"
        "	call fz_thread_main\n"
        "1:	movl $2, %eax\n" /* SYS_SELF_THREAD_EXIT */
        "	xorl %edi, %edi\n"
        "	xorl %esi, %esi\n"
        "	syscall\n"
        "	ud2\n");
void fz_thread_entry(void);
void fz_thread_main(uint64_t slot);
_Static_assert(FZ_SLOTS *FZ_SLOT_STACK == 131072, "fz_thread_entry's bound");
_Static_assert(FZ_SLOT_STACK == 1 << 14, "fz_thread_entry's shift");
_Static_assert(SYS_SELF_THREAD_EXIT == 2, "fz_thread_entry's exit");

uint64_t fz_thread_entry_ip(void)
{
	return (uint64_t)(uintptr_t)fz_thread_entry;
}

int fz_threads_started(void)
{
	return slot_prepared != 0;
}

uint64_t fz_thread_stack(struct fz_state *st, uint64_t *slot)
{
	if (st->thread != 0) /* only the main thread hands out slots */
		return 0;
	for (unsigned i = 0; i < FZ_SLOTS; i++) {
		if (slot_prepared & (1u << i))
			continue;
		slot_prepared |= 1u << i;
		slot_state[i] = *st;
		slot_state[i].thread = i + 1;
		slot_state[i].rng = fz_rand(st) | 1;
		*slot = i;
		return (uint64_t)(uintptr_t)&slot_stacks[i][FZ_SLOT_STACK];
	}
	return 0;
}

static int overlaps(uint64_t va, uint64_t len, uint64_t base, uint64_t end)
{
	uint64_t last = len > UINT64_MAX - va ? UINT64_MAX : va + len;
	return len && va < end && last > base;
}

int fz_protected_range(uint64_t va, uint64_t len)
{
	/* Addresses are rounded to pages by the kernel (or refused). */
	uint64_t v = va & ~UINT64_C(4095), l = len > UINT64_MAX - 8192 ? len : len + 8192;
	return overlaps(v, l, 0x400000, (uint64_t)(uintptr_t)_end + 4096) ||
	       overlaps(v, l, CH_STACK_TOP - CH_STACK_SIZE, CH_STACK_TOP) ||
	       overlaps(v, l, FZ_SHARED_VA, FZ_SHARED_VA + 4096);
}

/* --- the system call --- */

static long fz_syscall(const struct fz_call *c)
{
	register uint64_t rsi __asm__("rsi") = c->a[0];
	register uint64_t rdx __asm__("rdx") = c->a[1];
	register uint64_t r10 __asm__("r10") = c->a[2];
	register uint64_t r8 __asm__("r8") = c->a[3];
	register uint64_t r9 __asm__("r9") = c->a[4];
	uint64_t rdi = c->target;
	long ret;

	/* The fast kbus actions return words in rsi..r9, so all are in-out. */
	__asm__ volatile("syscall"
	                 : "=a"(ret), "+D"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
	                 : "0"(c->action)
	                 : "rcx", "r11", "memory");
	return ret;
}

static int known_error(long r)
{
	static const long errs[] = {
	    ERR_INTERNAL,      ERR_NOT_SUPPORTED,    ERR_INVALID_ARGS, ERR_BAD_STATE,
	    ERR_TIMED_OUT,     ERR_INTERRUPTED,      ERR_NO_MEMORY,    ERR_NO_RESOURCES,
	    ERR_SHOULD_WAIT,   ERR_BUFFER_TOO_SMALL, ERR_BAD_HANDLE,   ERR_WRONG_TYPE,
	    ERR_ACCESS_DENIED, ERR_BAD_ADDRESS,      ERR_OUT_OF_RANGE, ERR_ALREADY_EXISTS,
	    ERR_NOT_FOUND,     ERR_MALFORMED,        ERR_TRUNCATED,    ERR_CHECKSUM,
	    ERR_PEER_CLOSED,   ERR_BROKEN_INVARIANT,
	};
	for (unsigned i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i] == r)
			return 1;
	return 0;
}

/* What the result of c breaks, if anything. */
static uint32_t check(const struct fz_state *st, const struct fz_call *c)
{
	long r = (long)c->result;

	if (r < 0 && !known_error(r))
		return FZ_UNKNOWN_ERROR;
	if (!fz_known_action(c->action))
		return r == ERR_NOT_SUPPORTED ? FZ_OK : FZ_UNKNOWN_ACTION;
	/* The dispatcher decodes every target before any argument (abi/actions.h). */
	if (c->action >= 0x10 &&
	    (st->target_kind == FZ_T_ZERO || st->target_kind == FZ_T_STALE ||
	     st->target_kind == FZ_T_WIDE) &&
	    r != ERR_BAD_HANDLE)
		return FZ_BAD_TARGET;
	if (r > 0 && !fz_positive_ok(c->action))
		return FZ_BAD_POSITIVE;
	if (r >= 0 && st->bad_ptr)
		return FZ_BAD_POINTER;
	if (r >= 0 && st->ro_out)
		return FZ_READONLY_WRITTEN;
	return FZ_OK;
}

static void violation(const struct fz_call *c)
{
	uint32_t zero = 0;

	if (__atomic_compare_exchange_n(&sh->violations, &zero, 1, 0, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE))
		memcpy((void *)&sh->bad, c, sizeof(*c));
	else
		__atomic_fetch_add(&sh->violations, 1, __ATOMIC_RELAXED);
	ch_syscall1(SYS_SELF_PROCESS_EXIT, 0, FZ_EXIT_VIOLATION);
}

/* --- what we hold --- */

static void forget_slot(struct fz_state *st, int slot, int dead)
{
	if (dead) {
		if (st->nstale < FZ_MAX_STALE)
			st->stale[st->nstale++] = st->live[slot].h;
		else
			st->stale[fz_rand(st) % FZ_MAX_STALE] = st->live[slot].h;
	}
	st->live[slot] = st->live[--st->nlive];
}

static void add_handle(struct fz_state *st, handle_t h, int type, int self)
{
	if (h == HANDLE_INVALID)
		return;
	for (unsigned i = 0; i < st->nlive; i++)
		if (st->live[i].h == h)
			return;
	if (st->nlive == FZ_MAX_LIVE) { /* drop one to make room: the cspace stays small */
		int slot = (int)(fz_rand(st) % FZ_MAX_LIVE);
		if (ch_cap_drop(st->live[slot].h) == 0)
			forget_slot(st, slot, 1);
		else
			forget_slot(st, slot, 0);
	}
	st->live[st->nlive++] =
	    (struct fz_handle){.h = h, .type = (uint8_t)type, .self = (uint8_t)self};
}

static handle_t out_handle(const struct fz_state *st, unsigned i)
{
	handle_t h;
	memcpy(&h, st->out + 4 * i, sizeof(h));
	return h;
}

/* Learns from c's result: new handles, dropped ones, mappings over checked ranges. */
static void learn(struct fz_state *st, const struct fz_call *c)
{
	long r = (long)c->result;
	int src_type = st->target_slot >= 0 ? st->live[st->target_slot].type : OBJ_NONE;
	int src_self = st->target_slot >= 0 ? st->live[st->target_slot].self : FZ_SELF_NONE;
	uint64_t out = (uint64_t)(uintptr_t)st->out;

	if (r == ERR_BAD_HANDLE && st->target_kind == FZ_T_LIVE) {
		/* Dropped by another thread, moved in a message, or revoked? */
		if (ch_cap_inspect(st->live[st->target_slot].h, (struct cap_info *)st->out) ==
		    ERR_BAD_HANDLE)
			forget_slot(st, st->target_slot, 1);
		return;
	}
	if (r < 0)
		return;
	/* New handles of ours, by the row's argument kinds (OBJ_NONE: the target's type). */
	const struct ch_action *row = ch_action_find(c->action);
	for (int i = 0; row && i < CH_MAX_ARGS; i++) {
		uint64_t k = row->args[i];
		if (CH_ARG_KIND(k) != CH_ARG_OUT_HANDLE || c->a[i] != out)
			continue;
		int type = CH_ARG_AUX(k) != OBJ_NONE ? (int)CH_ARG_AUX(k) : src_type;
		for (unsigned n = 0; n < CH_ARG_BYTES(k) / sizeof(handle_t); n++)
			add_handle(st, out_handle(st, n), type,
			           CH_ARG_AUX(k) != OBJ_NONE ? FZ_SELF_NONE : src_self);
	}
	switch (c->action) {
	case SYS_CAP_DROP:
		if (st->target_kind == FZ_T_LIVE)
			forget_slot(st, st->target_slot, 1);
		break;
	case SYS_PROC_CREATE: /* two handles of two types */
		if (c->a[2] == out) {
			add_handle(st, out_handle(st, 0), OBJ_PROCESS, 0);
			add_handle(st, out_handle(st, 1), OBJ_ADDRESS_SPACE, 0);
		}
		break;
	case SYS_AS_MAP: {
		uint64_t end = c->a[0] + c->a[3], guard = FZ_ARENA + FZ_ARENA_SIZE;
		if (c->a[0] < 0x400000)
			fz_low_mapped = 1;
		if (c->a[0] < guard + 4096 && end > guard)
			fz_guard_mapped = 1;
		break;
	}
	case SYS_KBUS_RECV:
	case SYS_KBUS_CALL:
	case SYS_KBUS_REPLY_RECV: {
		uint64_t bp = c->action == SYS_KBUS_RECV ? c->a[0] : c->a[1];
		if (bp != (uint64_t)(uintptr_t)&st->buf || st->buf.handles != st->recv_handles)
			break;
		uint32_t n = st->buf.nhandles;
		if (n > st->buf.handles_capacity)
			n = st->buf.handles_capacity;
		for (uint32_t i = 0; i < n && i < 64; i++)
			add_handle(st, st->recv_handles[i], OBJ_NONE, 0);
		break;
	}
	default:
		break;
	}
}

/* SYS_KBUS_REPLY_RECV_FAST has no timeout: make it only where it cannot wait. */
static int may_block(const struct fz_call *c)
{
	struct kbus_endpoint_info info;

	if (c->action != SYS_KBUS_REPLY_RECV_FAST || c->target >> 32)
		return 0;
	long r = ch_syscall1(SYS_KBUS_INFO, (handle_t)c->target, (uint64_t)(uintptr_t)&info);
	if (r == ERR_BAD_HANDLE || r == ERR_WRONG_TYPE)
		return 0;
	return r < 0 || (info.queued == 0 && !info.peer_closed);
}

static void say_call(const char *what, const struct fz_call *c)
{
	char line[256];
	int n = snprintf(line, sizeof(line),
	                 "sysfuzz: %s #%llu %s (%#llx) target %#llx args %#llx %#llx %#llx %#llx "
	                 "%#llx -> %lld\n",
	                 what, (unsigned long long)c->index, fz_action_name(c->action),
	                 (unsigned long long)c->action, (unsigned long long)c->target,
	                 (unsigned long long)c->a[0], (unsigned long long)c->a[1],
	                 (unsigned long long)c->a[2], (unsigned long long)c->a[3],
	                 (unsigned long long)c->a[4], (long long)c->result);
	ch_log_write(vlog, line, n > 0 && n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Verbose: the result, the handles it made and what a receive got. */
static void say_done(const struct fz_state *st, const struct fz_call *c)
{
	char line[200];
	int n = 0;

	say_call("done", c);
	if ((long)c->result < 0)
		return;
	for (int i = 0; i < 5; i++)
		if (c->a[i] == (uint64_t)(uintptr_t)st->out)
			n = snprintf(line, sizeof(line), "sysfuzz:   out %#x %#x\n",
			             out_handle(st, 0), out_handle(st, 1));
	if (c->a[0] == (uint64_t)(uintptr_t)&st->msg || c->a[1] == (uint64_t)(uintptr_t)&st->msg)
		n = snprintf(line, sizeof(line),
		             "sysfuzz:   sent len %u nhandles %u [%#x %#x %#x] mask %#llx\n",
		             st->msg.len, st->msg.nhandles, st->send_handles[0],
		             st->send_handles[1], st->send_handles[2],
		             (unsigned long long)st->msg.copy_mask);
	if (c->a[0] == (uint64_t)(uintptr_t)&st->buf || c->a[1] == (uint64_t)(uintptr_t)&st->buf)
		n = snprintf(line, sizeof(line),
		             "sysfuzz:   got len %u nhandles %u [%#x %#x %#x] flags %u\n",
		             st->buf.len, st->buf.nhandles, st->recv_handles[0],
		             st->recv_handles[1], st->recv_handles[2], st->buf.flags);
	if (n > 0)
		ch_log_write(vlog, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void fz_outcome_note(volatile uint64_t *outcomes, const struct fz_call *c)
{
	const struct ch_action *row = ch_action_find(c->action);
	uint64_t r = row ? (uint64_t)(row - ch_actions) : FZ_OUTCOME_ROWS - 1;
	int64_t res = c->result;
	uint64_t col = res >= 0 ? 0 : (uint64_t)-res;
	if (r >= FZ_OUTCOME_ROWS)
		r = FZ_OUTCOME_ROWS - 1;
	if (col >= FZ_OUTCOME_COLS)
		col = FZ_OUTCOME_COLS - 1;
	uint64_t bit = r * FZ_OUTCOME_COLS + col;
	volatile uint64_t *w = &outcomes[bit / 64];
	if (!(*w & (UINT64_C(1) << (bit % 64))))
		__atomic_fetch_or(w, UINT64_C(1) << (bit % 64), __ATOMIC_RELAXED);
}

/* Makes call c (generated, or replayed by the coverage guidance) and checks it. */
static void fz_exec(struct fz_state *st, struct fz_call *c, uint64_t index)
{
	c->index = index;
	c->thread = st->thread;
	c->result = 0;
	c->reason = 0;
	if (st->thread == 0) {
		memcpy((void *)&sh->cur, c, sizeof(*c));
		if (verbose)
			say_call("call", c);
	}
	c->result = fz_syscall(c);
	/* a process we suspended would never end (its threads park, and no one but us
	   resumes it) and keep its pool from our parent: let it go again at once */
	if (c->action == SYS_PROC_SUSPEND && (long)c->result == 0)
		ch_syscall0(SYS_PROC_RESUME, (handle_t)c->target);
	if (verbose && st->thread == 0)
		say_done(st, c);
	fz_outcome_note(sh->outcomes, c);
	c->reason = check(st, c);
	if (c->reason != FZ_OK)
		violation(c);
	learn(st, c);
}

/* One random call by st's thread; index numbers it; *made gets it. */
static void fz_one(struct fz_state *st, uint64_t index, struct fz_call *made)
{
	do
		fz_gen_call(st, made);
	while (may_block(made));
	fz_exec(st, made, index);
}

/*
 * A kept call made again (coverage guidance): what the generator promised about its
 * target and pointers no longer holds (handles come and go), so only the promises
 * that hold for any call are checked (known errors, no positive result where there
 * is none, undefined actions refused). A call that could now block is skipped.
 */
static void fz_replay(struct fz_state *st, const struct fz_call *kept, uint64_t index,
                      struct fz_call *made)
{
	*made = *kept;
	st->target_kind = FZ_T_RANDOM;
	st->target_slot = -1;
	st->bad_ptr = 0;
	st->ro_out = 0;
	if (may_block(made)) {
		made->result = ERR_SHOULD_WAIT;
		return;
	}
	fz_exec(st, made, index);
}

void fz_thread_main(uint64_t slot)
{
	struct fz_state *st = &slot_state[slot];
	uint64_t budget = st->budget ? st->budget : FZ_THREAD_CALLS;
	struct fz_call c;

	__atomic_fetch_add(&sh->threads, 1, __ATOMIC_RELAXED);
	for (uint64_t i = 0; i < budget; i++) {
		fz_one(st, i, &c);
		__atomic_fetch_add(&sh->thread_calls, 1, __ATOMIC_RELAXED);
	}
	if (st->budget)
		__atomic_fetch_add(&sh->helpers_done, 1, __ATOMIC_RELEASE);
}

/* --- coverage guidance --- */

/*
 * With "k" (a KCOV=1 kernel, "kcov": the log with RIGHT_READ), the main thread makes
 * its calls in sequences of FZ_SEQ and reads the kernel's count of distinct PCs after
 * each: a sequence that raised it is kept (FZ_CORPUS of them, a random one replaced
 * when full). Half of the sequences are then mutated replays of a kept one: each
 * call made again, or one time in four replaced by a fresh random call. Fuzz threads
 * run meanwhile, so a rise is sometimes theirs: the guidance is a bias, not a proof.
 */
#define FZ_SEQ 8
#define FZ_CORPUS 32

struct fz_seq {
	unsigned n;
	struct fz_call c[FZ_SEQ];
};

static struct fz_seq corpus[FZ_CORPUS];
static unsigned ncorpus;
static handle_t kcov = HANDLE_INVALID;

static uint64_t kernel_pcs(void)
{
	struct kcov_info k;
	return ch_log_coverage(kcov, &k) == 0 ? k.pcs : 0;
}

static void run_guided(struct fz_state *st, uint64_t calls)
{
	static struct fz_seq cur;
	uint64_t i = 0, pcs = kernel_pcs();

	while (i < calls) {
		const struct fz_seq *base = NULL;
		if (ncorpus && fz_rand(st) % 2 == 0) {
			base = &corpus[fz_rand(st) % ncorpus];
			sh->cov_replays++;
		}
		cur.n = 0;
		for (unsigned j = 0; j < FZ_SEQ && i < calls; j++, i++) {
			if (base && j < base->n && fz_rand(st) % 4 != 0)
				fz_replay(st, &base->c[j], i, &cur.c[j]);
			else
				fz_one(st, i, &cur.c[j]);
			cur.n++;
			sh->calls = i + 1;
		}
		uint64_t now = kernel_pcs();
		if (now > pcs) {
			sh->cov_seqs++;
			corpus[ncorpus < FZ_CORPUS ? ncorpus++ : fz_rand(st) % FZ_CORPUS] = cur;
		}
		pcs = now;
	}
}

/* Starts n budgeted fuzz threads on slots of st's handles; returns how many started. */
static unsigned start_helpers(struct fz_state *st, handle_t self, unsigned n, uint64_t budget)
{
	unsigned started = 0;
	for (unsigned k = 0; k < n; k++) {
		uint64_t slot, sp = fz_thread_stack(st, &slot);
		handle_t th;
		if (!sp || ch_thread_create(self, &th) < 0)
			break;
		slot_state[slot].budget = budget;
		if (ch_thread_start(th, fz_thread_entry_ip(), sp, slot, 0) == 0)
			started++;
		ch_cap_drop(th);
	}
	return started;
}

/* --- setup --- */

static void add_start_handle(struct fz_state *st, const char *name, int type, int self)
{
	handle_t h = ch_handle(name);
	if (h != HANDLE_INVALID)
		add_handle(st, h, type, self);
}

int fz_child_main(int argc, char **argv)
{
	handle_t pool = ch_handle("pool"), as = ch_handle("self.as"), arena;
	handle_t shared = ch_handle("shared");
	uint64_t seed = strtoull(argv[2], NULL, 0);
	uint64_t calls = argc > 3 ? strtoull(argv[3], NULL, 0) : 1000;

	/* argv[4]: "v" (verbose) or "-"; argv[5]: threads (main included); argv[6]: "k" */
	unsigned threads = argc > 5 ? (unsigned)strtoul(argv[5], NULL, 0) : 1;
	verbose = argc > 4 && argv[4][0] == 'v';
	if (threads < 1 || threads > FZ_SLOTS)
		threads = 1;
	if (argc > 6 && argv[6][0] == 'k')
		kcov = ch_handle("kcov");
	if (ch_as_map(as, FZ_SHARED_VA, shared, 0, 4096, PROT_READ | PROT_WRITE) < 0)
		return 2;
	sh = (volatile struct fz_shared *)(uintptr_t)FZ_SHARED_VA;
	if (sh->magic != FZ_MAGIC)
		return 2;
	sh->seed = seed;
	if (ch_mem_create(pool, FZ_ARENA_SIZE, &arena) < 0 ||
	    ch_as_map(as, FZ_ARENA, arena, 0, FZ_ARENA_SIZE, PROT_READ | PROT_WRITE) < 0)
		return 2;
	memset((void *)(uintptr_t)FZ_ARENA, '.', FZ_ARENA_SIZE);
	if (verbose && ch_cap_duplicate(ch_handle("log"), &vlog) < 0)
		vlog = HANDLE_INVALID;

	struct fz_state *st = &main_state;
	st->rng = seed * UINT64_C(0x9e3779b97f4a7c15) + 0x5eed;
	st->rng |= 1;
	add_start_handle(st, "pool", OBJ_MEMORY_POOL, FZ_SELF_NONE);
	add_start_handle(st, "self.as", OBJ_ADDRESS_SPACE, FZ_SELF_AS);
	add_start_handle(st, "self.process", OBJ_PROCESS, FZ_SELF_PROCESS);
	add_start_handle(st, "log", OBJ_DEBUG_LOG, FZ_SELF_NONE);
	add_start_handle(st, "ep", OBJ_ENDPOINT, FZ_SELF_PARENT_EP);
	add_start_handle(st, "shared", OBJ_MEMORY, FZ_SELF_NONE);
	add_start_handle(st, "sched", OBJ_SCHED, FZ_SELF_NONE);
	add_start_handle(st, "initrd", OBJ_NS_NODE, FZ_SELF_NONE);
	add_handle(st, arena, OBJ_MEMORY, FZ_SELF_NONE);
	sh->started = 1;
	unsigned helpers =
	    threads > 1 ? start_helpers(st, ch_handle("self.process"), threads - 1, calls / threads)
	                : 0;
	uint64_t mine = calls - helpers * (calls / (threads ? threads : 1));
	if (kcov != HANDLE_INVALID) {
		run_guided(st, mine);
	} else {
		struct fz_call c;
		for (uint64_t i = 0; i < mine; i++) {
			fz_one(st, i, &c);
			sh->calls = i + 1;
		}
	}
	/* the helpers' calls count in the budget: wait for them (a helper the fuzzing
	   killed never finishes; give up once nothing has moved for 100 ms) */
	uint64_t last = sh->thread_calls;
	for (unsigned quiet = 0; helpers && sh->helpers_done < helpers && quiet < 100;) {
		ch_sleep_ns(1000000);
		quiet = sh->thread_calls == last ? quiet + 1 : 0;
		last = sh->thread_calls;
	}
	return 0;
}

/* --- names for reports --- */

const char *fz_reason_name(uint32_t reason)
{
	static const char *const names[FZ_REASON_COUNT] = {
	    [FZ_OK] = "ok",
	    [FZ_UNKNOWN_ERROR] = "returned a code that is not in abi/errors.h",
	    [FZ_BAD_POSITIVE] = "returned a positive value from an action that returns 0",
	    [FZ_UNKNOWN_ACTION] = "an undefined action did not give ERR_NOT_SUPPORTED",
	    [FZ_BAD_TARGET] = "handle 0, a dropped or a >32-bit handle was not ERR_BAD_HANDLE",
	    [FZ_BAD_POINTER] = "succeeded with a kernel, non-canonical or unmapped pointer",
	    [FZ_READONLY_WRITTEN] = "succeeded writing its output into read-only code",
	};
	return reason < FZ_REASON_COUNT ? names[reason] : "?";
}

const char *fz_action_name(uint64_t action)
{
	const struct ch_action *a = ch_action_find(action);
	return a ? a->name : "undefined";
}
