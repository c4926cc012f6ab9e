/*
 * gen.c - sysfuzz: making random system calls.
 *
 * fz_gen_call() picks an action (every row of the one list, abi/actions.h, or, one
 * time in eight, a random number), a target (one of our live handles, preferably of
 * the action's type, a handle we dropped, 0, a forged 32-bit value or one with its
 * upper 32 bits set) and each argument by the kind its row gives it, from lists of
 * interesting values: pointers into our
 * own buffers (some ending just before an unmapped guard page), NULL, low, kernel and
 * non-canonical addresses, our read-only code; sizes 0, 1, page +- 1, 1 << 40,
 * UINT64_MAX, "negative" numbers; rights with undefined bits; handles of every kind.
 *
 * While generating, it notes what must happen: st->bad_ptr when the call can only
 * succeed by dereferencing a pointer that is unmapped, kernel or non-canonical, and
 * st->ro_out when it would write into our code. child.c checks those after the call.
 *
 * It never makes a call that may block for good: every wait gets a small timeout, and
 * SYS_KBUS_REPLY_RECV_FAST (no timeout) is made only when child.c found that it
 * cannot block. Calls that would end the process or take away the memory it runs in
 * (its code, stack, the page shared with the parent) are made, but rarely, so a child
 * usually lives for its whole budget.
 */
#include "sysfuzz.h"

#include <stddef.h>

#include <charlotte/actions.h>

#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/rights.h>
#include <abi/syscall.h>

#define PAGE UINT64_C(4096)
#define USER_END UINT64_C(0x0000800000000000)
#define LOW_END UINT64_C(0x400000) /* nothing is mapped below the program */

/* Set once a mapping may cover addresses the checks assume unmapped. */
volatile int fz_low_mapped, fz_guard_mapped;

/* Every action comes from the one list, abi/actions.h (charlotte/actions.h). */

int fz_known_action(uint64_t action)
{
	return ch_action_find(action) != NULL;
}

int fz_positive_ok(uint64_t action)
{
	/* The clock; counts: waiters woken, subscribers reached, events, capabilities
	 * revoked; bytes written to the log. */
	return action == SYS_SELF_CLOCK || action == SYS_SELF_FUTEX_WAKE ||
	       action == SYS_GROUP_PUBLISH || action == SYS_WAITSET_WAIT ||
	       action == SYS_CAP_REVOKE || action == SYS_LOG_WRITE;
}

uint64_t fz_rand(struct fz_state *st)
{
	uint64_t x = st->rng; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	st->rng = x;
	return x * UINT64_C(0x2545f4914f6cdd1d);
}

static uint64_t below(struct fz_state *st, uint64_t n)
{
	return fz_rand(st) % n;
}

/* One time in n. */
static int one_in(struct fz_state *st, uint64_t n)
{
	return below(st, n) == 0;
}

static uint64_t pick(struct fz_state *st, const uint64_t *v, unsigned n)
{
	return v[below(st, n)];
}
#define PICK(st, arr) pick(st, arr, sizeof(arr) / sizeof(arr[0]))

/* --- pointers --- */

enum { P_OK, P_BAD, P_RO, P_UNKNOWN };

static int inside(uint64_t p, uint64_t size, uint64_t base, uint64_t len)
{
	return p >= base && size <= len && p - base <= len - size;
}

extern const char fz_code_anchor[]; /* child.c: an address in our read-only text */

/* What dereferencing [p, p + size) must do (size > 0). */
static int classify(struct fz_state *st, uint64_t p, uint64_t size)
{
	uint64_t end = p + size;
	uint64_t guard = FZ_ARENA + FZ_ARENA_SIZE;

	if (end < p || p >= USER_END || end > USER_END)
		return P_BAD; /* kernel, non-canonical or wrapping: always refused */
	if (p < LOW_END)
		return fz_low_mapped ? P_UNKNOWN : P_BAD;
	if (p < guard + PAGE && end > guard && p >= FZ_ARENA)
		return fz_guard_mapped ? P_UNKNOWN : P_BAD;
	if (inside(p, size, FZ_ARENA, FZ_ARENA_SIZE) ||
	    inside(p, size, (uint64_t)(uintptr_t)st, sizeof(*st)))
		return P_OK;
	if (inside(p, size, (uint64_t)(uintptr_t)fz_code_anchor, 64))
		return P_RO;
	return P_UNKNOWN;
}

static const uint64_t kernel_ptrs[] = {
    UINT64_C(0xffff800000000000), UINT64_C(0xffffffff80000000), UINT64_C(0xffff800000100000),
    UINT64_C(0xfffffffffffff000), UINT64_C(0xffffffffffffffff),
};
static const uint64_t noncanonical_ptrs[] = {
    UINT64_C(0x0000800000000000), UINT64_C(0x8000000000000000), UINT64_C(0x00007ffffffffff8),
    UINT64_C(0x00007fffffffffff), UINT64_C(0x0000fffffffff000), UINT64_C(0x7fffffffffffffff),
};

/*
 * A pointer for the kernel to read or write size bytes at; *cls says what that must
 * do. prefer is our own buffer of at least size bytes, or 0 for "somewhere in the
 * arena".
 */
static uint64_t gen_ptr(struct fz_state *st, uint64_t size, uint64_t prefer, int *cls)
{
	uint64_t guard = FZ_ARENA + FZ_ARENA_SIZE, p;
	uint64_t sz = size ? size : 1;

	switch (below(st, 20)) {
	case 0:
		p = 0;
		break;
	case 1: /* ends just inside or crosses into the guard page */
		p = guard - (sz <= FZ_ARENA_SIZE ? sz : FZ_ARENA_SIZE) +
		    below(st, 2) * below(st, 16);
		break;
	case 2:
		p = guard + below(st, PAGE);
		break;
	case 3:
		p = PICK(st, kernel_ptrs);
		break;
	case 4:
		p = PICK(st, noncanonical_ptrs);
		break;
	case 5:
		p = (uint64_t)(uintptr_t)fz_code_anchor;
		break;
	case 6:
		p = PAGE * (1 + below(st, 0x3ff)); /* low, unmapped */
		break;
	case 7:
		p = fz_rand(st);
		break;
	case 8: /* an unaligned place in the arena */
		p = FZ_ARENA + below(st, FZ_ARENA_SIZE);
		break;
	default:
		if (prefer && !one_in(st, 4)) {
			p = prefer;
		} else {
			uint64_t room = sz < FZ_ARENA_SIZE ? FZ_ARENA_SIZE - sz : 0;
			p = FZ_ARENA + (below(st, room + 1) & ~UINT64_C(7));
		}
		break;
	}
	*cls = classify(st, p, sz);
	return p;
}

/* An output of size bytes the kernel writes on success. */
static uint64_t gen_out(struct fz_state *st, uint64_t size)
{
	int cls;
	uint64_t prefer = size <= sizeof(st->out) ? (uint64_t)(uintptr_t)st->out : 0;
	uint64_t p = gen_ptr(st, size, prefer, &cls);

	if (cls == P_BAD)
		st->bad_ptr = 1;
	if (cls == P_RO)
		st->ro_out = 1;
	return p;
}

/* An output the kernel skips when the pointer is 0. */
static uint64_t gen_out_opt(struct fz_state *st, uint64_t size)
{
	int bad = st->bad_ptr;
	uint64_t p = gen_out(st, size);

	if (p == 0)
		st->bad_ptr = bad;
	return p;
}

/* An input of size bytes the kernel reads on success (size 0: nothing to check). */
static uint64_t gen_in(struct fz_state *st, uint64_t size, uint64_t prefer)
{
	int cls;
	uint64_t p = gen_ptr(st, size, prefer, &cls);

	if (cls == P_BAD && size > 0)
		st->bad_ptr = 1;
	return p;
}

/* --- scalars --- */

static const uint64_t sizes[] = {
    0,
    1,
    8,
    4095,
    4096,
    4097,
    8192,
    65536,
    65537,
    UINT64_C(1) << 20,
    UINT64_C(1) << 40,
    UINT64_C(1) << 63,
    UINT64_MAX,
    UINT64_MAX - 4095,
    0xffffffffu,
    UINT64_C(0x100000000),
    0x7fffffffu,
    (uint64_t)-4096,
    (uint64_t)-1 << 12,
};

static uint64_t gen_size(struct fz_state *st)
{
	switch (below(st, 4)) {
	case 0:
		return PAGE * (1 + below(st, 8));
	case 1:
		return 1 + below(st, 16384);
	case 2:
		return fz_rand(st) >> below(st, 64);
	default:
		return PICK(st, sizes);
	}
}

static uint64_t gen_rights(struct fz_state *st)
{
	static const uint64_t r[] = {RIGHTS_ALL,
	                             0,
	                             RIGHT_READ | RIGHT_MAP,
	                             RIGHT_SEND | RIGHT_TRANSFER,
	                             RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT,
	                             UINT64_C(1) << 48,
	                             UINT64_MAX,
	                             RIGHTS_ALL | (UINT64_C(1) << 63)};
	switch (below(st, 3)) {
	case 0:
		return fz_rand(st) & RIGHTS_ALL;
	case 1:
		return fz_rand(st);
	default:
		return PICK(st, r);
	}
}

static uint64_t gen_prot(struct fz_state *st)
{
	static const uint64_t p[] = {PROT_READ,
	                             PROT_READ | PROT_WRITE,
	                             PROT_READ | PROT_EXEC,
	                             PROT_WRITE | PROT_EXEC,
	                             0,
	                             8,
	                             0xffffffffu,
	                             UINT64_MAX};
	return one_in(st, 2) ? below(st, 8) : PICK(st, p);
}

/* Waits are short: most calls do not block at all. */
static uint64_t gen_timeout(struct fz_state *st)
{
	static const uint64_t t[] = {0, 0, 0, 1, 1000, 50000, 200000};
	return one_in(st, 32) ? 1000000 + below(st, 1000000) : PICK(st, t);
}

static uint64_t gen_word(struct fz_state *st)
{
	static const uint64_t w[] = {0,           1,           2,          0x7fffffff,
	                             0x80000000u, 0xffffffffu, UINT64_MAX, UINT64_C(1) << 63,
	                             (uint64_t)-2};
	return one_in(st, 2) ? fz_rand(st) : PICK(st, w);
}

/* A page-aligned address for a mapping, sometimes not aligned or not in the user half. */
static uint64_t gen_vaddr(struct fz_state *st)
{
	static const uint64_t v[] = {0,
	                             FZ_ARENA,
	                             FZ_ARENA + FZ_ARENA_SIZE - PAGE,
	                             0x400000,
	                             UINT64_C(0x00007ffffffff000),
	                             UINT64_C(0x00007fffffffe000),
	                             UINT64_C(0x0000800000000000),
	                             UINT64_C(0xffff800000000000),
	                             UINT64_C(0xffffffff80000000),
	                             UINT64_C(0x8000000000000000),
	                             UINT64_C(0x00007ffffff00000) - PAGE};
	switch (below(st, 6)) {
	case 0:
	case 1:
	case 2:
		return FZ_MAPZONE + PAGE * below(st, FZ_MAPZONE_PAGES);
	case 3:
		return FZ_MAPZONE + below(st, FZ_MAPZONE_PAGES * PAGE);
	case 4:
		return (fz_rand(st) & (USER_END - 1)) & ~(PAGE - 1);
	default:
		return one_in(st, 4) ? fz_rand(st) : PICK(st, v);
	}
}

static uint64_t gen_len(struct fz_state *st)
{
	return one_in(st, 2) ? PAGE * (1 + below(st, 16)) : gen_size(st);
}

/* --- handles --- */

/* A live handle, of type want (OBJ_NONE: any) when we have one; -1 if none. */
static int live_slot(struct fz_state *st, int want)
{
	if (st->nlive == 0)
		return -1;
	if (want != OBJ_NONE && !one_in(st, 4)) {
		unsigned start = (unsigned)below(st, st->nlive);
		for (unsigned i = 0; i < st->nlive; i++) {
			unsigned k = (start + i) % st->nlive;
			if (st->live[k].type == want)
				return (int)k;
		}
	}
	return (int)below(st, st->nlive);
}

/* A handle argument (not the target): *slot = its live index or -1. */
static handle_t gen_handle(struct fz_state *st, int want, int *slot)
{
	*slot = -1;
	switch (below(st, 16)) {
	case 0:
		return HANDLE_INVALID;
	case 1:
		return st->nstale ? st->stale[below(st, st->nstale)] : HANDLE_INVALID;
	case 2:
		return (handle_t)fz_rand(st);
	case 3: /* a live slot with another generation */
		if (st->nlive)
			return HANDLE_MAKE(HANDLE_INDEX(st->live[below(st, st->nlive)].h),
			                   below(st, HANDLE_GEN_MAX + 1));
		return (handle_t)below(st, 64);
	default:
		*slot = live_slot(st, want);
		return *slot < 0 ? HANDLE_INVALID : st->live[*slot].h;
	}
}

/* The call's target; records what kind of handle it is. */
static uint64_t gen_target(struct fz_state *st, int want)
{
	st->target_slot = -1;
	switch (below(st, 24)) {
	case 0:
		st->target_kind = FZ_T_ZERO;
		return 0;
	case 1:
	case 2:
		if (!st->nstale)
			break;
		st->target_kind = FZ_T_STALE;
		return st->stale[below(st, st->nstale)];
	case 3:
		st->target_kind = FZ_T_WIDE;
		if (st->nlive && one_in(st, 2))
			return ((fz_rand(st) | 1) << 32) | st->live[below(st, st->nlive)].h;
		return fz_rand(st) | (UINT64_C(1) << (32 + below(st, 32)));
	case 4:
		st->target_kind = FZ_T_RANDOM;
		return (handle_t)fz_rand(st);
	default:
		break;
	}
	int slot = live_slot(st, want);
	if (slot < 0) {
		st->target_kind = FZ_T_ZERO;
		return 0;
	}
	st->target_kind = FZ_T_LIVE;
	st->target_slot = slot;
	return st->live[slot].h;
}

/* Handles to send: anything, endpoints to our own endpoints included, so a message
 * may try to carry an endpoint into its own queue or close a ring of queues: the
 * kernel must refuse that (docs/kbus.md, the cycle rule; hole 8 of the hostile review
 * once leaked the channel and its pool), and the parent's leak check after each batch
 * catches a ring that got through. Most handles are ours; some forged. */
static void gen_send_handles(struct fz_state *st, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < 64; i++) {
		int slot;
		handle_t h = one_in(st, 4) ? gen_handle(st, OBJ_ENDPOINT, &slot)
		                           : gen_handle(st, OBJ_NONE, &slot);
		if (one_in(st, 16))
			h = (handle_t)fz_rand(st) | 1; /* forged */
		st->send_handles[i] = h;
	}
	if (n > 1 && one_in(st, 8)) /* the same handle twice */
		st->send_handles[n - 1 < 64 ? n - 1 : 63] = st->send_handles[0];
}

static uint64_t gen_msg(struct fz_state *st, int optional)
{
	static const uint32_t lens[] = {
	    0, 1, 8, 32, 33, 100, 4096, KBUS_MAX_BYTES, KBUS_MAX_BYTES + 1, 0xffffffffu};
	static const uint32_t nhs[] = {0, 0, 0, 1, 2, 3, 64, 65, 0xffffffffu};
	struct kbus_msg *m = &st->msg;
	int cls;

	if (optional && one_in(st, 3))
		return 0;
	uint32_t len = one_in(st, 2) ? (uint32_t)below(st, 64) : lens[below(st, 10)];
	uint32_t nh = nhs[below(st, 9)];
	m->len = len;
	m->nhandles = nh;
	m->copy_mask = one_in(st, 2) ? 0 : fz_rand(st);
	m->data = (const void *)(uintptr_t)gen_ptr(st, len, 0, &cls);
	/* A reply (REPLY_RECV) with no call to answer is skipped after the descriptor and
	 * its handles are read: only a range check guards its bytes. */
	int data_bad = cls == P_BAD && len > 0 && len <= KBUS_MAX_BYTES &&
	               (!optional || (uint64_t)(uintptr_t)m->data + len > USER_END ||
	                (uint64_t)(uintptr_t)m->data + len < (uint64_t)(uintptr_t)m->data);
	gen_send_handles(st, nh);
	m->handles = (const handle_t *)(uintptr_t)gen_ptr(
	    st, (uint64_t)nh * 4, (uint64_t)(uintptr_t)st->send_handles, &cls);
	int handles_bad = cls == P_BAD && nh > 0 && nh <= KBUS_MAX_HANDLES;
	uint64_t p = gen_ptr(st, sizeof(*m), (uint64_t)(uintptr_t)m, &cls);
	if ((cls == P_BAD && !(optional && p == 0)) ||
	    (p == (uint64_t)(uintptr_t)m && (data_bad || handles_bad)))
		st->bad_ptr = 1;
	return p;
}

static uint64_t gen_buf(struct fz_state *st)
{
	static const uint32_t caps[] = {0, 8, 32, 4096, KBUS_MAX_BYTES, 0xffffffffu};
	static const uint32_t hcaps[] = {0, 1, 64, 65, 0xffffffffu};
	struct kbus_buf *b = &st->buf;
	int cls;

	b->capacity = one_in(st, 2) ? (uint32_t)below(st, 128) : caps[below(st, 6)];
	b->handles_capacity = hcaps[below(st, 5)];
	b->data = (void *)(uintptr_t)gen_ptr(st, b->capacity, 0, &cls);
	/* The kernel range-checks data and handles up front; an unmapped page it only
	 * finds when a message has bytes or handles for it. */
	int range_bad = cls == P_BAD && b->capacity > 0 &&
	                (uint64_t)(uintptr_t)b->data + b->capacity > USER_END;
	uint32_t nh = b->handles_capacity < 64 ? b->handles_capacity : 64;
	b->handles = (handle_t *)(uintptr_t)gen_ptr(st, (uint64_t)nh * 4,
	                                            (uint64_t)(uintptr_t)st->recv_handles, &cls);
	range_bad |= cls == P_BAD && nh > 0 && (uint64_t)(uintptr_t)b->handles + nh * 4 > USER_END;
	b->len = b->nhandles = 0;
	uint64_t p = gen_ptr(st, sizeof(*b), (uint64_t)(uintptr_t)b, &cls);
	if (cls == P_BAD || (p == (uint64_t)(uintptr_t)b && range_bad))
		st->bad_ptr = 1;
	return p;
}

/* --- the call --- */

static int target_is_self(struct fz_state *st, int what)
{
	return st->target_slot >= 0 && st->live[st->target_slot].self == what;
}

/* Calls that would end us or unmap what we run in: 1 = made one time in 64, 2 = never. */
static int self_harm(struct fz_state *st, const struct fz_call *c)
{
	switch (c->action) {
	case SYS_SELF_THREAD_EXIT: /* the main thread, while fuzz threads (which may wait
	                            * for good on a pager nobody answers) live on; a
	                            * budgeted fuzz thread (child.c's "threads") rarely, so
	                            * that it makes most of its budget */
		if (st->thread == 0)
			return 1 + fz_threads_started();
		return st->budget ? 1 : 0;
	case SYS_SELF_PROCESS_EXIT:
		return 1;
	case SYS_PROC_KILL:
		return target_is_self(st, FZ_SELF_PROCESS) || st->target_kind == FZ_T_RANDOM;
	case SYS_PROC_SUSPEND: /* ourselves: every thread parks, and no one resumes us */
		return target_is_self(st, FZ_SELF_PROCESS) || st->target_kind == FZ_T_RANDOM ? 2
		                                                                             : 0;
	case SYS_AS_UNMAP:
	case SYS_AS_PROTECT:
		return (target_is_self(st, FZ_SELF_AS) ||
		        (st->target_slot >= 0 && st->live[st->target_slot].type == OBJ_NONE)) &&
		       fz_protected_range(c->a[0], c->a[1]);
	default:
		return 0;
	}
}

static int action_type(uint64_t action)
{
	const struct ch_action *a = ch_action_find(action);
	if (a)
		return (int)a->type;
	return action >= 0x100 ? (int)SYS_ACTION_TYPE(action) : OBJ_NONE;
}

/* A small count (a queue depth, how many events), sometimes far too big. */
static uint64_t gen_count(struct fz_state *st)
{
	static const uint64_t n[] = {0, 1, 4, 64, 65, 4096, 4097, 0xffffffffu, UINT64_MAX};
	return one_in(st, 2) ? below(st, 16) : PICK(st, n);
}

/* A byte count or offset: 0, whole pages, anything. */
static uint64_t gen_bytes(struct fz_state *st)
{
	return one_in(st, 4) ? 0 : gen_len(st);
}

static uint64_t gen_flags(struct fz_state *st)
{
	switch (below(st, 3)) {
	case 0:
		return 0;
	case 1:
		return UINT64_C(1) << below(st, 6);
	default:
		return gen_word(st);
	}
}

/* An integer or handle argument of kind k (abi/actions.h). */
static uint64_t gen_scalar(struct fz_state *st, uint64_t k)
{
	int slot;
	switch (CH_ARG_KIND(k)) {
	case CH_ARG_INT:
		return one_in(st, 2) ? 0 : gen_word(st);
	case CH_ARG_SIZE:
		return gen_bytes(st);
	case CH_ARG_COUNT:
		return gen_count(st);
	case CH_ARG_ADDR:
		return gen_vaddr(st);
	case CH_ARG_RIGHTS:
		return gen_rights(st);
	case CH_ARG_PROT:
		return gen_prot(st);
	case CH_ARG_FLAGS:
		return gen_flags(st);
	case CH_ARG_TIMEOUT:
		return gen_timeout(st);
	case CH_ARG_KEY:
		return one_in(st, 4) ? gen_word(st) : below(st, 8);
	case CH_ARG_HANDLE:
		return gen_handle(st, (int)CH_ARG_AUX(k), &slot);
	default:
		return one_in(st, 4) ? gen_word(st) : 0; /* unused: the kernel must ignore it */
	}
}

/* A pointer argument of kind k; a[] holds the integers already (counts, lengths). */
static uint64_t gen_pointer(struct fz_state *st, uint64_t k, uint64_t *a)
{
	static const char text[] = "sysfuzz~a-fuzzed-grandchild-with-a-long-name";
	uint64_t size = CH_ARG_BYTES(k), *count = &a[CH_ARG_AUX(k) % CH_MAX_ARGS];
	int cls;

	switch (CH_ARG_KIND(k)) {
	case CH_ARG_IN:
		return gen_in(st, size, 0);
	case CH_ARG_IN_IF: /* read only when a flag asks: nothing to promise */
		return gen_ptr(st, size, 0, &cls);
	case CH_ARG_IN_BYTES: /* the kernel reads all *count bytes when it succeeds */
		if (one_in(st, 2))
			*count = below(st, sizeof(text));
		return gen_in(st, *count, (uint64_t)(uintptr_t)text);
	case CH_ARG_OUT:
	case CH_ARG_OUT_HANDLE:
		return gen_out(st, size);
	case CH_ARG_OUT_OPT:
		return one_in(st, 4) ? 0 : gen_out_opt(st, size);
	case CH_ARG_OUT_ARRAY: { /* room for n, but only the ones returned (>= 1) are written */
		uint64_t n = *count < 64 ? *count : 64, sz = n * size;
		uint64_t p =
		    gen_ptr(st, sz, sz <= sizeof(st->out) ? (uint64_t)(uintptr_t)st->out : 0, &cls);
		if (n && classify(st, p, size) == P_BAD)
			st->bad_ptr = 1;
		return p;
	}
	case CH_ARG_MSG:
		return gen_msg(st, 0);
	case CH_ARG_MSG_OPT:
		return gen_msg(st, 1);
	case CH_ARG_BUF:
		return gen_buf(st);
	default:
		return 0;
	}
}

static int is_pointer(uint64_t k)
{
	return CH_ARG_KIND(k) >= CH_ARG_IN;
}

/* SYS_THREAD_START: mostly our fuzz thread entry on a fresh stack slot (child.c). */
static void gen_thread_start(struct fz_state *st, uint64_t *a)
{
	uint64_t sp = 0, idx = 0;
	if (!one_in(st, 8)) {
		a[0] = fz_thread_entry_ip();
		sp = one_in(st, 8) ? 0 : fz_thread_stack(st, &idx);
	} else {
		a[0] = one_in(st, 2) ? gen_vaddr(st) : gen_word(st);
	}
	a[1] = sp ? sp : (one_in(st, 2) ? gen_vaddr(st) : gen_word(st));
	a[2] = idx;
	a[3] = fz_rand(st);
}

/* Every argument by its kind in the action's row (abi/actions.h): integers and handles
 * first, then the pointers, whose sizes may be counts among the integers. */
static void gen_args(struct fz_state *st, struct fz_call *c)
{
	const struct ch_action *row = ch_action_find(c->action);

	for (int i = 0; i < CH_MAX_ARGS; i++)
		c->a[i] = one_in(st, 4) ? gen_word(st) : 0;
	if (!row)
		return;
	if (c->action == SYS_THREAD_START) {
		gen_thread_start(st, c->a);
		return;
	}
	for (int i = 0; i < CH_MAX_ARGS; i++)
		if (!is_pointer(row->args[i]))
			c->a[i] = gen_scalar(st, row->args[i]);
	for (int i = 0; i < CH_MAX_ARGS; i++)
		if (is_pointer(row->args[i]))
			c->a[i] = gen_pointer(st, row->args[i], c->a);
}

/*
 * Bursts: one call in 128 at a live handle starts a burst, the same action at the
 * same target 16 to 256 more times with fresh arguments. They make the shapes the
 * hostile review attacked with, which single random calls reach only by luck: one
 * endpoint added to a waitset under many keys, threads piling up in waits, long
 * derivation trees for one revoke to tear down, many subscribers for one publish,
 * queues full of 64-handle and 64 KiB messages, many mappings for one unmap.
 * Returns 1 with *c filled while a burst lasts (it ends early when its target is
 * no longer one of our live handles).
 */
static int burst_call(struct fz_state *st, struct fz_call *c)
{
	while (st->burst_left) {
		st->burst_left--;
		int slot = -1;
		for (uint32_t i = 0; i < st->nlive; i++)
			if (st->live[i].h == st->burst_target)
				slot = (int)i;
		if (slot < 0)
			break;
		st->bad_ptr = st->ro_out = 0;
		st->target_kind = FZ_T_LIVE;
		st->target_slot = slot;
		c->action = st->burst_action;
		c->target = st->burst_target;
		gen_args(st, c);
		if (!self_harm(st, c))
			return 1;
	}
	st->burst_left = 0;
	return 0;
}

void fz_gen_call(struct fz_state *st, struct fz_call *c)
{
	if (burst_call(st, c))
		return;
	for (;;) {
		st->bad_ptr = st->ro_out = 0;
		if (one_in(st, 8)) {
			static const uint64_t types[] = {0, 1,  2,  3,  4,  5,  6,  7,
			                                 8, 13, 14, 15, 16, 17, 255};
			switch (below(st, 3)) {
			case 0:
				c->action = SYS_ACTION(PICK(st, types), below(st, 40));
				break;
			case 1:
				c->action = below(st, 0x1200);
				break;
			default:
				c->action = fz_rand(st) >> below(st, 64);
				break;
			}
		} else {
			c->action = ch_actions[below(st, ch_nactions)].action;
		}
		c->target = gen_target(st, action_type(c->action));
		gen_args(st, c);
		int harm = self_harm(st, c);
		if (!harm || (harm == 1 && one_in(st, 64))) {
			if (!harm && st->target_kind == FZ_T_LIVE && fz_known_action(c->action) &&
			    one_in(st, 128)) {
				st->burst_left = 16u << below(st, 5);
				st->burst_action = c->action;
				st->burst_target = (handle_t)c->target;
			}
			return;
		}
	}
}
