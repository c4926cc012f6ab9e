/*
 * table.c - the action table, the glue and the dispatcher.
 *
 * Actions are (object type << 8) | operation (abi/syscall.h), so the table is
 * a two-level array indexed directly by type and operation: one bounds check
 * and one load, whatever the number of actions. Each entry is one row of
 * abi/actions.h as the dispatcher needs it: how to decode the target (kind,
 * type, rights), which arguments it checks for every action alike (handle
 * widths, fixed-size output ranges), and the glue that calls the row's
 * handler with its target decoded and typed.
 *
 * Every action, the benchmarks' SYS_SELF_NULL included, takes the table path:
 * a benchmark measures what real calls pay. The kbus register fast path's two
 * actions (SYS_KBUS_CALL_FAST, SYS_KBUS_REPLY_RECV_FAST) reach it when the
 * flat path (kbus/call.c) leaves them to C; their rows hand the saved frame
 * to the handler. A handler's argument array is the saved frame's argument
 * registers themselves (arch/syscall_regs.h), not a copy.
 *
 * syscall_dispatch() runs on the calling thread's kernel stack with
 * interrupts on. Handles are 32 bits; a target or handle argument with any
 * of its upper 32 bits set is a bad handle, never silently truncated.
 */
#include <syscall/syscall.h>
#include <stddef.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/syscall.h>
#include <arch/entry.h>
#include <arch/flat_asm.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <arch/syscall_regs.h>
#include <arch/trap.h>
#include <cap/invoke.h>
#include <hw/hw.h>
#include <kbus/kbus.h>
#include <lib/compiler.h>
#include <mm/uaccess.h>
#include <ns/ns.h>
#include <obj/aspace.h>
#include <obj/debuglog.h>
#include <obj/memory.h>
#include <obj/pool.h>
#include <obj/process.h>
#include <obj/schedctl.h>
#include <sched/sched.h>

_Static_assert(ARCH_SYSCALL_ARGS == CH_MAX_ARGS, "a row describes every argument register");

#define HANDLES(args) CH_ARGS_MASK(CH_ARG_HANDLE, args)
#define OUTS(args)                                                             \
	(CH_ARGS_MASK(CH_ARG_OUT, args) | CH_ARGS_MASK(CH_ARG_OUT_OPT, args) | \
	 CH_ARGS_MASK(CH_ARG_OUT_HANDLE, args))

/* The checks every action's handle and output arguments get alike (inlined by
 * decode() with the row's constants: an action pays for its own arguments only). */
static inline __attribute__((always_inline)) long
check_args(uint32_t handles, uint32_t outs, const uint64_t *kinds, const uint64_t *a)
{
#pragma GCC unroll 8
	for (unsigned i = 0; i < CH_MAX_ARGS; i++) {
		if ((handles >> i & 1) && a[i] >> 32)
			return ERR_BAD_HANDLE;
		if ((outs >> i & 1) && !user_range_ok(a[i], CH_ARG_BYTES(kinds[i])) &&
		    !(CH_ARG_KIND(kinds[i]) == CH_ARG_OUT_OPT && a[i] == 0))
			return ERR_BAD_ADDRESS;
	}
	return 0;
}

/*
 * The decode of a row whose target is not SELF: the target's width, its
 * capability (none for SLOT), the arguments' checks. On success *cap holds
 * the target's reference (obj NULL for SLOT) for the caller to put. Each
 * row's entry below inlines it with the row's constants, so what is not
 * asked (no lookup, no checks) costs nothing.
 */
static inline __attribute__((always_inline)) long
decode(struct cspace *cs, uint64_t target, const uint64_t *a, unsigned kind, unsigned type,
       uint64_t rights, uint32_t handles, uint32_t outs, const uint64_t *kinds, struct cap_ref *cap)
{
	if (unlikely(target >> 32))
		return ERR_BAD_HANDLE;
	if (kind == CH_TARGET_SLOT) {
		cap->obj = NULL; /* nothing decoded, nothing to put */
	} else {
		long r = cap_lookup(cs, (handle_t)target, (enum obj_type)type, rights, cap);
		if (unlikely(r))
			return r;
	}
	if (handles | outs) {
		long r = check_args(handles, outs, kinds, a);
		if (unlikely(r)) {
			cap_ref_put(cap);
			return r;
		}
	}
	return 0;
}

/*
 * Each row's entry: decode as the row says, call the handler with its target
 * (the slot, the capability, the object downcast with its type's _from()),
 * release the target. A SELF row's entry only calls its handler.
 */
/* (the order of the parameters: a SELF row's entry, sys_name(cs, a), is one jump) */
typedef long (*syscall_entry)(struct cspace *cs, const uint64_t *a, uint64_t target);

#define ENTRY_SELF(name, target, type, rights, args)                               \
	static long entry_##name(struct cspace *cs, const uint64_t *a, uint64_t t) \
	{                                                                          \
		(void)t;                                                           \
		return sys_##name(cs, a);                                          \
	}
#define ENTRY_SLOT(name, target, type, rights, args)                                               \
	static long entry_##name(struct cspace *cs, const uint64_t *a, uint64_t t)                 \
	{                                                                                          \
		static const uint64_t kinds[CH_MAX_ARGS] = CH_ARGS_ARRAY(args);                    \
		struct cap_ref cap;                                                                \
		long r = decode(cs, t, a, CH_TARGET_SLOT, type, rights, HANDLES(args), OUTS(args), \
		                kinds, &cap);                                                      \
		return r ? r : sys_##name(cs, (handle_t)t, a);                                     \
	}
/*
 * An entry whose decode holds a reference: decode, call the handler with the
 * trailing macro arguments, put. argv is the entry's last parameter, words the
 * argument array the decode checks (NULL on the fast path: its words are not
 * checked, see FAST_UNCHECKED).
 */
#define ENTRY_HELD(name, target, type, rights, args, argv, words, ...)                         \
	static long entry_##name(struct cspace *cs, argv, uint64_t t)                          \
	{                                                                                      \
		static const uint64_t kinds[CH_MAX_ARGS] = CH_ARGS_ARRAY(args);                \
		struct cap_ref cap;                                                            \
		long r = decode(cs, t, words, CH_TARGET_##target, type, rights, HANDLES(args), \
		                OUTS(args), kinds, &cap);                                      \
		if (r)                                                                         \
			return r;                                                              \
		r = sys_##name(__VA_ARGS__);                                                   \
		cap_ref_put(&cap);                                                             \
		return r;                                                                      \
	}
/* An OBJ target as its handler takes it: downcast with its type's _from(). */
#define HANDED_OBJ(type) SYS_OBJ_##type(SYS_FROM)(cap.obj)
#define ENTRY_CAP(name, target, type, rights, args) \
	ENTRY_HELD(name, target, type, rights, args, const uint64_t *a, a, cs, (handle_t)t, &cap, a)
#define ENTRY_OBJ(name, target, type, rights, args)                                              \
	ENTRY_HELD(name, target, type, rights, args, const uint64_t *a, a, cs, HANDED_OBJ(type), \
	           &cap, a)
#define ENTRY(action, name, wrapper, target, type, rights, args) \
	ENTRY_##target(name, target, type, rights, args)
CH_ACTIONS(ENTRY)
#undef ENTRY

/* The register fast path: the same decode; the handler gets the saved frame,
   of which the argument array is a part (arch_syscall_argp()). */
#define FAST_ENTRY(action, name, wrapper, target, type, rights, args)                           \
	ENTRY_HELD(name, target, type, rights, args, const uint64_t *a, NULL, HANDED_OBJ(type), \
	           &cap, arch_syscall_frame_of(a))
CH_FAST_ACTIONS(FAST_ENTRY)
#undef FAST_ENTRY

/*
 * The table syscall.S dispatches through, indexed by the action itself: one
 * bounds check and one load, whatever the action. A number that names no
 * action finds entry_unknown (no NULL test on the way).
 */
static long entry_unknown(struct cspace *cs, const uint64_t *a, uint64_t t)
{
	(void)cs;
	(void)t;
	(void)a;
	return ERR_NOT_SUPPORTED;
}

#define TABLE_ROW(action, name, wrapper, target, type, rights, args) [action] = entry_##name,
extern const syscall_entry syscall_table[SYSCALL_TABLE_SIZE]; /* syscall.S's */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init" /* the rows over the default */
const syscall_entry syscall_table[SYSCALL_TABLE_SIZE] = {
    [0 ... SYSCALL_TABLE_SIZE - 1] = entry_unknown,
    CH_ACTIONS(TABLE_ROW) CH_FAST_ACTIONS(TABLE_ROW)};
#pragma GCC diagnostic pop
#undef TABLE_ROW

#define IN_TABLE(action, name, wrapper, target, type, rights, args) \
	_Static_assert((action) < SYSCALL_TABLE_SIZE, #action ": beyond the table");
CH_ACTIONS(IN_TABLE)
CH_FAST_ACTIONS(IN_TABLE)
#undef IN_TABLE
_Static_assert(SYSCALL_TABLE_SIZE == OBJ_TYPE_COUNT << 8, "every type's 256 operations");

#define SELF_UNCHECKED(action, name, wrapper, target, type, rights, args)                     \
	_Static_assert(CH_TARGET_##target != CH_TARGET_SELF || !(HANDLES(args) | OUTS(args)), \
	               #action ": the dispatcher checks no argument of a SELF row");
CH_ACTIONS(SELF_UNCHECKED)
#undef SELF_UNCHECKED
#define FAST_UNCHECKED(action, name, wrapper, target, type, rights, args) \
	_Static_assert(!(HANDLES(args) | OUTS(args)), #action ": its words are not checked");
CH_FAST_ACTIONS(FAST_UNCHECKED)
#undef FAST_UNCHECKED

/* What syscall.S reads of C structures (arch/syscall_asm.h). */
_Static_assert(CPU_CURRENT == __builtin_offsetof(struct cpu, current), "syscall.S");
_Static_assert(THREAD_UCS == __builtin_offsetof(struct thread, ucs), "syscall.S");
_Static_assert(THREAD_KILL_PENDING == __builtin_offsetof(struct thread, kill_pending), "syscall.S");
_Static_assert(THREAD_KILL_PENDING == __builtin_offsetof(struct thread, return_flags) &&
                   THREAD_KILL_PENDING + 1 == __builtin_offsetof(struct thread, suspend_hint),
               "syscall.S tests both bytes");
_Static_assert(CPU_NEED_RESCHED == __builtin_offsetof(struct cpu, need_resched), "syscall.S");
_Static_assert(ERR_NOT_SUPPORTED == SYSCALL_ERR_NOT_SUPPORTED, "syscall.S");

/*
 * The work owed before any return to user mode (a system call's, or a trap's
 * from user mode), interrupts off on entry and on return: switch away when a
 * reschedule is pending on this CPU (a wake-up, the end of a slice), end the
 * thread when it is being killed, park it while its process is suspended.
 * Loops until none is pending, so SYSRET or IRET follows a clean check.
 */
void user_return_work(void)
{
	for (;;) {
		struct thread *self = sched_current();
		struct uthread *u = self->uthread;
		if (sched_resched_pending()) {
			sched_irq_exit();
			continue;
		}
		if (u && (sched_kill_pending(self) || process_suspended(u->proc))) {
			uthread_return_check(); /* killed: ends here; suspended: parks */
			continue;
		}
		return;
	}
}
