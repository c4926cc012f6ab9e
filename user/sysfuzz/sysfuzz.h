/*
 * sysfuzz.h - bin/sysfuzz, the randomized hostile system call fuzzer.
 *
 * Two roles in one program:
 *   parent (sysfuzz.c)  started by Exec; spawns batches of fuzz children, serves
 *                       their channel, and after each batch checks that every child
 *                       ended, that it can still use the kernel normally, and that its
 *                       pool is back at its baseline (no leaks). Prints the VMTEST lines.
 *   child (child.c)     "bin/sysfuzz child <seed> <calls> [v]": issues <calls> random
 *                       system calls (gen.c makes them) at its own handles, stale and
 *                       forged ones, with hostile pointers and sizes, and checks the
 *                       results against what the ABI promises (a failing call must
 *                       fail, errors must be known codes, ...). It may start threads
 *                       that fuzz too, and it may well kill itself; the parent does not
 *                       care how it ends.
 *
 * The parent and each child share one page (struct fz_shared): the child writes each
 * call there before issuing it, so the parent can say what a child that hung was
 * doing, and records the first broken promise there for the parent to report.
 * Replay: a child's calls depend only on its seed (and on the results it gets), so
 * `bin/sysfuzz <seed> <calls> <per_child> <parallel>` in a manifest, or a child with
 * "v" (verbose: every call logged before it is made) reproduces a run.
 */
#pragma once

#include <stdint.h>

#include <abi/handle.h>
#include <abi/kbus.h>

/* Child address space: where the fuzzer's own memory lives. */
#define FZ_ARENA UINT64_C(0x0000500000000000) /* buffers the kernel may read/write */
#define FZ_ARENA_SIZE UINT64_C(0x10000) /* followed by an unmapped guard page */
#define FZ_MAPZONE UINT64_C(0x0000510000000000) /* where random mappings go */
#define FZ_MAPZONE_PAGES 4096u
#define FZ_SHARED_VA UINT64_C(0x00005f0000000000) /* the page shared with the parent */
/* Parent: the children's shared pages, one per slot. */
#define FZ_PARENT_SHARED_VA UINT64_C(0x00005e0000000000)

#define FZ_MAGIC 0x5a46u /* "FZ" */
#define FZ_EXIT_VIOLATION 3 /* child exit code after a broken promise */

/* One system call as the fuzzer made it. */
struct fz_call {
	uint64_t action;
	uint64_t target;
	uint64_t a[5];
	int64_t result;
	uint64_t index; /* which call of the child (or of one of its threads) */
	uint32_t reason; /* enum fz_reason, for violations */
	uint32_t thread; /* 0 = main thread, 1.. = fuzz threads */
};

/* Broken promises the child detects (fz_reason_name() in child.c). */
enum fz_reason {
	FZ_OK = 0,
	FZ_UNKNOWN_ERROR, /* a negative result that is not in abi/errors.h */
	FZ_BAD_POSITIVE, /* a positive result from an action that returns 0 */
	FZ_UNKNOWN_ACTION, /* an undefined action did not give ERR_NOT_SUPPORTED */
	FZ_BAD_TARGET, /* handle 0, a stale or a >32-bit handle not refused as BAD_HANDLE */
	FZ_BAD_POINTER, /* success with a kernel, non-canonical or unmapped pointer */
	FZ_READONLY_WRITTEN, /* success writing output into our read-only code */
	FZ_REASON_COUNT
};

/* Outcomes: (action, result) pairs seen, one bit each in struct fz_shared.outcomes:
 * row = the action's index in ch_actions[] (FZ_OUTCOME_ROWS - 1: an undefined action),
 * column = 0 for success, -result for an error (FZ_OUTCOME_COLS - 1: anything beyond). */
#define FZ_OUTCOME_ROWS 160
#define FZ_OUTCOME_COLS 128
#define FZ_OUTCOME_WORDS (FZ_OUTCOME_ROWS * FZ_OUTCOME_COLS / 64)

struct fz_shared {
	uint32_t magic;
	uint32_t started; /* the child got as far as its loop */
	uint64_t seed;
	uint64_t calls; /* calls made by the main thread */
	uint64_t thread_calls; /* calls made by fuzz threads */
	uint64_t threads; /* fuzz threads started */
	uint32_t violations;
	uint32_t helpers_done; /* budgeted fuzz threads (the child's "threads") that finished */
	uint64_t cov_seqs; /* coverage guidance: sequences that reached new kernel PCs */
	uint64_t cov_replays; /* ... and mutated replays of kept sequences made */
	struct fz_call cur; /* the main thread's call in progress */
	struct fz_call bad; /* the first violation */
	uint64_t outcomes[FZ_OUTCOME_WORDS]; /* written with atomic ORs by every thread */
};
_Static_assert(sizeof(struct fz_shared) <= 4096, "fz_shared is one page");

/* Records c's (action, result) pair in outcomes (thread-safe, no libc). */
void fz_outcome_note(volatile uint64_t *outcomes, const struct fz_call *c);

/* --- gen.c: random system calls --- */

/* A handle the fuzzer holds, with what it knows about it. */
struct fz_handle {
	handle_t h;
	uint8_t type; /* enum obj_type, OBJ_NONE when unknown */
	uint8_t self; /* FZ_SELF_* */
};

#define FZ_SELF_NONE 0
#define FZ_SELF_AS 1 /* our own address space */
#define FZ_SELF_PROCESS 2 /* our own process */
#define FZ_SELF_PARENT_EP 3 /* our end of the parent's channel */

#define FZ_MAX_LIVE 96
#define FZ_MAX_STALE 64

/* Everything one fuzzing thread owns. */
struct fz_state {
	uint64_t rng;
	uint32_t thread; /* 0 = main */
	uint32_t nlive, nstale;
	struct fz_handle live[FZ_MAX_LIVE];
	handle_t stale[FZ_MAX_STALE]; /* dropped by us: must stay dead */
	/* What the generator decided about the call it made (for the checks). */
	int target_kind; /* FZ_T_* */
	int target_slot; /* index into live[] or -1 */
	int bad_ptr; /* a pointer the call must dereference to succeed is bad */
	int ro_out; /* an output pointer is our read-only code */
	uint64_t budget; /* a fuzz thread's calls (0: FZ_THREAD_CALLS) */
	/* A burst (gen.c): burst_left more calls of burst_action at burst_target. */
	uint32_t burst_left;
	uint64_t burst_action;
	handle_t burst_target;
	/* Buffers the generator points the kernel at. */
	uint8_t out[256] __attribute__((aligned(16)));
	struct kbus_msg msg;
	struct kbus_buf buf;
	handle_t send_handles[64];
	handle_t recv_handles[64];
};

#define FZ_T_LIVE 1
#define FZ_T_STALE 2 /* must give ERR_BAD_HANDLE */
#define FZ_T_ZERO 3 /* must give ERR_BAD_HANDLE */
#define FZ_T_WIDE 4 /* upper 32 bits set: must give ERR_BAD_HANDLE */
#define FZ_T_RANDOM 5

uint64_t fz_rand(struct fz_state *st);
/* Fills *c with the next random call for st (target, action, arguments). */
void fz_gen_call(struct fz_state *st, struct fz_call *c);
/* Whether action is one the ABI headers define. */
int fz_known_action(uint64_t action);
/* Whether a successful action may return a positive value. */
int fz_positive_ok(uint64_t action);

/* Set once a successful mapping may cover addresses the checks assume unmapped (below
 * the program, the arena's guard page); the checks of those addresses then stop. */
extern volatile int fz_low_mapped, fz_guard_mapped;

/* Hooks into child.c the generator needs. */
uint64_t fz_thread_entry_ip(void);
/* Whether the main thread has handed out a fuzz thread slot. */
int fz_threads_started(void);
/* A fresh fuzz thread slot's stack top (its state copied from st), or 0 if none. */
uint64_t fz_thread_stack(struct fz_state *st, uint64_t *slot);
/* Whether [va, va + len) touches memory the child needs to keep running. */
int fz_protected_range(uint64_t va, uint64_t len);

/* --- entry.c: hostile entries (far return to any selector, then an entry
 * instruction), "bin/sysfuzz entry <seed>" or "entry <selector> <kind>";
 * never returns --- */
int fz_entry_main(int argc, char **argv);

/* --- dev.c: hostile device-class messages, "bin/sysfuzz dev <uri> <seed> <calls>"
 * (every dev:// entry under uri; 0 when every driver answered every call) --- */
int fz_dev_main(int argc, char **argv);

/* --- seq.c: fixed regression sequences, each run in a child --- */
unsigned fz_nsequences(void);
const char *fz_sequence_name(unsigned i);
/* "bin/sysfuzz seq <name>": runs it; 0 when every step did what it should. */
int fz_sequence_main(const char *name);

/* --- child.c --- */
int fz_child_main(int argc, char **argv);
const char *fz_reason_name(uint32_t reason);
const char *fz_action_name(uint64_t action);
