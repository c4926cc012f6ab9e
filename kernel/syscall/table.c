/*
 * table.c - the action -> handler table and the dispatcher.
 *
 * Actions are (object type << 8) | operation (abi/syscall.h), so the table is
 * a two-level array indexed directly by type and operation: one bounds check
 * and one load, whatever the number of actions. The kbus register fast path
 * (SYS_KBUS_CALL_FAST, SYS_KBUS_REPLY_RECV_FAST) is tested first and skips the
 * table. Every other action, the benchmarks' SYS_SELF_NULL included, takes the
 * table path: a benchmark measures what real calls pay.
 *
 * syscall_dispatch() runs on the calling thread's kernel stack with
 * interrupts on. Target handles are 32 bits; a target register with any of
 * its upper 32 bits set is a bad handle, never silently truncated.
 */
#include <syscall/syscall.h>
#include <stddef.h>
#include <abi/errors.h>
#include <abi/kbus.h>
#include <abi/syscall.h>
#include <arch/syscall_regs.h>
#include <arch/trap.h>
#include <lib/compiler.h>
#include <obj/process.h>
#include <sched/sched.h>

#define SYS_OPS 32 /* operations per object type the table has room for */
#define T(action) [SYS_ACTION_TYPE(action)][(action)&0xff]

/* One row per action of abi/actions.h. */
#define TABLE_ROW(action, name, wrapper, type, rights) T(action) = sys_##name,
static const syscall_fn table[OBJ_TYPE_COUNT][SYS_OPS] = {CH_ACTIONS(TABLE_ROW)};
#undef TABLE_ROW

syscall_fn syscall_lookup(uint64_t action)
{
	uint64_t type = action >> 8, op = action & 0xff;
	if (type >= OBJ_TYPE_COUNT || op >= SYS_OPS)
		return NULL;
	return table[type][op];
}

void syscall_dispatch(struct trap_frame *tf)
{
	uint64_t action = arch_syscall_action(tf), target = arch_syscall_target(tf);
	struct thread *self = sched_current();
	long r;
	/* a thread making system calls is a user thread of a live process */
	struct cspace *cs = self->uthread->proc->cs;
	if (action == SYS_KBUS_REPLY_RECV_FAST || action == SYS_KBUS_CALL_FAST) {
		if (unlikely(target >> 32))
			r = ERR_BAD_HANDLE;
		else if (action == SYS_KBUS_REPLY_RECV_FAST)
			r = sys_kbus_reply_recv_fast(cs, (handle_t)target, tf);
		else
			r = sys_kbus_call_fast(cs, (handle_t)target, tf);
	} else {
		syscall_fn fn = syscall_lookup(action);
		if (!fn) {
			r = ERR_NOT_SUPPORTED;
		} else if (target >> 32) {
			r = ERR_BAD_HANDLE;
		} else {
			uint64_t a[ARCH_SYSCALL_ARGS];
			arch_syscall_args(tf, a);
			r = fn(cs, (handle_t)target, a);
		}
	}
	arch_syscall_set_result(tf, (uint64_t)r);
	if (unlikely(sched_kill_pending(self)))
		uthread_return_check(); /* killed meanwhile: the thread ends here */
}
